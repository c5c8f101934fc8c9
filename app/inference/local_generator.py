"""The local specialist as a `TextGenerator`: prompts built for base models, labels by grammar.

The bundled Gemma 3 270M is a *base* model with no chat template, so the default here is a
completion prompt with few-shot examples; chat mode uses the model's own template when the
GGUF has one. A label list becomes a GBNF grammar, so the answer is always one of the labels.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from app.inference.local_server import LocalModelServer, LocalServerError
from app.inference.local_stream import stream_completion
from app.inference.openai_client import OpenAICompatibleGenerator, estimate_tokens
from app.inference.types import GenerationRequest, GenerationResult, Live, TextGenerator, refused_result

FewShotExample = tuple[str, str]
# A base model keeps writing the pattern after its answer; stop at the next example.
FEW_SHOT_STOPS: tuple[str, ...] = ("\nInput:", "\n\n")


def build_completion_prompt(
    prompt: str,
    system: str | None = None,
    examples: Sequence[FewShotExample] = (),
    input_label: str = "Input",
    output_label: str = "Output",
) -> str:
    """Instruction, then `Input: ... / Output: ...` examples, then the prompt awaiting its output.

    With no examples and no instruction the prompt is returned unchanged (raw completion).
    """
    if not examples and not system:
        return prompt
    parts: list[str] = []
    if system:
        parts.append(system.strip())
    for example_input, example_output in examples:
        parts.append(f"{input_label}: {example_input.strip()}\n{output_label}: {example_output.strip()}")
    if examples:
        parts.append(f"{input_label}: {prompt.strip()}\n{output_label}:")
    else:
        parts.append(prompt)
    return "\n\n".join(parts)


def few_shot_request(request: GenerationRequest, examples: Sequence[FewShotExample]) -> GenerationRequest:
    """The request as a base model wants it: in completion mode, the instruction and the few-shot
    examples around the prompt (stopping at the next example); chat requests are left as they are.
    The local specialist and a served one build their prompts alike."""
    if request.mode != "completion":
        return request
    prompt = build_completion_prompt(request.prompt, request.system, examples)
    stops = request.stop or (FEW_SHOT_STOPS if examples else ())
    return dataclasses.replace(request, prompt=prompt, system=None, stop=stops)


class LocalSpecialist(TextGenerator):
    """Answers through the child model process; reports a crashed process in its result."""

    def __init__(
        self,
        server: LocalModelServer,
        *,
        examples: Sequence[FewShotExample] = (),
        display_name: str | None = None,
        read_timeout_s: float = 120.0,
        transport: Literal["lean", "sdk"] = "lean",
    ) -> None:
        self.server = server
        # "lean": the stdlib stream reader (less CPU per token); "sdk": the openai SDK, for comparison.
        self.transport = transport
        self.examples: tuple[FewShotExample, ...] = tuple(examples)
        self.read_timeout_s = read_timeout_s
        self._display_name = display_name or server.model_id
        self._client: OpenAICompatibleGenerator | None = None
        self._client_for: tuple[str, str] | None = None
        self._lock = threading.Lock()

    @property
    def display_name(self) -> str:
        """Name shown over the local column."""
        return self._display_name

    def _generator(self) -> OpenAICompatibleGenerator:
        # A restart gives a new port and key: rebuild the client when they change.
        key = (self.server.base_url, self.server.api_key)
        with self._lock:
            if self._client is None or self._client_for != key:
                if self._client is not None:
                    self._client.close()
                self._client = OpenAICompatibleGenerator(
                    key[0],
                    self.server.model_id,
                    key[1],
                    display_name=self._display_name,
                    connect_timeout_s=2.0,
                    read_timeout_s=self.read_timeout_s,
                    max_retries=0,
                    use_grammar=True,
                )
                self._client_for = key
            return self._client

    def prepare(self, request: GenerationRequest) -> GenerationRequest:
        """The request as sent: few-shot prompt and stops in completion mode, tokens within the context."""
        prepared = few_shot_request(request, self.examples)
        return dataclasses.replace(prepared, max_tokens=self._bounded(request.max_tokens))

    def _bounded(self, max_tokens: int) -> int:
        # The model process refuses more tokens than its context holds; ask for at most that.
        return max(1, min(max_tokens, self.server.settings.context_size))

    def _failure(self, message: str) -> GenerationResult:
        return refused_result(self.server.model_id, message)

    @property
    def model_id(self) -> str:
        """The model process's name for its model (the file's stem)."""
        return self.server.model_id

    def _answer(self, request: GenerationRequest, live: Live) -> GenerationResult:
        """Run one request on the local model; never raises for a stopped or crashed process."""
        crash = self.server.crash_reason()
        if crash:
            return self._failure(crash)
        try:
            generator = self._generator()
        except LocalServerError as exc:
            return self._failure(f"{exc} (start or restart it)")
        if self.transport == "sdk":
            result = generator.generate(self.prepare(request), on_token=live.on_token, cancel=live.cancel)
        else:
            result = self._generate_lean(generator, self.prepare(request), live)
        if result.error:
            crash = self.server.crash_reason()
            if crash:
                result = dataclasses.replace(result, error=crash)
        return result

    def _generate_lean(
        self, generator: OpenAICompatibleGenerator, request: GenerationRequest, live: Live
    ) -> GenerationResult:
        """The same request as the SDK path would send, read by the lean stdlib stream reader."""
        chat, kwargs = generator.request_kwargs(request)
        payload: dict[str, Any] = {
            key: value for key, value in kwargs.items() if key not in ("extra_body", "stream")
        }
        payload.update(kwargs.get("extra_body", {}))
        payload.pop("stream_options", None)
        parts = urlsplit(self.server.base_url)
        path = f"{parts.path}/chat/completions" if chat else f"{parts.path}/completions"
        started = time.perf_counter()
        outcome = stream_completion(
            parts.hostname or "127.0.0.1",
            parts.port or 80,
            path,
            self.server.api_key,
            payload,
            connect_timeout_s=2.0,
            read_timeout_s=self.read_timeout_s,
            on_token=live.on_token,
            cancel=live.cancel,
        )
        total_s = time.perf_counter() - started
        error = outcome.error
        if error is None and not outcome.cancelled and outcome.finish_reason is None:
            error = f"The stream from the local model ended early, after {len(outcome.pieces)} tokens"
        counted = outcome.usage is None
        input_tokens, output_tokens = outcome.usage or (estimate_tokens(request.prompt), len(outcome.pieces))
        return GenerationResult(
            text="".join(outcome.pieces),
            model=self.server.model_id,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            tokens_counted=counted,
            time_to_first_token_s=None
            if outcome.first_token_at is None
            else outcome.first_token_at - started,
            total_s=total_s,
            error=error,
            cancelled=outcome.cancelled,
            finish_reason=outcome.finish_reason,
            logprobs=tuple(outcome.logprobs) if outcome.logprobs else None,
        )

    def close(self) -> None:
        """Release the HTTP client (the server is owned by whoever created it)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
