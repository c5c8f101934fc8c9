"""Per-label accuracy and confusion matrices for label tasks.

An overall accuracy hides which queue a model gets wrong: 90 % over a set that is 80 % billing
can mean every shipping ticket lands in billing. Per expected label: each model's accuracy with
its interval; and for each model the confusion matrix (rows: the expected label, columns: the
label it answered, plus "(no label)" for answers that are none of them or that failed).

Pure functions (no I/O).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.evaluation.records import ItemResult, SideResult
from app.domain.evaluation.scoring import normalise
from app.domain.evaluation.statistics import Interval, wilson_interval

NO_LABEL = "(no label)"
_PUNCTUATION = " .,;:!?\"'`*"


@dataclass(frozen=True)
class LabelAccuracy:
    """Both models' accuracy over the items expecting one label."""

    label: str
    items: int
    specialist: Interval
    frontier: Interval


@dataclass(frozen=True)
class ConfusionMatrix:
    """counts[expected][answered]; `labels` orders both axes, `NO_LABEL` is the last column."""

    labels: tuple[str, ...]
    counts: dict[str, dict[str, int]]

    def to_json(self) -> dict[str, Any]:
        """`{"labels": [...], "counts": {expected: {answered: n}}}`."""
        return {"labels": list(self.labels), "counts": self.counts}


def _answered(side: SideResult, labels: dict[str, str]) -> str:
    if side.error is not None:
        return NO_LABEL
    return labels.get(normalise(side.output).strip(_PUNCTUATION), NO_LABEL)


def label_accuracy(results: Sequence[ItemResult], labels: Sequence[str]) -> tuple[LabelAccuracy, ...]:
    """Accuracy per expected label, in `labels` order (labels no item expects are left out)."""
    rows: list[LabelAccuracy] = []
    for label in labels:
        chosen = [r for r in results if r.expected is not None and normalise(r.expected) == normalise(label)]
        if not chosen:
            continue
        rows.append(
            LabelAccuracy(
                label=label,
                items=len(chosen),
                specialist=_interval([r.specialist for r in chosen]),
                frontier=_interval([r.frontier for r in chosen]),
            )
        )
    return tuple(rows)


def _interval(sides: Sequence[SideResult]) -> Interval:
    graded = [ok for side in sides if (ok := side.counted_correct) is not None]
    return wilson_interval(sum(graded), len(graded))


def confusion_matrix(
    results: Sequence[ItemResult], labels: Sequence[str], side: str = "specialist"
) -> ConfusionMatrix:
    """Expected label × answered label for one side (`specialist` or `frontier`), answered items only."""
    folded = {normalise(label): label for label in labels}
    columns = (*labels, NO_LABEL)
    counts = {label: dict.fromkeys(columns, 0) for label in labels}
    for result in results:
        answer = result.specialist if side == "specialist" else result.frontier
        if result.expected is None or answer.source == "none":
            continue
        expected = folded.get(normalise(result.expected))
        if expected is None:
            continue
        counts[expected][_answered(answer, folded)] += 1
    return ConfusionMatrix(tuple(labels), counts)
