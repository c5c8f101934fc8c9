"""Distillation: the teacher's labels, their human review, and what the review says about the teacher.

Pure data and statistics (no I/O). The runner that asks the teacher lives in
`app.inference.distill`, the files in `app.storage.distill_files`, the export formats in
`app.domain.distill_export`.

How the review is drawn, and why the estimate is honest:
- Items where the local specialist disagrees with the teacher, or the teacher's answer is not
  valid under the task's scorer (or its confidence is low), are *targeted*: all of them go to
  review, because they are where mistakes cluster. They are a census, not a sample.
- From the rest (the *remainder*) a simple random sample of the size `review_sample_size` asks
  for is drawn. Only that sample estimates the teacher's error rate on the remainder: the
  targeted items are chosen for being suspicious, so counting them would overstate the errors.
- Wrong labels left after review = the remainder's error rate (Wilson interval) times the
  remainder items nobody reviewed. Reviewed items were corrected, so they carry no error.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from app.domain.evaluation import (
    Z_95,
    Interval,
    PromptTemplate,
    ScorerSpec,
    first_number,
    normalise,
    outputs_agree,
    wilson_interval,
)
from app.domain.evaluation.records import optional_text, tags_from_json

LABELLED_FORMAT = "specialist-studio-distill"
LABELLED_VERSION = 1
DEFAULT_MARGIN = 0.05
# With nothing known about the error rate, p = 0.5 gives the largest (safest) sample.
DEFAULT_EXPECTED_ERROR = 0.5
DEFAULT_LOW_CONFIDENCE = 0.6
_LABEL_PUNCTUATION = " .,;:!?\"'`*"

ReviewVerdict = Literal["accepted", "corrected", "skipped"]
QueueReason = Literal["sample", "disagree", "low_confidence", "invalid"]
QUEUE_REASONS: tuple[QueueReason, ...] = ("sample", "disagree", "low_confidence", "invalid")
REASON_TITLES: dict[str, str] = {
    "sample": "random sample",
    "disagree": "specialist disagrees",
    "low_confidence": "teacher unsure",
    "invalid": "answer not valid",
}


@dataclass(frozen=True)
class TeacherAnswer:
    """What the teacher said about one input, and what it cost."""

    output: str  # the raw text
    answer: str  # the answer as it would enter training (canonical label, trimmed text)
    valid: bool  # the answer passes the task's scorer's form check (a known label, valid JSON, ...)
    problem: str = ""  # why it is not valid, one line
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_estimated: bool = False
    cost_usd: float | None = None
    latency_s: float | None = None
    error: str | None = None  # the request failed (then nothing else is meaningful)
    confidence: float | None = None  # 0..1 when the endpoint gave one


@dataclass(frozen=True)
class Review:
    """One person's decision on one item."""

    verdict: ReviewVerdict
    final: str | None  # the answer that enters training (None for skipped)
    seconds: float  # time the item was on screen before the decision
    reviewed_at: str = ""  # ISO timestamp


@dataclass(frozen=True)
class LabelledItem:
    """An input, the teacher's answer, the specialist's answer (optional) and the review."""

    item_id: str
    input: str
    teacher: TeacherAnswer | None = None
    specialist_output: str | None = None
    queue: QueueReason | None = None  # why (and whether) the item is in the review queue
    review: Review | None = None
    tags: tuple[str, ...] = ()

    @property
    def labelled(self) -> bool:
        """The teacher answered without error."""
        return self.teacher is not None and self.teacher.error is None

    @property
    def reviewed(self) -> bool:
        """A person accepted or corrected the item (a skip is not a review)."""
        return self.review is not None and self.review.verdict != "skipped"

    @property
    def teacher_wrong(self) -> bool | None:
        """True when a reviewer corrected the teacher, False when accepted, None when not reviewed."""
        if not self.reviewed or self.review is None:
            return None
        return self.review.verdict == "corrected"

    @property
    def final_answer(self) -> str | None:
        """What enters training: the reviewer's answer, else a valid teacher answer, else None."""
        if self.reviewed and self.review is not None:
            return self.review.final
        if self.teacher is not None and self.teacher.error is None and self.teacher.valid:
            return self.teacher.answer
        return None

    def to_json(self) -> dict[str, Any]:
        """One line of a labelled file."""
        data: dict[str, Any] = {"type": "item", "id": self.item_id, "input": self.input}
        if self.tags:
            data["tags"] = list(self.tags)
        if self.teacher is not None:
            data["teacher"] = {
                key: value for key, value in self.teacher.__dict__.items() if value is not None
            }
        if self.specialist_output is not None:
            data["specialist_output"] = self.specialist_output
        if self.queue is not None:
            data["queue"] = self.queue
        if self.review is not None:
            data["review"] = dict(self.review.__dict__)
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> LabelledItem:
        """Parse one item line; raises KeyError/TypeError/ValueError on a malformed line."""
        teacher_data = data.get("teacher")
        teacher = None
        if teacher_data is not None:
            if not isinstance(teacher_data, dict):
                raise TypeError("teacher must be an object")
            teacher = TeacherAnswer(
                output=str(teacher_data.get("output", "")),
                answer=str(teacher_data.get("answer", "")),
                valid=bool(teacher_data.get("valid", False)),
                problem=str(teacher_data.get("problem", "")),
                input_tokens=_opt_int(teacher_data.get("input_tokens")),
                output_tokens=_opt_int(teacher_data.get("output_tokens")),
                tokens_estimated=bool(teacher_data.get("tokens_estimated", False)),
                cost_usd=_opt_float(teacher_data.get("cost_usd")),
                latency_s=_opt_float(teacher_data.get("latency_s")),
                error=optional_text(teacher_data.get("error")),
                confidence=_opt_float(teacher_data.get("confidence")),
            )
        review_data = data.get("review")
        review = None
        if review_data is not None:
            verdict = review_data["verdict"]
            if verdict not in ("accepted", "corrected", "skipped"):
                raise ValueError(f"unknown review verdict {verdict!r}")
            review = Review(
                verdict=verdict,
                final=optional_text(review_data.get("final")),
                seconds=float(review_data.get("seconds", 0.0)),
                reviewed_at=str(review_data.get("reviewed_at", "")),
            )
        queue = data.get("queue")
        if queue is not None and queue not in QUEUE_REASONS:
            raise ValueError(f"unknown queue reason {queue!r}")
        return LabelledItem(
            item_id=str(data["id"]),
            input=str(data["input"]),
            teacher=teacher,
            specialist_output=optional_text(data.get("specialist_output")),
            queue=queue,
            review=review,
            tags=tags_from_json(data),
        )


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("numbers must be finite")
    return number


# ---------------------------------------------------------------------------------------------
# Reading the teacher's answer under the task's scorer


def task_labels(template: PromptTemplate, scorer: ScorerSpec) -> tuple[str, ...]:
    """The task's label set (template first, then the scorer's); empty for free-text tasks."""
    return tuple(template.labels) or (tuple(scorer.labels) if scorer.kind == "one_of" else ())


def read_answer(output: str, scorer: ScorerSpec, labels: Sequence[str] = ()) -> tuple[str, bool, str]:
    """(answer, valid, problem) for one teacher output under the task's scorer.

    Labels are matched like the spot-check scorer does ("Billing." is `billing`) and returned
    in the task's own spelling; JSON must parse; a number task needs a number. Free text passes.
    """
    text = output.strip()
    if labels:
        got = normalise(text).strip(_LABEL_PUNCTUATION)
        for label in labels:
            if normalise(label) == got:
                return label, True, ""
        return text, False, f"not one of the labels: {text[:40]!r}"
    if scorer.kind == "json_fields":
        try:
            json.loads(text.removeprefix("```json").removeprefix("```").removesuffix("```").strip())
        except json.JSONDecodeError as exc:
            return text, False, f"not valid JSON ({exc.msg})"
        return text, True, ""
    if scorer.kind == "number":
        if first_number(text) is None:
            return text, False, "no number in the answer"
        return text, True, ""
    if not text:
        return text, False, "empty answer"
    return text, True, ""


def teacher_cost(
    input_tokens: int | None, output_tokens: int | None, input_price: float, output_price: float
) -> float | None:
    """USD for one request at prices per million tokens; None when a count is missing."""
    if input_tokens is None or output_tokens is None:
        return None
    return (input_tokens * input_price + output_tokens * output_price) / 1e6


# ---------------------------------------------------------------------------------------------
# How many to review, and which


def review_sample_size(
    population: int,
    margin: float = DEFAULT_MARGIN,
    expected_error: float = DEFAULT_EXPECTED_ERROR,
    z: float = Z_95,
) -> int:
    """Items to review so the teacher's error rate is known to about ±`margin` (95 %).

    Cochran's sample size n0 = z² p(1 − p) / margin² with the finite-population correction
    n = n0 / (1 + (n0 − 1) / N), rounded up and never above N. With p = 0.5 (nothing known) this
    is the classic table of Krejcie & Morgan (1970): 80 of 100, 278 of 1,000, 370 of 10,000.
    """
    if population < 0:
        raise ValueError(f"population must not be negative, got {population}")
    if not 0 < margin < 1:
        raise ValueError(f"margin must be between 0 and 1 (exclusive), got {margin}")
    if not 0 <= expected_error <= 1:
        raise ValueError(f"expected error rate must be between 0 and 1, got {expected_error}")
    if population == 0:
        return 0
    variance = max(expected_error * (1 - expected_error), 0.01)
    n0 = z * z * variance / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, math.ceil(n - 1e-9))


def targeted_reason(item: LabelledItem, scorer: ScorerSpec, low_confidence: float) -> QueueReason | None:
    """Why an item must be reviewed whatever the sample says, or None."""
    teacher = item.teacher
    if teacher is None or teacher.error is not None:
        return None
    if not teacher.valid:
        return "invalid"
    if item.specialist_output is not None and not outputs_agree(
        item.specialist_output, teacher.output, scorer
    ):
        return "disagree"
    if teacher.confidence is not None and teacher.confidence < low_confidence:
        return "low_confidence"
    return None


def build_review_queue(
    items: Sequence[LabelledItem],
    scorer: ScorerSpec,
    *,
    margin: float = DEFAULT_MARGIN,
    expected_error: float = DEFAULT_EXPECTED_ERROR,
    low_confidence: float = DEFAULT_LOW_CONFIDENCE,
    seed: int = 0,
) -> list[LabelledItem]:
    """Mark each labelled item's `queue` reason: every targeted item, plus a random sample of the rest.

    Items already reviewed keep their reason (a rebuilt queue never throws work away). The sample
    is drawn with `random.Random(seed)`, so the same set and seed give the same queue.
    """
    marked: list[LabelledItem] = []
    remainder: list[int] = []
    for index, item in enumerate(items):
        if item.review is not None and item.queue is not None:
            marked.append(item)
            continue
        reason = targeted_reason(item, scorer, low_confidence)
        marked.append(replace(item, queue=reason))
        if reason is None and item.labelled:
            remainder.append(index)
    already = sum(1 for item in marked if item.queue == "sample")
    population = already + len(remainder)
    wanted = max(0, review_sample_size(population, margin, expected_error) - already)
    chosen = random.Random(seed).sample(remainder, min(wanted, len(remainder)))
    for index in chosen:
        marked[index] = replace(marked[index], queue="sample")
    return marked


def queue_order(items: Sequence[LabelledItem], seed: int = 0) -> list[int]:
    """Indices of queued items in review order: targeted items first, then the sample, shuffled.

    The sample is reviewed in a random order so a review stopped halfway is still a random sample.
    """
    rng = random.Random(seed + 1)
    targeted = [i for i, item in enumerate(items) if item.queue is not None and item.queue != "sample"]
    sample = [i for i, item in enumerate(items) if item.queue == "sample"]
    rng.shuffle(sample)
    return targeted + sample


# ---------------------------------------------------------------------------------------------
# The teacher's error rate


@dataclass(frozen=True)
class LabelErrors:
    """Errors among the sampled, reviewed items the teacher gave one label."""

    label: str
    errors: Interval  # successes = wrong labels


@dataclass(frozen=True)
class Estimate:
    """A count with its 95 % interval (None bounds when nothing was reviewed)."""

    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class TeacherErrorReport:
    """What the review says about the teacher, in numbers and in words."""

    labelled: int  # items the teacher answered
    reviewed: int  # accepted or corrected, any reason
    targeted: int  # items in the targeted strata (disagreement, invalid, unsure)
    targeted_reviewed: int
    targeted_wrong: int
    remainder: int  # labelled items outside the targeted strata
    sample_reviewed: int
    accuracy: Interval  # the teacher's accuracy on the reviewed random sample (Wilson)
    remainder_error: Interval  # 1 − accuracy, as its own interval
    wrong_left: Estimate  # wrong labels expected among the unreviewed remainder items
    residual_error_rate: Estimate  # wrong labels left / labelled: what a student would learn from
    overall_error: Estimate  # the teacher's own error rate over everything it labelled (stratified)
    per_label: tuple[LabelErrors, ...]
    quality_bar: float | None
    warning: str  # plain words; "" when there is nothing to warn about
    meaning: str  # what the figures mean and do not prove


def teacher_error_report(
    items: Sequence[LabelledItem], quality_bar: float | None = None
) -> TeacherErrorReport:
    """Accuracy, wrong labels left and per-label error rates from the reviewed random sample."""
    labelled = [item for item in items if item.labelled]
    targeted = [item for item in labelled if item.queue is not None and item.queue != "sample"]
    remainder = [item for item in labelled if item.queue is None or item.queue == "sample"]
    sample = [item for item in remainder if item.queue == "sample" and item.reviewed]
    wrong = sum(1 for item in sample if item.teacher_wrong)
    accuracy = wilson_interval(len(sample) - wrong, len(sample))
    error = wilson_interval(wrong, len(sample))
    targeted_reviewed = [item for item in targeted if item.reviewed]
    targeted_wrong = sum(1 for item in targeted_reviewed if item.teacher_wrong)
    left = _errors_left(
        error,
        labelled=len(labelled),
        remainder=len(remainder),
        unreviewed_remainder=sum(1 for item in remainder if not item.reviewed),
        targeted_wrong=targeted_wrong,
        targeted_open=len(targeted) - len(targeted_reviewed),
    )
    return TeacherErrorReport(
        labelled=len(labelled),
        reviewed=sum(1 for item in labelled if item.reviewed),
        targeted=len(targeted),
        targeted_reviewed=len(targeted_reviewed),
        targeted_wrong=targeted_wrong,
        remainder=len(remainder),
        sample_reviewed=len(sample),
        accuracy=accuracy,
        remainder_error=error,
        wrong_left=left.wrong_left,
        residual_error_rate=left.residual,
        overall_error=left.overall,
        per_label=_per_label(sample),
        quality_bar=quality_bar,
        warning=_warning(left.residual, quality_bar, len(sample), len(labelled)),
        meaning=(
            f"The teacher's accuracy is measured on {len(sample)} reviewed items drawn at random from the "
            f"{len(remainder)} the specialist and the scorer did not flag; the {len(targeted)} flagged "
            "items are reviewed in full and corrected, and do not enter that figure (they were chosen for "
            "looking wrong). The interval is 95 % (Wilson): another random sample could land anywhere in "
            "it. It says how often the teacher's labels are wrong on this data, not whether the task "
            "definition is right."
        ),
    )


@dataclass(frozen=True)
class _ErrorsLeft:
    """The three estimates of what the review leaves wrong (see `_errors_left`)."""

    wrong_left: Estimate
    residual: Estimate
    overall: Estimate


def _errors_left(
    error: Interval,
    *,
    labelled: int,
    remainder: int,
    unreviewed_remainder: int,
    targeted_wrong: int,
    targeted_open: int,
) -> _ErrorsLeft:
    """Wrong labels left, the residual error rate and the teacher's own error rate, with bounds.

    The remainder's error rate (`error`, from the random sample) applies to its unreviewed items;
    flagged items nobody reviewed yet have an unknown error rate: counted as all wrong for the
    upper bound and all right for the lower one.
    """
    n = labelled
    if not remainder and n:
        # Every item was flagged: nothing is left to estimate, only flagged items not reviewed yet.
        return _ErrorsLeft(
            Estimate(0.0, 0.0, float(targeted_open)),
            Estimate(0.0, 0.0, targeted_open / n),
            Estimate(targeted_wrong / n, targeted_wrong / n, (targeted_wrong + targeted_open) / n),
        )
    if error.estimate is None or error.low is None or error.high is None:
        unknown = Estimate(None, None, None)
        return _ErrorsLeft(unknown, unknown, unknown)
    wrong_left = Estimate(
        error.estimate * unreviewed_remainder,
        error.low * unreviewed_remainder,
        error.high * unreviewed_remainder + targeted_open,
    )
    assert wrong_left.value is not None and wrong_left.low is not None and wrong_left.high is not None
    return _ErrorsLeft(
        wrong_left,
        Estimate(wrong_left.value / n, wrong_left.low / n, wrong_left.high / n),
        Estimate(
            (targeted_wrong + error.estimate * remainder) / n,
            (targeted_wrong + error.low * remainder) / n,
            (targeted_wrong + targeted_open + error.high * remainder) / n,
        ),
    )


def _per_label(sample: Iterable[LabelledItem]) -> tuple[LabelErrors, ...]:
    counts: dict[str, list[int]] = {}
    for item in sample:
        assert item.teacher is not None
        entry = counts.setdefault(item.teacher.answer, [0, 0])
        entry[0] += 1 if item.teacher_wrong else 0
        entry[1] += 1
    return tuple(
        LabelErrors(label, wilson_interval(wrong, total)) for label, (wrong, total) in sorted(counts.items())
    )


def _warning(residual: Estimate, bar: float | None, sampled: int, labelled: int) -> str:
    if labelled == 0:
        return ""
    if residual.value is None or residual.low is None or residual.high is None:
        return (
            "The teacher's error rate is unknown until some of the random sample is reviewed: "
            "a student trained on these labels copies whatever mistakes they hold."
        )
    if bar is None:
        return ""
    allowed = 1 - bar
    share = f"{residual.value * 100:.1f} % (95 % CI {residual.low * 100:.1f}–{residual.high * 100:.1f} %)"
    if residual.low > allowed:
        return (
            f"Too many wrong labels: about {share} of the training labels are still wrong, more than the "
            f"{allowed * 100:.0f} % your quality bar of {bar * 100:.0f} % allows. A student learns these "
            "mistakes, so it would likely miss the bar. Review and correct more items, or fix the prompt."
        )
    if residual.high > allowed:
        return (
            f"Not proven yet: about {share} of the training labels may still be wrong; the upper end is "
            f"above the {allowed * 100:.0f} % your quality bar of {bar * 100:.0f} % allows. Review more "
            f"items ({sampled} of the random sample so far) to narrow it."
        )
    return ""


def apply_review(item: LabelledItem, final: str | None, seconds: float, when: str = "") -> LabelledItem:
    """The item with a person's decision: `final` None is a skip; the teacher's answer is an accept."""
    if final is None:
        return replace(item, review=Review("skipped", None, seconds, when))
    teacher_answer = item.teacher.answer if item.teacher is not None and item.teacher.valid else None
    verdict: ReviewVerdict = "accepted" if final == teacher_answer else "corrected"
    return replace(item, review=Review(verdict, final, seconds, when))


# ---------------------------------------------------------------------------------------------
# Measured costs for the scenario


@dataclass(frozen=True)
class DistillationCosts:
    """What labelling and review cost per example, measured on this run."""

    labelled: int
    reviewed: int
    teacher_cost_per_example: float | None  # USD, over items with a known cost
    teacher_input_tokens: float | None  # mean per item
    teacher_output_tokens: float | None
    tokens_estimated: bool
    review_share: float
    review_seconds_per_item: float | None
    hourly_rate: float | None
    review_cost_per_example: float | None  # USD per reviewed item: seconds × rate / 3600


def distillation_costs(items: Sequence[LabelledItem], hourly_rate: float | None) -> DistillationCosts:
    """Teacher cost and tokens per example and review time per reviewed item, from the records."""
    answered = [item.teacher for item in items if item.teacher is not None and item.teacher.error is None]
    costs = [teacher.cost_usd for teacher in answered if teacher.cost_usd is not None]
    inputs = [teacher.input_tokens for teacher in answered if teacher.input_tokens is not None]
    outputs = [teacher.output_tokens for teacher in answered if teacher.output_tokens is not None]
    reviewed = [item.review for item in items if item.reviewed and item.review is not None]
    seconds = sum(review.seconds for review in reviewed) / len(reviewed) if reviewed else None
    review_cost = seconds * hourly_rate / 3600 if seconds is not None and hourly_rate is not None else None
    return DistillationCosts(
        labelled=len(answered),
        reviewed=len(reviewed),
        teacher_cost_per_example=sum(costs) / len(costs) if costs else None,
        teacher_input_tokens=sum(inputs) / len(inputs) if inputs else None,
        teacher_output_tokens=sum(outputs) / len(outputs) if outputs else None,
        tokens_estimated=any(teacher.tokens_estimated for teacher in answered),
        review_share=len(reviewed) / len(answered) if answered else 0.0,
        review_seconds_per_item=seconds,
        hourly_rate=hourly_rate,
        review_cost_per_example=review_cost,
    )


def measured_distillation(
    costs: DistillationCosts, report: TeacherErrorReport, source: str
) -> dict[str, float | int | bool | str | None]:
    """The scenario's `distillation` fields as this run measured them (for a review before applying).

    `examples` is what the teacher labelled; `human_review_share` the reviewed part of it;
    `review_cost_per_example` is per reviewed example (seconds × hourly rate), as the cost model
    multiplies it by examples × share. Fields with nothing measured are left out.
    """
    fields: dict[str, float | int | bool | str | None] = {
        "enabled": True,
        "examples": costs.labelled,
        "human_review_share": round(costs.review_share, 6),
    }
    if costs.review_cost_per_example is not None:
        fields["review_cost_per_example"] = round(costs.review_cost_per_example, 6)
    if costs.review_seconds_per_item is not None:
        fields["review_seconds_per_example"] = round(costs.review_seconds_per_item, 3)
    if costs.hourly_rate is not None:
        fields["reviewer_hourly_rate"] = costs.hourly_rate
    if costs.teacher_cost_per_example is not None:
        fields["teacher_cost_per_example"] = costs.teacher_cost_per_example
    if report.overall_error.value is not None:
        fields["teacher_error_rate"] = round(report.overall_error.value, 6)
    fields["measured_from"] = source[:300]
    return fields
