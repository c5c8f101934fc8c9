"""The six decision rules (docs/rules.md) and the verdict they lead to.

Each rule reports `pass` when its condition holds (the rule fires), `fail` when it does not, and
`unknown` when an input it needs is missing (an accuracy not measured yet, whether an eval exists,
how often the task changes). Every reason quotes the numbers it used.

Rules:
1. High volume, stable task, quality proven -> specialize. Holds when the specialist pays back
   within the horizon, its accuracy meets the bar, an eval exists, and the task (when its change
   interval is known) changes more slowly than the payback.
2. An off-the-shelf small model already meets the bar and is cheaper per request than the large
   model, priced with its own prompt (by default the large model's token counts).
3. Even fine-tuned, the small model misses the bar.
4. Low volume: the fixed costs do not pay back within the horizon.
5. The task changes faster than the fine-tune pays back (a retraining treadmill).
6. No eval exists that could prove the specialist matches the large model.

Verdict precedence (first match decides, and `deciding_rule` names it):
  rule 6 holds                 -> needs_eval        (nothing can be proven without an eval)
  rule 2 holds                 -> use_off_the_shelf (no training needed at all)
  rule 4 holds                 -> keep_large        (the money never comes back)
  rule 5 holds                 -> keep_large        (the money comes back too late)
  rule 3 holds                 -> keep_large_and_route
  rule 1 holds                 -> specialize
  rule 1 unknown               -> needs_eval        (deciding rule 6 if the eval's existence is
                                                     unknown, else 1: the accuracy is unmeasured)
Rule 6 comes first because every other quality rule trusts numbers that only an eval produces;
money rules (4, 5) come before rule 3 because a specialist that cannot pay back is moot whatever
its accuracy. A "specialize" headline always names the escalation path and an out-of-distribution
probe: specialists fail oddly on inputs unlike their training data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.domain.costs import CostSummary, summarize
from app.domain.formatting import (
    format_money,
    format_months,
    format_per_request,
    format_share,
    format_volume,
)
from app.domain.scenario import Scenario

RuleStatus = Literal["pass", "fail", "unknown"]
Verdict = Literal["specialize", "use_off_the_shelf", "keep_large_and_route", "keep_large", "needs_eval"]

VERDICT_LABELS: dict[Verdict, str] = {
    "specialize": "Specialize",
    "use_off_the_shelf": "Use an off-the-shelf small model",
    "keep_large_and_route": "Keep the large model and route the hard tail",
    "keep_large": "Keep the large model",
    "needs_eval": "Build an eval first",
}

RULE_TITLES: dict[int, str] = {
    1: "High volume, stable task, quality proven",
    2: "Off-the-shelf small model meets the bar",
    3: "Fine-tuned specialist misses the bar",
    4: "Volume too low to pay back",
    5: "Task changes faster than the payback",
    6: "No eval to prove the match",
}

# Rules of thumb quoted in reasons (docs/cost-model.md).
MIN_TRAINING_EXAMPLES = 100
PREFERRED_TRAINING_EXAMPLES = 500


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome: `pass` means its condition holds."""

    id: int
    title: str
    status: RuleStatus
    reason: str


@dataclass(frozen=True)
class Recommendation:
    """The verdict, the rule that decided it, a one-paragraph headline and all six rules (1..6)."""

    verdict: Verdict
    deciding_rule: int | None
    headline: str
    rules: tuple[RuleResult, ...]

    @property
    def label(self) -> str:
        """The verdict in words (`VERDICT_LABELS`)."""
        return VERDICT_LABELS[self.verdict]

    def rule(self, rule_id: int) -> RuleResult:
        """The result of rule `rule_id` (1..6)."""
        return self.rules[rule_id - 1]


def _lower_first(text: str) -> str:
    """Continue a sentence with a reason: "Fine-tuned accuracy ..." -> "fine-tuned accuracy ..."."""
    return text[:1].lower() + text[1:]


def _result(rule_id: int, status: RuleStatus, reason: str) -> RuleResult:
    return RuleResult(id=rule_id, title=RULE_TITLES[rule_id], status=status, reason=reason)


def _payback_phrase(summary: CostSummary, scenario: Scenario) -> str:
    """`Break-even 3.4 months is within the 24-month horizon at 10.0M requests/month` or similar."""
    volume = format_volume(scenario.volume_per_month)
    horizon = scenario.horizon_months
    months = summary.break_even_months
    if months is None:
        if summary.net_monthly_savings <= 0:
            return (
                f"It never pays back at {volume} requests/month: net monthly savings are "
                f"{format_money(summary.net_monthly_savings)} (gross {format_money(summary.monthly_savings)} "
                f"minus {format_money(scenario.monthly_ops)} ops)"
            )
        return (
            f"It never pays back at {volume} requests/month: the curves do not cross within the "
            f"search range, against {format_money(summary.one_time_cost)} one-time"
        )
    where = "within" if months <= horizon else "beyond"
    return (
        f"Break-even {format_months(months)} is {where} the {horizon}-month horizon "
        f"at {volume} requests/month"
    )


def _examples_note(scenario: Scenario) -> str:
    """A rule-of-thumb remark on the number of training examples, when distillation gives one."""
    distill = scenario.distillation
    if not distill.enabled:
        return ""
    if distill.examples < MIN_TRAINING_EXAMPLES:
        return (
            f" Only {distill.examples:,} training examples: fine-tuning wants ~{MIN_TRAINING_EXAMPLES} "
            f"at the least, {PREFERRED_TRAINING_EXAMPLES}+ preferred."
        )
    if distill.examples < PREFERRED_TRAINING_EXAMPLES:
        return (
            f" {distill.examples:,} training examples clears the ~{MIN_TRAINING_EXAMPLES} minimum; "
            f"{PREFERRED_TRAINING_EXAMPLES}+ are preferred."
        )
    return f" {distill.examples:,} training examples ({PREFERRED_TRAINING_EXAMPLES}+ preferred: met)."


def _rule_1(scenario: Scenario, summary: CostSummary) -> RuleResult:
    quality = scenario.quality
    bar = quality.quality_bar
    failures: list[str] = []
    missing: list[str] = []
    facts: list[str] = [_payback_phrase(summary, scenario)]
    if not summary.break_even_within_horizon:
        failures.append("no payback within the horizon")
    accuracy = quality.specialist_accuracy
    if accuracy is None:
        missing.append("the fine-tuned specialist's accuracy")
    else:
        meets = accuracy >= bar
        facts.append(
            f"specialist accuracy {format_share(accuracy)} {'meets' if meets else 'misses'} "
            f"the {format_share(bar)} bar"
        )
        if not meets:
            failures.append("accuracy below the bar")
    if quality.eval_exists is None:
        missing.append("whether an eval exists")
    elif quality.eval_exists:
        facts.append("an eval exists")
    else:
        facts.append("no eval exists")
        failures.append("no eval")
    change = quality.task_change_months
    months = summary.break_even_months
    if change is None:
        facts.append("task change interval not given (assumed stable)")
    elif months is None:
        # With no payback at all there is no pace to compare against: the missing payback is
        # already the failure, and "faster than the payback" would blame the task for it.
        facts.append(f"the task changes every {format_months(change)}")
    elif change >= months:
        facts.append(f"the task changes every {format_months(change)}, slower than the payback")
    else:
        facts.append(f"the task changes every {format_months(change)}, faster than the payback")
        failures.append("task changes too often")
    reason = "; ".join(facts) + "."
    if failures:
        return _result(1, "fail", f"{reason} Fails on: {', '.join(failures)}.{_examples_note(scenario)}")
    if missing:
        return _result(1, "unknown", f"{reason} Missing: {', '.join(missing)}.{_examples_note(scenario)}")
    return _result(1, "pass", reason + _examples_note(scenario))


def _rule_2(scenario: Scenario, summary: CostSummary) -> RuleResult:
    quality = scenario.quality
    accuracy = quality.off_the_shelf_accuracy
    bar = format_share(quality.quality_bar)
    if accuracy is None:
        return _result(2, "unknown", f"Off-the-shelf small model accuracy not measured (bar {bar}).")
    # Priced with its own prompt: without a fine-tune it needs the long few-shot prompt, not the
    # specialist's short one (so the specialist's cheap path says nothing about it).
    shelf = summary.off_the_shelf_cost_per_request
    large = summary.large_cost_per_request
    cheaper = shelf < large
    cost_text = (
        f"with its own prompt it costs {format_per_request(shelf)} per request against "
        f"{format_per_request(large)} for the large model"
    )
    if accuracy >= quality.quality_bar and cheaper:
        return _result(
            2,
            "pass",
            f"Off-the-shelf accuracy {format_share(accuracy)} meets the {bar} bar and {cost_text}: "
            "no training needed.",
        )
    if accuracy >= quality.quality_bar:
        return _result(
            2, "fail", f"Off-the-shelf accuracy {format_share(accuracy)} meets the {bar} bar but {cost_text}."
        )
    return _result(2, "fail", f"Off-the-shelf accuracy {format_share(accuracy)} misses the {bar} bar.")


def _rule_3(scenario: Scenario) -> RuleResult:
    quality = scenario.quality
    accuracy = quality.specialist_accuracy
    bar = format_share(quality.quality_bar)
    if accuracy is None:
        return _result(3, "unknown", f"Fine-tuned specialist accuracy not measured yet (bar {bar}).")
    large = quality.large_accuracy
    large_text = f"; the large model reaches {format_share(large)}" if large is not None else ""
    if accuracy < quality.quality_bar:
        return _result(
            3,
            "pass",
            f"Fine-tuned accuracy {format_share(accuracy)} misses the {bar} bar{large_text}.",
        )
    return _result(
        3, "fail", f"Fine-tuned accuracy {format_share(accuracy)} meets the {bar} bar{large_text}."
    )


def _rule_4(scenario: Scenario, summary: CostSummary) -> RuleResult:
    phrase = _payback_phrase(summary, scenario)
    one_time = format_money(summary.one_time_cost)
    net = format_money(summary.net_monthly_savings)
    if summary.break_even_months is None and summary.net_monthly_savings <= 0:
        # The phrase already quotes the net savings; say what that means for the investment.
        detail = f", so the {one_time} one-time cost never comes back"
    else:
        detail = f" ({one_time} one-time, {net} net savings per month)"
    status: RuleStatus = "fail" if summary.break_even_within_horizon else "pass"
    return _result(4, status, phrase + detail + "." + _curves_note(scenario, summary))


def _curves_note(scenario: Scenario, summary: CostSummary) -> str:
    """Say when the break-even comes from the curves' crossing rather than the closed form."""
    if summary.break_even_method != "curves":
        return ""
    bends = []
    if scenario.price_decline_per_year > 0:
        bends.append(f"frontier prices falling {format_share(scenario.price_decline_per_year)} a year")
    retraining = scenario.retraining
    if retraining.every_months > 0 and retraining.cost > 0:
        every = "every month" if retraining.every_months == 1 else f"every {retraining.every_months} months"
        bends.append(f"retraining {format_money(retraining.cost)} {every}")
    return f" Found where the cost curves cross ({', '.join(bends)})."


def _rule_5(scenario: Scenario, summary: CostSummary) -> RuleResult:
    change = scenario.quality.task_change_months
    months = summary.break_even_months
    if change is None:
        return _result(5, "unknown", "How often the task changes is not given.")
    if months is None:
        return _result(
            5,
            "pass",
            f"The task changes every {format_months(change)} and the fine-tune never pays back.",
        )
    if change < months:
        return _result(
            5,
            "pass",
            f"The task changes every {format_months(change)}, before the break-even at "
            f"{format_months(months)}: each change needs a new fine-tune that never pays back.",
        )
    return _result(
        5,
        "fail",
        f"The task changes every {format_months(change)}, after the break-even at {format_months(months)}.",
    )


def _rule_6(scenario: Scenario) -> RuleResult:
    exists = scenario.quality.eval_exists
    if exists is None:
        return _result(6, "unknown", "Whether an eval exists that compares the two models is not stated.")
    if exists:
        return _result(6, "fail", "An eval exists to prove the specialist matches the large model.")
    return _result(
        6,
        "pass",
        "No eval exists: switching would be an unproven downgrade. Build one (a few hundred labelled "
        "cases, including out-of-distribution inputs) before deciding.",
    )


def _specialize_headline(scenario: Scenario, summary: CostSummary) -> str:
    routing = scenario.routing
    escalated = format_share(routing.escalation_rate)
    escalation = (
        f"keep the large model as the escalation path ({routing.mode}, {escalated} of traffic escalated)"
        if routing.escalation_rate > 0
        else "keep the large model as the escalation path for inputs the specialist is unsure of"
    )
    return (
        f"Specialize: it pays back in {format_months(summary.break_even_months)} and saves "
        f"{format_money(summary.net_monthly_savings)} a month net at "
        f"{format_volume(scenario.volume_per_month)} requests/month. "
        f"{escalation[0].upper()}{escalation[1:]}, and probe out-of-distribution inputs "
        "before launch and after every task change."
    )


def evaluate(scenario: Scenario, summary: CostSummary | None = None) -> Recommendation:
    """All six rules and the verdict (precedence in the module docstring)."""
    summary = summary if summary is not None else summarize(scenario)
    rules = (
        _rule_1(scenario, summary),
        _rule_2(scenario, summary),
        _rule_3(scenario),
        _rule_4(scenario, summary),
        _rule_5(scenario, summary),
        _rule_6(scenario),
    )
    status = {rule.id: rule.status for rule in rules}
    verdict: Verdict
    deciding: int | None
    if status[6] == "pass":
        verdict, deciding = "needs_eval", 6
        # Say what is at stake, so the eval's cost can be weighed against the payback it unlocks.
        headline = (
            "Build an eval first: without one the specialist would be an unproven downgrade. "
            f"{_payback_phrase(summary, scenario)}."
        )
    elif status[2] == "pass":
        verdict, deciding = "use_off_the_shelf", 2
        headline = f"Use an off-the-shelf small model: {_lower_first(rules[1].reason)}"
    elif status[4] == "pass":
        verdict, deciding = "keep_large", 4
        headline = f"Keep the large model: {_lower_first(_payback_phrase(summary, scenario))}."
    elif status[5] == "pass":
        verdict, deciding = "keep_large", 5
        headline = f"Keep the large model: {_lower_first(rules[4].reason)}"
    elif status[3] == "pass":
        verdict, deciding = "keep_large_and_route", 3
        headline = (
            f"Keep the large model and route the hard tail: {_lower_first(rules[2].reason)} "
            "Send a small model only the inputs it handles at the bar; the rest stays on the large model."
        )
    elif status[1] == "pass":
        verdict, deciding = "specialize", 1
        headline = _specialize_headline(scenario, summary)
    elif status[1] == "unknown":
        verdict = "needs_eval"
        deciding = 6 if status[6] == "unknown" else 1
        steps = []
        if status[6] == "unknown":
            steps.append("confirm an eval exists that compares the two models")
        if scenario.quality.specialist_accuracy is None:
            steps.append(
                "measure the fine-tuned specialist's accuracy against the "
                f"{format_share(scenario.quality.quality_bar)} bar"
            )
        # "Before deciding, measure ..." (it read "Measure before deciding: measure ...").
        headline = f"Before deciding, {' and '.join(steps)}. {_payback_phrase(summary, scenario)}."
    else:
        # Unreachable by construction (every way rule 1 fails is another rule's pass); kept safe.
        verdict, deciding = "keep_large", None
        headline = f"Keep the large model: {_lower_first(rules[0].reason)}"
    return Recommendation(verdict=verdict, deciding_rule=deciding, headline=headline, rules=rules)
