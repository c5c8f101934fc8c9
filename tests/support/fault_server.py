"""An OpenAI-compatible HTTP server on 127.0.0.1 that misbehaves on purpose, one fault per path.

`http://127.0.0.1:PORT/<fault>/v1` answers `/chat/completions` and `/completions` with:
`ok` (a short valid stream), `401`, `403`, `404`, `500`, `503` (JSON error bodies), `429`
(always, with Retry-After: 1), `429-once` (429 with Retry-After: 1, then a valid stream),
`503-once` (the same for 503), `slow` (headers only after `slow_seconds`: a read timeout),
`malformed` (a stream whose chunk is not JSON), `cut` (a chunked stream that stops mid-body),
`eof` (a stream that ends cleanly but without finish reason or [DONE]), `trickle` (headers at once,
then an SSE keep-alive comment every 0.2 s for `trickle_seconds`, never a token: no read ever times
out), `garbage-bytes` (a stream line that is not UTF-8), `garbage-json` (stream lines that are JSON
but no chunk: a list, a string), `echo-key` (a 400 whose error message repeats the request's key).
`label-logprobs` (a stream answering "billing"; when the request asks for `logprobs`, its token
carries them: billing −0.9, shipping −0.5). `overloaded` (an endpoint that takes `overload_cap`
requests at once: each answered as `label-logprobs` after `overload_hold_seconds`; a request beyond
the cap gets 429 or 503 in turn, with `retry-after-ms: 20`, so the client's quick retries land while
the cap is still full; `overload_arrivals` lists, per request, how many were in flight with it,
`overload_refused` counts those turned away; `reset_overload()` clears both).
`refused_url()` gives a base URL where nothing listens.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = (
    "ok",
    "label-logprobs",
    "overloaded",
    "401",
    "403",
    "404",
    "429",
    "429-once",
    "500",
    "503",
    "503-once",
    "slow",
    "malformed",
    "cut",
    "eof",
    "trickle",
    "garbage-bytes",
    "garbage-json",
    "echo-key",
)

_ERROR_BODIES = {
    401: ("Incorrect API key provided.", "invalid_request_error"),
    403: ("You are not allowed to use this model.", "permission_error"),
    404: ("The model 'nope' does not exist.", "invalid_request_error"),
    429: ("Rate limit reached, slow down.", "rate_limit_error"),
    500: ("The server had an error while processing your request.", "server_error"),
    503: ("The engine is currently overloaded.", "server_error"),
}


def _chunk(text: str, finish: str | None, chat: bool) -> bytes:
    if chat:
        choice: dict[str, Any] = {
            "index": 0,
            "delta": {"content": text} if text else {},
            "finish_reason": finish,
        }
        obj = "chat.completion.chunk"
    else:
        choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": finish}
        obj = "text_completion"
    data = {"id": "x-1", "object": obj, "created": 0, "model": "fault-model", "choices": [choice]}
    return b"data: " + json.dumps(data).encode() + b"\n\n"


# The label token the `label-logprobs` and `overloaded` paths answer, in the chat format.
_LABEL_TOKEN: dict[str, Any] = {
    "token": "billing",
    "logprob": -0.9,
    "top_logprobs": [{"token": "billing", "logprob": -0.9}, {"token": "shipping", "logprob": -0.5}],
}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hang up on purpose (timeouts, cancels): no tracebacks on stderr


class FaultServer:
    """Start with `start()` (or as a context manager); every fault has its own base URL."""

    def __init__(
        self,
        slow_seconds: float = 3.0,
        trickle_seconds: float = 120.0,
        overload_cap: int = 2,
        overload_hold_seconds: float = 0.5,
    ) -> None:
        self.slow_seconds = slow_seconds
        self.trickle_seconds = trickle_seconds
        self.overload_cap = overload_cap
        self.overload_hold_seconds = overload_hold_seconds
        self.overload_in_flight = 0
        self.overload_arrivals: list[int] = []
        self.overload_refused = 0
        self._overload_lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, fault: str) -> str:
        """Base URL (ending in /v1) that produces `fault`."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        return f"http://127.0.0.1:{self.port}/{fault}/v1"

    @staticmethod
    def refused_url() -> str:
        """A base URL on 127.0.0.1 where nothing listens (the port was just freed)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    def reset_overload(self) -> None:
        """Forget the `overloaded` path's history (the server is shared by the test session)."""
        with self._overload_lock:
            self.overload_arrivals = []
            self.overload_refused = 0

    def start(self) -> FaultServer:
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes handlers sleeping in 'slow'
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _json(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status: int, headers: dict[str, str] | None = None) -> None:
                message, kind = _ERROR_BODIES[status]
                self._json(status, {"error": {"message": message, "type": kind, "code": None}}, headers)

            def _stream_ok(self, chat: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for piece in ("Hello", " from", " the", " fault", " server"):
                    self.wfile.write(_chunk(piece, None, chat))
                self.wfile.write(_chunk("", "stop", chat))
                self.wfile.write(b"data: [DONE]\n\n")

            def _label_with_logprobs(self, chat: bool, asked: bool, stream: bool) -> None:
                if stream:
                    self._stream_label_with_logprobs(chat, asked)
                    return
                # A whole answer (the request asked for no stream), with its token usage.
                choice: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
                if chat:
                    choice["message"] = {"role": "assistant", "content": "billing"}
                    logprobs: Any = {"content": [_LABEL_TOKEN]}
                else:
                    choice["text"] = "billing"
                    logprobs = {
                        "tokens": ["billing"],
                        "token_logprobs": [-0.9],
                        "top_logprobs": [{"billing": -0.9, "shipping": -0.5}],
                    }
                choice["logprobs"] = logprobs if asked else None
                self._json(
                    200,
                    {
                        "id": "x-1",
                        "object": "chat.completion" if chat else "text_completion",
                        "created": 0,
                        "model": "fault-model",
                        "choices": [choice],
                        "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
                    },
                )

            def _stream_label_with_logprobs(self, chat: bool, asked: bool) -> None:
                self._stream_head()
                entry = _LABEL_TOKEN
                if chat:
                    logprobs: dict[str, Any] = {"content": [entry]}
                    choice: dict[str, Any] = {
                        "index": 0,
                        "delta": {"content": "billing"},
                        "logprobs": logprobs,
                    }
                else:
                    logprobs = {
                        "tokens": ["billing"],
                        "token_logprobs": [-0.9],
                        "top_logprobs": [{"billing": -0.9, "shipping": -0.5}],
                    }
                    choice = {"index": 0, "text": "billing", "logprobs": logprobs}
                if not asked:
                    del choice["logprobs"]
                choice["finish_reason"] = None
                data = {
                    "id": "x-1",
                    "object": "chat.completion.chunk" if chat else "text_completion",
                    "created": 0,
                    "model": "fault-model",
                    "choices": [choice],
                }
                self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
                self.wfile.write(_chunk("", "stop", chat))
                self.wfile.write(b"data: [DONE]\n\n")

            def _stream_head(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True

            def _overloaded(self, chat: bool, asked: bool, stream: bool) -> None:
                with owner._overload_lock:
                    owner.overload_in_flight += 1
                    owner.overload_arrivals.append(owner.overload_in_flight)
                    full = owner.overload_in_flight > owner.overload_cap
                    if full:
                        owner.overload_in_flight -= 1
                        owner.overload_refused += 1
                        status = 429 if owner.overload_refused % 2 else 503
                if full:
                    self._error(status, {"retry-after-ms": "20"})
                    return
                try:
                    owner._stop.wait(owner.overload_hold_seconds)
                    self._label_with_logprobs(chat, asked, stream)
                finally:
                    with owner._overload_lock:
                        owner.overload_in_flight -= 1

            def do_GET(self) -> None:
                self._json(200, {"object": "list", "data": [{"id": "fault-model", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                parts = self.path.strip("/").split("/")
                fault = parts[0] if parts else ""
                chat = self.path.endswith("/chat/completions")
                owner.hits[fault] += 1
                if fault == "ok":
                    self._stream_ok(chat)
                elif fault.isdigit():
                    headers = {"Retry-After": "1"} if fault == "429" else None
                    self._error(int(fault), headers)
                elif fault == "label-logprobs":
                    self._label_with_logprobs(chat, bool(body.get("logprobs")), body.get("stream", False))
                elif fault == "overloaded":
                    self._overloaded(chat, bool(body.get("logprobs")), body.get("stream", False))
                elif fault in ("429-once", "503-once"):
                    if owner.hits[fault] % 2 == 1:
                        self._error(int(fault[:3]), {"Retry-After": "1"})
                    else:
                        self._stream_ok(chat)
                elif fault == "slow":
                    owner._stop.wait(owner.slow_seconds)
                    self._stream_ok(chat)
                elif fault == "malformed":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    self.wfile.write(_chunk("Hi", None, chat))
                    self.wfile.write(
                        b'data: {"id": "x-1", "choices": [{"index": 0, "delta": {"content": "oops\n\n'
                    )
                elif fault == "cut":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.close_connection = True
                    for piece in ("Half", " an", " answer"):
                        data = _chunk(piece, None, chat)
                        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                        self.wfile.flush()
                        time.sleep(0.01)
                    # Promise a chunk and never send it: the body is incomplete.
                    self.wfile.write(b"400\r\ndata: {")
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                elif fault == "eof":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    for piece in ("Half", " an", " answer"):
                        self.wfile.write(_chunk(piece, None, chat))
                elif fault == "trickle":
                    self._stream_head()
                    deadline = time.monotonic() + owner.trickle_seconds
                    while time.monotonic() < deadline and not owner._stop.wait(0.2):
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                elif fault == "garbage-bytes":
                    self._stream_head()
                    self.wfile.write(_chunk("Hi", None, chat))
                    self.wfile.write(b"data: \xff\xfe\x80 not text\n\n")
                elif fault == "garbage-json":
                    self._stream_head()
                    self.wfile.write(b"data: [1, 2]\n\n")
                    self.wfile.write(b'data: "just a string"\n\n')
                elif fault == "echo-key":
                    key = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    message = f"Invalid request: the key {key} may not use this model."
                    self._json(400, {"error": {"message": message, "type": "invalid_request_error"}})
                else:
                    self._json(404, {"error": {"message": f"no fault {fault!r}"}})
                del body

        return Handler
