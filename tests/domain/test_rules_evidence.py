"""The quality rules read a measured accuracy by its interval, not its point.

The Wilson bounds here are worked out in the test from the textbook formula (Newcombe 1998,
method 3), independently of the engine's statistics module.
"""

from __future__ import annotations

import math

import pytest

from app.domain.rules import evaluate
from app.domain.scenario import Evidence, Scenario
from app.storage.presets import load_preset, preset_names

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


# --- the judged accuracy as data: what the window and the memo present without parsing reasons --


def test_a_typed_accuracy_is_an_assumption_stated_in_the_reason(triage: Scenario) -> None:
    result = evaluate(triage)
    for rule_id in (1, 3):
        accuracy = result.rule(rule_id).accuracy
        assert accuracy is not None
        assert accuracy.field == "quality.specialist_accuracy"
        assert accuracy.value == triage.quality.specialist_accuracy
        assert accuracy.bar == triage.quality.quality_bar
        assert (accuracy.basis, accuracy.proof, accuracy.measured) == ("typed", "assumed", None)
        assert accuracy.meets_bar
        # 93.0 % against the preset's 90.0 % bar, in the words the reason uses.
        assert accuracy.claim == "specialist accuracy 93.0% meets the 90.0% bar"
        assert accuracy.claim in result.rule(rule_id).reason.lower()
    for rule_id in (2, 4, 5, 6):
        assert result.rule(rule_id).accuracy is None


@pytest.mark.parametrize(
    ("k", "n", "proof"),
    [(5, 5, "not_proven_yet"), (985, 1000, "proven"), (60, 100, "below_bar"), (85, 100, "not_proven_yet")],
)
def test_a_measured_accuracy_carries_its_counts_interval_and_what_it_proves(
    triage: Scenario, k: int, n: int, proof: str
) -> None:
    bar = triage.quality.quality_bar
    low, high = wilson(k, n)  # the test's own formula
    assert proof == ("proven" if low >= bar else "below_bar" if high < bar else "not_proven_yet")
    result = evaluate(measured(triage, k, n))
    for rule_id in (1, 3):
        accuracy = result.rule(rule_id).accuracy
        assert accuracy is not None and accuracy.basis == "measured" and accuracy.proof == proof
        assert accuracy.measured is not None
        assert (accuracy.measured.successes, accuracy.measured.n) == (k, n)
        assert accuracy.measured.low == pytest.approx(low, abs=1e-12)
        assert accuracy.measured.high == pytest.approx(high, abs=1e-12)
        if proof == "not_proven_yet":
            # The items that would settle it are the number rule 1's reason and the headline quote.
            assert accuracy.items_needed is not None
            assert f"about {accuracy.items_needed} items would settle it" in result.rule(1).reason.lower()
            assert f"(about {accuracy.items_needed} would settle it)" in result.headline
        else:
            assert accuracy.items_needed is None


def test_a_presenter_words_the_accuracy_clause_without_editing_the_reason(triage: Scenario) -> None:
    result = evaluate(triage)
    rule_1, rule_3 = result.rule(1), result.rule(3)
    mid_sentence = rule_1.reason_with_claim("typed specialist accuracy 93.0% against the bar")
    assert mid_sentence == rule_1.reason.replace(
        "specialist accuracy 93.0% meets the 90.0% bar", "typed specialist accuracy 93.0% against the bar"
    )
    # Rule 3 opens with the clause: the new wording opens the sentence too.
    opening = rule_3.reason_with_claim("typed specialist accuracy 93.0% against the bar")
    assert opening.startswith("Typed specialist accuracy 93.0% against the bar;")
    assert opening.endswith(rule_3.reason[len("Specialist accuracy 93.0% meets the 90.0% bar") :])
    # A rule that judged no accuracy has no clause to word.
    assert result.rule(4).reason_with_claim("anything") == result.rule(4).reason


@pytest.mark.parametrize("name", preset_names())
def test_no_headline_states_a_judged_accuracy_as_meeting_the_bar(name: str) -> None:
    """Presenters word the accuracy clause of rules 1 and 3; the headline never repeats it."""
    for scenario in (load_preset(name), measured(load_preset(name), 5, 5)):
        result = evaluate(scenario)
        for rule in result.rules:
            if rule.accuracy is not None and rule.accuracy.meets_bar:
                assert rule.accuracy.claim not in result.headline.lower(), name
