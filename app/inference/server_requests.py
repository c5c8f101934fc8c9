"""What the local model server accepts: every field of a request checked before llama.cpp sees it.

The model process answers any client that holds its key, and llama.cpp trusts its inputs: a
`max_tokens` of -5 means "until the context is full", a non-numeric temperature raises deep in a
generator after the response has started, a malformed grammar makes llama.cpp return a null
sampler that crashes the process on first use. So each request is checked here, and every
problem becomes `RequestError` (a 400 with one line naming the field) instead of no answer.

Pure Python (no llama.cpp import), so the checks are tested without a model.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_STOP_SEQUENCES = 16
MAX_STOP_CHARS = 500
MAX_GRAMMAR_CHARS = 64_000
MAX_PROMPT_CHARS = 2_000_000
ROLES = ("system", "user", "assistant")

# The grammar `gbnf_for_labels` writes for a label list, with labels free of control characters:
# safe to compile in the model process without a throwaway check (see `is_label_grammar`).
_LABEL_LITERAL = r'"(?:[^"\\\x00-\x1f\x7f]|\\\\|\\"|\\n)+"'
_LABEL_GRAMMAR = re.compile(rf'root ::= " "\? \({_LABEL_LITERAL}(?: \| {_LABEL_LITERAL})*\)\n')


class RequestError(Exception):
    """A request the server refuses; `str(error)` is the reason sent back with the 400."""


@dataclass(frozen=True)
class GenerationParams:
    """A checked request: what to send to llama.cpp."""

    chat: bool
    prompt: str | None
    messages: tuple[dict[str, str], ...]
    max_tokens: int | None
    temperature: float
    top_p: float
    stop: tuple[str, ...]
    seed: int | None
    grammar: str | None
    stream: bool
    include_usage: bool

    def prompt_text(self) -> str:
        """The text the prompt tokens are counted on."""
        if self.prompt is not None:
            return self.prompt
        return "".join(message["content"] for message in self.messages)


def _number(payload: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = payload.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RequestError(f"'{name}' must be a number from {low:g} to {high:g}, not {_shown(value)}")
    if not low <= value <= high:
        raise RequestError(f"'{name}' must be from {low:g} to {high:g}, not {value:g}")
    return float(value)


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RequestError(f"'{name}' must be a whole number, not {_shown(value)}")
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise RequestError(f"'{name}' must be a whole number, not {_shown(value)}")
    return int(value)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _max_tokens(payload: dict[str, Any], context_size: int) -> int | None:
    name = "max_tokens" if payload.get("max_tokens") is not None else "max_completion_tokens"
    value = payload.get(name)
    if value is None:
        return None
    tokens = _whole(value, name)
    if tokens < 1:
        raise RequestError(f"'{name}' must be at least 1, not {tokens}")
    if tokens > context_size:
        raise RequestError(
            f"'{name}' is {tokens:,}, more than the model's context of {context_size:,} tokens"
        )
    return tokens


def _stop(payload: dict[str, Any]) -> tuple[str, ...]:
    value = payload.get("stop")
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise RequestError("'stop' must be a string or a list of strings")
    if len(items) > MAX_STOP_SEQUENCES or any(len(item) > MAX_STOP_CHARS for item in items):
        raise RequestError(
            f"'stop' takes at most {MAX_STOP_SEQUENCES} strings of {MAX_STOP_CHARS} characters"
        )
    return tuple(item for item in items if item)


def _messages(payload: dict[str, Any]) -> tuple[dict[str, str], ...]:
    messages = payload.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must be a non-empty list of {role, content} objects")
    checked: list[dict[str, str]] = []
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            raise RequestError(
                f"'messages' item {number} must be an object with role and content, not {_shown(message)}"
            )
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise RequestError(
                f"'messages' item {number}: role must be one of {', '.join(ROLES)}, not {_shown(role)}"
            )
        if not isinstance(content, str):
            raise RequestError(f"'messages' item {number}: content must be a string, not {_shown(content)}")
        checked.append({"role": role, "content": content})
    if sum(len(message["content"]) for message in checked) > MAX_PROMPT_CHARS:
        raise RequestError(f"'messages' hold more than {MAX_PROMPT_CHARS:,} characters")
    return tuple(checked)


def parse_generation_request(payload: dict[str, Any], chat: bool, context_size: int) -> GenerationParams:
    """Check a completion or chat request; raise `RequestError` naming the first bad field."""
    if chat:
        messages = _messages(payload)
        prompt = None
    else:
        prompt = payload.get("prompt")
        if not isinstance(prompt, str):
            raise RequestError(f"'prompt' must be a string, not {_shown(prompt)}")
        if len(prompt) > MAX_PROMPT_CHARS:
            raise RequestError(f"'prompt' holds more than {MAX_PROMPT_CHARS:,} characters")
        messages = ()
    seed = payload.get("seed")
    grammar = payload.get("grammar")
    if grammar is not None and not isinstance(grammar, str):
        raise RequestError(f"'grammar' must be a GBNF grammar as a string, not {_shown(grammar)}")
    if grammar is not None and len(grammar) > MAX_GRAMMAR_CHARS:
        raise RequestError(f"'grammar' is longer than {MAX_GRAMMAR_CHARS:,} characters")
    if grammar is not None and "\x00" in grammar:
        raise RequestError("'grammar' contains a NUL character")
    stream = payload.get("stream", False)
    if not isinstance(stream, bool) and stream is not None:
        raise RequestError(f"'stream' must be true or false, not {_shown(stream)}")
    options = payload.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise RequestError("'stream_options' must be an object")
    return GenerationParams(
        chat=chat,
        prompt=prompt,
        messages=messages,
        max_tokens=_max_tokens(payload, context_size),
        temperature=_number(payload, "temperature", 0.8, 0.0, 2.0),
        top_p=_number(payload, "top_p", 0.95, 0.0, 1.0),
        stop=_stop(payload),
        seed=None if seed is None else _whole(seed, "seed"),
        grammar=grammar or None,
        stream=bool(stream),
        include_usage=bool((options or {}).get("include_usage")),
    )


def bounded_max_tokens(
    requested: int | None, prompt_tokens: int, context_size: int, default: int = 256
) -> int:
    """How many tokens may be generated: what was asked (or `default`), within the room the prompt
    leaves in the context. Raises `RequestError` when the prompt alone fills the context."""
    room = context_size - prompt_tokens
    if room < 1:
        raise RequestError(
            f"the prompt is {prompt_tokens:,} tokens but the model's context holds {context_size:,}: "
            "shorten the prompt or load the model with a larger context"
        )
    return min(requested if requested is not None else default, room)


def is_label_grammar(text: str) -> bool:
    """True for a grammar of the exact shape `gbnf_for_labels` writes from clean labels."""
    return _LABEL_GRAMMAR.fullmatch(text) is not None


def parse_content_length(value: str | None, limit: int) -> int:
    """The body length a request announces; `RequestError` for a missing, non-numeric or huge one."""
    if value is None or not value.strip():
        raise RequestError("the request has no body (Content-Length missing)")
    text = value.strip()
    if not text.isdigit():
        raise RequestError(f"Content-Length must be a number of bytes, not {_shown(value)}")
    length = int(text)
    if length <= 0:
        raise RequestError("the request body is empty")
    if length > limit:
        raise RequestError(f"the request body is {length:,} bytes; at most {limit:,} are accepted")
    return length


__all__ = [
    "GenerationParams",
    "RequestError",
    "bounded_max_tokens",
    "is_label_grammar",
    "parse_content_length",
    "parse_generation_request",
]
