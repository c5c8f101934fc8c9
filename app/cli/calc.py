"""`specialist-studio calc FILE [--json]`: the cost model and the verdict, headless.

With `--json` it prints the contract of docs/file-contract.md (`app.domain.report_data.calc_result`) with the
numbers unrounded; without it, an aligned table for people. `--preset NAME` replaces FILE.
A missing, malformed or invalid file is one line on stderr and exit code 2 (`CliError`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from app.cli import EXIT_OK, CliError
from app.cli.calc_uncertainty import add_arguments, options, render_uncertainty, uncertainty_data
from app.domain.costs import CostSummary, summarize
from app.domain.formatting import format_money, format_months, format_per_request, format_share, format_volume
from app.domain.report_data import calc_result
from app.domain.rules import Recommendation, evaluate
from app.domain.scenario import Scenario
from app.storage.presets import PresetNotFoundError, load_preset
from app.storage.scenario_files import (
    ScenarioFileError,
    ScenarioRead,
    read_scenario,
    read_scenario_text_checked,
)

TABLE_WIDTH = 96
LABEL_WIDTH = 28
STATUS_MARKS = {"pass": "[pass]", "fail": "[fail]", "unknown": "[unknown]"}
ONE_TIME_LABELS = {
    "data_curation": "data curation",
    "training_runs": "training runs",
    "eval_build": "eval build",
    "teacher_labeling": "teacher labelling",
    "human_review": "human review",
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register `calc [FILE] [--preset NAME] [--json]`."""
    parser = subparsers.add_parser(
        "calc",
        help="compute costs, break-even and the verdict for a scenario file",
        description="Compute per-request and monthly costs, the break-even and the decision rules "
        "for a scenario file (or a bundled preset).",
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="scenario JSON file ('-' reads standard input)"
    )
    parser.add_argument("--preset", metavar="NAME", help="use a bundled preset instead of a file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (numbers unrounded)")
    add_arguments(parser)
    return parser


def load_cli_scenario(file: str | None, preset: str | None) -> Scenario:
    """The scenario named on the command line: a FILE or a --preset NAME (exactly one). Raises `CliError`."""
    return read_cli_scenario(file, preset).scenario


def read_cli_scenario(file: str | None, preset: str | None) -> ScenarioRead:
    """`load_cli_scenario` plus the file's warning lines (a decisive cost left out of it)."""
    if bool(file) == bool(preset):
        raise CliError("give a scenario FILE or --preset NAME (one of them)")
    try:
        if preset:
            return ScenarioRead(load_preset(preset))
        if file == "-":
            # `presets --show NAME | calc -` and other pipelines.
            return read_scenario_text_checked(sys.stdin.read(), "<stdin>")
        return read_scenario(Path(str(file)))
    except (ScenarioFileError, PresetNotFoundError) as exc:
        raise CliError(str(exc)) from None


def warn(lines: tuple[str, ...]) -> None:
    """Each warning as one line on stderr, so `--json` on stdout stays valid JSON."""
    for line in lines:
        sys.stderr.write(f"warning: {line}\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Print the result for the scenario as JSON or as a table."""
    _tolerate_narrow_stdout()
    monte_carlo = options(args)
    read = read_cli_scenario(args.file, args.preset)
    warn(read.warnings)
    scenario = read.scenario
    summary = summarize(scenario)
    recommendation = evaluate(scenario, summary)
    section, found = uncertainty_data(scenario, *monte_carlo) if monte_carlo else ({}, None)
    if args.json:
        result = calc_result(scenario, summary, recommendation, warnings=read.warnings)
        if monte_carlo:
            result["uncertainty"] = section
        finite, overflowed = finite_or_null(result)
        warn(
            tuple(
                f"{path} is too large to be a number (the inputs make it overflow); written as null"
                for path in overflowed
            )
        )
        emit(json.dumps(finite, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        table = render_table(scenario, summary, recommendation)
        if monte_carlo:
            table += "\n" + render_uncertainty(scenario, found, *monte_carlo)
        emit(table)
    return EXIT_OK


def finite_or_null(value: Any, path: str = "") -> tuple[Any, list[str]]:
    """`value` with every infinite or NaN number replaced by null, and the paths replaced.

    JSON has no infinity: without this an extreme input (a GPU serving 5e-324 requests a second)
    made `--json` crash instead of printing. The inputs are bounded so this is a last resort.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None, [path or "(result)"]
    if isinstance(value, dict):
        found: list[str] = []
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            cleaned[key], below = finite_or_null(item, f"{path}.{key}" if path else str(key))
            found += below
        return cleaned, found
    if isinstance(value, list | tuple):
        items, found = [], []
        for index, item in enumerate(value):
            clean, below = finite_or_null(item, f"{path}[{index}]")
            items.append(clean)
            found += below
        return items, found
    return value, []


def emit(text: str) -> None:
    """Print `text`; a reader that stops early (`| head`) is not an error."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _tolerate_narrow_stdout() -> None:
    # A scenario name in any script must not crash output redirected to a legacy code page.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")


def _row(label: str, *values: str) -> str:
    cells = "".join(f"{value:<22}" for value in values[:-1]) + (values[-1] if values else "")
    return f"  {label:<{LABEL_WIDTH}}{cells}".rstrip()


def _wrap(text: str, indent: int) -> list[str]:
    return textwrap.wrap(
        text,
        width=TABLE_WIDTH,
        initial_indent=" " * indent,
        subsequent_indent=" " * indent,
        break_on_hyphens=False,  # "off-the-shelf", "out-of-distribution" stay whole
    ) or [" " * indent]


def _tokens(input_tokens: int, output_tokens: int) -> str:
    return f"{input_tokens:,} / {output_tokens:,}"


def _prices(input_price: float, output_price: float) -> str:
    return f"${input_price:,.2f} / ${output_price:,.2f}"


def render_table(scenario: Scenario, summary: CostSummary, recommendation: Recommendation) -> str:
    """The human-readable `calc` output: inputs, costs, break-even, verdict and the six rules."""
    large, small, routing = scenario.large, scenario.small, scenario.routing
    lines: list[str] = [scenario.name, "=" * min(len(scenario.name), TABLE_WIDTH)]
    extras = []
    if scenario.distillation.enabled:
        extras.append(f"distillation ({scenario.distillation.examples:,} examples)")
    if scenario.self_hosting.enabled:
        hosting = scenario.self_hosting
        extras.append(f"self-hosted (${hosting.gpu_price_per_hour:,.2f}/GPU-hour)")
    if scenario.price_decline_per_year > 0:
        extras.append(f"frontier prices fall {format_share(scenario.price_decline_per_year)}/year")
    if scenario.retraining.every_months > 0:
        extras.append(
            f"retraining every {scenario.retraining.every_months} months "
            f"({format_money(scenario.retraining.cost)})"
        )
    share = format_share(routing.escalation_rate)
    routing_text = (
        f"cascade: the specialist answers first, {share} escalated to the large model"
        if routing.mode == "cascade"
        else f"router: {share} of requests sent straight to the large model"
    )
    lines += _wrap(
        f"{format_volume(scenario.volume_per_month)} requests/month, horizon {scenario.horizon_months} "
        f"months; {routing_text}.",
        0,
    )
    if extras:
        lines += _wrap("Extras: " + "; ".join(extras) + ".", 0)

    lines += ["", f"{'Per request':<{LABEL_WIDTH + 2}}{'Large model':<22}Specialist"]
    lines.append(_row("model", large.name or "-", small.name or "-"))
    lines.append(
        _row(
            "tokens in / out",
            _tokens(large.input_tokens, large.output_tokens),
            _tokens(small.input_tokens, small.output_tokens),
        )
    )
    small_prices = (
        "GPU-hours instead"
        if scenario.self_hosting.enabled
        else _prices(small.input_price_per_mtok, small.output_price_per_mtok)
    )
    lines.append(
        _row(
            "price in / out per Mtok",
            _prices(large.input_price_per_mtok, large.output_price_per_mtok),
            small_prices,
        )
    )
    lines.append(
        _row(
            "cost per request",
            format_per_request(summary.large_cost_per_request),
            format_per_request(summary.small_cost_per_request),
        )
    )
    lines.append(_row("path with escalation", "", format_per_request(summary.specialist_cost_per_request)))

    lines += ["", "Monthly"]
    lines.append(_row("large model only", format_money(summary.large_monthly)))
    lines.append(_row("specialist path", format_money(summary.specialist_monthly)))
    lines.append(_row("gross savings", format_money(summary.monthly_savings)))
    lines.append(_row("operations", format_money(scenario.monthly_ops)))
    lines.append(_row("net savings", format_money(summary.net_monthly_savings)))

    lines += ["", "Pay-back", _row("one-time cost", format_money(summary.one_time_cost))]
    for key, value in summary.one_time_breakdown.items():
        if value:
            lines.append(_row(f"  {ONE_TIME_LABELS.get(key, key.replace('_', ' '))}", format_money(value)))
    months = summary.break_even_months
    if months is None:
        horizon_note = "the specialist never stays ahead"
    elif summary.break_even_within_horizon:
        horizon_note = f"within the {scenario.horizon_months}-month horizon"
    else:
        horizon_note = f"beyond the {scenario.horizon_months}-month horizon"
    method = "closed form" if summary.break_even_method == "closed_form" else "crossing of the cost curves"
    lines.append(_row("break-even", f"{format_months(months)}  ({horizon_note}; {method})"))
    lines.append(
        _row(
            f"savings at month {scenario.horizon_months}",
            f"{format_money(summary.cumulative_savings_at_horizon)}  (large only minus the specialist "
            "path, everything included)",
        )
    )

    deciding = f" (rule {recommendation.deciding_rule})" if recommendation.deciding_rule is not None else ""
    lines += ["", f"Verdict: {recommendation.label.upper()}{deciding}"]
    lines += _wrap(recommendation.headline, 2)
    lines += ["", "Decision rules"]
    for rule in recommendation.rules:
        lines.append(f"  {rule.id}  {STATUS_MARKS[rule.status]:<10} {rule.title}")
        lines += _wrap(rule.reason, 16)
    return "\n".join(lines)
