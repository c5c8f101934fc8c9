"""Measurements enter a scenario only through a review: what would change, on what evidence.

A spot-check or a playground run *proposes* changes; nothing is written until the user ticks
what to apply. Each proposed change shows the field before → after and the sample it rests on;
warnings say why a measurement may not stand for the scenario (a handful of items, a base model
that was never fine-tuned, another frontier model than the scenario's, a shorter prompt, runs cut
off at max tokens). Applied changes keep their provenance in the scenario's `evidence`, so the
window can mark measured fields and the rules can read an accuracy's interval.

Pure functions (no I/O, no Qt).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.evaluation import (
    ModelSummary,
    PairedComparison,
    RoutingPoint,
    SpotcheckSummary,
    sample_size_advice,
    wilson_interval,
)
from app.domain.range_defaults import evidence_range
from app.domain.scenario import Evidence, Scenario

# Below this many items or runs a measurement is flagged as resting on too little.
FEW_ITEMS = 30
FEW_RUNS = 5


@dataclass(frozen=True)
class ProposedChange:
    """One field a measurement would change."""

    path: str  # dotted field path, e.g. "quality.specialist_accuracy"
    label: str  # what the window calls it
    before: Any
    after: Any
    evidence: Evidence | None = None  # provenance kept when applied (None: a flag, not a measure)
    warnings: tuple[str, ...] = ()
    checked: bool = True  # ticked by default

    def describe_value(self, value: Any) -> str:
        """A value as the dialog shows it (shares as percentages)."""
        if value is None:
            return "not set"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float) and self.path.startswith("quality.") and 0 <= value <= 1:
            return f"{value:.1%}"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)


@dataclass(frozen=True)
class MeasurementReview:
    """What a measurement proposes, the sample behind it, and what to be wary of."""

    title: str
    sample: str  # one line: n, items or runs, model, set, date
    changes: tuple[ProposedChange, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def undo_label(self) -> str:
        return self.title


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value[part]
    return value


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value


def apply_review(scenario: Scenario, review: MeasurementReview, chosen: Iterable[str]) -> Scenario:
    """The scenario with the chosen changes applied: values set, provenance kept in `evidence`,
    and the typed range of each measured field replaced by the measurement's own (a beta range
    for counted accuracies) or dropped (the measurement replaces the guess)."""
    picked = set(chosen)
    data = scenario.model_dump()
    evidence = dict(data.get("evidence") or {})
    ranges = dict(data.get("ranges") or {})
    for change in review.changes:
        if change.path not in picked:
            continue
        _set(data, change.path, change.after)
        ranges.pop(change.path, None)
        if change.evidence is not None:
            evidence[change.path] = change.evidence.model_dump()
            found = change.evidence
            if found.successes is not None and found.n > 0:
                # The measurement's own uncertainty (beta of k right of n) replaces the guess.
                label = f"{found.source} {found.measured_at}".strip()
                ranges[change.path] = evidence_range(found.successes, found.n, label).model_dump()
        else:
            evidence.pop(change.path, None)
    data["evidence"] = evidence
    data["ranges"] = ranges
    return Scenario.model_validate(data)


def evidence_interval(scenario: Scenario, path: str) -> tuple[float, float] | None:
    """The 95 % Wilson interval of a measured share (None when typed or without counts)."""
    entry = scenario.evidence.get(path)
    if entry is None or entry.successes is None or entry.n <= 0:
        return None
    interval = wilson_interval(entry.successes, entry.n)
    assert interval.low is not None and interval.high is not None
    return interval.low, interval.high


def _measured_accuracy(
    path: str,
    label: str,
    before: float | None,
    side: ModelSummary,
    source: str,
    run_date: str,
    notes: list[str],
) -> ProposedChange:
    """One side's measured accuracy as a proposed change, with the counts it rests on as evidence."""
    accuracy = side.accuracy
    assert accuracy.estimate is not None
    return ProposedChange(
        path,
        label,
        before,
        round(accuracy.estimate, 4),
        Evidence(
            value=accuracy.estimate,
            n=accuracy.total,
            successes=accuracy.successes,
            source=source,
            model=side.name[:200],
            measured_at=run_date[:32],
        ),
        tuple(notes),
    )


def spotcheck_review(
    scenario: Scenario,
    summary: SpotcheckSummary,
    paired: PairedComparison | None = None,
    *,
    specialist_is_base_model: bool = False,
    frontier_source: str = "live",
) -> MeasurementReview:
    """'Use these accuracies': both accuracies with their counts, eval exists, provenance."""
    quality = scenario.quality
    bar = quality.quality_bar
    source = f"spot-check {summary.set_name}"
    changes: list[ProposedChange] = []
    warnings: list[str] = []
    specialist = summary.specialist.accuracy
    frontier = summary.frontier.accuracy
    if specialist.estimate is not None:
        notes: list[str] = []
        if specialist.total < FEW_ITEMS:
            advice = sample_size_advice(specialist.successes, specialist.total, bar, "the specialist")
            notes.append(f"Only {specialist.total} graded items. {advice.message}")
        if specialist_is_base_model:
            notes.append(
                f"{summary.specialist.name} is a base model that was never fine-tuned: its accuracy is "
                "not the fine-tuned specialist's."
            )
        changes.append(
            _measured_accuracy(
                "quality.specialist_accuracy",
                "Specialist accuracy",
                quality.specialist_accuracy,
                summary.specialist,
                source,
                summary.run_date,
                notes,
            )
        )
    if frontier.estimate is not None:
        notes = []
        if scenario.large.name and scenario.large.name not in summary.frontier.name:
            notes.append(
                f"The frontier model measured ({summary.frontier.name}) is not the scenario's large model "
                f"({scenario.large.name})."
            )
        if frontier_source == "recorded" or summary.frontier.source == "recorded":
            notes.append("The frontier column is the set's recorded answers, not a live run.")
        changes.append(
            _measured_accuracy(
                "quality.large_accuracy",
                "Large model accuracy",
                quality.large_accuracy,
                summary.frontier,
                source,
                summary.run_date,
                notes,
            )
        )
    if changes:
        changes.append(ProposedChange("quality.eval_exists", "An eval exists", quality.eval_exists, True))
        changes.append(
            ProposedChange(
                "quality.measured_from", "Measured from", quality.measured_from, summary.measured_from[:300]
            )
        )
    if paired is not None and paired.n and paired.verdict != "match_proven":
        warnings.append(f"Paired comparison: {paired.describe()}")
    if not summary.complete:
        warnings.append(f"The run stopped early: {summary.items} of {summary.set_items} items.")
    sample = (
        f"{summary.items} items of {summary.set_name} · specialist {summary.specialist.name} · "
        f"frontier {summary.frontier.name} · {summary.run_date}"
    )
    return MeasurementReview("Use spot-check accuracies", sample, tuple(changes), tuple(warnings))


@dataclass(frozen=True)
class TokenMeasurement:
    """Average tokens of one playground side over its usable runs."""

    side: str  # "local" or "frontier"
    model: str
    runs: int
    truncated: int  # runs cut off at max tokens, left out of the averages
    input_tokens: int
    output_tokens: int
    measured_at: str


def playground_review(
    scenario: Scenario,
    proposed: Scenario,
    measurements: Sequence[TokenMeasurement],
    *,
    local_is_base_model: bool = False,
) -> MeasurementReview:
    """'Use in scenario' from the playground: every field the measured scenario changes."""
    before, after = scenario.model_dump(), proposed.model_dump()
    by_side = {entry.side: entry for entry in measurements}
    changes: list[ProposedChange] = []
    for part, side, title in (("large", "frontier", "Large model"), ("small", "local", "Specialist")):
        measured = by_side.get(side)
        for name, value in after[part].items():
            if before[part][name] == value:
                continue
            path = f"{part}.{name}"
            notes: list[str] = []
            evidence = None
            if name in ("input_tokens", "output_tokens") and measured is not None:
                evidence = Evidence(
                    value=float(value),
                    n=measured.runs,
                    source="playground",
                    model=measured.model[:200],
                    measured_at=measured.measured_at[:32],
                )
                if measured.runs < FEW_RUNS:
                    notes.append(f"Only {measured.runs} run(s): one prompt is not the traffic.")
                if name == "input_tokens" and value < before[part][name]:
                    notes.append(
                        f"The prompt measured ({value} tokens) is shorter than the scenario's "
                        f"({before[part][name]}): the scenario's prompt may be what production sends."
                    )
            if part == "large" and name == "name" and before[part][name]:
                notes.append(
                    f"The frontier model measured ({value}) is not the scenario's large model "
                    f"({before[part][name]})."
                )
            if part == "small" and local_is_base_model and name in ("input_tokens", "output_tokens", "name"):
                notes.append("The local model is a base model that was never fine-tuned.")
            changes.append(
                ProposedChange(
                    path,
                    f"{title}: {name.replace('_', ' ')}",
                    before[part][name],
                    value,
                    evidence,
                    tuple(notes),
                )
            )
    warnings = [
        f"{entry.truncated} {entry.side} run(s) stopped at max tokens and were left out of the averages."
        for entry in measurements
        if entry.truncated
    ]
    sample = " · ".join(
        f"{entry.side} {entry.model}: {entry.runs} run(s), "
        f"{entry.input_tokens} in / {entry.output_tokens} out"
        for entry in measurements
    )
    return MeasurementReview(
        "Use playground measurements", sample or "no usable run", tuple(changes), tuple(warnings)
    )


def routing_review(
    scenario: Scenario, point: RoutingPoint, items: int, source: str, model: str, measured_at: str
) -> MeasurementReview:
    """'Use this operating point': the escalation rate and the hybrid's accuracy, measured."""
    optimistic = (
        "The threshold was picked on the same items it is scored on: expect new traffic to do a little worse."
    )
    few = (f"Only {items} items behind the curve.",) if items < FEW_ITEMS else ()
    measured = (
        (
            "routing.escalation_rate",
            "Escalation rate",
            scenario.routing.escalation_rate,
            point.escalation_rate,
            point.escalated,
        ),
        (
            "quality.hybrid_accuracy",
            "Hybrid accuracy",
            scenario.quality.hybrid_accuracy,
            point.accuracy,
            point.correct,
        ),
    )
    changes = tuple(
        ProposedChange(
            path,
            label,
            before,
            round(value, 4),
            Evidence(
                value=value,
                n=items,
                successes=successes,
                source=f"{source} routing curve",
                model=model[:200],
                measured_at=measured_at[:32],
            ),
            few,
        )
        for path, label, before, value, successes in measured
    )
    sample = f"{items} items · confidence threshold {point.threshold:.3f} · {source} · {measured_at}"
    return MeasurementReview("Use routing operating point", sample, changes, (optimistic,))
