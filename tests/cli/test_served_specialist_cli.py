"""`spotcheck` and `ask` with a specialist served at an OpenAI-compatible endpoint
(`--specialist-url`/`--specialist-model`): llama-cpp-python's real server with the bundled Gemma,
and an endpoint that turns requests away in bursts (the run backs off, says so on stderr, finishes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.fault_server import FaultServer
from support.llama_servers import Endpoint

from app.cli import main
from app.storage.resources import resource_path

DEMO = str(resource_path("spotcheck", "support_triage.jsonl"))
LABELS = {"billing", "shipping", "technical", "account", "other"}


@pytest.mark.slow
def test_spotcheck_with_a_served_specialist(
    capsys: pytest.CaptureFixture[str],
    frontier_endpoint: Endpoint,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("TRIAGE_SPECIALIST_KEY", frontier_endpoint.api_key)
    results = tmp_path / "served.jsonl"
    code = main(
        [
            "spotcheck", DEMO, "--limit", "3", "--seed", "1", "-o", str(results), "--json",
            "--specialist-url", frontier_endpoint.base_url, "--specialist-model", frontier_endpoint.model,
            "--specialist-key-env", "TRIAGE_SPECIALIST_KEY", "--specialist-grammar",
        ]
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["specialist_source"] == "served" and data["frontier_source"] == "recorded"
    assert data["specialist"]["name"].startswith(f"{frontier_endpoint.model} (served at 127.0.0.1:")
    assert data["specialist"]["errors"] == 0 and data["specialist"]["accuracy"]["total"] == 3
    # Three requests at once (the default four, for three items), never lowered.
    assert data["parallelism"]["specialist"] == {"requested": 4, "lowest": 4, "final": 4, "backoffs": 0}
    items = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    answers = [item["specialist"] for item in items if item["type"] == "item"]
    assert [answer["output"] in LABELS for answer in answers] == [True] * 3
    # Its log-probabilities came back: each answer carries its confidence, and the routing curve uses them.
    assert all(0 < answer["confidence"] <= 1 for answer in answers)
    assert data["routing"]["without_confidence"] == 0 and data["routing"]["n"] == 3


def test_spotcheck_backs_off_an_overloaded_specialist_endpoint_and_says_so(
    capsys: pytest.CaptureFixture[str], fault_server: FaultServer
) -> None:
    fault_server.reset_overload()
    code = main(
        [
            "spotcheck", DEMO, "--limit", "8", "--concurrency", "8", "--json",
            "--specialist-url", fault_server.url("overloaded"), "--specialist-model", "fault-model",
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code == 0
    assert fault_server.overload_refused > 0
    # Every item was answered in the end (the endpoint always says "billing").
    assert data["specialist"]["errors"] == 0 and data["specialist"]["accuracy"]["total"] == 8
    lowered = data["parallelism"]["specialist"]
    assert lowered["requested"] == 8 and lowered["backoffs"] >= 1 and lowered["lowest"] <= 2
    notes = [line for line in captured.err.splitlines() if "backing off" in line]
    assert notes, captured.err
    assert all(line.startswith("specialist-studio spotcheck: specialist: ") for line in notes)
    assert f"backing off, {lowered['lowest']} in flight now" in notes[-1]


@pytest.mark.slow
def test_ask_a_served_specialist(
    capsys: pytest.CaptureFixture[str], frontier_endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECIALIST_STUDIO_SPECIALIST_KEY", frontier_endpoint.api_key)
    code = main(
        [
            "ask", "Message: I was charged twice.\nCategory:", "--labels", "billing,shipping", "--json",
            "--specialist-url", frontier_endpoint.base_url, "--specialist-model", frontier_endpoint.model,
            "--specialist-grammar", "--mode", "completion", "--max-tokens", "4",
        ]
    )  # fmt: skip
    record = json.loads(capsys.readouterr().out)
    assert code == 0
    local = record["local"]
    assert local["name"].startswith(f"{frontier_endpoint.model} (served at 127.0.0.1:")
    assert local["error"] is None and local["text"].strip() in {"billing", "shipping"}
    assert record["settings"]["mode"] == "completion"
    assert record["local_gpu"]["offload_supported"] is None  # no local model ran


NOT_TOGETHER = "--specialist-url and --specialist-model go together"
URL, MODEL = ["--specialist-url", "http://x/v1"], ["--specialist-model", "m"]


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        ("spotcheck", URL, NOT_TOGETHER),
        ("spotcheck", [*URL, *MODEL, "--gguf", "a.gguf"], "--specialist-url and --gguf contradict"),
        ("spotcheck", ["--specialist-grammar"], "--specialist-grammar need --specialist-url"),
        ("spotcheck", ["--specialist-url", "x/v1", *MODEL], "must start with http://"),
        ("ask", MODEL, NOT_TOGETHER),
        ("ask", [*URL, *MODEL, "--no-local"], "--specialist-url and --no-local contradict"),
    ],
)
def test_specialist_options_that_do_not_go_together_exit_2(
    capsys: pytest.CaptureFixture[str], command: str, args: list[str], message: str
) -> None:
    first = DEMO if command == "spotcheck" else "hello"
    assert main([command, first, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_endpoint_spelling_is_accepted_too() -> None:
    from app.cli import build_parser

    parser, _ = build_parser()
    for command, first in (("spotcheck", DEMO), ("ask", "hi")):
        args = parser.parse_args([command, first, "--specialist-endpoint", "http://x/v1"])
        assert args.specialist_url == "http://x/v1"
