"""A distillation run's measured costs as a measurement review: each distillation field before → after,
the sample behind it, and what to be wary of. Applied through `app.domain.evidence.apply_review`,
like every other measurement, so the fields keep their provenance in the scenario's `evidence`.

Pure (no I/O, no Qt).
"""

from __future__ import annotations

from app.domain.distill import DistillationCosts, TeacherErrorReport, measured_distillation
from app.domain.evidence import FEW_ITEMS, MeasurementReview, ProposedChange
from app.domain.scenario import Evidence, Scenario

_LABELS = {
    "enabled": "Distillation on",
    "examples": "Examples labelled by the teacher",
    "human_review_share": "Share reviewed by people",
    "review_cost_per_example": "Review cost per reviewed example",
    "review_seconds_per_example": "Review time per reviewed example (s)",
    "reviewer_hourly_rate": "Reviewer hourly rate (typed)",
    "teacher_cost_per_example": "Teacher cost per example",
    "teacher_error_rate": "Teacher error rate",
    "measured_from": "Measured from",
}


def distillation_review(
    scenario: Scenario,
    costs: DistillationCosts,
    report: TeacherErrorReport,
    *,
    source: str,
    teacher: str,
    measured_at: str,
) -> MeasurementReview:
    """'Use in scenario' from the Distillation tab: the run's figures as proposed changes."""
    after = measured_distillation(costs, report, source)
    before = scenario.distillation.model_dump()
    large = scenario.large
    large_per_request = (
        large.input_tokens * large.input_price_per_mtok + large.output_tokens * large.output_price_per_mtok
    ) / 1e6

    def evidence(value: float, n: int, successes: int | None = None) -> Evidence:
        return Evidence(
            value=value,
            n=n,
            successes=successes,
            source=source[:300],
            model=teacher[:200],
            measured_at=measured_at,
        )

    changes: list[ProposedChange] = []
    for name, value in after.items():
        if before.get(name) == value:
            continue
        notes: list[str] = []
        proof: Evidence | None = None
        if name == "examples":
            proof = evidence(float(costs.labelled), costs.labelled)
        elif name == "human_review_share":
            proof = evidence(costs.review_share, costs.labelled, costs.reviewed)
        elif name in ("review_cost_per_example", "review_seconds_per_example") and isinstance(value, float):
            proof = evidence(value, costs.reviewed)
            if costs.reviewed < FEW_ITEMS:
                notes.append(f"Only {costs.reviewed} reviewed items: the time per item is rough.")
        elif name == "teacher_cost_per_example" and isinstance(value, float):
            proof = evidence(value, costs.labelled)
            if costs.tokens_estimated:
                notes.append("Some token counts were estimated (the endpoint sent no usage).")
            notes.append(
                f"The cost model prices teacher labelling at the large model's ${large_per_request:.6f} per "
                f"request (the production prompt); this run measured ${value:.6f} per example."
            )
        elif name == "teacher_error_rate" and isinstance(value, float):
            # A stratified estimate, not k of n: the sample size is recorded, the count is not.
            proof = evidence(value, report.sample_reviewed)
            if report.sample_reviewed < FEW_ITEMS:
                notes.append(f"Only {report.sample_reviewed} items of the random sample reviewed.")
        changes.append(
            ProposedChange(
                f"distillation.{name}", _LABELS.get(name, name), before.get(name), value, proof, tuple(notes)
            )
        )
    warnings: list[str] = []
    if large.name and teacher and large.name not in teacher and teacher not in large.name:
        warnings.append(f"The teacher measured ({teacher}) is not the scenario's large model ({large.name}).")
    if report.warning:
        warnings.append(report.warning)
    sample = (
        f"{costs.labelled} labelled, {costs.reviewed} reviewed "
        f"({report.sample_reviewed} of the random sample) · teacher {teacher} · {measured_at}"
    )
    return MeasurementReview("Use measured distillation costs", sample, tuple(changes), tuple(warnings))
