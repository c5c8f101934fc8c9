"""The fault suite, the local model server: every malformed request gets an HTTP answer (400 and a
reason), `max_tokens` is bounded by the context, only `Bearer` keys pass, hostile grammars never
reach the model process, and neither its own key nor the frontier key sits in its environment.

Requests are written on raw sockets, byte for byte, so nothing in a client library tidies them up.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fixtures import TEST_MODEL_SETTINGS

from app.inference.local_generator import LocalSpecialist
from app.inference.local_server import LocalModelServer
from app.inference.types import GenerationRequest

pytestmark = pytest.mark.slow
FRONTIER_KEY = "sk-frontier-secret-0123456789"
ANSWER_TIMEOUT_S = 240.0  # a request that gets no answer fails here rather than hanging (2 loaded cores)


@pytest.fixture(scope="module")
def server(bundled_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModelServer]:
    """Its own model process, started while the frontier key is in the app's environment."""
    saved = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = FRONTIER_KEY
    try:
        process = LocalModelServer(
            bundled_model, TEST_MODEL_SETTINGS, log_folder=tmp_path_factory.mktemp("fault-model-logs")
        )
        process.start()
    finally:
        if saved is None:
            os.environ.pop("OPENAI_API_KEY", None)
        else:
            os.environ["OPENAI_API_KEY"] = saved
    try:
        yield process
    finally:
        process.stop()


def _raw(server: LocalModelServer, request: bytes) -> tuple[int, dict[str, object]]:
    """Send `request` as is; the status and the JSON body of the answer."""
    port = int(server.base_url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT_S) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    assert answer, "no HTTP response at all"
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    return status, json.loads(body) if body.startswith(b"{") else {"raw": body[:200].decode("latin-1")}


def _post(server: LocalModelServer, body: bytes, *, path: str = "/v1/completions", **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    headers.setdefault("Authorization", f"Bearer {server.api_key}")
    headers.setdefault("Content-Length", str(len(body)))
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _reason(payload: dict[str, object]) -> str:
    error = payload.get("error")
    assert isinstance(error, dict), payload
    return str(error["message"])


MALFORMED = [
    (b'{"prompt": "Hi"}', {"Content_Length": "abc"}, "Content-Length must be a number of bytes"),
    (b'{"prompt": "\xff\xfe"}', {}, "not UTF-8 text"),
    (b'{"prompt": "Hi", "max_tokens": "abc"}', {}, "'max_tokens' must be a whole number"),
    (b'{"prompt": "Hi", "max_tokens": 1e400}', {}, "'max_tokens' must be a whole number"),
    (b'{"prompt": "Hi", "max_tokens": 1000000000}', {}, "more than the model's context of 1,024 tokens"),
    (b'{"prompt": "Hi", "max_tokens": -5}', {}, "'max_tokens' must be at least 1"),
    (b'{"prompt": "Hi", "temperature": "hot"}', {}, "'temperature' must be a number"),
    (b'{"prompt": 5}', {}, "'prompt' must be a string"),
    (b'{"prompt": "Hi", "grammar": "root ::= \\"a"}', {}, "the grammar does not parse"),
    (b'{"prompt": "Hi", "grammar": "root ::= \\"a\\u0000b\\""}', {}, "'grammar' contains a NUL"),
    (b"[1, 2]", {}, "must be a JSON object"),
]


@pytest.mark.parametrize(("body", "headers", "reason"), MALFORMED)
def test_every_malformed_request_gets_a_400_with_a_reason(
    server: LocalModelServer, body: bytes, headers: dict[str, str], reason: str
) -> None:
    status, payload = _raw(server, _post(server, body, **headers))
    assert status == 400 and reason in _reason(payload), payload
    assert server.crash_reason() is None


def test_malformed_chat_messages_get_a_400(server: LocalModelServer) -> None:
    status, payload = _raw(server, _post(server, b'{"messages": [1, 2]}', path="/v1/chat/completions"))
    assert status == 400 and "'messages' item 1 must be an object" in _reason(payload)


def test_a_prompt_longer_than_the_context_says_so_with_token_counts(server: LocalModelServer) -> None:
    specialist = LocalSpecialist(server)
    result = specialist.generate(GenerationRequest("word " * 3000, mode="completion", max_tokens=8))
    specialist.close()
    assert result.error is not None and "cut off" not in result.error
    found = re.search(r"400 Bad Request from the local model: the prompt is ([\d,]+) tokens", result.error)
    assert found is not None, result.error
    assert int(found.group(1).replace(",", "")) > 3000  # 3,000 words and a BOS at least
    assert "the model's context holds 1,024" in result.error


def test_max_tokens_is_bounded_by_the_room_the_prompt_leaves(server: LocalModelServer) -> None:
    body = json.dumps({"prompt": "word " * 1000, "max_tokens": 1024, "temperature": 0}).encode()
    status, payload = _raw(server, _post(server, body))
    assert status == 200, payload
    usage = payload["usage"]
    assert isinstance(usage, dict) and usage["prompt_tokens"] + usage["completion_tokens"] <= 1024


def test_a_key_without_bearer_is_refused(server: LocalModelServer) -> None:
    status, _ = _raw(server, _post(server, b'{"prompt": "Hi"}', Authorization=server.api_key))
    assert status == 401


def test_a_grammar_that_crashes_the_parser_never_reaches_the_model_process(server: LocalModelServer) -> None:
    pid = server.pid
    grammar = "root ::= " + "(" * 31_000 + '"a"' + ")" * 31_000  # within the 64,000-character cap
    status, payload = _raw(server, _post(server, json.dumps({"prompt": "Hi", "grammar": grammar}).encode()))
    assert status == 400 and "crashed llama.cpp's grammar parser (SIGSEGV)" in _reason(payload)
    assert server.is_running() and server.pid == pid


def test_labels_with_a_nul_are_refused_before_the_model_sees_them(server: LocalModelServer) -> None:
    specialist = LocalSpecialist(server)
    result = specialist.generate(
        GenerationRequest(
            "Great product!", mode="completion", max_tokens=4, labels=("positive", "neg\x00ative")
        )
    )
    assert result.error == 'Not sent: label 2 ("neg\\x00ative") contains a control character (NUL)'
    ok = specialist.generate(
        GenerationRequest("Great product!", mode="completion", max_tokens=4, labels=("positive", "negative"))
    )
    specialist.close()
    assert ok.ok and ok.text.strip() in ("positive", "negative"), ok.error
    assert server.crash_reason() is None


def test_the_server_still_answers_after_every_fault(server: LocalModelServer) -> None:
    body = json.dumps({"prompt": "The capital of France is", "max_tokens": 4, "temperature": 0}).encode()
    status, payload = _raw(server, _post(server, body))
    assert status == 200 and payload["choices"], payload


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_neither_the_frontier_key_nor_its_own_key_is_in_the_childs_environment(
    server: LocalModelServer,
) -> None:
    environ = Path(f"/proc/{server.pid}/environ").read_bytes()
    assert FRONTIER_KEY.encode() not in environ
    assert b"OPENAI_API_KEY" not in environ
    assert server.api_key.encode() not in environ
    assert server.api_key.encode() not in Path(f"/proc/{server.pid}/cmdline").read_bytes()
