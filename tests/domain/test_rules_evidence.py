"""The quality rules read a measured accuracy by its interval, not its point.

The Wilson bounds here are worked out in the test from the textbook formula (Newcombe 1998,
method 3), independently of the engine's statistics module.
"""

from __future__ import annotations

import math

import pytest

from app.domain.rules import evaluate
from app.domain.scenario import Evidence, Scenario
from app.storage.presets import load_preset

Z = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def measured(scenario: Scenario, k: int, n: int, path: str = "quality.specialist_accuracy") -> Scenario:
    value = k / n
    field = path.split(".")[1]
    quality = scenario.quality.model_copy(update={field: value})
    entry = Evidence(value=value, n=n, successes=k, source="spot-check", model="m", measured_at="2026-12-02")
    return scenario.with_changes(quality=quality, evidence={**scenario.evidence, path: entry})


@pytest.fixture
def triage() -> Scenario:
    scenario = load_preset("support-ticket-triage")
    assert evaluate(scenario).verdict == "specialize"  # the typed assumption says so
    return scenario


def test_five_perfect_items_can_no_longer_make_the_verdict_specialize(triage: Scenario) -> None:
    low, _ = wilson(5, 5)
    assert low < triage.quality.quality_bar  # 5/5 reaches down to ~57 %
    result = evaluate(measured(triage, 5, 5))
    assert result.verdict != "specialize"
    rule_1 = result.rule(1)
    assert rule_1.status == "unknown" and "not proven yet" in rule_1.reason
    assert any("more evidence" in need for need in rule_1.needs)


@pytest.mark.parametrize(("k", "n"), [(5, 5), (29, 30), (47, 50), (140, 150), (300, 310), (970, 1000)])
def test_rule_1_holds_exactly_when_the_lower_bound_clears_the_bar(triage: Scenario, k: int, n: int) -> None:
    bar = triage.quality.quality_bar
    low, _ = wilson(k, n)
    result = evaluate(measured(triage, k, n))
    if low >= bar:
        assert result.rule(1).status == "pass" and result.verdict == "specialize"
    else:
        assert result.rule(1).status == "unknown" and result.verdict != "specialize"


@pytest.mark.parametrize(("k", "n"), [(3, 5), (4, 5), (80, 100), (85, 100), (170, 200), (40, 50)])
def test_rule_3_keeps_the_large_model_only_when_the_whole_interval_misses(
    triage: Scenario, k: int, n: int
) -> None:
    bar = triage.quality.quality_bar
    _, high = wilson(k, n)
    assert k / n < bar
    result = evaluate(measured(triage, k, n))
    if high < bar:
        assert result.rule(3).status == "pass"
    else:
        assert result.rule(3).status == "unknown" and "not proven yet" in result.rule(3).reason.lower()
        assert result.rule(1).status == "unknown"
        assert result.verdict not in ("specialize", "keep_large_and_route")


def test_a_value_typed_over_a_measurement_is_judged_as_typed(triage: Scenario) -> None:
    stale = measured(triage, 5, 5)
    typed = stale.with_changes(quality=stale.quality.model_copy(update={"specialist_accuracy": 0.95}))
    assert evaluate(typed).verdict == "specialize"  # the evidence no longer describes this value
