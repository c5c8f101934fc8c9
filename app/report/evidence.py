"""What the attached measurements say about the accuracies the verdict uses, for page one.

A typed accuracy is an assumption; a measured one is k of n with an interval, a model, a set and a
date. When a spot-check is attached to the memo, page one quotes it in full and says plainly when
it does not back the verdict: the measured model is not the scenario's specialist, the specialist
was not run, or the interval does not clear the bar the verdict says is met.

The memo never states a specialist accuracy as meeting the bar while the attached evidence does not
support that (its 95 % interval's lower bound is below the bar). The rules hand over the accuracy
they judged as data (`RuleResult.accuracy`: its value, the bar, whether it was typed or measured);
wherever the memo quotes such a rule, `EvidenceCheck.stated_reason` words that clause from those
fields and this run ("typed specialist accuracy 93.0% against the 90.0% bar, not backed by the
attached spot-check (measured 66.7%, 95 % CI 46.7%–82.0%)"). The verdict itself stays the one the
window shows; page one says what the evidence does to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal

from app.domain.accuracy_judgement import JudgedAccuracy
from app.domain.evaluation import Interval, SpotcheckSummary, wilson_interval
from app.domain.fields import label_for_key
from app.domain.formatting import format_interval, format_share
from app.domain.rules import RuleResult
from app.domain.scenario import Scenario

Tone = Literal["good", "bad", "warn", "neutral"]

# The field an attached spot-check measures: the specialist alone (a hybrid's accuracy with
# escalation is another figure, which the run does not measure).
SPECIALIST_ACCURACY = "quality.specialist_accuracy"


def model_key(name: str) -> str:
    """A model name compared loosely: no folder, no .gguf, case and separators ignored."""
    base = PureWindowsPath(name).name if "\\" in name else PurePosixPath(name).name
    base = base.lower().removesuffix(".gguf")
    return re.sub(r"[^a-z0-9]+", "", base)


def describe_measurement(interval: Interval) -> str:
    """`66.7% (95 % CI 46.7%–82.0%, 20 of 30 items)`, or that nothing was graded."""
    if interval.estimate is None or interval.low is None or interval.high is None:
        return f"not measured ({interval.total} items graded)"
    return (
        f"{format_share(interval.estimate)} (95 % CI {format_interval(interval.low, interval.high)}, "
        f"{interval.successes} of {interval.total} items)"
    )


@dataclass(frozen=True)
class EvidenceCheck:
    """The attached spot-check read against the scenario the verdict was computed on."""

    spotcheck: SpotcheckSummary
    specialist_name: str  # the scenario's specialist, as named there
    large_name: str
    typed_accuracy: float | None  # what the rules used for the specialist
    bar: float

    @property
    def measured(self) -> Interval:
        """The specialist side's measured accuracy (may have nothing graded)."""
        return self.spotcheck.specialist.accuracy

    @property
    def specialist_measured(self) -> bool:
        """True when the run graded at least one specialist answer."""
        return self.measured.estimate is not None

    @property
    def same_specialist(self) -> bool:
        """True when the measured model is the scenario's specialist (by name)."""
        return bool(self.specialist_name.strip()) and model_key(self.spotcheck.specialist.name) == model_key(
            self.specialist_name
        )

    @property
    def same_large(self) -> bool:
        """True when the measured frontier model is the scenario's large model (by name)."""
        return bool(self.large_name.strip()) and model_key(self.spotcheck.frontier.name) == model_key(
            self.large_name
        )

    @property
    def supports_bar(self) -> bool:
        """True only when the measured interval's lower bound clears the bar, on the specialist itself."""
        low = self.measured.low
        return self.same_specialist and low is not None and low >= self.bar

    @property
    def refutes_bar(self) -> bool:
        """True when the whole measured interval lies below the bar (whichever model was measured)."""
        high = self.measured.high
        return high is not None and high < self.bar

    @property
    def conflict(self) -> bool:
        """The rules take the typed accuracy as meeting the bar, and the evidence does not back it."""
        return self.typed_accuracy is not None and self.typed_accuracy >= self.bar and not self.supports_bar

    def backs(self, accuracy: JudgedAccuracy) -> bool:
        """False when the rules take the specialist's accuracy as meeting the bar and this run does
        not back it; True otherwise (another accuracy, one below the bar, or one the run backs)."""
        return accuracy.field != SPECIALIST_ACCURACY or not accuracy.meets_bar or self.supports_bar

    def stated_reason(self, rule: RuleResult) -> str:
        """The rule's reason as the memo states it: an accuracy clause this run does not back is
        worded from the rule's data as what it is (typed or measured earlier) and not backed."""
        accuracy = rule.accuracy
        if accuracy is None or self.backs(accuracy):
            return rule.reason
        return rule.reason_with_claim(self.unbacked_claim(accuracy))

    def unbacked_claim(self, accuracy: JudgedAccuracy) -> str:
        """`typed specialist accuracy 93.0% against the 90.0% bar, not backed by the attached
        spot-check (measured 66.7%, 95 % CI 46.7%–82.0%, on gemma-3-270m)`."""
        value = format_share(accuracy.value)
        if accuracy.basis == "typed" or accuracy.measured is None:
            stated = f"typed {accuracy.what} {value}"
        else:
            stated = f"{accuracy.what} {value}, {accuracy.measured.words()},"
        return (
            f"{stated} against the {format_share(accuracy.bar)} bar, not backed by the attached "
            f"spot-check ({self.measured_phrase()})"
        )

    def measured_phrase(self) -> str:
        """`measured 66.7%, 95 % CI 46.7%–82.0%, on gemma-3-270m` or `the specialist was not run`."""
        interval = self.measured
        if interval.estimate is None or interval.low is None or interval.high is None:
            return "the specialist was not run"
        model = "" if self.same_specialist else f", on {self.spotcheck.specialist.name}"
        return (
            f"measured {format_share(interval.estimate)}, 95 % CI "
            f"{format_interval(interval.low, interval.high)}{model}"
        )


def evidence_check(scenario: Scenario, spotcheck: SpotcheckSummary | None) -> EvidenceCheck | None:
    """The check for a memo, or None when no spot-check is attached."""
    if spotcheck is None:
        return None
    return EvidenceCheck(
        spotcheck=spotcheck,
        specialist_name=scenario.small.name,
        large_name=scenario.large.name,
        typed_accuracy=scenario.quality.specialist_accuracy,
        bar=scenario.quality.quality_bar,
    )


def page_one_lines(check: EvidenceCheck) -> tuple[tuple[str, str], ...]:
    """(lead, text) lines for page one's evidence box: what was measured and what it means here."""
    run = check.spotcheck
    facts = [f"{run.items} items"]
    if run.run_date:
        facts.append(f"run {run.run_date}")
    if not run.complete:
        facts.append(f"incomplete ({run.items} of {run.set_items})")
    specialist, frontier = run.specialist, run.frontier
    lines: list[tuple[str, str]] = [
        (
            f"Measured on {run.set_name} ({', '.join(facts)}):",
            f"specialist {specialist.name or 'unnamed model'} {describe_measurement(specialist.accuracy)}; "
            f"large model {frontier.name or 'unnamed model'} {describe_measurement(frontier.accuracy)}.",
        )
    ]
    if check.specialist_measured and not check.same_specialist:
        scenario_model = check.specialist_name.strip() or "an unnamed specialist"
        lines.append(
            (
                "Not the scenario's specialist:",
                f"the model measured is {specialist.name or 'unnamed'}, the scenario's specialist is "
                f"{scenario_model}; this run does not measure the accuracy the verdict uses.",
            )
        )
    if check.typed_accuracy is None:
        basis = "The scenario gives no specialist accuracy; the verdict does not rest on one."
    else:
        basis = f"The verdict uses a specialist accuracy of {format_share(check.typed_accuracy)} against the "
        basis += f"{format_share(check.bar)} bar"
        if check.supports_bar:
            basis += ": this run backs it (the whole 95 % interval clears the bar)."
        elif check.refutes_bar and check.same_specialist:
            basis += ": this run contradicts it (the whole 95 % interval is below the bar)."
        elif not check.specialist_measured:
            basis += ", typed in: the specialist was not run, so it is not measured."
        elif check.typed_accuracy >= check.bar:
            basis += ": not backed by this run. Treat the quality part of the verdict as unproven."
        else:
            basis += "."
    lines.append(("What it means:", basis))
    return tuple(lines)


def page_one_tone(check: EvidenceCheck) -> Tone:
    """Red when the run contradicts the verdict's accuracy, amber when it does not back it."""
    if check.conflict and check.refutes_bar and check.same_specialist:
        return "bad"
    if check.conflict or (check.specialist_measured and not check.same_specialist):
        return "warn"
    return "neutral"


def scenario_evidence_lines(scenario: Scenario) -> tuple[tuple[str, str], ...]:
    """(field, what was measured) for each measured input the scenario keeps evidence for.

    An accuracy with its count of right answers reads with its Wilson 95 % interval and `k of n`;
    any other measured figure with the size of the sample it rests on. Then the model, the source
    and the date, as far as they are known.
    """
    lines = []
    for path, evidence in sorted(scenario.evidence.items()):
        if evidence.successes is not None and evidence.n > 0:
            measured = describe_measurement(wilson_interval(evidence.successes, evidence.n))
        else:
            measured = f"{evidence.value:g} (from {evidence.n} measurements)"
        where = ", ".join(part for part in (evidence.model, evidence.source, evidence.measured_at) if part)
        lines.append(
            (f"{label_for_key(path, qualified=False)}:", measured + (f"; {where}." if where else "."))
        )
    return tuple(lines)
