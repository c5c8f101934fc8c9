"""The playground's plain functions: run records, JSONL export, measured tokens into the scenario."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from support.fault_server import FaultServer

from app.domain.scenario import ModelCost, Scenario
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.playground import (
    PlaygroundRun,
    SidePrices,
    SideRun,
    apply_measurements,
    export_jsonl,
    measured_tokens,
    run_both,
)
from app.inference.types import GenerationRequest, GenerationResult


def _result(
    input_tokens: int, output_tokens: int, error: str | None = None, counted: bool = False
) -> GenerationResult:
    return GenerationResult(
        text="answer",
        model="m",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        tokens_counted=counted,
        time_to_first_token_s=0.1,
        total_s=1.1,
        error=error,
    )


def _scenario() -> Scenario:
    return Scenario(
        volume_per_month=1_000_000,
        large=ModelCost(
            input_tokens=2200, output_tokens=300, input_price_per_mtok=5, output_price_per_mtok=15
        ),
        small=ModelCost(
            input_tokens=250, output_tokens=300, input_price_per_mtok=0.3, output_price_per_mtok=1.2
        ),
    )


def _run(local: GenerationResult | None, frontier: GenerationResult | None) -> PlaygroundRun:
    return PlaygroundRun(
        prompt="p",
        local=SideRun("gemma", local, None if local else "not loaded", SidePrices(0.3, 1.2, "scenario")),
        frontier=SideRun(
            "gpt-x", frontier, None if frontier else "no endpoint", SidePrices(2.0, 8.0, "catalog gpt-x")
        ),
    )


def test_cost_and_figures() -> None:
    side = SideRun("gpt-x", _result(1000, 11), prices=SidePrices(2.0, 8.0))
    assert side.cost_usd == pytest.approx((1000 * 2 + 11 * 8) / 1e6)
    assert side.result is not None and side.result.tokens_per_second == pytest.approx(10.0)
    refused = SideRun("gpt-x", _result(10, 0, error="401 Unauthorized"), prices=SidePrices(2.0, 8.0))
    assert refused.cost_usd is None


def test_measurements_average_successful_runs_only() -> None:
    runs = [
        _run(_result(10, 4), _result(100, 40)),
        _run(_result(20, 6), _result(300, 60, counted=True)),
        _run(_result(999, 999, error="boom"), None),
    ]
    local = measured_tokens(runs, "local")
    assert local is not None and (local.runs, local.input_tokens, local.output_tokens) == (2, 15, 5)
    frontier = measured_tokens(runs, "frontier")
    assert (
        frontier is not None
        and frontier.counted
        and (frontier.input_tokens, frontier.output_tokens) == (200, 50)
    )
    scenario, said = apply_measurements(_scenario(), runs, None, SidePrices(2.0, 8.0, "catalog gpt-x"))
    assert (scenario.large.input_tokens, scenario.large.output_tokens) == (200, 50)
    assert scenario.large.tokens_measured and scenario.small.tokens_measured
    assert (scenario.large.input_price_per_mtok, scenario.large.output_price_per_mtok) == (2.0, 8.0)
    assert "measured in the playground over 2 run(s)" in scenario.large.price_source
    assert scenario.small.input_price_per_mtok == 0.3  # no local prices given: the scenario's stay
    assert scenario.large.name == "gpt-x" and scenario.small.name == "gemma"
    assert said.startswith("Measured tokens: large: 200 in / 50 out")


def test_measurements_need_a_successful_run() -> None:
    with pytest.raises(ValueError, match="no successful run"):
        apply_measurements(_scenario(), [_run(None, _result(1, 1, error="x"))], None, None)


def test_export_jsonl_one_object_per_run(tmp_path: Path) -> None:
    runs = [_run(_result(10, 4), None), _run(None, _result(100, 40))]
    target = tmp_path / "history.jsonl"
    export_jsonl(runs, target)
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2
    assert (
        records[0]["local"]["output_tokens"] == 4 and records[0]["frontier"]["empty_reason"] == "no endpoint"
    )
    assert records[1]["frontier"]["cost_usd"] == pytest.approx((100 * 2 + 40 * 8) / 1e6)
    assert not list(tmp_path.glob(".*partial"))


def test_run_both_runs_sides_at_once_and_cancels(fault_server: FaultServer) -> None:
    slow = OpenAICompatibleGenerator(fault_server.url("slow"), "m", "k", read_timeout_s=10)
    ok = OpenAICompatibleGenerator(fault_server.url("ok"), "m", "k")
    cancel = threading.Event()
    tokens: list[str] = []
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    first, second = run_both(
        ok,
        GenerationRequest("hi"),
        slow,
        GenerationRequest("hi"),
        on_local_token=tokens.append,
        cancel=cancel,
    )
    assert first is not None and first.ok and "".join(tokens) == "Hello from the fault server"
    assert second is not None and second.cancelled
    assert run_both(None, GenerationRequest("x"), None, GenerationRequest("x")) == (None, None)
