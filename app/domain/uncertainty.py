"""How sure is the payback: Monte Carlo over the ranged inputs, and what it adds up to.

Every figure here comes from the cost engine (`app.domain.costs`) and the decision rules
(`app.domain.rules`) run on drawn inputs; nothing is re-derived by a formula of its own. The
parts: `monte_carlo` (the draws and the engine over them), `drivers` (tornado and spider),
`value_of_information` (EVPI, EVPPI, EVSI), `probability_seek` (goal seek on the chance of payback),
`range_defaults`.

* **Percentiles** are draws themselves (the inverted CDF, no interpolation towards "never").
* **Verdicts.** The real rules run on an evenly spaced subsample of the draws (at most
  `VERDICT_SAMPLE`): the rules write sentences and are too slow for every draw, and a
  probability from 1,000 draws is within about ±3 points (95 %).

What this does not prove: the ranges are inputs, mostly judgement; a probability is only as good
as they are. Fields without a range are treated as known exactly, and ranges are independent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from app.domain.costs import summarize_draw
from app.domain.drivers import SpiderLine, TornadoBar, sweep
from app.domain.monte_carlo import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    DrawFigures,
    FloatArray,
    draw_values,
    engine_over_draws,
    horizon_figures,
    months_or_none,
    sample_inputs,
    scenario_with,
)
from app.domain.rules import evaluate
from app.domain.scenario import Scenario
from app.domain.value_of_information import (
    SampleInformation,
    accuracy_clears_bar,
    decision_values,
    evpi,
    evppi_binned,
    sample_information,
)

VERDICT_SAMPLE = 1_000
PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class UncertaintyResult:
    """Everything `analyse` finds; `draws` and `seed` reproduce it."""

    draws: int
    seed: int
    horizon_months: int
    fields: tuple[str, ...]  # the ranged fields, sorted
    p_payback_within_horizon: float
    break_even_percentiles: tuple[float | None, float | None, float | None]  # P10, P50, P90; None = never
    savings_percentiles: tuple[float, float, float]
    npv_percentiles: tuple[float, float, float]
    net_monthly_percentiles: tuple[float, float, float]
    discount_rate_per_year: float
    verdict_probabilities: dict[str, float]
    verdict_draws: int
    p_accuracy_clears_bar: float | None  # None: the specialist's accuracy is neither ranged nor known
    tornado: tuple[TornadoBar, ...]
    spider: tuple[SpiderLine, ...]  # the same drivers across their ranges, in the tornado's order
    evpi: float
    evppi: dict[str, float]
    mean_value: float  # E[value of specializing], the figure EVPI is measured against
    point_savings: float  # savings at the horizon of the scenario as typed (the tornado's pivot)
    sample_information: SampleInformation | None
    figures: DrawFigures = field(repr=False)


def _percentiles(values: FloatArray) -> tuple[float, float, float]:
    # "inverted_cdf": each percentile is one of the draws (no interpolation towards "never").
    found = np.quantile(values, [p / 100.0 for p in PERCENTILES], method="inverted_cdf")
    return float(found[0]), float(found[1]), float(found[2])


def _verdicts(
    scenario: Scenario, inputs: Mapping[str, FloatArray], figures: DrawFigures, sample: int
) -> tuple[dict[str, float], int]:
    """The rules' verdict on evenly spaced draws; each draw's break-even comes from the vectorised
    pass (the same figure `summarize` finds, so the summary is not searched a second time)."""
    count = len(figures.break_even_months)
    if sample <= 0:
        return {}, 0
    picks = np.unique(np.linspace(0, count - 1, min(count, sample)).astype(int))
    tally: dict[str, int] = {}
    for index in picks:
        drawn = scenario_with(scenario, draw_values(scenario, inputs, int(index)))
        summary = summarize_draw(drawn, float(figures.break_even_months[index]))
        verdict = evaluate(drawn, summary).verdict
        tally[verdict] = tally.get(verdict, 0) + 1
    return {verdict: hits / picks.size for verdict, hits in sorted(tally.items())}, int(picks.size)


def analyse(
    scenario: Scenario,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    verdict_sample: int = VERDICT_SAMPLE,
) -> UncertaintyResult | None:
    """Monte Carlo over the scenario's ranges; None when it has no ranges (nothing is uncertain).

    `verdict_sample`: on how many of the draws (evenly spaced) the rules run for the verdict
    probabilities; the rules write sentences, which costs far more than the engine's arithmetic.
    """
    if not scenario.ranges:
        return None
    inputs = sample_inputs(scenario, draws, seed)
    figures = engine_over_draws(scenario, inputs)
    horizon = scenario.horizon_months
    values = decision_values(scenario, inputs, figures)
    clears = accuracy_clears_bar(scenario, inputs, draws)
    break_even = _percentiles(figures.break_even_months)
    verdicts, verdict_draws = _verdicts(scenario, inputs, figures, verdict_sample)
    point_verdict = evaluate(scenario).verdict
    one_at_a_time = sweep(scenario)
    return UncertaintyResult(
        draws=draws,
        seed=seed,
        horizon_months=horizon,
        fields=tuple(sorted(inputs)),
        p_payback_within_horizon=float(np.mean(figures.break_even_months <= horizon)),
        break_even_percentiles=(
            months_or_none(break_even[0]),
            months_or_none(break_even[1]),
            months_or_none(break_even[2]),
        ),
        savings_percentiles=_percentiles(figures.savings_at_horizon),
        npv_percentiles=_percentiles(figures.npv_at_horizon),
        net_monthly_percentiles=_percentiles(figures.net_monthly_savings),
        discount_rate_per_year=scenario.discount_rate_per_year,
        verdict_probabilities=verdicts,
        verdict_draws=verdict_draws,
        p_accuracy_clears_bar=None if clears is None else float(np.mean(clears)),
        tornado=one_at_a_time.tornado,
        spider=one_at_a_time.spider,
        evpi=evpi(values),
        evppi={path: evppi_binned(inputs[path], values) for path in sorted(inputs)},
        mean_value=float(np.mean(values)),
        point_savings=horizon_figures(scenario)[0],
        sample_information=sample_information(scenario, inputs, values, point_verdict),
        figures=figures,
    )


def payback_headline(result: UncertaintyResult) -> str:
    """`82% chance it pays back within 24 months.` (no "100 %" from a finite number of draws)."""
    horizon = f"within {result.horizon_months} months"
    paying = round(result.p_payback_within_horizon * result.draws)
    if paying == result.draws:
        return f"It pays back {horizon} in all {result.draws:,} draws."
    if paying == 0:
        return f"It pays back {horizon} in none of the {result.draws:,} draws."
    share = result.p_payback_within_horizon * 100
    # Never round a draw short of certain up to "100%", nor a few paying draws down to "0%".
    shown = min(max(round(share), 1), 99)
    return f"{shown}% chance it pays back {horizon}."
