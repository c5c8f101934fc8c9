"""The six decision rules (docs/rules.md) and the verdict they lead to.

Each rule reports `pass` when its condition holds (the rule fires), `fail` when it does not, and
`unknown` when an input it needs is missing (an accuracy not measured yet, whether an eval exists,
how often the task changes). Every reason quotes the numbers it used.

Rules (each result also carries `leads_to`, the verdict it leads to when it holds, `needs`, what is
missing when it is unknown, and for rules 1 and 3 `accuracy`, the accuracy judged and what it rests
on (`app.domain.accuracy_judgement`), so the window and the memo present them without parsing text):
1. High volume, stable task, quality proven -> specialize. Holds when the specialist pays back
   within the horizon (and stays ahead through it), the accuracy it serves meets the bar (or
   matches the large model where the large model misses the bar too), an eval exists, and the
   task changes more slowly than the payback. An unknown change interval is unknown, not stable.
2. An off-the-shelf small model already meets the bar and is cheaper per request than the large
   model, priced with its own prompt (by default the large model's token counts).
3. Even fine-tuned, the small model misses the bar, and the large model does better: the large
   model reaches the bar (or its accuracy is not known), or it misses too but by less. When both
   miss and the specialist does at least as well, quality is no reason to keep paying for the
   large model: the rule does not hold and cost decides. With escalation on, the accuracy judged
   is the hybrid's (`quality.hybrid_accuracy`) where one is measured.
4. Low volume: the fixed costs do not pay back within the horizon (the specialist is not ahead
   to stay by then, so it is behind at the horizon, everything included).
5. The task changes faster than the fine-tune pays back (a retraining treadmill).
6. No eval exists that could prove the specialist matches the large model.

Verdict precedence (first match decides, and `deciding_rule` names it):
  rule 2 holds, unless rule 6 -> use_off_the_shelf (no training, no payback needed)
  rule 4 holds                 -> keep_large        (the money never comes back)
  rule 6 holds                 -> needs_eval        (nothing can be proven without an eval)
  rule 5 holds                 -> keep_large        (the money comes back too late)
  rule 3 holds                 -> keep_large_and_route
  rule 1 holds                 -> specialize
  rule 1 unknown               -> needs_eval        (deciding rule 6 if the eval's existence is
                                                     unknown, else 1; the headline says what to
                                                     measure or state)
Low volume comes before "build an eval first": an eval for a project that can never pay back is
money wasted. An off-the-shelf model needs no training to pay back, so rule 2 comes first, unless
no eval exists (its accuracy would be unproven). Money rules (4, 5) come before rule 3 because a
specialist that cannot pay back is moot whatever its accuracy. A "specialize" headline always
names the escalation path and an out-of-distribution probe: specialists fail oddly on inputs
unlike their training data.

Why one module of ~620 lines: each rule's condition sits beside the sentences that explain it,
and the precedence above is read against all six at once; how an accuracy is judged already
lives in `app.domain.accuracy_judgement`. Splitting the rules further would part a condition
from the words the verdict quotes for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, cast

from app.domain.accuracy_judgement import (
    JudgedAccuracy,
    judge,
    judged_field,
    not_proven_yet,
    quality_holds,
)
from app.domain.costs import CostSummary, summarize
from app.domain.formatting import (
    format_money,
    format_months,
    format_per_1k,
    format_share,
    format_volume,
    format_yearly_change,
)
from app.domain.scenario import Scenario

RuleStatus = Literal["pass", "fail", "unknown"]
Verdict = Literal["specialize", "use_off_the_shelf", "keep_large_and_route", "keep_large", "needs_eval"]

# How each verdict reads for the switch to a specialist, one meaning for every presenter (the
# window's colours, the memo's): good news, a partial no (keep the large model, route the hard
# tail), a no, or "not yet" (measure first).
VerdictTone = Literal["good", "caution", "bad", "neutral"]


@dataclass(frozen=True)
class VerdictMeaning:
    """A verdict in words and how it reads for the switch (its tone), kept together."""

    label: str
    tone: VerdictTone


VERDICTS: dict[Verdict, VerdictMeaning] = {
    "specialize": VerdictMeaning("Specialize", "good"),
    "use_off_the_shelf": VerdictMeaning("Use an off-the-shelf small model", "good"),
    "keep_large_and_route": VerdictMeaning("Keep the large model and route the hard tail", "caution"),
    "keep_large": VerdictMeaning("Keep the large model", "bad"),
    "needs_eval": VerdictMeaning("Build an eval first", "neutral"),
}
VERDICT_LABELS: dict[Verdict, str] = {verdict: meaning.label for verdict, meaning in VERDICTS.items()}
VERDICT_TONES: dict[Verdict, VerdictTone] = {verdict: meaning.tone for verdict, meaning in VERDICTS.items()}

# The verdict each rule leads to when it holds (the precedence decides which one wins).
RULE_VERDICTS: dict[int, Verdict] = {
    1: "specialize",
    2: "use_off_the_shelf",
    3: "keep_large_and_route",
    4: "keep_large",
    5: "keep_large",
    6: "needs_eval",
}


def verdict_tone(verdict: str) -> VerdictTone:
    """How a verdict reads for the switch (`VERDICT_TONES`); an unknown name reads neutral."""
    return VERDICT_TONES.get(cast(Verdict, verdict), "neutral")


RULE_TITLES: dict[int, str] = {
    1: "High volume, stable task, quality proven",
    2: "Off-the-shelf small model meets the bar",
    3: "Fine-tuned specialist misses the bar the large model reaches",
    4: "Volume too low to pay back",
    5: "Task changes faster than the payback",
    6: "No eval to prove the match",
}

# What an unknown rule may need, as its `needs` entries say it (the verdict reads them back).
NEEDS_EVAL = "whether an eval exists"
NEEDS_TASK_CHANGE = "how often the task changes"

# Rules of thumb quoted in reasons (docs/cost-model.md).
MIN_TRAINING_EXAMPLES = 100
PREFERRED_TRAINING_EXAMPLES = 500


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome: `pass` means its condition holds.

    `leads_to` is the verdict the rule leads to when it holds (whether or not it decides);
    `needs` names, in a few words each, what is missing when the status is `unknown` (empty
    otherwise), e.g. `("the fine-tuned specialist's accuracy", "how often the task changes")`;
    `accuracy` is the accuracy rules 1 and 3 judged (None for the others, or when it is unknown).
    """

    id: int
    title: str
    status: RuleStatus
    reason: str
    leads_to: Verdict
    needs: tuple[str, ...] = ()
    accuracy: JudgedAccuracy | None = None
    claim_at: int = field(default=-1, repr=False, compare=False)  # where `accuracy.claim` starts

    def reason_with_claim(self, claim: str) -> str:
        """The reason with its accuracy clause stated as `claim` (the reason itself without one)."""
        if self.accuracy is None or self.claim_at < 0:
            return self.reason
        start, end = self.claim_at, self.claim_at + len(self.accuracy.claim)
        if self.reason[start : start + 1].isupper():  # the clause opens a sentence
            claim = claim[:1].upper() + claim[1:]
        return self.reason[:start] + claim + self.reason[end:]


@dataclass(frozen=True)
class Recommendation:
    """The verdict, the rule that decided it, a one-paragraph headline and all six rules (1..6)."""

    verdict: Verdict
    deciding_rule: int | None
    headline: str
    rules: tuple[RuleResult, ...]
    # The verdict in words: `VERDICT_LABELS`, except that a `needs_eval` reached because an input
    # is missing names that input ("State how often the task changes first"), not an eval.
    label: str

    def rule(self, rule_id: int) -> RuleResult:
        """The result of rule `rule_id` (1..6)."""
        return self.rules[rule_id - 1]


Rules = tuple[RuleResult, ...]


def _lower_first(text: str) -> str:
    """Continue a sentence with a reason: "Fine-tuned accuracy ..." -> "fine-tuned accuracy ..."."""
    return text[:1].lower() + text[1:]


def _result(
    rule_id: int,
    status: RuleStatus,
    reason: str,
    needs: tuple[str, ...] = (),
    accuracy: JudgedAccuracy | None = None,
) -> RuleResult:
    # The accuracy clause is found once, here, where the reason was just written around it.
    claim_at = reason.lower().find(accuracy.claim) if accuracy is not None else -1
    if accuracy is not None and claim_at < 0:
        raise AssertionError(f"rule {rule_id}'s reason does not state its accuracy: {reason!r}")
    return RuleResult(
        id=rule_id,
        title=RULE_TITLES[rule_id],
        status=status,
        reason=reason,
        leads_to=RULE_VERDICTS[rule_id],
        needs=needs if status == "unknown" else (),
        accuracy=accuracy,
        claim_at=claim_at,
    )


def _clause(sentence: str) -> str:
    """A sentence made into a clause of a longer one: lower-case start, no closing full stop."""
    return _lower_first(sentence).rstrip(".")


def _payback_phrase(summary: CostSummary, scenario: Scenario) -> str:
    """`Break-even 3.4 months is within the 24-month horizon at 10.0M requests/month` or similar.

    The break-even is the month from which the specialist stays ahead (a first crossing that is
    undone by a retraining or a falling frontier price is no payback). With extras on, the phrase
    also quotes the cumulative saving at the horizon, the figure a payback claim must agree with.
    """
    volume = format_volume(scenario.volume_per_month)
    horizon = scenario.horizon_months
    months = summary.break_even_months
    at_horizon = summary.cumulative_savings_at_horizon
    if months is None:
        if summary.net_monthly_savings <= 0:
            return (
                f"It never pays back at {volume} requests/month: net monthly savings are "
                f"{format_money(summary.net_monthly_savings)} (gross {format_money(summary.monthly_savings)} "
                f"minus {format_money(scenario.monthly_ops)} ops)"
            )
        return (
            f"It never pays back at {volume} requests/month: it is {format_money(-at_horizon)} behind "
            f"at month {horizon}, everything included, and never gets ahead to stay"
        )
    where = "within" if months <= horizon else "beyond"
    phrase = (
        f"Break-even {format_months(months)} is {where} the {horizon}-month horizon "
        f"at {volume} requests/month"
    )
    if summary.extras_active or months > horizon:
        phrase += "; " + _horizon_total(summary, scenario)
    return phrase


def _horizon_total(summary: CostSummary, scenario: Scenario) -> str:
    """`it saves $3.6M over 24 months, everything included` (or `it is $426.7k behind at month 24`)."""
    at_horizon = summary.cumulative_savings_at_horizon
    horizon = scenario.horizon_months
    if at_horizon > 0:
        return f"it saves {format_money(at_horizon)} over {horizon} months, everything included"
    return f"it is {format_money(-at_horizon)} behind at month {horizon}, everything included"


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
    failures: list[str] = []
    missing: list[str] = []
    facts: list[str] = [_payback_phrase(summary, scenario)]
    if not summary.break_even_within_horizon:
        failures.append("no payback within the horizon")
    judged = judged_field(scenario)
    accuracy = None
    if judged.accuracy is None:
        missing.append(judged.missing)
    else:
        holds, _ = quality_holds(judged.accuracy, scenario)
        accuracy = judge(scenario, judged, judged.accuracy)
        facts.append(accuracy.claim)
        if not holds and accuracy.proof == "not_proven_yet":
            # A measured miss whose interval still reaches the bar settles nothing either way.
            facts.append(_clause(not_proven_yet(accuracy)))
            missing.append(f"more evidence on the {judged.what}")
        elif not holds:
            failures.append("accuracy below the bar")
        elif accuracy.meets_bar and accuracy.measured is not None:
            # A measured accuracy proves the match only when its interval's lower bound clears
            # the bar: 5 of 5 right is 100 % with an interval reaching down to 57 %.
            if accuracy.proof == "proven":
                facts.append(f"{accuracy.measured.words()}, so the bar is cleared with 95 % confidence")
            else:
                facts.append(_clause(not_proven_yet(accuracy)))
                missing.append(f"more evidence that the {judged.what} clears the bar")
    if quality.eval_exists is None:
        missing.append(NEEDS_EVAL)
    elif quality.eval_exists:
        facts.append("an eval exists")
    else:
        facts.append("no eval exists")
        failures.append("no eval")
    change = quality.task_change_months
    months = summary.break_even_months
    if change is None:
        # Unknown is unknown: a task that changes monthly would make any fine-tune a treadmill.
        facts.append("how often the task changes is not given")
        missing.append(NEEDS_TASK_CHANGE)
    elif months is None:
        # With no payback at all there is no pace to compare against: the missing payback is
        # already the failure, and "faster than the payback" would blame the task for it.
        facts.append(f"the task changes every {format_months(change)}")
    elif change >= months:
        facts.append(f"the task changes every {format_months(change)}, slower than the payback")
    else:
        facts.append(f"the task changes every {format_months(change)}, faster than the payback")
        failures.append("task changes too often")
    reason = "; ".join(facts) + "." + judged.note
    examples = _examples_note(scenario)
    if failures:
        return _result(1, "fail", f"{reason} Fails on: {', '.join(failures)}.{examples}", accuracy=accuracy)
    if missing:
        return _result(
            1, "unknown", f"{reason} Missing: {', '.join(missing)}.{examples}", tuple(missing), accuracy
        )
    return _result(1, "pass", reason + examples, accuracy=accuracy)


def _rule_2(scenario: Scenario, summary: CostSummary) -> RuleResult:
    quality = scenario.quality
    accuracy = quality.off_the_shelf_accuracy
    bar = format_share(quality.quality_bar)
    if accuracy is None:
        return _result(
            2,
            "unknown",
            f"Off-the-shelf small model accuracy not measured (bar {bar}).",
            ("the off-the-shelf model's accuracy",),
        )
    # Priced with its own prompt: without a fine-tune it needs the long few-shot prompt, not the
    # specialist's short one (so the specialist's cheap path says nothing about it).
    shelf = summary.off_the_shelf_cost_per_request
    large = summary.large_cost_per_request
    cheaper = shelf < large
    # Per 1,000 requests, the unit of the window's cost chart (per request has five zeros).
    cost_text = (
        f"with its own prompt it costs {format_per_1k(shelf)} against "
        f"{format_per_1k(large).removesuffix(' requests')} for the large model"
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
    bar = format_share(quality.quality_bar)
    judged = judged_field(scenario)
    if judged.accuracy is None:
        return _result(
            3,
            "unknown",
            f"Fine-tuned specialist accuracy not measured yet (bar {bar}).{judged.note}",
            (judged.missing,),
        )
    holds, _ = quality_holds(judged.accuracy, scenario)
    accuracy = judge(scenario, judged, judged.accuracy)
    text = accuracy.claim[:1].upper() + accuracy.claim[1:]
    large = quality.large_accuracy
    if not holds and accuracy.proof == "not_proven_yet":
        # A measured miss keeps the large model only when the whole interval sits below the bar.
        return _result(
            3,
            "unknown",
            f"{text}; {_lower_first(not_proven_yet(accuracy))}{judged.note}",
            (f"more evidence on the {judged.what}",),
            accuracy,
        )
    if not holds and accuracy.measured is not None:
        text = f"{text}; {accuracy.measured.words()}, wholly below the bar"
    if holds and not accuracy.meets_bar:
        # Both miss the bar: keeping the large model would buy no quality, so cost decides.
        reason = f"{text}: quality is no reason to keep paying for the large model.{judged.note}"
        return _result(3, "fail", reason, accuracy=accuracy)
    if holds:
        large_text = f"; the large model reaches {format_share(large)}" if large is not None else ""
        return _result(3, "fail", f"{text}{large_text}.{judged.note}", accuracy=accuracy)
    return _result(3, "pass", f"{text}.{judged.note}", accuracy=accuracy)


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
    """Say when the break-even comes from the curves rather than the closed form, and what bends them."""
    if summary.break_even_method != "curves":
        return ""
    bends = []
    if scenario.price_decline_per_year > 0:
        bends.append(f"frontier prices falling {format_share(scenario.price_decline_per_year)} a year")
    if scenario.small_price_drift_per_year != 0:
        bends.append(f"the specialist's prices {format_yearly_change(scenario.small_price_drift_per_year)}")
    retraining = scenario.retraining
    if retraining.every_months > 0 and retraining.cost > 0:
        every = "every month" if retraining.every_months == 1 else f"every {retraining.every_months} months"
        bends.append(f"retraining {format_money(retraining.cost)} {every}")
    return (
        f" Found on the cost curves ({', '.join(bends)}): the month from which the specialist stays "
        "ahead, not the first time it gets ahead."
    )


def _rule_5(scenario: Scenario, summary: CostSummary) -> RuleResult:
    change = scenario.quality.task_change_months
    months = summary.break_even_months
    if change is None:
        return _result(5, "unknown", "How often the task changes is not given.", (NEEDS_TASK_CHANGE,))
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
        return _result(
            6,
            "unknown",
            "Whether an eval exists that compares the two models is not stated.",
            (NEEDS_EVAL,),
        )
    if exists:
        return _result(6, "fail", "An eval exists to prove the specialist matches the large model.")
    return _result(
        6,
        "pass",
        "No eval exists: switching would be an unproven downgrade. Build one (a few hundred labelled "
        "cases, including out-of-distribution inputs) before deciding.",
    )


def _specialize_headline(scenario: Scenario, summary: CostSummary, _rules: Rules) -> str:
    routing = scenario.routing
    escalated = format_share(routing.escalation_rate)
    escalation = (
        f"keep the large model as the escalation path ({routing.mode}, {escalated} of traffic escalated)"
        if routing.escalation_rate > 0
        else "keep the large model as the escalation path for inputs the specialist is unsure of"
    )
    # With extras (retraining, falling prices, GPU steps) today's monthly figure is not the whole
    # story: quote what it saves over the horizon, everything included.
    savings = (
        f"saves {format_money(summary.cumulative_savings_at_horizon)} over {scenario.horizon_months} "
        f"months everything included ({format_money(summary.net_monthly_savings)} a month net today)"
        if summary.extras_active
        else f"saves {format_money(summary.net_monthly_savings)} a month net"
    )
    return (
        f"Specialize: it pays back in {format_months(summary.break_even_months)} and {savings} at "
        f"{format_volume(scenario.volume_per_month)} requests/month. "
        f"{escalation[0].upper()}{escalation[1:]}, and probe out-of-distribution inputs "
        "before launch and after every task change."
    )


# The order in which a holding rule decides (the module docstring says why); rule 2 only while
# rule 6 does not hold, since an off-the-shelf model's accuracy needs an eval too.
_PRECEDENCE = (2, 4, 6, 5, 3, 1)


def _deciding_rule(status: dict[int, RuleStatus]) -> int | None:
    """The first rule in `_PRECEDENCE` that holds, or None when none does."""
    for rule_id in _PRECEDENCE:
        if status[rule_id] == "pass" and not (rule_id == 2 and status[6] == "pass"):
            return rule_id
    return None


def _off_the_shelf_headline(_scenario: Scenario, _summary: CostSummary, rules: Rules) -> str:
    return f"Use an off-the-shelf small model: {_lower_first(rules[1].reason)}"


def _low_volume_headline(scenario: Scenario, summary: CostSummary, _rules: Rules) -> str:
    # Before "build an eval first": an eval for a project that never pays back is money wasted.
    return f"Keep the large model: {_lower_first(_payback_phrase(summary, scenario))}."


def _no_eval_headline(scenario: Scenario, summary: CostSummary, _rules: Rules) -> str:
    # Say what is at stake, so the eval's cost can be weighed against the payback it unlocks.
    return (
        "Build an eval first: without one the specialist would be an unproven downgrade. "
        f"{_payback_phrase(summary, scenario)}."
    )


def _treadmill_headline(_scenario: Scenario, _summary: CostSummary, rules: Rules) -> str:
    return f"Keep the large model: {_lower_first(rules[4].reason)}"


def _route_headline(_scenario: Scenario, _summary: CostSummary, rules: Rules) -> str:
    return (
        f"Keep the large model and route the hard tail: {_lower_first(rules[2].reason)} "
        "Send a small model only the inputs it handles at the bar; the rest stays on the large model."
    )


# The headline of each deciding rule's verdict.
_HEADLINES: dict[int, Callable[[Scenario, CostSummary, Rules], str]] = {
    1: _specialize_headline,
    2: _off_the_shelf_headline,
    3: _route_headline,
    4: _low_volume_headline,
    5: _treadmill_headline,
    6: _no_eval_headline,
}


def _open_questions(scenario: Scenario, rules: Rules) -> tuple[str, list[str]]:
    """The verdict's label and the headline's steps for what rule 1 still needs (its `needs`).

    "Build an eval first" is only right when no eval exists: when the eval is there and only
    the task-change interval is missing, the label asks for that interval, and so on.
    """
    needs = rules[0].needs
    judged = judged_field(scenario)
    bar = format_share(scenario.quality.quality_bar)
    questions: list[tuple[str, str]] = []
    if NEEDS_EVAL in needs:
        questions.append(
            ("Confirm an eval exists first", "confirm an eval exists that compares the two models")
        )
    accuracy = rules[0].accuracy
    if judged.missing in needs:
        questions.append(("Measure the accuracy first", f"measure {judged.missing} against the {bar} bar"))
    elif any(need.startswith("more evidence") for need in needs):
        # The items that would settle it, where a practical number does (by power, at the observed rate).
        more = (
            f" (about {accuracy.items_needed} would settle it)"
            if accuracy is not None and accuracy.items_needed is not None
            else ""
        )
        questions.append(
            (
                "Grade more items first",
                f"grade more items: the {judged.what} is not proven either side of the {bar} bar{more}",
            )
        )
    if NEEDS_TASK_CHANGE in needs:
        questions.append(
            (
                "State how often the task changes first",
                "state how often the task changes (labels, formats, policy)",
            )
        )
    if len(questions) == 1:
        return questions[0][0], [questions[0][1]]
    return "Fill in what is missing first", [step for _label, step in questions]


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
    deciding = _deciding_rule(status)
    if deciding is not None:
        verdict = RULE_VERDICTS[deciding]
        headline = _HEADLINES[deciding](scenario, summary, rules)
        return Recommendation(verdict, deciding, headline, rules, VERDICT_LABELS[verdict])
    if status[1] == "unknown":
        deciding = 6 if status[6] == "unknown" else 1
        label, steps = _open_questions(scenario, rules)
        # "Before deciding, measure ..." (it read "Measure before deciding: measure ...").
        headline = f"Before deciding, {' and '.join(steps)}. {_payback_phrase(summary, scenario)}."
        return Recommendation("needs_eval", deciding, headline, rules, label)
    # Unreachable by construction (every way rule 1 fails is another rule's pass); kept safe.
    headline = f"Keep the large model: {_lower_first(rules[0].reason)}"
    return Recommendation("keep_large", None, headline, rules, VERDICT_LABELS["keep_large"])
