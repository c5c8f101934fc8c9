"""The OpenAI-compatible client against a real llama-cpp-python server and a server that misbehaves."""

from __future__ import annotations

import threading
import time

import pytest
from support.fault_server import FaultServer
from support.llama_servers import Endpoint

from app.inference.openai_client import OpenAICompatibleGenerator, gbnf_for_labels, parse_retry_after
from app.inference.types import GenerationRequest

READ_TIMEOUT_S = 1.0


def _client(url: str, **kwargs: object) -> OpenAICompatibleGenerator:
    options: dict[str, object] = {
        "read_timeout_s": READ_TIMEOUT_S,
        "connect_timeout_s": 1.0,
        "max_retries": 2,
    }
    options.update(kwargs)
    return OpenAICompatibleGenerator(url, "test-model", "sk-test", **options)  # type: ignore[arg-type]


@pytest.mark.slow
def test_real_server_streams_tokens(frontier_endpoint: Endpoint) -> None:
    client = OpenAICompatibleGenerator(
        frontier_endpoint.base_url, frontier_endpoint.model, frontier_endpoint.api_key
    )
    seen: list[str] = []
    result = client.generate(
        GenerationRequest("The capital of France is", mode="completion", max_tokens=12), on_token=seen.append
    )
    client.close()
    assert result.ok, result.error
    assert result.text == "".join(seen) and len(seen) >= 2
    assert result.output_tokens and result.output_tokens >= 2
    assert result.time_to_first_token_s is not None and 0 < result.time_to_first_token_s <= result.total_s
    # llama-cpp-python's server sends no usage in streams: counts are ours and marked as such.
    assert result.tokens_counted is True


@pytest.mark.slow
def test_real_server_rejects_a_wrong_key(frontier_endpoint: Endpoint) -> None:
    client = OpenAICompatibleGenerator(frontier_endpoint.base_url, frontier_endpoint.model, "wrong-key")
    result = client.generate(GenerationRequest("Hi", max_tokens=4))
    client.close()
    assert result.error is not None and result.error.startswith("401 Unauthorized")


def test_stream_from_fault_server_ok(fault_server: FaultServer) -> None:
    result = _client(fault_server.url("ok")).generate(GenerationRequest("hi"))
    assert result.ok and result.text == "Hello from the fault server"
    assert result.finish_reason == "stop" and result.output_tokens == 5 and result.tokens_counted


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("401", "401 Unauthorized"),
        ("403", "403 Forbidden"),
        ("404", "404 Not Found"),
        ("malformed", "not valid JSON"),
        ("cut", "cut off after 3 tokens"),
        ("eof", "ended early, after 3 tokens"),
    ],
)
def test_fault_is_one_clear_line(fault_server: FaultServer, fault: str, expected: str) -> None:
    started = time.monotonic()
    result = _client(fault_server.url(fault)).generate(GenerationRequest("hi"))
    assert result.error is not None and expected in result.error, result.error
    assert "\n" not in result.error and f"127.0.0.1:{fault_server.port}" in result.error
    assert time.monotonic() - started < READ_TIMEOUT_S + 1.0
    assert fault_server.hits[fault] >= 1


@pytest.mark.parametrize(
    ("fault", "expected"), [("500", "500 Internal Server Error"), ("503", "503 Service")]
)
def test_server_errors_are_retried_then_reported(
    fault_server: FaultServer, fault: str, expected: str
) -> None:
    before = fault_server.hits[fault]
    result = _client(fault_server.url(fault), max_retries=1).generate(GenerationRequest("hi"))
    assert result.error is not None and expected in result.error and "gave up after 1 retry" in result.error
    assert fault_server.hits[fault] - before == 2


def test_429_honours_retry_after_with_a_countdown(fault_server: FaultServer) -> None:
    countdown: list[tuple[float, str]] = []
    started = time.monotonic()
    client = _client(fault_server.url("429-once"), on_retry=lambda left, why: countdown.append((left, why)))
    result = client.generate(GenerationRequest("hi"))
    elapsed = time.monotonic() - started
    assert result.ok and result.text == "Hello from the fault server"
    assert countdown and 0.5 < countdown[0][0] <= 1.0 and "429 Too Many Requests" in countdown[0][1]
    assert 0.9 <= elapsed < 3.0  # Retry-After: 1 was waited, once


def test_429_gives_up_after_the_retries(fault_server: FaultServer) -> None:
    result = _client(fault_server.url("429"), max_retries=1).generate(GenerationRequest("hi"))
    assert result.error is not None and result.error.startswith("429 Too Many Requests")
    assert "gave up after 1 retry" in result.error


def test_read_timeout_does_not_hang(fault_server: FaultServer) -> None:
    started = time.monotonic()
    result = _client(fault_server.url("slow")).generate(GenerationRequest("hi"))
    assert result.error is not None and "Timed out" in result.error
    assert time.monotonic() - started < READ_TIMEOUT_S + 1.0


def test_connection_refused() -> None:
    result = _client(FaultServer.refused_url()).generate(GenerationRequest("hi"))
    assert result.error is not None and "connection refused" in result.error


def test_cancel_during_a_silent_wait_returns_fast(fault_server: FaultServer) -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    started = time.monotonic()
    result = _client(fault_server.url("slow"), read_timeout_s=10.0).generate(
        GenerationRequest("hi"), cancel=cancel
    )
    assert result.cancelled and result.error is None
    # Well short of the 10 s read timeout it would otherwise have waited out (room for a loaded machine).
    assert time.monotonic() - started < 0.2 + 4.0


def test_cancel_during_a_retry_countdown(fault_server: FaultServer) -> None:
    cancel = threading.Event()
    client = _client(fault_server.url("429"), on_retry=lambda left, why: cancel.set())
    started = time.monotonic()
    result = client.generate(GenerationRequest("hi"), cancel=cancel)
    assert result.cancelled and time.monotonic() - started < 0.5


def test_labels_become_an_instruction_without_grammar(fault_server: FaultServer) -> None:
    client = _client(fault_server.url("ok"))
    chat, kwargs = client.request_kwargs(
        GenerationRequest("Great!", system="Classify.", labels=("pos", "neg"))
    )
    assert chat and "extra_body" not in kwargs
    assert kwargs["messages"][0]["content"].endswith("exactly one of these labels and nothing else: pos, neg")
    grammar_client = _client(fault_server.url("ok"), use_grammar=True)
    _, kwargs = grammar_client.request_kwargs(GenerationRequest("x", mode="completion", labels=("a", 'b"c')))
    assert kwargs["extra_body"]["grammar"] == gbnf_for_labels(("a", 'b"c'))
    assert kwargs["prompt"] == "x"


def test_gbnf_escapes_labels() -> None:
    assert (
        gbnf_for_labels(["yes", 'say "no"', "a\\b"]) == 'root ::= " "? ("yes" | "say \\"no\\"" | "a\\\\b")\n'
    )
    with pytest.raises(ValueError):
        gbnf_for_labels([])


def test_parse_retry_after() -> None:
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    assert parse_retry_after({"retry-after": "Thu, 01 Jan 2026 00:00:30 GMT"}, now=1767225600.0) == 30.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None
