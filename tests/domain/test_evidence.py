"""Measurements go into a scenario only through a review, with their provenance."""

from __future__ import annotations

import pytest
from domain_helpers import design_example

from app.domain.evaluation import (
    ItemResult,
    RoutingPoint,
    ScorerSpec,
    SideResult,
    paired_comparison,
    summarize_results,
)
from app.domain.evidence import apply_review, evidence_interval, routing_review, spotcheck_review
from app.domain.ranges import Range
from app.domain.scenario import Scenario


def _results(right: int, total: int) -> list[ItemResult]:
    return [
        ItemResult(
            str(i),
            "x",
            "a",
            (),
            SideResult("a" if i < right else "b", i < right),
            SideResult("a", True),
            i < right,
        )
        for i in range(total)
    ]


def _summary(right: int, total: int, specialist: str = "gemma (bundled base model, not fine-tuned)"):  # type: ignore[no-untyped-def]
    return summarize_results(
        _results(right, total),
        set_name="demo",
        run_date="2026-12-02",
        scorer=ScorerSpec(kind="exact"),
        specialist_name=specialist,
        frontier_name="recorded answers",
    )


def test_a_review_changes_nothing_until_applied_and_keeps_provenance() -> None:
    scenario = design_example()
    results = _results(5, 5)
    review = spotcheck_review(
        scenario, _summary(5, 5), paired_comparison(results), specialist_is_base_model=True
    )
    paths = [change.path for change in review.changes]
    assert paths[:2] == ["quality.specialist_accuracy", "quality.large_accuracy"]
    specialist = review.changes[0]
    assert (specialist.before, specialist.after) == (scenario.quality.specialist_accuracy, 1.0)
    assert any("Only 5 graded items" in note for note in specialist.warnings)
    assert any("never fine-tuned" in note for note in specialist.warnings)
    assert any("Not proven yet on 5 paired items" in warning for warning in review.warnings)
    # the frontier measured is not the scenario's large model
    assert any("is not the scenario's large model" in note for note in review.changes[1].warnings)

    applied = apply_review(scenario, review, ["quality.specialist_accuracy", "quality.eval_exists"])
    assert applied.quality.specialist_accuracy == 1.0
    assert applied.quality.large_accuracy == scenario.quality.large_accuracy  # not ticked
    assert applied.quality.eval_exists is True
    entry = applied.evidence["quality.specialist_accuracy"]
    assert (entry.n, entry.successes, entry.source, entry.measured_at) == (
        5,
        5,
        "spot-check demo",
        "2026-12-02",
    )
    assert "quality.large_accuracy" not in applied.evidence
    # 5/5: Wilson 95 % interval = [5/(5 + z²), 1] = [0.5655, 1]
    low, high = evidence_interval(applied, "quality.specialist_accuracy") or (0, 0)
    assert low == pytest.approx(5 / (5 + 1.959963984540054**2)) and high == 1.0
    assert evidence_interval(applied, "quality.large_accuracy") is None  # typed, not measured


def test_applying_a_measurement_drops_the_guessed_range() -> None:
    scenario = design_example().with_changes(
        quality={"specialist_accuracy": 0.92, "quality_bar": 0.9},
        ranges={"quality.specialist_accuracy": Range(low=0.88, high=0.96)},
    )
    review = spotcheck_review(scenario, _summary(5, 5))
    applied = apply_review(scenario, review, ["quality.specialist_accuracy"])
    assert applied.quality.specialist_accuracy == 1.0  # outside the old range: the guess goes
    measured = applied.ranges["quality.specialist_accuracy"]  # and the measurement's own comes
    assert (measured.distribution, measured.successes, measured.trials) == ("beta", 5, 5)


def test_evidence_round_trips_through_the_file_format() -> None:
    scenario = design_example()
    applied = apply_review(
        scenario, spotcheck_review(scenario, _summary(4, 5)), ["quality.specialist_accuracy"]
    )
    again = Scenario.model_validate_json(applied.model_dump_json())
    assert again.evidence == applied.evidence
    with pytest.raises(ValueError, match="cannot exceed n"):
        Scenario.model_validate(
            {
                **applied.model_dump(),
                "evidence": {"quality.specialist_accuracy": {"value": 1, "n": 2, "successes": 3}},
            }
        )


def test_a_routing_operating_point_proposes_its_escalation_and_hybrid_accuracy_with_their_counts() -> None:
    scenario = design_example(routing={"escalation_rate": 0.1, "mode": "cascade"})
    # 12 of 40 items escalated, 37 of 40 right on the hybrid path.
    point = RoutingPoint(
        threshold=0.62,
        escalation_rate=12 / 40,
        accuracy=37 / 40,
        accuracy_low=0.8,
        accuracy_high=0.97,
        ood_caught=None,
        cost_per_1k=None,
        escalated=12,
        correct=37,
    )
    review = routing_review(scenario, point, 40, "spot-check demo", "gemma", "2026-12-02")
    by_path = {change.path: change for change in review.changes}
    escalation, hybrid = by_path["routing.escalation_rate"], by_path["quality.hybrid_accuracy"]
    assert (escalation.before, escalation.after) == (0.1, 0.3)
    assert (hybrid.before, hybrid.after) == (None, 0.925)
    for change, successes in ((escalation, 12), (hybrid, 37)):
        assert change.evidence is not None
        assert (change.evidence.n, change.evidence.successes) == (40, successes)
        assert change.evidence.source == "spot-check demo routing curve"
        assert (change.evidence.model, change.evidence.measured_at) == ("gemma", "2026-12-02")
        assert change.warnings == ()  # 40 items: not flagged as too few
    applied = apply_review(scenario, review, by_path)
    assert applied.routing.escalation_rate == 0.3 and applied.quality.hybrid_accuracy == 0.925
    smaller = RoutingPoint(0.62, 6 / 20, 18 / 20, 0.7, 0.97, None, None, escalated=6, correct=18)
    few = routing_review(scenario, smaller, 20, "spot-check demo", "gemma", "2026-12-02")
    assert all(change.warnings == ("Only 20 items behind the curve.",) for change in few.changes)
