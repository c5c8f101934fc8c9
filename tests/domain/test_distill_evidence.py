"""A distillation run as a measurement review: fields before → after, evidence and warnings, applied
through the same review as every other measurement."""

from __future__ import annotations

import pytest
from domain_helpers import design_example

from app.domain.distill import LabelledItem, Review, TeacherAnswer, distillation_costs, teacher_error_report
from app.domain.distill_evidence import distillation_review
from app.domain.evidence import apply_review


def _items() -> list[LabelledItem]:
    """Ten labelled items at $0.002 each; four sampled and reviewed (one corrected), 30 s each."""
    items = []
    for n in range(10):
        teacher = TeacherAnswer("billing", "billing", True, input_tokens=300, output_tokens=2, cost_usd=0.002)
        review = None
        if n < 4:
            review = Review("corrected" if n == 0 else "accepted", "other" if n == 0 else "billing", 30.0)
        items.append(
            LabelledItem(f"i{n}", f"input {n}", teacher, queue="sample" if n < 4 else None, review=review)
        )
    return items


def test_review_proposes_every_measured_field_with_its_sample() -> None:
    scenario = design_example()
    items = _items()
    costs = distillation_costs(items, hourly_rate=48.0)
    report = teacher_error_report(items, scenario.quality.quality_bar)
    review = distillation_review(
        scenario, costs, report, source="distillation t.jsonl", teacher="gpt-x", measured_at="2026-12-02"
    )
    changes = {change.path: change for change in review.changes}
    assert changes["distillation.enabled"].after is True
    assert changes["distillation.examples"].after == 10
    share = changes["distillation.human_review_share"]
    assert (share.before, share.after) == (0.0, 0.4)
    assert share.evidence is not None and (share.evidence.n, share.evidence.successes) == (10, 4)
    # 30 s a reviewed item at $48 an hour is $0.40.
    assert changes["distillation.review_cost_per_example"].after == pytest.approx(0.4)
    assert any(
        "Only 4 reviewed items" in note for note in changes["distillation.review_cost_per_example"].warnings
    )
    teacher = changes["distillation.teacher_cost_per_example"]
    assert teacher.after == pytest.approx(0.002)
    # The DESIGN example's large model: (2200 · 5 + 300 · 15) / 1e6 = $0.0155 a request.
    assert any("$0.015500 per request" in note for note in teacher.warnings)
    assert changes["distillation.teacher_error_rate"].after == pytest.approx(0.25)  # 1 of 4, nothing flagged

    applied = apply_review(scenario, review, [change.path for change in review.changes])
    assert applied.distillation.enabled and applied.distillation.human_review_share == 0.4
    assert applied.evidence["distillation.review_cost_per_example"].n == 4
    assert applied.evidence["distillation.teacher_cost_per_example"].model == "gpt-x"
    # Only what was ticked is applied.
    partial = apply_review(scenario, review, ["distillation.examples"])
    assert partial.distillation.examples == 10 and not partial.distillation.enabled


def test_another_teacher_than_the_large_model_is_named() -> None:
    scenario = design_example(large=design_example().large.model_copy(update={"name": "big-model"}))
    items = _items()
    review = distillation_review(
        scenario,
        distillation_costs(items, None),
        teacher_error_report(items),
        source="s",
        teacher="other-model",
        measured_at="2026-12-02",
    )
    assert any("not the scenario's large model (big-model)" in warning for warning in review.warnings)
    assert "distillation.review_cost_per_example" not in {change.path for change in review.changes}  # no rate
