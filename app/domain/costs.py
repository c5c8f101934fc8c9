"""The cost engine's figures: per-request costs, monthly figures, cumulative curves, break-even.

Everything here is pure arithmetic on a `Scenario` (numpy for the curves); no I/O, no Qt. The
parts (docs/cost-model.md):

* `app.domain.pricing`: what one request costs;
* `app.domain.economics`: a scenario's numbers (or arrays of Monte Carlo draws of them);
* `app.domain.payback`: the cumulative savings over time and the month from which the specialist
  stays ahead (the payback that holds), for any movement of either model's price;
* `app.domain.goal_seek`: the volume or price at which the payback reaches a target;
* this module: the figures the window, the memo and `calc` read (`summarize`, `cumulative_curves`,
  `break_even_vs_volume`), and the same engine over Monte Carlo draws (`over_draws`).

With `L` the large model's cost per request, `S` the specialist's, `r` the escalation rate and `V`
the volume per month: the specialist path per request is `S + r·L` (cascade) or
`(1 - r)·S + r·L` (router); gross monthly savings `(L - path)·V`, net = gross - monthly ops; the
break-even is `one_time / net` months when net > 0 and nothing bends the curves (exact), else the
month from which the specialist stays ahead, searched on the curves.

Arrays never hold NaN: "never pays back" is `np.inf` in arrays and `None` in scalars.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.domain.economics import Economics, FloatArray, economics, one_time_breakdown
from app.domain.payback import (
    DEFAULT_SEARCH_MONTHS,
    break_even,
    cumulative,
    growth_integral,
    monthly,
    savings_at,
)
from app.domain.pricing import off_the_shelf_cost_per_request
from app.domain.scenario import MAX_VOLUME_PER_MONTH, Scenario

BreakEvenMethod = Literal["closed_form", "curves"]


@dataclass(frozen=True)
class CostBreakdown:
    """Cost per request (USD) split into the parts drawn in the breakdown chart.

    `large_input + large_output` is the large model's cost per request. The specialist path is
    `small_input + small_output + escalation + self_hosting`; in router mode the small parts are
    already scaled by the share the router sends to the specialist `(1 - r)`.
    """

    large_input: float
    large_output: float
    small_input: float
    small_output: float
    escalation: float  # r · large: the share of traffic (or its second pass) on the large model
    self_hosting: float  # GPU cost per request when self-hosted, else 0

    @property
    def large_total(self) -> float:
        """The large model's cost per request."""
        return self.large_input + self.large_output

    @property
    def specialist_total(self) -> float:
        """The specialist path's cost per request, escalation included."""
        return self.small_input + self.small_output + self.escalation + self.self_hosting


@dataclass(frozen=True)
class CostSummary:
    """Every headline figure of a scenario. Fields marked CONTRACT appear in `calc --json`."""

    large_cost_per_request: float  # CONTRACT
    small_cost_per_request: float  # the specialist alone (self-hosted: GPU $ per request it serves)
    specialist_cost_per_request: float  # CONTRACT: the specialist path, escalation included
    off_the_shelf_cost_per_request: float  # rule 2: the untuned small model with its own long prompt
    cost_ratio: float | None  # large / specialist path; None when the path costs nothing
    large_monthly: float  # large model for all traffic, USD per month
    specialist_monthly: float  # the specialist path for all traffic, USD per month (ops excluded)
    monthly_savings: float  # CONTRACT: gross = large_monthly - specialist_monthly
    net_monthly_savings: float  # CONTRACT: gross - monthly ops (retraining is on the curves)
    one_time_cost: float  # CONTRACT
    one_time_breakdown: dict[str, float]  # data_curation, training_runs, eval_build, teacher_labeling, ...
    # CONTRACT: the month from which the specialist stays ahead through the horizon (or, behind
    # there, through DEFAULT_SEARCH_MONTHS); None = never. See the module docstring.
    break_even_months: float | None
    break_even_within_horizon: bool  # it pays back by the horizon and is ahead at the horizon
    # CONTRACT: large-only minus the specialist path's cumulative cost at the horizon, one-time,
    # ops and retraining included (negative: the specialist is behind at the horizon).
    cumulative_savings_at_horizon: float
    extras_active: bool  # a price that moves over time, retraining or self-hosting is on
    break_even_method: BreakEvenMethod  # closed form, or the crossing found on the curves
    breakdown: CostBreakdown


@dataclass(frozen=True)
class CostCurves:
    """Cumulative cost (USD) from month 0 to the horizon, for the main chart."""

    months: FloatArray  # 0..horizon in 1/points_per_month steps
    large_only: FloatArray  # everything on the large model
    specialist: FloatArray  # the configured path (escalation included) + one-time + ops + retraining
    specialist_only: FloatArray  # the same with no escalation (equals `specialist` when r == 0)
    # The marked point: the payback that holds (the specialist stays ahead from there through the
    # horizon); set only when it falls within the drawn horizon.
    break_even_months: float | None
    break_even_cost: float | None


def _scenario_break_even(
    scenario: Scenario,
    econ: Economics,
    *,
    on_curves: bool | None = None,
    max_months: float = DEFAULT_SEARCH_MONTHS,
) -> float | None:
    """The break-even of the scenario as typed (None = never): the one call behind every figure."""
    months = break_even(
        econ,
        np.array(scenario.volume_per_month),
        np.array(econ.large_per_request),
        on_curves=on_curves,
        horizon=float(scenario.horizon_months),
        max_months=max_months,
    )
    return float(months) if math.isfinite(months) else None


# --------------------------------------------------------------------------------------------
# Public API


def summarize(scenario: Scenario) -> CostSummary:
    """All headline figures of a scenario (see `CostSummary`)."""
    econ = economics(scenario)
    return _summary(scenario, econ, _scenario_break_even(scenario, econ))


def summarize_draw(drawn: Scenario, break_even_months: float) -> CostSummary:
    """`summarize(drawn)` for a Monte Carlo draw whose break-even `over_draws` already found.

    `break_even_months` is that draw's figure from `over_draws` (inf = never), which equals
    `summarize(drawn).break_even_months` to the last bit; the curves are not searched again.
    """
    months = float(break_even_months)
    return _summary(drawn, economics(drawn), months if math.isfinite(months) else None)


def _summary(scenario: Scenario, econ: Economics, months: float | None) -> CostSummary:
    """The headline figures around a break-even already found (the same engine, see `summarize`)."""
    volume = scenario.volume_per_month
    large = float(econ.large_per_request)
    r = float(econ.escalation_rate)
    share = float(econ.served_share())

    if econ.self_hosted:
        served = volume * share
        gpu_monthly = float(econ.gpu_monthly(np.array(served)))
        # Below one request a month a per-request GPU cost means nothing (and overflows):
        # quote the fully-used GPU rate instead. The monthly figures stay exact either way.
        small_alone = gpu_monthly / served if served >= 1 else float(econ.nominal_small_per_request())
        self_hosting_part = gpu_monthly / volume if volume >= 1 else share * small_alone
        small_input = small_output = 0.0
    else:
        small_alone = float(econ.small_per_request_tokens)
        self_hosting_part = 0.0
        small_input = share * float(econ.small_input)
        small_output = share * float(econ.small_output)
    escalation = r * large
    path = small_input + small_output + self_hosting_part + escalation

    large_monthly, specialist_monthly, gross, net = (
        float(part) for part in monthly(econ, np.array(volume, dtype=np.float64))
    )

    breakdown_one_time = {key: float(part) for key, part in one_time_breakdown(scenario, econ).items()}
    one_time = sum(breakdown_one_time.values())

    method: BreakEvenMethod = "closed_form" if econ.linear else "curves"
    horizon = float(scenario.horizon_months)
    at_horizon = float(savings_at(econ, np.array(volume), np.array(large), horizon))

    large_input = scenario.large.input_tokens * scenario.large.input_price_per_mtok / 1e6
    return CostSummary(
        large_cost_per_request=large,
        small_cost_per_request=small_alone,
        specialist_cost_per_request=path,
        off_the_shelf_cost_per_request=off_the_shelf_cost_per_request(scenario),
        cost_ratio=large / path if path > 0 else None,
        large_monthly=large_monthly,
        specialist_monthly=specialist_monthly,
        monthly_savings=gross,
        net_monthly_savings=net,
        one_time_cost=one_time,
        one_time_breakdown=breakdown_one_time,
        break_even_months=months,
        break_even_within_horizon=months is not None and months <= scenario.horizon_months,
        cumulative_savings_at_horizon=at_horizon,
        extras_active=not econ.linear or econ.self_hosted,
        break_even_method=method,
        breakdown=CostBreakdown(
            large_input=large_input,
            large_output=large - large_input,
            small_input=small_input,
            small_output=small_output,
            escalation=escalation,
            self_hosting=self_hosting_part,
        ),
    )


def break_even_closed_form(scenario: Scenario) -> float | None:
    """`one_time / net_monthly_savings` months, None when net <= 0.

    Exact when neither price decline nor retraining is on (self-hosting keeps the curves
    straight); with those extras it ignores them (use `break_even_on_curves`).
    """
    return _scenario_break_even(scenario, economics(scenario), on_curves=False)


def break_even_on_curves(scenario: Scenario, max_months: float = DEFAULT_SEARCH_MONTHS) -> float | None:
    """The month from which the specialist stays ahead, searched on the exact curves.

    Ahead at the horizon: the earliest month from which it stays ahead through the horizon.
    Behind there: the earliest month after it from which it stays ahead through `max_months`.
    None when neither exists (price decline, retraining steps and self-hosting all included).
    """
    return _scenario_break_even(scenario, economics(scenario), on_curves=True, max_months=max_months)


def cumulative_curves(
    scenario: Scenario, points_per_month: int = 4, summary: CostSummary | None = None
) -> CostCurves:
    """Cumulative USD over the horizon for large only, the specialist path and the specialist alone.

    `summary`, when given, must be `summarize(scenario)`: its break-even (the costly part, a
    search on the curves when extras are on) is reused instead of being found a second time,
    with identical results. A summary whose large-model monthly cost does not match the
    scenario's is refused.
    """
    if points_per_month < 1:
        raise ValueError(f"points_per_month must be at least 1, got {points_per_month}")
    econ = economics(scenario)
    if summary is not None and summary.large_monthly != econ.large_per_request * scenario.volume_per_month:
        raise ValueError("summary does not belong to this scenario (its large-model monthly cost differs)")
    horizon = scenario.horizon_months
    months = np.linspace(0.0, float(horizon), horizon * points_per_month + 1)
    volume = scenario.volume_per_month
    large = econ.large_per_request
    large_only, specialist = cumulative(econ, volume, months)
    if econ.escalation_rate > 0:
        specialist_only = cumulative(dataclasses.replace(econ, escalation_rate=0.0), volume, months)[1]
    else:
        specialist_only = specialist.copy()

    # The same break-even as `summarize` (same arithmetic), so the marker sits where it says: the
    # month from which the specialist stays ahead through the horizon, not a first crossing.
    summary_months = (
        summary.break_even_months if summary is not None else _scenario_break_even(scenario, econ)
    )
    marked_months: float | None = None
    marked_cost: float | None = None
    if summary_months is not None and summary_months <= horizon:
        marked_months = summary_months
        marked_cost = float(large * volume * growth_integral(summary_months, econ.large_price_rate))
    return CostCurves(
        months=months,
        large_only=np.asarray(large_only, dtype=np.float64),
        specialist=np.asarray(specialist, dtype=np.float64),
        specialist_only=np.asarray(specialist_only, dtype=np.float64),
        break_even_months=marked_months,
        break_even_cost=marked_cost,
    )


def break_even_vs_volume(scenario: Scenario, volumes: FloatArray) -> FloatArray:
    """Break-even months for each volume (everything else as in the scenario); np.inf = never."""
    econ = economics(scenario)
    volume_array = np.asarray(volumes, dtype=np.float64)
    if volume_array.size and (not np.all(np.isfinite(volume_array)) or np.any(volume_array < 0)):
        raise ValueError("volumes must be finite and not negative")
    months = break_even(
        econ,
        volume_array,
        np.array(econ.large_per_request),
        on_curves=None,
        horizon=float(scenario.horizon_months),
    )
    result: FloatArray = np.asarray(np.broadcast_to(months, volume_array.shape), dtype=np.float64).copy()
    return result


def volume_range(scenario: Scenario, points: int = 60) -> FloatArray:
    """Log-spaced volumes from 1/1000 to 100 times the scenario's (1 to the model's maximum)."""
    if points < 2:
        raise ValueError(f"points must be at least 2, got {points}")
    centre = scenario.volume_per_month if scenario.volume_per_month >= 1 else 1e6
    low = max(1.0, centre / 1000.0)
    high = min(MAX_VOLUME_PER_MONTH, centre * 100.0)
    if high <= low:
        high = low * 10.0
    return np.geomspace(low, high, points)


# --------------------------------------------------------------------------------------------
# The engine over Monte Carlo draws


@dataclass(frozen=True)
class DrawOutcomes:
    """The engine's figures for each draw of the inputs (arrays of one length)."""

    break_even_months: FloatArray  # the same meaning as `CostSummary.break_even_months`; inf = never
    savings_at_horizon: FloatArray  # large only minus the specialist path at the horizon, all included
    monthly_savings_path: FloatArray  # (draws, horizon + 1): that difference at months 0..horizon
    net_monthly_savings: FloatArray
    one_time_cost: FloatArray


def over_draws(scenario: Scenario, draws: Mapping[str, FloatArray], count: int) -> DrawOutcomes:
    """Run the engine once over `count` draws: `draws` maps dotted field paths to arrays of values.

    The same functions as `summarize` and `cumulative_curves`, on arrays: draw i gives exactly
    the figures of the scenario with draw i's values typed in. Every drawn field, the rates that
    bend the curves and the retraining cost included, is one array through one pass.
    """
    if count < 1 or any(np.shape(values) != (count,) for values in draws.values()):
        raise ValueError(f"every draw array must have {count} values")
    econ = economics(scenario, draws)
    volume = np.broadcast_to(
        np.asarray(draws.get("volume_per_month", scenario.volume_per_month), dtype=np.float64), (count,)
    )
    large = np.broadcast_to(np.asarray(econ.large_per_request, dtype=np.float64), (count,))
    months = break_even(econ, volume, large, on_curves=None, horizon=float(scenario.horizon_months))
    net = np.broadcast_to(monthly(econ, volume)[3], (count,))
    horizon = scenario.horizon_months
    large_only, specialist = cumulative(econ, volume, np.arange(horizon + 1, dtype=np.float64))
    path = np.broadcast_to(large_only - specialist, (count, horizon + 1))
    # Summed part by part in the summary's order, so each draw's total is the summary's to the last bit.
    one_time = np.broadcast_to(
        np.asarray(sum(one_time_breakdown(scenario, econ, draws).values()), dtype=np.float64), (count,)
    )
    return DrawOutcomes(
        break_even_months=np.asarray(months, dtype=np.float64),
        savings_at_horizon=np.array(path[:, -1]),
        monthly_savings_path=np.array(path),
        net_monthly_savings=np.array(net),
        one_time_cost=np.array(one_time),
    )
