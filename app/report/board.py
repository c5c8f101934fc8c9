"""The lines a board reads first: the answer in annual and horizon terms, and how old the prices are.

`board_line` turns the recommended plan (`app.domain.plan`) into one sentence with the numbers a
board acts on: what the plan saves a year and over the horizon, what it costs up front, when it
pays back and the volume it needs to keep doing so. A routed plan quotes its own money and names
the swap it rejects; "keep the large model" says what it would take (volume or price) instead.
No figure is computed here: the plan's money is the domain's, the same the window shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.domain.formatting import format_age_days, format_money, format_months, format_volume
from app.domain.goal_seek import goal_seek_volume
from app.domain.monte_carlo import horizon_figures
from app.domain.plan import PlanFigures, PlanMoney
from app.domain.scenario import ModelCost, Scenario

# A price older than this is flagged on page one (vendors cut prices several times a year).
PAGE_ONE_PRICE_AGE_DAYS = 183


def horizon_savings(scenario: Scenario) -> float:
    """Savings over the horizon with the one-time cost, operations and retraining paid."""
    return horizon_figures(scenario)[0]


def _volume_floor(scenario: Scenario) -> str:
    """The sentence on the volume that keeps the payback within the horizon, or "" when none applies."""
    seek = goal_seek_volume(scenario, scenario.horizon_months)
    if seek.value is None or seek.value >= scenario.volume_per_month:
        return ""
    return (
        f" It keeps paying back within {scenario.horizon_months} months as long as volume stays above "
        f"{format_volume(seek.value)} requests/month."
    )


def _range(break_even_range: tuple[float | None, float | None] | None) -> str:
    """` (P10–P90: 1.8 months to 3.7 months)`, or "" without a range."""
    if break_even_range is None:
        return ""
    low, high = break_even_range
    return f" (P10–P90: {format_months(low)} to {format_months(high)})"


def _money_line(money: PlanMoney, break_even_range: tuple[float | None, float | None] | None) -> str:
    """`saves $110.7K a year and $199.8K over 24 months, for $21.5K up front; pays back in 2.3 months.`"""
    horizon = money.horizon_months
    if not money.pays_back or money.break_even_months is None:
        return (
            f"over {horizon} months it does not pay back: {format_money(money.horizon_savings, 'compact')} "
            f"against {format_money(money.one_time_cost, 'compact')} up front."
        )
    return (
        f"saves {format_money(money.annual_net_savings, 'compact')} a year and "
        f"{format_money(money.horizon_savings, 'compact')} over {horizon} months, for "
        f"{format_money(money.one_time_cost, 'compact')} up front; pays back in "
        f"{format_months(money.break_even_months)}{_range(break_even_range)}."
    )


def board_line(
    scenario: Scenario,
    plan: PlanFigures,
    break_even_range: tuple[float | None, float | None] | None = None,
) -> str:
    """One sentence a board can act on, for the plan the verdict recommends (see the module docstring).

    `break_even_range` (P10, P90 of the break-even from an uncertainty result) adds the range the
    payback falls in; None leaves the point figure alone.
    """
    if plan.kind == "keep":
        return " ".join([plan.note, *(answer.text for answer in plan.would_take)])
    if plan.money is None:
        return f"{plan.title}. {plan.note}"
    line = _money_line(plan.money, break_even_range)
    if plan.kind == "routed":
        return f"{plan.title}: {line} {plan.rejected_title}."
    if plan.kind == "off_the_shelf":
        return f"{plan.title}: {line}"
    if plan.money.pays_back:
        line += _volume_floor(scenario)
    if plan.kind == "provisional":
        return "If an eval proves the match: " + line
    return line[:1].upper() + line[1:]


def old_price_lines(
    scenario: Scenario, today: date, age_days: Callable[[ModelCost, date], int | None]
) -> tuple[tuple[str, str], ...]:
    """One (lead, text) line naming each price older than `PAGE_ONE_PRICE_AGE_DAYS`; empty when fresh.

    `age_days` reads a model's as-of date (the memo's one reader of catalog dates).
    """
    old = []
    for role, model in (("large model", scenario.large), ("specialist", scenario.small)):
        if role == "specialist" and scenario.self_hosting.enabled:
            continue  # billed by the GPU-hour: its per-token price is not used
        age = age_days(model, today)
        if age is None or age <= PAGE_ONE_PRICE_AGE_DAYS:
            continue
        name = model.name.strip() or role
        old.append(f"{name} checked {model.price_as_of[:10]} ({format_age_days(age)} ago)")
    if not old:
        return ()
    return (("Prices older than six months:", "; ".join(old) + ". Re-check them before deciding."),)
