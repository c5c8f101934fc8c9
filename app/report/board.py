"""The lines a board reads first: the answer in annual and horizon terms, and how old the prices are.

`board_line` turns the verdict into one sentence with the numbers a board acts on: what the plan
saves a year and over the horizon, what it costs up front, when it pays back and the volume it
needs to keep doing so. For "keep the large model" it says instead what it would take (volume or
price) for the specialist to pay back. Every figure comes from the same engine as the window's
(no second formula): annual and horizon totals are read off the cumulative cost curves, so price
decline, retraining and self-hosting are in them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.domain.costs import CostSummary, goal_seek_large_price, goal_seek_volume
from app.domain.rules import Recommendation
from app.domain.scenario import ModelCost, Scenario
from app.domain.uncertainty import horizon_figures
from app.report.formatting import (
    format_age_days,
    format_money,
    format_months,
    format_per_request,
    format_volume,
)

# A price older than this is flagged on page one (vendors cut prices several times a year).
PAGE_ONE_PRICE_AGE_DAYS = 183
MONTHS_PER_YEAR = 12


def annual_savings(scenario: Scenario, summary: CostSummary) -> float:
    """What a year of running the plan saves, the one-time cost left out (a run-rate)."""
    if not summary.extras_active:
        return summary.net_monthly_savings * MONTHS_PER_YEAR
    # The first year on the engine's own curves (ranges dropped: they bound the horizon as typed).
    first_year = scenario.with_changes(horizon_months=MONTHS_PER_YEAR, ranges={})
    return horizon_figures(first_year)[0] + summary.one_time_cost


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
    """` (P10–P90: 1.8 to 3.7 months)`, or "" without a range."""
    if break_even_range is None:
        return ""
    low, high = break_even_range
    return f" (P10–P90: {format_months(low)} to {format_months(high)})"


def _what_it_would_take(scenario: Scenario) -> str:
    horizon = scenario.horizon_months
    volume = goal_seek_volume(scenario, horizon)
    price = goal_seek_large_price(scenario, horizon)
    options = []
    if volume.value is not None:
        times = volume.value / scenario.volume_per_month if scenario.volume_per_month > 0 else None
        factor = f" ({times:,.1f}× today)" if times is not None else ""
        options.append(f"{format_volume(volume.value)} requests/month{factor}")
    if price.value is not None:
        options.append(f"a large model costing {format_per_request(price.value)} per request")
    if not options:
        return (
            f"No volume or large-model price makes the specialist pay back within {horizon} months: each "
            "request saves too little to cover the fixed costs."
        )
    return f"What it would take to pay back within {horizon} months: {' or '.join(options)}."


def board_line(
    scenario: Scenario,
    summary: CostSummary,
    recommendation: Recommendation,
    break_even_range: tuple[float | None, float | None] | None = None,
) -> str:
    """One sentence a board can act on, in annual and horizon terms (see the module docstring).

    `break_even_range` (P10, P90 of the break-even from an uncertainty result) adds the range the
    payback falls in; None leaves the point figure alone.
    """
    verdict = recommendation.verdict
    if verdict == "keep_large":
        return _what_it_would_take(scenario)
    if verdict == "keep_large_and_route":
        # The swap's figures are the rejected plan's: quote what the swap would have needed instead.
        return "The pure swap is rejected. " + _what_it_would_take(scenario).replace(
            "What it would take", "What the swap would need"
        )
    horizon = scenario.horizon_months
    total = horizon_savings(scenario)
    if total <= 0 or summary.break_even_months is None:
        return (
            f"Over {horizon} months it does not pay back: {format_money(total, 'compact')} against "
            f"{format_money(summary.one_time_cost, 'compact')} up front."
        )
    line = (
        f"Saves {format_money(annual_savings(scenario, summary), 'compact')} a year and "
        f"{format_money(total, 'compact')} over "
        f"{horizon} months, for {format_money(summary.one_time_cost, 'compact')} up front; pays back in "
        f"{format_months(summary.break_even_months)}{_range(break_even_range)}."
    )
    line += _volume_floor(scenario)
    if verdict == "needs_eval":
        return "If an eval proves the match: " + line[:1].lower() + line[1:]
    return line


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
