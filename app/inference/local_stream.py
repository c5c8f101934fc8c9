"""A lean streaming client for the app's own model process (the child protocol).

The official SDK costs ~0.6 ms of CPU per streamed token (SSE decoding in httpx, pydantic
models per chunk, a hand-off between threads). On a two-core laptop that CPU is taken from
llama.cpp's own threads, so the local column ran ~5-8 % slower than llama.cpp called
directly. This client speaks the same OpenAI-compatible SSE with the standard library only:
one `readline` and one `json.loads` per token, read on the calling thread. Cancelling shuts
the socket down from a small watcher thread, which wakes the blocked read at once.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from app.inference.logprobs import parse_logprobs
from app.inference.types import TokenCallback, TokenLogprob


@dataclass
class StreamOutcome:
    """What one streamed request produced."""

    pieces: list[str] = field(default_factory=list)
    usage: tuple[int, int] | None = None
    finish_reason: str | None = None
    first_token_at: float | None = None
    error: str | None = None
    cancelled: bool = False
    logprobs: list[TokenLogprob] = field(default_factory=list)


def _error_message(status: int, body: bytes) -> str:
    try:
        payload = json.loads(body)
        message = str(payload.get("error", {}).get("message", "")) if isinstance(payload, dict) else ""
    except (json.JSONDecodeError, AttributeError):
        message = body[:200].decode("utf-8", "replace")
    reason = http.client.responses.get(status, "error")
    return " ".join(f"{status} {reason} from the local model: {message or 'no details'}".split())


def stream_completion(
    host: str,
    port: int,
    path: str,
    api_key: str,
    payload: dict[str, Any],
    *,
    connect_timeout_s: float,
    read_timeout_s: float,
    on_token: TokenCallback | None,
    cancel: threading.Event | None,
) -> StreamOutcome:
    """POST `payload` (with stream on) to the child and read its SSE stream token by token."""
    outcome = StreamOutcome()
    body = json.dumps({**payload, "stream": True, "stream_options": {"include_usage": True}}).encode("utf-8")
    connection = http.client.HTTPConnection(host, port, timeout=connect_timeout_s)
    finished = threading.Event()
    watcher: threading.Thread | None = None
    chat = path.endswith("/chat/completions")
    try:
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(read_timeout_s)
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if cancel is not None:
            sock = connection.sock

            def watch() -> None:
                while not finished.is_set():
                    if cancel.wait(0.02):
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
                        return

            watcher = threading.Thread(target=watch, name="local-stream-cancel", daemon=True)
            watcher.start()
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        if response.status != 200:
            outcome.error = _error_message(response.status, response.read())
            return outcome
        while True:
            line = response.readline()
            if not line:
                break
            if not line.startswith(b"data: "):
                continue
            data = line[6:].strip()
            if data == b"[DONE]":
                break
            chunk = json.loads(data)
            usage = chunk.get("usage")
            if usage:
                outcome.usage = (int(usage["prompt_tokens"]), int(usage["completion_tokens"]))
            for choice in chunk.get("choices") or ():
                text = (choice.get("delta", {}).get("content") if chat else choice.get("text")) or ""
                if text:
                    if outcome.first_token_at is None:
                        outcome.first_token_at = time.perf_counter()
                    outcome.pieces.append(text)
                    if on_token is not None:
                        on_token(text)
                if choice.get("logprobs"):
                    outcome.logprobs.extend(parse_logprobs(chat, choice["logprobs"]))
                if choice.get("finish_reason"):
                    outcome.finish_reason = choice["finish_reason"]
            if cancel is not None and cancel.is_set():
                outcome.cancelled = True
                break
    except json.JSONDecodeError as exc:
        outcome.error = (
            f"Malformed response from the local model: a streamed chunk is not valid JSON ({exc.msg})"
        )
    except (UnicodeDecodeError, AttributeError, TypeError, KeyError, IndexError, ValueError):
        # A line that parses but is no chunk ([1, 2], "text", a missing field), or is not UTF-8.
        outcome.error = (
            "Malformed response from the local model: a streamed line is not an OpenAI-compatible chunk "
            f"(after {len(outcome.pieces)} tokens)"
        )
    except TimeoutError:
        outcome.error = f"Timed out: the local model sent nothing for {read_timeout_s:g} s"
    except ConnectionRefusedError:
        outcome.error = f"Cannot connect to the local model at {host}:{port}: connection refused"
    except (OSError, http.client.HTTPException) as exc:
        if cancel is not None and cancel.is_set():
            outcome.cancelled = True
        else:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            outcome.error = (
                f"The stream from the local model was cut off after {len(outcome.pieces)} tokens: {detail}"
            )
    finally:
        finished.set()
        connection.close()
        if watcher is not None:
            watcher.join(timeout=0.1)
    if cancel is not None and cancel.is_set() and outcome.error is None:
        outcome.cancelled = True
    return outcome
