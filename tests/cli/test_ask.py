"""`specialist-studio ask` end to end: the bundled model in its child process and a real server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.llama_servers import Endpoint

from app.cli import main
from app.inference.local_server import gpu_offload_supported


@pytest.mark.slow
def test_ask_both_sides_json(
    frontier_endpoint: Endpoint, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAND_IN_KEY", frontier_endpoint.api_key)
    code = main(
        [
            "ask",
            "The capital of France is",
            "--max-tokens",
            "6",
            "--threads",
            "2",
            "--frontier-url",
            frontier_endpoint.base_url,
            "--frontier-model",
            frontier_endpoint.model,
            "--frontier-key-env",
            "STAND_IN_KEY",
            "--frontier-mode",
            "completion",
            "--frontier-price",
            "5",
            "15",
            "--json",
        ],
    )
    out = capsys.readouterr().out
    record = json.loads(out)
    assert code == 0, out
    local, frontier = record["local"], record["frontier"]
    assert local["error"] is None and local["text"] and local["output_tokens"] == 6
    assert local["tokens_counted"] is False and local["time_to_first_token_s"] > 0
    assert local["name"].startswith("Gemma 3 270M")
    # The stand-in frontier is llama-cpp-python's server: it answers, reports no usage, so counts are ours.
    assert frontier["error"] is None and frontier["output_tokens"] >= 1 and frontier["tokens_counted"] is True
    assert frontier["cost_usd"] == pytest.approx(
        (frontier["input_tokens"] * 5 + frontier["output_tokens"] * 15) / 1e6
    )
    assert frontier_endpoint.api_key not in out
    # Whether layers went to a GPU: what this llama.cpp build can do and what was asked for.
    gpu = record["local_gpu"]
    assert gpu["offload_supported"] is gpu_offload_supported()
    assert gpu["gpu_layers_requested"] == 0 and gpu["offload_active"] is False
    assert gpu["summary"].startswith("GPU offload off: this llama.cpp build ")
    assert record["settings"]["gpu_layers"] == 0


@pytest.mark.slow
def test_ask_without_frontier_says_why_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "One, two, three,", "--max-tokens", "4", "--threads", "2", "--gpu-layers", "3"])
    out = capsys.readouterr().out
    assert code == 0
    gpu_line = out.splitlines()[1].strip()
    if gpu_offload_supported():
        assert (
            gpu_line
            == "GPU offload on: this llama.cpp build can offload to a GPU; GPU layers asked for: 3 layers"
        )
    else:
        assert gpu_line == (
            "GPU offload off: this llama.cpp build runs on the CPU only; "
            "GPU layers asked for: 3 layers (ignored)"
        )
    assert "Local specialist: Gemma 3 270M" in out and "TTFT" in out and "tok/s" in out
    assert "no frontier endpoint configured" in out


def test_ask_reports_a_frontier_fault_and_exits_1(
    fault_server: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from support.fault_server import FaultServer

    assert isinstance(fault_server, FaultServer)
    code = main(
        [
            "ask",
            "hi",
            "--no-local",
            "--frontier-url",
            fault_server.url("401"),
            "--frontier-model",
            "m",
            "--json",
        ]
    )
    record = json.loads(capsys.readouterr().out)
    assert code == 1
    assert record["frontier"]["error"].startswith("401 Unauthorized")
    assert record["local"]["empty_reason"] == "skipped (--no-local)"
    assert record["local_gpu"]["offload_supported"] is None


def test_ask_needs_a_key_for_openai(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("app.inference.keys.keyring_usable", lambda: False)
    code = main(
        [
            "ask",
            "hi",
            "--no-local",
            "--frontier-url",
            "https://api.openai.com/v1",
            "--frontier-model",
            "gpt-4o",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "no key: set OPENAI_API_KEY or enter one" in out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "empty (0 bytes)"), (b"NOPE" + b"\0" * 64, "not a GGUF model"), (b"GGUF\x03\0\0\0", "truncated")],
)
def test_ask_with_a_broken_gguf_is_one_line_exit_2(tmp_path: Path, content: bytes, fragment: str) -> None:
    broken = tmp_path / "bad.gguf"
    broken.write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-m", "app", "ask", "hi", "--gguf", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("specialist-studio ask: bad.gguf: ")
    assert fragment in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_ask_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hi", "--frontier-url", "http://127.0.0.1:9/v1"]) == 2
    assert "--frontier-model" in capsys.readouterr().err
    assert main(["ask", "   "]) == 2


def test_ask_with_a_gguf_llama_cpp_refuses_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import struct

    def string(text: str) -> bytes:
        return struct.pack("<Q", len(text)) + text.encode()

    hollow = tmp_path / "hollow.gguf"
    hollow.write_bytes(
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + string("general.architecture")
        + struct.pack("<I", 8)
        + string("x")
    )
    code = main(["ask", "hi", "--gguf", str(hollow)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1  # the local model was asked for and did not start
    assert lines[0] == "Local specialist: hollow"  # no "(not stated)" quantization
    assert lines[2] == (
        "  (empty: the local model did not start: hollow.gguf: llama.cpp could not load a 'x' model: "
        "it holds no tensors)"
    )


def test_ask_text_for_a_failed_frontier_is_the_error_and_plain_figures(
    fault_server: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from support.fault_server import FaultServer

    assert isinstance(fault_server, FaultServer)
    code = main(
        ["ask", "hi", "--no-local", "--frontier-url", fault_server.url("401"), "--frontier-model", "m"]
    )
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[:2] == ["Local specialist: local model", "  (empty: skipped (--no-local))"]
    assert lines[3].startswith("  error: 401 Unauthorized from 127.0.0.1:")
    # A terminal has no frontier settings: the hint says what to do on the command line.
    assert lines[3].endswith(
        "the API key was rejected (check that the endpoint needs none, or pass --frontier-key-env VAR "
        "naming the variable that holds it)"
    )
    # No "(no text)" under the error and no "TTFT -" for an answer that never started.
    assert lines[4].startswith("  no tokens streamed · latency ") and lines[4].endswith(" · not billed")
    assert len(lines) == 5


def test_ask_refuses_a_frontier_url_without_a_scheme(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hi", "--frontier-url", "not a url", "--frontier-model", "m"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err == "specialist-studio ask: --frontier-url must start with http:// or https:// (got 'not a url')"
    )


def test_ask_names_where_a_rejected_key_came_from(
    fault_server: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from support.fault_server import FaultServer

    assert isinstance(fault_server, FaultServer)
    monkeypatch.setenv("WRONG_KEY", "sk-wrong")
    args = [
        "--frontier-url",
        fault_server.url("401"),
        "--frontier-model",
        "m",
        "--frontier-key-env",
        "WRONG_KEY",
    ]
    assert main(["ask", "hi", "--no-local", *args, "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["frontier"]["error"]
    assert error.endswith("the API key was rejected (check the key from the WRONG_KEY environment variable)")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--ctx", "0"], "--ctx must be between 256 and 131072 tokens (got 0)"),
        (["--threads", "-3"], "--threads must be 0 (llama.cpp's default) or more (got -3)"),
        (["--gpu-layers", "-2"], "--gpu-layers must be -1 (all layers), 0 (CPU only) or more (got -2)"),
        (["--temperature", "9"], "--temperature must be between 0 and 2 (got 9)"),
        (["--timeout", "0"], "--timeout must be above 0 seconds (got 0)"),
        (["--local-price", "-1", "2"], "--local-price takes two prices of 0 or more USD per Mtok (got -1 2)"),
        (["--labels", ",,"], "--labels names no label (got ',,'); give them as A,B,C"),
    ],
)
def test_ask_refuses_out_of_range_options_in_one_line(
    options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "hi", *options]) == 2
    assert capsys.readouterr().err.strip() == f"specialist-studio ask: {message}"
