"""One client for every OpenAI-compatible endpoint: the frontier API and the local model alike.

Built on the official `openai` SDK with its own retries switched off (`max_retries=0`): this
loop retries 429 and 5xx itself so it can honour `Retry-After` and show a countdown through
`on_retry(seconds_left, reason)`. Timeouts are explicit (the SDK's default read timeout is
600 s). The stream is read on a helper thread so that `cancel` returns within ~50 ms even
while the socket is silent. Every fault becomes a one-line `GenerationResult.error`.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import openai

from app.domain.labels import check_labels
from app.inference.logprobs import parse_logprobs
from app.inference.types import (
    GenerationRequest,
    GenerationResult,
    Live,
    TextGenerator,
    TokenLogprob,
)

RetryCallback = Callable[[float, str], None]
"""Called about once a second while waiting to retry: (seconds left, one-line reason)."""

DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_READ_TIMEOUT_S = 60.0
_POLL_S = 0.02  # how often the waiting loop looks at the cancel flag
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def gbnf_for_labels(labels: tuple[str, ...] | list[str]) -> str:
    """A GBNF grammar that accepts exactly one of `labels` (an optional leading space allowed)."""
    check_labels(labels)  # ValueError naming the label: a NUL would cut the grammar short in llama.cpp

    def literal(text: str) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    return 'root ::= " "? (' + " | ".join(literal(label) for label in labels) + ")\n"


def estimate_tokens(text: str) -> int:
    """Rough token count (~4 characters a token) for endpoints that report no usage."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def parse_retry_after(headers: Any, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms` / `Retry-After` (seconds or an HTTP date), else None."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        with contextlib.suppress(ValueError):
            return max(0.0, float(millis) / 1000)
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = datetime.now(timezone.utc).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


def scrub_secret(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` (an API key) replaced by `[API key]`.

    Keys shorter than 8 characters are left alone: replacing "a" everywhere would garble the
    message and a key that short protects nothing anyway.
    """
    if len(secret) < 8 or secret not in text:
        return text
    return text.replace(secret, "[API key]")


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _body_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return _one_line(str(inner["message"]))
        if isinstance(inner, str):
            return _one_line(inner)
    return ""


@dataclass
class _Attempt:
    """What one streamed attempt produced so far (filled by the reader thread)."""

    events: queue.Queue[tuple[str, Any]]
    stream: Any = None


class OpenAICompatibleGenerator(TextGenerator):
    """A `TextGenerator` for any OpenAI-compatible base URL (OpenAI, OpenRouter, vLLM, Ollama, ...)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        display_name: str | None = None,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
        max_retries: int = 3,
        max_retry_wait_s: float = 60.0,
        on_retry: RetryCallback | None = None,
        use_grammar: bool = False,
        send_stream_options: bool = True,
        key_hint: str = "the key in the frontier settings",
        stream: bool = True,
        total_timeout_s: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # The whole request, retries included, ends by this many seconds (None: only the per-read
        # timeout applies). A server trickling keep-alives never trips a read timeout.
        self.total_timeout_s = total_timeout_s
        # Scrubbed from every error line: an endpoint may echo the key back in its error body,
        # and error lines are shown and stored (spot-check results, distillation files).
        self._secret = api_key or ""
        # Where a rejected key came from, so a 401 tells the user what to fix (GUI and CLI differ).
        self.key_hint = key_hint
        self.model = model
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.max_retries = max_retries
        self.max_retry_wait_s = max_retry_wait_s
        self.on_retry = on_retry
        # llama.cpp servers take a GBNF `grammar` field; others get the labels as an instruction.
        self.use_grammar = use_grammar
        self.send_stream_options = send_stream_options
        # One answer in one response: servers that send no token usage in streams
        # (llama-cpp-python's) do report it here, so batch labelling gets real counts.
        self.stream = stream
        self._display_name = display_name or model
        self._host = urlsplit(self.base_url).netloc or self.base_url
        self._client = openai.OpenAI(
            base_url=self.base_url,
            # Local servers need no key, but the SDK insists on one.
            api_key=api_key or "not-needed",
            max_retries=0,
            timeout=openai.Timeout(
                connect=connect_timeout_s, read=read_timeout_s, write=read_timeout_s, pool=connect_timeout_s
            ),
        )

    @property
    def display_name(self) -> str:
        """Name shown over the column and in results."""
        return self._display_name

    @property
    def model_id(self) -> str:
        """The model name asked for at the endpoint."""
        return self.model

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._client.close()

    # -- the request ------------------------------------------------------------------------
    def request_kwargs(self, request: GenerationRequest) -> tuple[bool, dict[str, Any]]:
        chat = request.mode == "chat"
        system = request.system
        extra_body: dict[str, Any] = {}
        if request.labels:
            if self.use_grammar:
                extra_body["grammar"] = gbnf_for_labels(request.labels)
            else:
                instruction = "Answer with exactly one of these labels and nothing else: " + ", ".join(
                    request.labels
                )
                system = f"{system}\n\n{instruction}" if system else instruction
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": self.stream,
        }
        if request.stop:
            kwargs["stop"] = list(request.stop)
        if request.logprobs > 0:
            # Chat takes a flag plus a count; completions take the count alone.
            if chat:
                kwargs["logprobs"] = True
                kwargs["top_logprobs"] = request.logprobs
            else:
                kwargs["logprobs"] = request.logprobs
        if self.send_stream_options and self.stream:
            kwargs["stream_options"] = {"include_usage": True}
        if extra_body:
            kwargs["extra_body"] = extra_body
        if chat:
            messages: list[dict[str, str]] = []
            if system:
                messages.append({"role": "system", "content": system})
            messages.append({"role": "user", "content": request.prompt})
            kwargs["messages"] = messages
        else:
            kwargs["prompt"] = f"{system}\n\n{request.prompt}" if system else request.prompt
        return chat, kwargs

    def _read_stream(self, chat: bool, kwargs: dict[str, Any], attempt: _Attempt) -> None:
        events = attempt.events
        try:
            if chat:
                stream = self._client.chat.completions.create(**kwargs)
            else:
                stream = self._client.completions.create(**kwargs)
            if self.stream:
                attempt.stream = stream
            events.put(("open", None))
            # A non-streamed answer is one whole response, reported as the same events a stream gives.
            for part in stream if self.stream else (stream,):
                self._report_part(chat, part, events, whole=not self.stream)
            events.put(("done", None))
        except BaseException as exc:
            events.put(("error", exc))

    @staticmethod
    def _report_part(chat: bool, part: Any, events: queue.Queue[tuple[str, Any]], whole: bool) -> None:
        """The events of one streamed chunk or one whole response: usage, text, logprobs, finish."""
        usage = getattr(part, "usage", None)
        if usage is not None:
            events.put(("usage", (usage.prompt_tokens, usage.completion_tokens)))
        for choice in part.choices or ():
            if chat:
                text = (choice.message.content if whole else choice.delta.content) or ""
            else:
                text = choice.text or ""
            if text:
                events.put(("token", text))
            logprobs = getattr(choice, "logprobs", None)
            if logprobs is not None:
                events.put(("logprobs", parse_logprobs(chat, logprobs)))
            if choice.finish_reason:
                events.put(("finish", choice.finish_reason))

    @staticmethod
    def _abort(attempt: _Attempt) -> None:
        """Cut the connection so the reader thread wakes at once instead of at the next byte."""
        stream = attempt.stream
        if stream is None:
            return
        response = getattr(stream, "response", None)
        if response is not None:
            with contextlib.suppress(Exception):
                network = response.extensions.get("network_stream")
                sock = network.get_extra_info("socket") if network is not None else None
                if isinstance(sock, socket.socket):
                    sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            stream.close()

    def describe_error(self, exc: BaseException, tokens_so_far: int) -> str:
        """One line for the user, naming the endpoint and what went wrong; never the API key."""
        return scrub_secret(self._describe_error(exc, tokens_so_far), self._secret)

    def _describe_error(self, exc: BaseException, tokens_so_far: int) -> str:
        host = self._host
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            reason = _STATUS_TEXT.get(status, "error")
            detail = _body_message(exc)
            hint = {
                401: f"the API key was rejected (check {self.key_hint})",
                403: f"this key may not use model '{self.model}' or this endpoint",
                404: f"no model '{self.model}' there, or the base URL is wrong",
                429: "rate limited",
            }.get(status, detail or "the server reported an error")
            line = f"{status} {reason} from {host}: {hint}"
            if detail and hint != detail and status in (403, 404):
                line += f" ({detail})"
            return _one_line(line, 240)
        if isinstance(exc, openai.APITimeoutError):
            return f"Timed out: no answer from {host} within {self.read_timeout_s:g} s"
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__
            text = str(cause or exc).lower()
            if tokens_so_far or "incomplete" in text or "peer closed" in text:
                return _one_line(
                    f"The stream from {host} was cut off after {tokens_so_far} tokens ({cause or exc})", 240
                )
            if "refused" in text:
                return f"Cannot connect to {host}: connection refused (is the server running?)"
            if "timed out" in text or "timeout" in text:
                return f"Timed out connecting to {host} after {self.connect_timeout_s:g} s"
            return _one_line(f"Cannot connect to {host}: {cause or exc}", 240)
        if isinstance(exc, json.JSONDecodeError):
            return f"Malformed response from {host}: a streamed chunk is not valid JSON ({exc.msg})"
        if isinstance(exc, UnicodeDecodeError):
            return (
                f"Malformed response from {host}: the stream is not UTF-8 text (byte {exc.start} of a line)"
            )
        if isinstance(exc, AttributeError | TypeError | KeyError | IndexError | ValueError):
            # The SDK met a line it cannot read as a chunk (a list, a string, a missing field).
            return _one_line(
                f"Malformed response from {host}: a streamed line is not an OpenAI-compatible chunk "
                f"(after {tokens_so_far} tokens)",
                240,
            )
        name = type(exc).__name__
        text = str(exc)
        if "Timeout" in name:
            return (
                f"Timed out: {host} sent nothing for {self.read_timeout_s:g} s (after {tokens_so_far} tokens)"
            )
        if name in ("RemoteProtocolError", "ReadError") or "incomplete" in text or "closed" in text:
            return f"The stream from {host} was cut off after {tokens_so_far} tokens ({_one_line(text, 80)})"
        if isinstance(exc, openai.APIResponseValidationError | openai.APIError):
            return _one_line(f"Malformed response from {host}: {exc}", 240)
        return _one_line(f"{name} talking to {host}: {text}", 240)

    def _answer(self, request: GenerationRequest, live: Live) -> GenerationResult:
        """Stream one answer; retries 429/5xx before the first token; never raises for API faults."""
        started = time.perf_counter()
        on_token, cancel = live.on_token, live.cancel
        chat, kwargs = self.request_kwargs(request)
        pieces: list[str] = []
        first_token_at: float | None = None
        usage: tuple[int, int] | None = None
        finish: str | None = None
        error: str | None = None
        cancelled = False
        retries = 0
        deadline = None if self.total_timeout_s is None else started + self.total_timeout_s
        logprobs: list[TokenLogprob] | None = None
        http_status: int | None = None

        while True:
            attempt = _Attempt(events=queue.Queue())
            reader = threading.Thread(
                target=self._read_stream, args=(chat, kwargs, attempt), name="openai-stream", daemon=True
            )
            reader.start()
            failure: BaseException | None = None
            completed = False
            while True:
                if deadline is not None and time.perf_counter() >= deadline:
                    # Keep-alives and trickled tokens never trip the read timeout; this does.
                    self._abort(attempt)
                    error = self._deadline_error(len(pieces))
                    break
                try:
                    kind, value = attempt.events.get(timeout=_POLL_S)
                except queue.Empty:
                    if cancel is not None and cancel.is_set():
                        cancelled = True
                        self._abort(attempt)
                        break
                    continue
                if kind == "token":
                    if first_token_at is None:
                        first_token_at = time.perf_counter()
                    pieces.append(value)
                    if on_token is not None:
                        on_token(value)
                    if cancel is not None and cancel.is_set():
                        cancelled = True
                        self._abort(attempt)
                        break
                elif kind == "usage":
                    usage = value
                elif kind == "logprobs":
                    logprobs = [*(logprobs or []), *value]
                elif kind == "finish":
                    finish = value
                elif kind == "error":
                    failure = value
                    break
                elif kind == "done":
                    completed = True
                    break
            reader.join(timeout=0.15)
            if cancelled or completed or error is not None:
                break
            assert failure is not None
            status = getattr(failure, "status_code", None)
            if (
                isinstance(failure, openai.APIStatusError)
                and status in RETRYABLE_STATUSES
                and not pieces
                and retries < self.max_retries
            ):
                wait_s = parse_retry_after(failure.response.headers)
                if wait_s is None:
                    wait_s = min(2.0**retries, 8.0)
                if deadline is not None and time.perf_counter() + wait_s >= deadline:
                    wait_s = math.inf  # the retry could not finish in time: report the failure now
                if wait_s <= self.max_retry_wait_s:
                    retries += 1
                    reason = self.describe_error(failure, 0)
                    if self._wait_to_retry(
                        wait_s, f"{reason}; retry {retries} of {self.max_retries}", cancel
                    ):
                        continue
                    cancelled = True
                    break
            error = self.describe_error(failure, len(pieces))
            http_status = status if isinstance(failure, openai.APIStatusError) else None
            if isinstance(failure, openai.APIStatusError) and retries:
                error += f" (gave up after {retries} {'retry' if retries == 1 else 'retries'})"
            break

        total_s = time.perf_counter() - started
        text = "".join(pieces)
        if error is None and not cancelled and finish is None:
            # A clean end of stream without a finish reason: the server dropped the answer midway.
            error = f"The stream from {self._host} ended early, after {len(pieces)} tokens, without finishing"
        if usage is not None:
            input_tokens, output_tokens = usage
            counted = False
        else:
            prompt_text = " ".join(str(v) for v in (request.system or "", request.prompt))
            input_tokens, output_tokens = estimate_tokens(prompt_text), len(pieces)
            counted = True
        return GenerationResult(
            text=text,
            model=self.model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            tokens_counted=counted,
            time_to_first_token_s=None if first_token_at is None else first_token_at - started,
            total_s=total_s,
            error=error,
            cancelled=cancelled,
            finish_reason=finish,
            logprobs=tuple(logprobs) if logprobs else None,
            http_status=http_status,
        )

    def _deadline_error(self, tokens_so_far: int) -> str:
        assert self.total_timeout_s is not None
        return (
            f"Timed out: {self._host} did not finish within {self.total_timeout_s:g} s "
            f"(after {tokens_so_far} tokens)"
        )

    def _wait_to_retry(self, wait_s: float, reason: str, cancel: threading.Event | None) -> bool:
        """Count down `wait_s`, reporting each second; False when cancelled meanwhile."""
        deadline = time.monotonic() + wait_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            if self.on_retry is not None:
                self.on_retry(left, reason)
            step = min(1.0, left)
            if cancel is not None:
                if cancel.wait(step):
                    return False
            else:
                time.sleep(step)
