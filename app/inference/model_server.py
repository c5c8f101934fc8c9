"""The child process that hosts the local GGUF model behind an OpenAI-compatible HTTP API.

Run as `python -m app.inference.model_server --model FILE ...` by `LocalModelServer`, never
imported by the GUI process for anything but its constants. Why not `llama_cpp.server`: this
one is a thin standard-library server whose only per-token work is one JSON line and one
unbuffered socket write (Nagle off), it reports token usage in streams, starts without
FastAPI/uvicorn, and tells its parent the port it bound (port 0, no race) on one stdout line.

Protocol with the parent:
- with `--key-from-stdin` the API key arrives as the first line on stdin, which the parent then
  closes: never in argv (other users can read it) and never in the environment (which stays
  readable in /proc/PID/environ for the life of the process). Started by hand, the key may come
  from the environment variable `SPECIALIST_STUDIO_MODEL_KEY` instead;
- once the model is loaded and the socket is listening the child prints one line
  `READY port=<port> gpu_offload=<0|1>` and from then on writes only to stderr (the log file);
- a load failure prints `FAILED <one line>` and exits with code 3.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.inference.grammar_check import check_grammar_in_child
from app.inference.server_requests import (
    RequestError,
    bounded_max_tokens,
    is_label_grammar,
    parse_content_length,
    parse_generation_request,
)

KEY_ENV = "SPECIALIST_STUDIO_MODEL_KEY"
READY_PREFIX = "READY"
FAILED_PREFIX = "FAILED"
EXIT_LOAD_FAILED = 3
MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_TOKENS = 256


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


class ModelHost:
    """One loaded `llama_cpp.Llama`; one generation at a time (llama.cpp contexts are not re-entrant)."""

    def __init__(self, llama: Any, model_id: str, model_path: str = "", context_size: int = 2048) -> None:
        self.llama = llama
        self.model_id = model_id
        self.model_path = model_path
        self.context_size = context_size
        self.lock = threading.Lock()
        self._grammars: dict[str, Any] = {}
        self._grammar_lock = threading.Lock()

    def grammar(self, text: str) -> Any:
        """A GBNF grammar llama.cpp can use, checked once per distinct text; `_ApiError` if not.

        llama.cpp parses a grammar only when sampling starts, and a malformed one there gives a null
        sampler that crashes this process (very deep nesting crashes the parser itself). So a
        grammar not of the label shape the app writes is first compiled in a throwaway process.
        """
        from llama_cpp.llama_grammar import LlamaGrammar

        with self._grammar_lock:
            if text not in self._grammars:
                if not is_label_grammar(text):
                    problem = check_grammar_in_child(text, self.model_path)
                    if problem is not None:
                        raise _ApiError(400, problem)
                self._grammars[text] = LlamaGrammar.from_string(text, verbose=False)
            return self._grammars[text]

    def count_tokens(self, text: str, add_bos: bool) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True))

    def piece(self, token: int) -> str:
        """The text of one token."""
        return bytes(self.llama.detokenize([token])).decode("utf-8", "replace")

    def tokens_of(self, text: str) -> list[int]:
        """The answer's tokens (no BOS), to line log-probabilities up with the text sent."""
        return list(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)) if text else []


MAX_TOP_LOGPROBS = 20


class _LogprobRecorder:
    """Token log-probabilities without `logits_all` (which would keep a vocabulary-wide row per
    context position: ~1 GB for Gemma's 262k vocabulary at 1,024 tokens).

    Installed as a logits processor, it sees each step's raw logits (before the label grammar
    masks them, so the alternatives are the model's own view), keeps that step's top
    alternatives and, one step later, the log-probability of the token that was chosen (then
    the last token of `input_ids`). Only the latest full row is held.
    """

    def __init__(self, top: int, piece: Callable[[int], str]) -> None:
        self.top = top
        self._piece = piece
        self.steps: list[tuple[int, dict[int, float]]] = []  # (chosen token, top alternatives)
        self._pending: Any = None  # the latest step's log-probabilities, chosen token not known yet
        self._pending_top: dict[int, float] = {}

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import numpy as np

        if self._pending is not None and len(input_ids):
            chosen = int(input_ids[-1])
            self.steps.append((chosen, {**self._pending_top, chosen: float(self._pending[chosen])}))
        row = np.asarray(scores, dtype=np.float64)
        peak = float(row.max())
        logprobs = row - (peak + float(np.log(np.exp(row - peak).sum())))
        count = min(self.top, logprobs.size - 1)
        best = np.argpartition(-logprobs, count)[:count] if count > 0 else np.argsort(-logprobs)[:1]
        self._pending = logprobs
        self._pending_top = {int(index): float(logprobs[index]) for index in best}
        return scores

    def payload(self, chat: bool, tokens: list[int]) -> dict[str, Any]:
        """OpenAI-style `logprobs` for the tokens of the answer (`tokens`, tokenised text)."""
        steps = list(self.steps)
        if len(steps) < len(tokens) and self._pending is not None:
            chosen = tokens[len(steps)]
            steps.append((chosen, {**self._pending_top, chosen: float(self._pending[chosen])}))
        entries = []
        for token, (chosen, top) in zip(tokens, steps, strict=False):
            if token != chosen:
                break  # re-tokenising gave other tokens than were sampled: stop rather than mislabel
            entries.append((self._piece(chosen), top[chosen], {self._piece(i): v for i, v in top.items()}))
        if chat:
            return {
                "content": [
                    {
                        "token": piece,
                        "logprob": value,
                        "top_logprobs": [{"token": t, "logprob": lp} for t, lp in alternatives.items()],
                    }
                    for piece, value, alternatives in entries
                ]
            }
        return {
            "tokens": [piece for piece, _, _ in entries],
            "token_logprobs": [value for _, value, _ in entries],
            "top_logprobs": [alternatives for _, _, alternatives in entries],
        }


class _ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


@dataclass(frozen=True)
class _Reply:
    """What every part of one answer carries: its id and time, the model, chat or completion, the
    prompt's token count, and the log-probability recorder when the request asked for them."""

    chat: bool
    request_id: str
    created: int
    model: str
    prompt_tokens: int
    recorder: _LogprobRecorder | None = None

    def envelope(self, kind: str, choices: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
        """An OpenAI response object (`kind` "chat.completion.chunk", "text_completion", ...)."""
        head = {"id": self.request_id, "object": kind, "created": self.created, "model": self.model}
        return {**head, "choices": choices, **more}

    def usage(self, completion_tokens: int) -> dict[str, int]:
        """The token counts of the answer, as OpenAI reports them."""
        total = self.prompt_tokens + completion_tokens
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": total,
        }


def _handler_class(host: ModelHost, api_key: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Each token is a small write: without this, Nagle + delayed ACK can hold it back ~40 ms.
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"
        server_version = "specialist-studio-model/1"

        def log_message(self, format: str, *args: Any) -> None:
            _log("http " + (format % args))

        # -- plumbing ---------------------------------------------------------------------
        # Set once a response has started: a later failure can only close the connection.
        _answered = False

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            self._answered = True
            body = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send_error(self, error: _ApiError) -> None:
            # The request body may be unread: close rather than parse it as the next request.
            self.close_connection = True
            self._answered = True
            body = json.dumps({"error": {"message": str(error), "type": error.kind}}).encode("utf-8")
            self.send_response(error.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return False  # only `Authorization: Bearer <key>`, as OpenAI-compatible clients send
            token = header.removeprefix("Bearer ").strip()
            return hmac.compare_digest(token.encode("utf-8", "replace"), api_key.encode())

        def _read_json(self) -> dict[str, Any]:
            try:
                length = parse_content_length(self.headers.get("Content-Length"), MAX_BODY_BYTES)
            except RequestError as exc:
                raise _ApiError(400, str(exc)) from None
            body = self.rfile.read(length)
            try:
                payload = json.loads(body.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise _ApiError(400, f"request body is not UTF-8 text (byte {exc.start})") from None
            except json.JSONDecodeError as exc:
                raise _ApiError(400, f"request body is not JSON: {exc}") from None
            except (ValueError, RecursionError) as exc:
                raise _ApiError(400, f"request body is not usable JSON ({type(exc).__name__})") from None
            if not isinstance(payload, dict):
                raise _ApiError(400, "request body must be a JSON object")
            return payload

        # -- routes -------------------------------------------------------------------------
        def do_GET(self) -> None:
            if self.path == "/health":
                self._send_json(200, {"status": "ok", "model": host.model_id})
                return
            if not self._authorised():
                self._send_error(_ApiError(401, "invalid API key", "authentication_error"))
                return
            if self.path == "/v1/models":
                self._send_json(
                    200,
                    {
                        "object": "list",
                        "data": [{"id": host.model_id, "object": "model", "owned_by": "local"}],
                    },
                )
                return
            self._send_error(_ApiError(404, f"no route {self.path}", "not_found_error"))

        def do_POST(self) -> None:
            try:
                if not self._authorised():
                    raise _ApiError(401, "invalid API key", "authentication_error")
                if self.path not in ("/v1/completions", "/v1/chat/completions"):
                    raise _ApiError(404, f"no route {self.path}", "not_found_error")
                payload = self._read_json()
                chat = self.path == "/v1/chat/completions"
                self._generate(payload, chat)
            except _ApiError as error:
                self._send_error(error)
            except (BrokenPipeError, ConnectionResetError):
                _log("client went away")
            except ValueError as exc:  # llama.cpp refusing the request (context overflow and the like)
                if not self._answered:
                    self._send_error(_ApiError(400, " ".join(str(exc).split()) or "invalid request"))
            except Exception as exc:  # never leave a client without an answer
                detail = " ".join(str(exc).split()) or type(exc).__name__
                _log(f"request failed: {type(exc).__name__}: {detail}")
                if not self._answered:
                    self._send_error(_ApiError(500, f"the model could not answer: {detail}", "server_error"))

        def _generate(self, payload: dict[str, Any], chat: bool) -> None:
            try:
                params = parse_generation_request(payload, chat, host.context_size)
            except RequestError as exc:
                raise _ApiError(400, str(exc)) from None
            kwargs: dict[str, Any] = {
                "temperature": params.temperature,
                "top_p": params.top_p,
                "stop": list(params.stop),
                "stream": True,
            }
            if params.seed is not None:
                kwargs["seed"] = params.seed
            recorder = _logprob_recorder(payload, chat, host)
            if recorder is not None:
                kwargs["logits_processor"] = [recorder]
            if params.grammar:
                kwargs["grammar"] = host.grammar(params.grammar)
            stream = params.stream
            include_usage = params.include_usage
            created = int(time.time())
            request_id = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24]

            with host.lock:
                prompt_text = params.prompt_text()
                prompt_tokens = host.count_tokens(prompt_text, add_bos=True)
                try:
                    # Bounded by the room the prompt leaves: never "until the context is full".
                    kwargs["max_tokens"] = bounded_max_tokens(
                        params.max_tokens, prompt_tokens, host.context_size, DEFAULT_MAX_TOKENS
                    )
                except RequestError as exc:
                    raise _ApiError(400, str(exc)) from None
                if chat:
                    pieces = self._chat_pieces(list(params.messages), kwargs)
                else:
                    pieces = self._completion_pieces(params.prompt or "", kwargs)
                reply = _Reply(chat, request_id, created, host.model_id, prompt_tokens, recorder)
                if stream:
                    self._stream(pieces, reply, include_usage)
                else:
                    self._whole(pieces, reply)

        def _completion_pieces(self, prompt: str, kwargs: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
            try:
                chunks = host.llama.create_completion(prompt=prompt, **kwargs)
            except ValueError as exc:  # e.g. the prompt is longer than the context
                raise _ApiError(400, str(exc)) from None
            for chunk in chunks:
                choice = chunk["choices"][0]
                yield choice.get("text") or "", choice.get("finish_reason")

        def _chat_pieces(
            self, messages: list[dict[str, Any]], kwargs: dict[str, Any]
        ) -> Iterator[tuple[str, str | None]]:
            try:
                chunks = host.llama.create_chat_completion(messages=messages, **kwargs)
            except ValueError as exc:
                raise _ApiError(400, str(exc)) from None
            for chunk in chunks:
                choice = chunk["choices"][0]
                yield choice.get("delta", {}).get("content") or "", choice.get("finish_reason")

        @staticmethod
        def _chunk(
            reply: _Reply, text: str, finish: str | None, logprobs: dict[str, Any] | None = None
        ) -> bytes:
            if reply.chat:
                delta = {"content": text} if text else {}
                choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
                if logprobs is not None:
                    choice["logprobs"] = logprobs
                kind = "chat.completion.chunk"
            else:
                choice = {"index": 0, "text": text, "logprobs": logprobs, "finish_reason": finish}
                kind = "text_completion"
            return b"data: " + json.dumps(reply.envelope(kind, [choice])).encode("utf-8") + b"\n\n"

        def _stream(
            self, pieces: Iterator[tuple[str, str | None]], reply: _Reply, include_usage: bool
        ) -> None:
            # Start generating before the headers go out, so a bad request still gets a 400.
            try:
                first = next(pieces, None)
            except ValueError as exc:  # e.g. a chat template that makes the prompt overflow the context
                raise _ApiError(400, " ".join(str(exc).split())) from None
            self._answered = True
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")  # body ends when the socket closes
            self.end_headers()
            self.close_connection = True
            text_parts: list[str] = []
            chat, recorder = reply.chat, reply.recorder
            if chat:
                opening = {"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}
                role = reply.envelope("chat.completion.chunk", [opening])
                self.wfile.write(b"data: " + json.dumps(role).encode() + b"\n\n")
            try:
                piece = first
                while piece is not None:
                    text, finish = piece
                    text_parts.append(text)
                    # The answer's log-probabilities go out whole with the finishing chunk:
                    # llama.cpp holds text back while it may still match a stop string, so
                    # chunks and tokens do not line up one to one.
                    logprobs = (
                        recorder.payload(chat, host.tokens_of("".join(text_parts)))
                        if recorder is not None and finish
                        else None
                    )
                    self.wfile.write(self._chunk(reply, text, finish, logprobs))
                    piece = next(pieces, None)
            except (BrokenPipeError, ConnectionResetError):
                # The client cancelled: closing the generator stops llama.cpp after this token.
                close = getattr(pieces, "close", None)
                if close is not None:
                    close()
                _log(f"{reply.request_id} cancelled by client")
                return
            if include_usage:
                completion_tokens = host.count_tokens("".join(text_parts), add_bos=False)
                kind = "chat.completion.chunk" if chat else "text_completion"
                usage = reply.envelope(kind, [], usage=reply.usage(completion_tokens))
                self.wfile.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
            self.wfile.write(b"data: [DONE]\n\n")

        def _whole(self, pieces: Iterator[tuple[str, str | None]], reply: _Reply) -> None:
            chat, recorder = reply.chat, reply.recorder
            text_parts: list[str] = []
            finish: str | None = None
            for text, reason in pieces:
                text_parts.append(text)
                finish = reason or finish
            text = "".join(text_parts)
            completion_tokens = host.count_tokens(text, add_bos=False)
            logprobs = recorder.payload(chat, host.tokens_of(text)) if recorder is not None else None
            choice: dict[str, Any]
            if chat:
                choice = {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish,
                }
                if logprobs is not None:
                    choice["logprobs"] = logprobs
            else:
                choice = {"index": 0, "text": text, "logprobs": logprobs, "finish_reason": finish}
            kind = "chat.completion" if chat else "text_completion"
            self._send_json(200, reply.envelope(kind, [choice], usage=reply.usage(completion_tokens)))

    return Handler


def _logprob_recorder(payload: dict[str, Any], chat: bool, host: ModelHost) -> _LogprobRecorder | None:
    """A recorder when the request asks for log-probabilities (OpenAI's two spellings)."""
    wanted = payload.get("logprobs")
    if chat:
        if wanted is not True:
            return None
        count = payload.get("top_logprobs") or 0
    else:
        if wanted is None or wanted is False:
            return None
        count = wanted
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_TOP_LOGPROBS:
        raise _ApiError(400, f"top log-probabilities must be a whole number from 0 to {MAX_TOP_LOGPROBS}")
    return _LogprobRecorder(max(1, count), host.piece)


def _watch_parent(parent_pid: int) -> None:
    """Exit when the app that started us is gone, so a crashed window leaves no model behind."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(0)
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Load the model, bind 127.0.0.1, announce the port, serve until terminated."""
    parser = argparse.ArgumentParser(prog="python -m app.inference.model_server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--model-id", default="local")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--n-threads", type=int, default=0, help="0 = llama.cpp's default")
    parser.add_argument("--n-batch", type=int, default=512)
    parser.add_argument("--n-gpu-layers", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when this process is gone")
    parser.add_argument(
        "--key-from-stdin", action="store_true", help="read the API key from the first line of stdin"
    )
    args = parser.parse_args(argv)
    if args.parent_pid:
        _watch_parent(args.parent_pid)

    api_key = sys.stdin.readline().strip() if args.key_from_stdin else os.environ.pop(KEY_ENV, "")
    if not api_key:
        where = "on stdin" if args.key_from_stdin else f"in {KEY_ENV}"
        print(f"{FAILED_PREFIX} no API key {where}", flush=True)
        return EXIT_LOAD_FAILED
    # A SIGTERM from the parent should end the process promptly and quietly.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        import llama_cpp

        gpu = bool(llama_cpp.llama_supports_gpu_offload())
        started = time.perf_counter()
        llama_kwargs: dict[str, Any] = {
            "model_path": args.model,
            "n_ctx": args.n_ctx,
            "n_batch": args.n_batch,
            "n_gpu_layers": args.n_gpu_layers,
            "verbose": False,
        }
        if args.n_threads > 0:
            llama_kwargs["n_threads"] = args.n_threads
        llama = llama_cpp.Llama(**llama_kwargs)
        _log(f"loaded {args.model} in {time.perf_counter() - started:.2f}s (gpu offload available: {gpu})")
    except Exception as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        _log(f"load failed: {message}")
        print(f"{FAILED_PREFIX} could not load the model: {message}", flush=True)
        return EXIT_LOAD_FAILED

    host = ModelHost(llama, args.model_id, args.model, args.n_ctx)
    server = ThreadingHTTPServer((args.host, args.port), _handler_class(host, api_key))
    server.daemon_threads = True
    port = server.server_address[1]
    print(f"{READY_PREFIX} port={port} gpu_offload={int(gpu)}", flush=True)
    # From here on nothing goes to the pipe the parent stopped reading.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _log(f"serving on {args.host}:{port}")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
