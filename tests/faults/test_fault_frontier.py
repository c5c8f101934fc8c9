"""The fault suite, frontier and small things: a key echoed back never reaches a screen or a file,
garbage stream lines read as a message about the endpoint's response, `--timeout` bounds the whole
answer, `calc --json` never prints what JSON cannot hold. Against the fault server on 127.0.0.1 and
real `python -m app` processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.fault_server import FaultServer

from app.cli.calc import finite_or_null
from app.inference.local_stream import stream_completion
from app.inference.openai_client import OpenAICompatibleGenerator, scrub_secret
from app.inference.types import GenerationRequest
from app.storage.presets import load_preset
from app.storage.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-test-secret-0123456789abcdef"
HANG_LIMIT_S = 90  # the trickling server goes on for 120 s: finishing before this proves the deadline


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **env},
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT_S,
        check=False,
    )


def _frontier_line(done: subprocess.CompletedProcess[str]) -> str:
    """The frontier column's error line of `ask`'s readable output."""
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("error:")]
    assert len(lines) == 1, done.stdout
    return lines[0]


def test_timeout_bounds_the_whole_answer_of_a_server_trickling_keep_alives(fault_server: FaultServer) -> None:
    done = _run(
        "ask", "Hi", "--no-local", "--frontier-url", fault_server.url("trickle"), "--frontier-model", "m",
        "--frontier-preset", "custom", "--timeout", "3",
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert _frontier_line(done) == (
        f"error: Timed out: 127.0.0.1:{fault_server.port} did not finish within 3 s (after 0 tokens)"
    )


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("garbage-bytes", "the stream is not UTF-8 text"),
        ("garbage-json", "a streamed line is not an OpenAI-compatible chunk"),
    ],
)
def test_garbage_stream_lines_are_a_message_about_the_endpoints_response(
    fault_server: FaultServer, fault: str, message: str
) -> None:
    client = OpenAICompatibleGenerator(fault_server.url(fault), "m", "key", read_timeout_s=10)
    result = client.generate(GenerationRequest("Hi", mode="chat", max_tokens=8))
    client.close()
    assert result.error is not None
    assert result.error.startswith(f"Malformed response from 127.0.0.1:{fault_server.port}: {message}")
    assert "Error talking to" not in result.error  # the raw UnicodeDecodeError / AttributeError lines


def test_garbage_from_the_local_model_is_named_too(fault_server: FaultServer) -> None:
    outcome = stream_completion(
        "127.0.0.1", fault_server.port, "/garbage-json/v1/completions", "key", {"prompt": "Hi"},
        connect_timeout_s=5, read_timeout_s=10, on_token=None, cancel=None,
    )  # fmt: skip
    assert outcome.error == (
        "Malformed response from the local model: "
        "a streamed line is not an OpenAI-compatible chunk (after 0 tokens)"
    )


def test_a_key_echoed_in_an_error_body_is_scrubbed_from_results_and_output(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    results = tmp_path / "results.jsonl"
    demo = resource_path("spotcheck", "support_triage.jsonl")
    done = _run(
        "spotcheck", str(demo), "--no-local", "--limit", "2", "--frontier-url", fault_server.url("echo-key"),
        "--frontier-model", "m", "--frontier-key-env", "STUDIO_TEST_KEY", "-o", str(results),
        STUDIO_TEST_KEY=SECRET,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # every frontier answer failed: said, non-zero
    stored = results.read_text(encoding="utf-8")
    assert SECRET not in stored and SECRET not in done.stdout and SECRET not in done.stderr
    records = [json.loads(line) for line in stored.splitlines()]
    errors = [
        record["frontier"].get("error") for record in records if isinstance(record.get("frontier"), dict)
    ]
    assert "400 Bad Request from 127.0.0.1:" in str(errors) and "the key [API key] may not" in str(errors)


def test_scrub_leaves_short_keys_and_clean_text_alone() -> None:
    assert scrub_secret(f"bad key {SECRET}!", SECRET) == "bad key [API key]!"
    assert scrub_secret("a bad answer", "a") == "a bad answer"


def test_calc_json_with_a_vanishing_gpu_throughput_exits_with_one_line(tmp_path: Path) -> None:
    document = load_preset("support-ticket-triage").model_dump(mode="json")
    document["self_hosting"] = {
        "enabled": True, "gpu_price_per_hour": 2.0, "requests_per_second_per_gpu": 5e-324, "min_gpus": 1,
    }  # fmt: skip
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = _run("calc", str(path), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().endswith(
        "self_hosting.requests_per_second_per_gpu: Input should be greater than or equal to 0.001"
    )
    assert done.stderr.count("\n") == 1
    document["self_hosting"]["requests_per_second_per_gpu"] = 0.001  # the smallest accepted
    path.write_text(json.dumps(document), encoding="utf-8")
    done = _run("calc", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["specialist_cost_per_request"] > 0  # a finite JSON number


def test_non_finite_numbers_become_null_with_their_paths() -> None:
    cleaned, paths = finite_or_null({"a": 1.0, "b": [2.0, float("inf")], "c": {"d": float("nan")}})
    assert cleaned == {"a": 1.0, "b": [2.0, None], "c": {"d": None}}
    assert paths == ["b[1]", "c.d"]
    assert json.dumps(cleaned, allow_nan=False)
