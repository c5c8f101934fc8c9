"""The figures of the recommended plan: what the verdict card and the memo quote as the numbers.

The cost summary prices one plan, the scenario's configured specialist path. That is the plan the
verdict recommends only when it says `specialize`; for the others a reader needs the numbers of
the plan the verdict actually recommends, and the swap it turns down labelled as such:

* `specialize`: the swap itself (the configured path).
* `use_off_the_shelf`: the swap without training runs (an off-the-shelf model needs none).
* `keep_large_and_route`: the routed plan: the specialist answers the share it handles, the rest
  escalates to the large model at the given escalation rate (the scenario's, or a measured one the
  caller passes); the pure swap (no escalation) is the rejected plan. With no rate known, the plan
  says so and gives the highest escalation at which routing still pays back within the horizon.
* `keep_large`: nothing to buy; what it would take instead: the volume and the large-model price at
  which the specialist pays back within the horizon (goal seek), rounded to what a reader can use.
* `needs_eval`: the swap's figures, provisional until an eval proves the match.

Every money figure comes with its annual run-rate and its horizon total (cumulative savings at the
horizon, one-time costs, operations and retraining included). Pure: no Qt, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.costs import CostSummary, summarize
from app.domain.formatting import format_money, format_months, format_number, format_share
from app.domain.goal_seek import goal_seek_large_price, goal_seek_volume
from app.domain.ranges import follow_values, rangeable_fields
from app.domain.rules import Recommendation, Verdict, evaluate
from app.domain.scenario import Scenario

PlanKind = Literal["swap", "off_the_shelf", "routed", "keep", "provisional"]
Question = Literal["volume", "price"]

# Significant digits of a goal-seek answer: 6,435,367 requests reads (and applies as) 6.44M.
ANSWER_DIGITS = 3
# Bisection steps for the highest escalation rate that still pays back (2^-24: far below 0.1 %).
_ESCALATION_STEPS = 24


def with_values(scenario: Scenario, changes: dict[str, Any]) -> Scenario:
    """A validated copy with fields at dotted paths set (`"large.input_price_per_mtok"`).

    A range on a changed field is widened to take the new value in, so an answer outside the
    range a preset offers as an assumption still applies, and the range keeps its other end.
    """
    data: dict[str, Any] = scenario.model_dump()
    ranges = data.get("ranges") or {}
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[leaf] = value
        spread = ranges.get(path)
        if isinstance(spread, dict) and isinstance(value, int | float) and not isinstance(value, bool):
            if spread.get("low") is not None and value < spread["low"]:
                spread["low"] = value
            if spread.get("high") is not None and value > spread["high"]:
                spread["high"] = value
    # A value made unknown (None) drops its typed range; widened values are inside theirs already.
    follow_values(scenario.model_dump(), data, rangeable_fields(Scenario))
    return Scenario.model_validate(data)


def round_up_significant(value: float, digits: int = ANSWER_DIGITS) -> float:
    """`value` rounded *up* to `digits` significant digits: 6,435,367 -> 6,440,000.

    Up, because a goal-seek answer is a threshold: the rounded volume or price must still reach
    the target, so applying what is shown keeps the promise it makes.
    """
    if not math.isfinite(value) or value <= 0:
        return value
    scale = 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    rounded = math.ceil(value / scale - 1e-9) * scale
    # Strip the float noise of the multiplication (6.44e6 rather than 6440000.000000001).
    return float(f"{rounded:.{digits + 2}g}")


@dataclass(frozen=True)
class GoalSeekAnswer:
    """A goal-seek answer a reader can use and apply.

    `volume_per_month` (volume question) or the large model's prices in $/Mtok (price question)
    are rounded up to three significant digits; `scenario` is the scenario with that answer put
    in, ready to apply as one edit; None when no value reaches the target.
    """

    question: Question
    target_months: float
    text: str
    volume_per_month: float | None = None
    input_price_per_mtok: float | None = None
    output_price_per_mtok: float | None = None
    factor: float | None = None  # price: the multiple of today's large-model prices
    scenario: Scenario | None = None

    @property
    def found(self) -> bool:
        """True when a value reaches the target."""
        return self.scenario is not None

    @property
    def chart_volume(self) -> float | None:
        """The volume to mark on the break-even-vs-volume chart (volume answers only)."""
        return self.volume_per_month


def _months_text(target: float) -> str:
    return format_months(target, "whole")


def _reaches(scenario: Scenario, target_months: float) -> bool:
    months = summarize(scenario).break_even_months
    return months is not None and months <= target_months * (1 + 1e-9)


def answer_goal_seek(scenario: Scenario, question: Question, target_months: float) -> GoalSeekAnswer:
    """What volume, or what large-model price, pays the specialist back within `target_months`.

    The answer is rounded up to three significant digits (a threshold must still be reached once
    rounded) and checked by pricing the changed scenario; should rounding step over a narrow
    window (self-hosted GPU steps), the exact value is kept.
    """
    within = f"within {_months_text(target_months)}"
    if not math.isfinite(target_months) or target_months <= 0:
        return GoalSeekAnswer(question, target_months, "The target must be a positive number of months.")
    if question == "volume":
        return _volume_answer(scenario, target_months, within)
    return _price_answer(scenario, target_months, within)


def _volume_answer(scenario: Scenario, target_months: float, within: str) -> GoalSeekAnswer:
    seek = goal_seek_volume(scenario, target_months)
    if seek.value is None:
        return GoalSeekAnswer(
            "volume",
            target_months,
            f"No volume pays back {within}: each request saves too little to cover the fixed costs.",
        )
    volume = round_up_significant(seek.value)
    changed = with_values(scenario, {"volume_per_month": volume})
    if not _reaches(changed, target_months):
        volume = seek.value
        changed = with_values(scenario, {"volume_per_month": volume})
    today = scenario.volume_per_month
    ratio = f" ({format_number(volume / today)}× today's {format_number(today)})" if today >= 1 else ""
    return GoalSeekAnswer(
        "volume",
        target_months,
        f"Pays back {within} from {format_number(volume)} requests/month{ratio}.",
        volume_per_month=volume,
        scenario=changed,
    )


def _price_answer(scenario: Scenario, target_months: float, within: str) -> GoalSeekAnswer:
    seek = goal_seek_large_price(scenario, target_months)
    large = scenario.large
    today_per_request = summarize(scenario).large_cost_per_request
    volume = format_number(scenario.volume_per_month)
    if seek.value is None or today_per_request <= 0:
        reason = (
            "too little traffic reaches the specialist"
            if seek.value is None
            else "the large model costs nothing today, so there is no price to scale"
        )
        return GoalSeekAnswer(
            "price",
            target_months,
            f"No large-model price pays back {within} at {volume} requests/month: {reason}.",
        )
    factor = seek.value / today_per_request
    input_price = round_up_significant(large.input_price_per_mtok * factor)
    output_price = round_up_significant(large.output_price_per_mtok * factor)
    try:
        changed = with_values(
            scenario, {"large.input_price_per_mtok": input_price, "large.output_price_per_mtok": output_price}
        )
    except ValueError:
        return GoalSeekAnswer(
            "price", target_months, f"No large-model price within the allowed range pays back {within}."
        )
    price_text = _price_pair(input_price, output_price)
    today_text = _price_pair(large.input_price_per_mtok, large.output_price_per_mtok)
    return GoalSeekAnswer(
        "price",
        target_months,
        f"Pays back {within} if the large model costs {price_text} per Mtok "
        f"({format_number(factor)}× today's {today_text}).",
        input_price_per_mtok=input_price,
        output_price_per_mtok=output_price,
        factor=factor,
        scenario=changed,
    )


def _price_pair(input_price: float, output_price: float) -> str:
    return f"{format_money(input_price, 'price')} in / {format_money(output_price, 'price')} out"


@dataclass(frozen=True)
class PlanMoney:
    """The money of one plan: per month today, per year at that rate, and over the horizon."""

    cost_per_request: float  # the plan's path per request (USD)
    net_monthly_savings: float
    annual_net_savings: float  # 12 × today's net monthly savings (a run-rate, not a forecast)
    horizon_savings: float  # cumulative savings at the horizon, one-time, ops and retraining included
    horizon_months: int
    one_time_cost: float
    break_even_months: float | None
    break_even_within_horizon: bool

    @property
    def pays_back(self) -> bool:
        """True when the plan is ahead at the horizon and its payback falls within it."""
        return self.break_even_within_horizon and self.horizon_savings > 0


def plan_money(scenario: Scenario, summary: CostSummary | None = None) -> PlanMoney:
    """The money figures of a scenario's configured specialist path.

    The horizon total is the summary's own (the figure the cost curves end on), so pricing a plan
    costs no curve of its own: the verdict card prices one on every drag step.
    """
    summary = summary if summary is not None else summarize(scenario)
    return PlanMoney(
        cost_per_request=summary.specialist_cost_per_request,
        net_monthly_savings=summary.net_monthly_savings,
        annual_net_savings=12.0 * summary.net_monthly_savings,
        horizon_savings=summary.cumulative_savings_at_horizon,
        horizon_months=scenario.horizon_months,
        one_time_cost=summary.one_time_cost,
        break_even_months=summary.break_even_months,
        break_even_within_horizon=summary.break_even_within_horizon,
    )


@dataclass(frozen=True)
class PlanFigures:
    """The recommended plan's numbers, the swap it rejects (if any), and what it would take.

    `money` is None when the plan has no money of its own (keep the large model, or a routed plan
    with no escalation rate to price it). `rejected` is the swap the verdict turns down, to be
    shown labelled as rejected, never as the recommendation's savings.
    """

    verdict: Verdict
    kind: PlanKind
    title: str  # "Routed plan: 20.0% of traffic stays on the large model"
    money: PlanMoney | None
    rejected: PlanMoney | None = None
    rejected_title: str = ""
    would_take: tuple[GoalSeekAnswer, ...] = ()
    escalation_rate: float | None = None
    note: str = ""  # one sentence a reader needs next to the figures


def max_paying_escalation(scenario: Scenario) -> float | None:
    """The highest escalation rate at which the routed plan still pays back within the horizon.

    None when even no escalation does not pay back. Bisection on the rate (the savings fall as
    more traffic escalates), to far below a tenth of a percent.
    """

    def pays(rate: float) -> bool:
        return summarize(_with_rate(scenario, rate)).break_even_within_horizon

    if not pays(0.0):
        return None
    if pays(1.0):
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(_ESCALATION_STEPS):
        middle = (low + high) / 2
        if pays(middle):
            low = middle
        else:
            high = middle
    return low


def off_the_shelf_scenario(scenario: Scenario) -> Scenario:
    """The scenario with the off-the-shelf model in the specialist's place: its own (long) prompt
    and prices as rule 2 prices it, no escalation, and nothing spent on training."""
    shelf, large, small = scenario.off_the_shelf, scenario.large, scenario.small

    def pick(own: float | None, fallback: float) -> float:
        return fallback if own is None else own

    return with_values(
        scenario,
        {
            "small.input_tokens": pick(shelf.input_tokens, large.input_tokens),
            "small.output_tokens": pick(shelf.output_tokens, large.output_tokens),
            "small.input_price_per_mtok": pick(shelf.input_price_per_mtok, small.input_price_per_mtok),
            "small.output_price_per_mtok": pick(shelf.output_price_per_mtok, small.output_price_per_mtok),
            "routing.escalation_rate": 0.0,
            "one_time.training_runs": 0.0,
            "distillation.enabled": False,
            "retraining.every_months": 0,
        },
    )


def _with_rate(scenario: Scenario, rate: float) -> Scenario:
    if rate == scenario.routing.escalation_rate:
        return scenario
    return with_values(scenario, {"routing.escalation_rate": rate})


def recommended_plan(
    scenario: Scenario,
    summary: CostSummary | None = None,
    recommendation: Recommendation | None = None,
    escalation_rate: float | None = None,
) -> PlanFigures:
    """The figures of the plan the verdict recommends (see the module docstring).

    `escalation_rate` overrides the scenario's for the routed plan (a measured operating point).
    """
    summary = summary if summary is not None else summarize(scenario)
    recommendation = recommendation if recommendation is not None else evaluate(scenario, summary)
    verdict = recommendation.verdict
    if verdict == "specialize":
        return PlanFigures(verdict, "swap", "Swap to the specialist", plan_money(scenario, summary))
    if verdict == "use_off_the_shelf":
        return PlanFigures(
            verdict,
            "off_the_shelf",
            "Off-the-shelf small model, no training",
            plan_money(off_the_shelf_scenario(scenario)),
            note=(
                "Priced with the off-the-shelf model's own prompt and no escalation; no training runs, "
                "teacher labelling or retraining (data curation and the eval stay in)."
            ),
        )
    if verdict == "needs_eval":
        return PlanFigures(
            verdict,
            "provisional",
            "If an eval proves the match: the swap",
            plan_money(scenario, summary),
            note="Provisional: these figures hold only once an eval shows the specialist meets the bar.",
        )
    if verdict == "keep_large_and_route":
        return _routed_plan(scenario, summary, escalation_rate)
    return _keep_plan(scenario, summary, recommendation)


def _routed_plan(scenario: Scenario, summary: CostSummary, escalation_rate: float | None) -> PlanFigures:
    rate = scenario.routing.escalation_rate if escalation_rate is None else escalation_rate
    configured = scenario.routing.escalation_rate
    rejected = plan_money(_with_rate(scenario, 0.0), summary if configured == 0 else None)
    rejected_title = "Rejected: the full swap (the specialist alone misses the bar)"
    if rate <= 0:
        # No rate to price the routed plan: say how far routing can go and still pay back (a
        # bisection over the rate, computed only here, not on every change of a priced plan).
        ceiling = max_paying_escalation(scenario)
        if ceiling is None:
            reach = "Routing does not pay back within the horizon even with no escalation."
        elif ceiling >= 1.0:
            reach = "Routing pays back within the horizon at any escalation rate."
        else:
            reach = (
                f"Routing pays back within the horizon while at most {format_share(ceiling)} "
                "of traffic escalates."
            )
        return PlanFigures(
            "keep_large_and_route",
            "routed",
            "Routed plan: set the share that stays on the large model",
            None,
            rejected=rejected,
            rejected_title=rejected_title,
            note=f"No escalation rate is set, so the routed plan has no price yet. {reach}",
        )
    money = plan_money(_with_rate(scenario, rate), summary if rate == configured else None)
    source = "the scenario's escalation rate" if escalation_rate is None else "the measured escalation rate"
    return PlanFigures(
        "keep_large_and_route",
        "routed",
        f"Routed plan: {format_share(rate)} of traffic stays on the large model",
        money,
        rejected=rejected,
        rejected_title=rejected_title,
        escalation_rate=rate,
        note=f"Priced at {source}; the specialist answers the rest.",
    )


def _keep_plan(scenario: Scenario, summary: CostSummary, recommendation: Recommendation) -> PlanFigures:
    target = float(scenario.horizon_months)
    change = scenario.quality.task_change_months
    if recommendation.deciding_rule == 5 and change is not None:
        # The fine-tune must pay back before the task changes, not only within the horizon.
        target = min(target, change)
    answers = (
        answer_goal_seek(scenario, "volume", target),
        answer_goal_seek(scenario, "price", target),
    )
    return PlanFigures(
        "keep_large",
        "keep",
        "Keep the large model: nothing to buy",
        None,
        rejected=plan_money(scenario, summary),
        rejected_title="Rejected: the swap to the specialist",
        would_take=answers,
        note=f"What it would take to pay back within {_months_text(target)}:",
    )
