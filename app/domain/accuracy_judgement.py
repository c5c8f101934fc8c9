"""How the quality rules read an accuracy: which one is judged, and what the evidence behind it proves.

A typed accuracy is an assumption; a measured one is `k` right of `n` with its 95 % Wilson
interval, and it proves the match only when the interval's lower bound clears the bar (docs/rules.md,
docs/statistics.md). With escalation on and the hybrid's accuracy measured, the hybrid is judged
(the path users are served); otherwise the specialist alone. The rules (1 and 3) hand the result
over as data (`JudgedAccuracy`), so presenters word it without parsing the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.domain.evaluation import items_needed_for_power, wilson_interval
from app.domain.formatting import format_share
from app.domain.scenario import Scenario

AccuracyBasis = Literal["typed", "measured"]
# What the evidence says about the bar: a typed value is an assumption; a measured one is proven
# (the 95 % interval's lower bound clears the bar), below the bar (the whole interval misses it)
# or not proven yet (the interval straddles the bar).
AccuracyProof = Literal["assumed", "proven", "not_proven_yet", "below_bar"]


@dataclass(frozen=True)
class MeasuredAccuracy:
    """Counted evidence behind an accuracy: `successes` right of `n`, with its 95 % Wilson interval."""

    successes: int
    n: int
    low: float
    high: float

    def words(self) -> str:
        """`measured 47 of 50 right (95 % interval 83.8%–98.0%)`."""
        return (
            f"measured {self.successes} of {self.n} right "
            f"(95 % interval {format_share(self.low)}–{format_share(self.high)})"
        )


@dataclass(frozen=True)
class JudgedAccuracy:
    """The accuracy a quality rule (1 or 3) judged against the bar, and what it rests on.

    `claim` is the clause of the rule's reason that states it ("specialist accuracy 93.0% meets the
    90.0% bar"); a presenter that knows more than the rules used (a memo with an attached run)
    words that clause itself through `RuleResult.reason_with_claim` instead of editing the text.
    """

    field: str  # the scenario field judged: quality.specialist_accuracy or quality.hybrid_accuracy
    what: str  # "specialist accuracy" or "hybrid accuracy (specialist + escalation)"
    value: float
    bar: float
    basis: AccuracyBasis
    measured: MeasuredAccuracy | None  # the counts behind a measured value
    proof: AccuracyProof
    items_needed: int | None  # not proven yet: the items that would settle it 80 % of the time
    claim: str

    @property
    def meets_bar(self) -> bool:
        """True when the value itself reaches the bar (whatever the evidence behind it)."""
        return self.value >= self.bar


@dataclass(frozen=True)
class JudgedField:
    """Which accuracy the quality rules judge: the hybrid's with escalation where measured."""

    accuracy: float | None
    what: str  # "specialist accuracy" or "hybrid accuracy (specialist + escalation)"
    note: str  # a sentence on what was judged, "" when nothing needs saying
    missing: str  # the words for `needs` when it is unknown
    path: str = "quality.specialist_accuracy"  # the field judged, the key of its evidence


def measured_accuracy(scenario: Scenario, path: str, value: float) -> MeasuredAccuracy | None:
    """The evidence behind the judged accuracy, when the scenario keeps counts for its current value.

    A value typed over a measurement no longer rests on it, so evidence whose value differs from
    the field's is ignored (the field is then an assumption, judged by its point value).
    """
    entry = scenario.evidence.get(path)
    if entry is None or entry.successes is None or entry.n <= 0 or abs(entry.value - value) > 1e-9:
        return None
    interval = wilson_interval(entry.successes, entry.n)
    if interval.low is None or interval.high is None:
        return None
    return MeasuredAccuracy(entry.successes, entry.n, interval.low, interval.high)


def judge(scenario: Scenario, judged: JudgedField, value: float) -> JudgedAccuracy:
    """The judged accuracy as data: its basis, the evidence behind it and what that proves."""
    bar = scenario.quality.quality_bar
    measured = measured_accuracy(scenario, judged.path, value)
    proof: AccuracyProof
    needed = None
    if measured is None:
        proof = "assumed"
    elif measured.low >= bar:
        proof = "proven"
    elif measured.high < bar:
        proof = "below_bar"
    else:
        proof = "not_proven_yet"
        observed = measured.successes / measured.n
        needed = None if observed == bar else items_needed_for_power(observed, bar)
    _, words = quality_holds(value, scenario)
    return JudgedAccuracy(
        field=judged.path,
        what=judged.what,
        value=value,
        bar=bar,
        basis="typed" if measured is None else "measured",
        measured=measured,
        proof=proof,
        items_needed=needed,
        claim=f"{judged.what} {format_share(value)} {words}",
    )


def not_proven_yet(accuracy: JudgedAccuracy) -> str:
    """Why a measured accuracy settles nothing yet, and how many items would settle it (by power)."""
    assert accuracy.measured is not None
    more = (
        f" About {accuracy.items_needed} items would settle it 80 % of the time if the true accuracy "
        "is the observed one."
        if accuracy.items_needed is not None
        else " At the observed rate no practical set size settles it."
    )
    return (
        f"Not proven yet: {accuracy.what} {accuracy.measured.words()}; the interval straddles the "
        f"{format_share(accuracy.bar)} bar, so the sample cannot tell which side it is on.{more}"
    )


def judged_field(scenario: Scenario) -> JudgedField:
    quality = scenario.quality
    escalating = scenario.routing.escalation_rate > 0
    if escalating and quality.hybrid_accuracy is not None:
        return JudgedField(
            quality.hybrid_accuracy,
            "hybrid accuracy (specialist + escalation)",
            f" Judged on the hybrid: {format_share(scenario.routing.escalation_rate)} of traffic "
            "escalated to the large model.",
            "the hybrid's accuracy",
            "quality.hybrid_accuracy",
        )
    note = (
        " Escalation is on but the hybrid's accuracy is not measured: the specialist alone is judged."
        if escalating
        else ""
    )
    return JudgedField(
        quality.specialist_accuracy, "specialist accuracy", note, "the fine-tuned specialist's accuracy"
    )


def quality_holds(accuracy: float, scenario: Scenario) -> tuple[bool, str]:
    """Whether the judged accuracy is good enough, and the words that say why.

    It meets the bar; or it misses it while the large model misses it too and does no better,
    in which case the large model's quality is no reason to keep paying for it (cost decides).
    """
    quality = scenario.quality
    bar = quality.quality_bar
    large = quality.large_accuracy
    if accuracy >= bar:
        return True, f"meets the {format_share(bar)} bar"
    if large is not None and large < bar and accuracy >= large:
        return True, (
            f"misses the {format_share(bar)} bar, but so does the large model ({format_share(large)}), "
            "and the specialist does at least as well"
        )
    if large is None:
        return False, f"misses the {format_share(bar)} bar (the large model's accuracy is not known)"
    if large >= bar:
        return False, f"misses the {format_share(bar)} bar the large model reaches ({format_share(large)})"
    return False, (
        f"misses the {format_share(bar)} bar, and the large model, missing it too, does better "
        f"({format_share(large)})"
    )
