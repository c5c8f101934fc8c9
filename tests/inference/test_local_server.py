"""The model child process: starts on 127.0.0.1 with a key, refuses bad files, survives a kill."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx2
import pytest
from support.fixtures import TEST_MODEL_SETTINGS

from app.inference.gguf import GgufError
from app.inference.local_generator import LocalSpecialist
from app.inference.local_server import (
    LocalModelServer,
    LocalServerError,
    describe_exit,
    describe_gpu_offload,
    gpu_offload_supported,
)
from app.inference.types import GenerationRequest


@pytest.mark.slow
def test_serves_only_with_its_key_on_loopback(local_model_server: LocalModelServer) -> None:
    assert local_model_server.is_running()
    assert local_model_server.base_url.startswith("http://127.0.0.1:")
    assert len(local_model_server.api_key) >= 32
    url = local_model_server.base_url + "/models"
    assert httpx2.get(url, timeout=5).status_code == 401
    assert httpx2.get(url, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    ok = httpx2.get(url, headers={"Authorization": f"Bearer {local_model_server.api_key}"}, timeout=5)
    assert ok.status_code == 200 and ok.json()["data"][0]["id"] == local_model_server.model_id
    # The child is another process, and the key never appears on its command line.
    assert local_model_server.pid not in (None, os.getpid())
    cmdline = Path(f"/proc/{local_model_server.pid}/cmdline").read_bytes()
    assert local_model_server.api_key.encode() not in cmdline
    assert local_model_server.crash_reason() is None


@pytest.mark.slow
def test_usage_is_reported_in_streams(local_model_server: LocalModelServer) -> None:
    specialist = LocalSpecialist(local_model_server)
    result = specialist.generate(
        GenerationRequest("The capital of France is", mode="completion", max_tokens=8)
    )
    specialist.close()
    assert result.ok, result.error
    assert result.tokens_counted is False  # from the server's usage chunk
    assert result.input_tokens == 6 and result.output_tokens == 8 and result.finish_reason == "length"


def test_refuses_a_broken_file_before_starting(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(64))
    server = LocalModelServer(broken, log_folder=tmp_path)
    with pytest.raises(GgufError, match=r"^broken\.gguf: "):
        server.start()
    assert server.pid is None and not server.is_running()


@pytest.mark.slow
def test_a_killed_process_is_reported_and_restarts(bundled_model: Path, tmp_path: Path) -> None:
    server = LocalModelServer(bundled_model, TEST_MODEL_SETTINGS, log_folder=tmp_path)
    server.start()
    try:
        specialist = LocalSpecialist(server)
        first_url = server.base_url
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while server.crash_reason() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.crash_reason() == "The local model process was killed by SIGKILL."
        assert not server.is_running()
        result = specialist.generate(GenerationRequest("Hi", mode="completion", max_tokens=4))
        assert result.error == "The local model process was killed by SIGKILL."
        server.restart()
        assert server.is_running() and server.crash_reason() is None
        result = specialist.generate(GenerationRequest("One, two,", mode="completion", max_tokens=4))
        assert result.ok, result.error
        assert server.base_url != first_url or server.api_key  # a new process, a new key
        # A malformed grammar used to crash llama.cpp (SIGSEGV); now it is compiled in a throwaway
        # process first, refused with its reason, and the model process lives on.
        from app.inference.local_stream import stream_completion

        url = server.base_url.split("//", 1)[1].split("/", 1)[0]
        outcome = stream_completion(
            "127.0.0.1",
            int(url.rsplit(":", 1)[1]),
            "/v1/completions",
            server.api_key,
            {"prompt": "Hi", "max_tokens": 2, "grammar": "root ::= ("},
            connect_timeout_s=2,
            read_timeout_s=10,
            on_token=None,
            cancel=None,
        )
        assert outcome.error is not None and "the grammar does not parse" in outcome.error
        assert server.is_running() and server.crash_reason() is None
        specialist.close()
    finally:
        server.stop()
    assert server.pid is not None and server.crash_reason() is None  # stopped on purpose is no crash


def test_a_model_llama_cpp_cannot_load_fails_with_one_line(tmp_path: Path) -> None:
    # A header that parses but names no tensors: llama.cpp refuses it, the child says so and exits.
    import struct

    def string(text: str) -> bytes:
        return struct.pack("<Q", len(text)) + text.encode()

    path = tmp_path / "hollow.gguf"
    path.write_bytes(
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + string("general.architecture")
        + struct.pack("<I", 8)
        + string("llama")
    )
    server = LocalModelServer(path, log_folder=tmp_path, start_timeout_s=60)
    with pytest.raises(LocalServerError) as caught:
        server.start()
    message = str(caught.value)
    assert message.startswith("hollow.gguf: ") and "\n" not in message
    # llama-cpp-python's own message only repeats the path; the header tells what was wrong.
    assert message == "hollow.gguf: llama.cpp could not load a 'llama' model: it holds no tensors"
    assert not server.is_running()


def test_not_running_means_a_clear_error(bundled_model: Path, tmp_path: Path) -> None:
    server = LocalModelServer(bundled_model, log_folder=tmp_path)
    with pytest.raises(LocalServerError, match="not running"):
        _ = server.base_url
    result = LocalSpecialist(server).generate(GenerationRequest("Hi"))
    assert result.error is not None and "not running" in result.error


def test_gpu_offload_query_and_exit_descriptions() -> None:
    assert isinstance(gpu_offload_supported(), bool)
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(3) == "exited with code 3"


def test_gpu_offload_line_says_what_the_build_can_do_and_what_was_asked() -> None:
    assert describe_gpu_offload(True, 20) == (
        "GPU offload on: this llama.cpp build can offload to a GPU; GPU layers asked for: 20 layers"
    )
    assert describe_gpu_offload(True, 0).startswith("GPU offload off: ") and "GPU layers is 0" in (
        describe_gpu_offload(True, 0)
    )
    assert describe_gpu_offload(False, 1) == (
        "GPU offload off: this llama.cpp build runs on the CPU only; GPU layers asked for: 1 layer (ignored)"
    )
    assert describe_gpu_offload(False, 0).endswith("GPU layers asked for: 0 layers")
    assert describe_gpu_offload(True, -1).endswith("GPU layers asked for: all layers")
    assert describe_gpu_offload(None, 0).startswith("GPU offload not checked (no local model)")


@pytest.mark.slow
def test_cancel_stops_local_stream_quickly(local_model_server: LocalModelServer) -> None:
    specialist = LocalSpecialist(local_model_server)
    cancel = threading.Event()
    tokens: list[str] = []

    def on_token(text: str) -> None:
        tokens.append(text)
        if len(tokens) == 3:
            cancel.set()

    started = time.monotonic()
    result = specialist.generate(
        GenerationRequest("Once upon a time", mode="completion", max_tokens=200),
        on_token=on_token,
        cancel=cancel,
    )
    # The token count is what proves the stop was prompt; the clock only catches a hang (a stream of
    # 200 tokens left to run), with room for a machine loaded by other work.
    assert result.cancelled and 3 <= len(tokens) <= 4
    assert time.monotonic() - started < 30
    # The server is free again right away (the cancelled generation was stopped, not left running).
    after = specialist.generate(GenerationRequest("Two plus two is", mode="completion", max_tokens=3))
    assert after.ok, after.error
    specialist.close()


@pytest.mark.slow
def test_lean_and_sdk_transports_agree(local_model_server: LocalModelServer) -> None:
    request = GenerationRequest("Red, green,", mode="completion", max_tokens=6)
    lean = LocalSpecialist(local_model_server)
    sdk = LocalSpecialist(local_model_server, transport="sdk")
    streamed: list[str] = []
    first = lean.generate(request, on_token=streamed.append)
    second = sdk.generate(request)
    sdk.close()
    assert first.ok and second.ok, (first.error, second.error)
    assert first.text == second.text == "".join(streamed)
    assert (first.input_tokens, first.output_tokens) == (second.input_tokens, second.output_tokens)
    assert first.finish_reason == second.finish_reason == "length"


@pytest.mark.slow
def test_lean_stream_reports_http_errors_in_one_line(local_model_server: LocalModelServer) -> None:
    from urllib.parse import urlsplit

    from app.inference.local_stream import stream_completion

    url = urlsplit(local_model_server.base_url)
    assert url.port is not None
    outcome = stream_completion(
        "127.0.0.1",
        url.port,
        "/v1/completions",
        "wrong-key",
        {"prompt": "Hi", "max_tokens": 2},
        connect_timeout_s=2,
        read_timeout_s=10,
        on_token=None,
        cancel=None,
    )
    assert outcome.error == "401 Unauthorized from the local model: invalid API key"
    no_prompt = stream_completion(
        "127.0.0.1",
        url.port,
        "/v1/completions",
        local_model_server.api_key,
        {"max_tokens": 2},
        connect_timeout_s=2,
        read_timeout_s=10,
        on_token=None,
        cancel=None,
    )
    assert no_prompt.error == "400 Bad Request from the local model: 'prompt' must be a string, not None"
