"""`calc --uncertainty [--draws N] [--seed S]`: the Monte Carlo section of `calc`, as JSON and in words.

The JSON section is contract (field names from the issue that introduced it): `uncertainty:
{draws, seed, p_payback_within_horizon, break_even_p10/p50/p90, savings_at_horizon_p10/p50/p90,
verdict_probabilities, tornado: [{field, low, high, savings_at_low, savings_at_high}], spider:
[{field, points: [{value, savings_at_horizon}]}], evpi}` plus the figures behind them. A scenario
without ranges has no uncertainty to show: the section says so (`available: false` and the
reason) instead of inventing numbers.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from app.cli import CliError
from app.domain.fields import label_for_key
from app.domain.formatting import format_money, format_months, format_share
from app.domain.monte_carlo import DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS
from app.domain.scenario import Scenario
from app.domain.uncertainty import UncertaintyResult, analyse, payback_headline
from app.domain.uncertainty_text import NO_RANGES, sample_information_sentence
from app.domain.value_of_information import EVPPI_BINS

TABLE_WIDTH = 96


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--uncertainty`, `--draws N`, `--seed S` on the calc command."""
    parser.add_argument(
        "--uncertainty",
        action="store_true",
        help="add a Monte Carlo over the scenario's ranges: chance of payback, percentiles, tornado, "
        "value of information",
    )
    parser.add_argument(
        "--draws", type=int, default=None, metavar="N", help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,})"
    )
    parser.add_argument(
        "--seed", type=int, default=None, metavar="S", help=f"random seed (default {DEFAULT_SEED})"
    )


def options(args: argparse.Namespace) -> tuple[int, int] | None:
    """(draws, seed) when `--uncertainty` was given, else None; bad values raise `CliError`."""
    draws, seed = args.draws, args.seed
    if not args.uncertainty:
        if draws is not None or seed is not None:
            raise CliError("--draws and --seed go with --uncertainty")
        return None
    draws = DEFAULT_DRAWS if draws is None else draws
    seed = DEFAULT_SEED if seed is None else seed
    if not 1 <= draws <= MAX_DRAWS:
        raise CliError(f"--draws must be between 1 and {MAX_DRAWS:,}, got {draws}")
    if seed < 0:
        raise CliError(f"--seed must be 0 or more, got {seed}")
    return draws, seed


def uncertainty_data(
    scenario: Scenario, draws: int, seed: int
) -> tuple[dict[str, Any], UncertaintyResult | None]:
    """The `uncertainty` JSON section, and the result it was made from (None without ranges)."""
    result = analyse(scenario, draws=draws, seed=seed)
    if result is None:
        return {"available": False, "reason": NO_RANGES, "draws": draws, "seed": seed}, None
    be, sv, npv, net = (
        result.break_even_percentiles,
        result.savings_percentiles,
        result.npv_percentiles,
        result.net_monthly_percentiles,
    )
    info = result.sample_information
    data: dict[str, Any] = {
        "available": True,
        "draws": result.draws,
        "seed": result.seed,
        "ranged_fields": list(result.fields),
        "p_payback_within_horizon": result.p_payback_within_horizon,
        "horizon_months": result.horizon_months,
        "break_even_p10": be[0],
        "break_even_p50": be[1],
        "break_even_p90": be[2],
        "savings_at_horizon_p10": sv[0],
        "savings_at_horizon_p50": sv[1],
        "savings_at_horizon_p90": sv[2],
        "discount_rate_per_year": result.discount_rate_per_year,
        "npv_at_horizon_p10": npv[0],
        "npv_at_horizon_p50": npv[1],
        "npv_at_horizon_p90": npv[2],
        "net_monthly_savings_p10": net[0],
        "net_monthly_savings_p50": net[1],
        "net_monthly_savings_p90": net[2],
        "net_annual_savings_p10": net[0] * 12,
        "net_annual_savings_p50": net[1] * 12,
        "net_annual_savings_p90": net[2] * 12,
        "verdict_probabilities": dict(result.verdict_probabilities),
        "verdict_draws": result.verdict_draws,
        "p_accuracy_clears_bar": result.p_accuracy_clears_bar,
        "tornado": [
            {
                "field": bar.field,
                "low": bar.low,
                "high": bar.high,
                "savings_at_low": bar.savings_at_low,
                "savings_at_high": bar.savings_at_high,
                "break_even_at_low": bar.break_even_at_low,
                "break_even_at_high": bar.break_even_at_high,
            }
            for bar in result.tornado
        ],
        "spider": [
            {
                "field": line.field,
                "points": [
                    {"value": point.value, "savings_at_horizon": point.savings_at_horizon}
                    for point in line.points
                ],
            }
            for line in result.spider
        ],
        "evpi": result.evpi,
        "evppi": dict(result.evppi),
        "evppi_method": f"binning: draws sorted by the field, {EVPPI_BINS} equal-count bins",
        "sample_information": None
        if info is None
        else {
            "cost_per_item": info.cost_per_item,
            "sizes": list(info.sizes),
            "evsi": list(info.evsi),
            "net_value": list(info.net),
            "best_size": info.best_size,
        },
        "assumptions": {
            path: scenario.ranges[path].note for path in result.fields if scenario.ranges[path].note
        },
    }
    return data, result


def wrap_indented(text: str, indent: int = 2) -> list[str]:
    """`text` wrapped to the readable table's width at `indent`; an empty text keeps its line."""
    pad = " " * indent
    return textwrap.wrap(
        text,
        TABLE_WIDTH,
        initial_indent=pad,
        subsequent_indent=pad,
        break_on_hyphens=False,  # "off-the-shelf", "out-of-distribution" stay whole
    ) or [pad]


def _value(value: float) -> str:
    """An input's value as typed: whole numbers with separators, small ones to four digits."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _months(value: float | None) -> str:
    return format_months(value)


def render_uncertainty(scenario: Scenario, result: UncertaintyResult | None, draws: int, seed: int) -> str:
    """The readable table's uncertainty section: the same figures as the JSON, in words."""
    lines = ["", f"Uncertainty ({draws:,} draws, seed {seed})"]
    if result is None:
        return "\n".join(lines + wrap_indented(NO_RANGES))
    horizon = result.horizon_months
    lines += wrap_indented(
        payback_headline(result) + f" Ranges on {len(result.fields)} inputs; all others taken as exact."
    )
    be, sv, net = result.break_even_percentiles, result.savings_percentiles, result.net_monthly_percentiles
    lines.append(
        f"  break-even              P10 {_months(be[0])} · P50 {_months(be[1])} · P90 {_months(be[2])}"
    )
    lines.append(
        f"  savings at month {horizon:<6} P10 {format_money(sv[0])} · P50 {format_money(sv[1])} · "
        f"P90 {format_money(sv[2])}"
    )
    if result.discount_rate_per_year > 0:
        npv = result.npv_percentiles
        lines.append(
            f"  NPV at {format_share(result.discount_rate_per_year)}/year   P10 {format_money(npv[0])} · "
            f"P50 {format_money(npv[1])} · P90 {format_money(npv[2])}"
        )
    lines.append(
        f"  net savings a month     P10 {format_money(net[0])} · P50 {format_money(net[1])} · "
        f"P90 {format_money(net[2])}"
    )
    lines.append(
        f"  net savings a year      P10 {format_money(net[0] * 12)} · P50 {format_money(net[1] * 12)} · "
        f"P90 {format_money(net[2] * 12)}"
    )
    verdicts = " · ".join(
        f"{verdict.replace('_', ' ')} {format_share(share)}"
        for verdict, share in sorted(result.verdict_probabilities.items(), key=lambda item: -item[1])
    )
    lines += wrap_indented(f"Verdicts: {verdicts} (the rules run on {result.verdict_draws:,} of the draws).")
    if result.p_accuracy_clears_bar is not None:
        lines += wrap_indented(
            f"The specialist's accuracy clears the {format_share(scenario.quality.quality_bar)} bar in "
            f"{format_share(result.p_accuracy_clears_bar)} of the draws."
        )
    lines += ["", f"  Tornado: savings at month {horizon}, each input alone from its low to its high"]
    for bar in result.tornado:
        lines.append(
            f"    {label_for_key(bar.field):<36}{_value(bar.low):>12} .. {_value(bar.high):<12}"
            f"{format_money(bar.savings_at_low):>12} .. {format_money(bar.savings_at_high)}"
        )
    if result.spider:
        count = len(result.spider[0].points)
        lines += [
            "",
            f"  Spider: savings at month {horizon}, each input alone at {count} even steps, low to high",
        ]
        for line in result.spider:
            steps = " ".join(
                f"{format_money(point.savings_at_horizon, 'compact'):>7}" for point in line.points
            )
            lines.append(f"    {label_for_key(line.field):<36}{steps}")
    lines.append("")
    lines += wrap_indented(
        f"Value of information: deciding with perfect knowledge of every ranged input would be worth up to "
        f"{format_money(result.evpi)} more (EVPI) than deciding now.",
    )
    worth = [
        (path, value) for path, value in sorted(result.evppi.items(), key=lambda item: -item[1]) if value > 0
    ]
    for path, value in worth[:5]:
        lines += wrap_indented(
            f"Knowing {label_for_key(path)} exactly is worth up to {format_money(value)} to this decision.",
            4,
        )
    info = result.sample_information
    if info is not None:
        lines += wrap_indented(sample_information_sentence(info), 2)
    lines += wrap_indented(
        "What this does not prove: the ranges are inputs, mostly judgement; the chances are only as good "
        "as they are, and inputs without a range are taken as exact and independent of each other."
    )
    return "\n".join(lines)
