"""`specialist-studio calc FILE [--json]`: the cost model and the verdict, headless.

With `--json` it prints the contract of docs/file-contract.md (`app.domain.report_data.calc_result`) with the
numbers unrounded; without it, an aligned table for people, whose inputs are labelled and worded by
the field catalogue (`app.domain.fields`). `--preset NAME` replaces FILE.
A missing, malformed or invalid file is one line on stderr and exit code 2 (`CliError`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from app.cli import EXIT_OK, CliError
from app.cli.calc_uncertainty import (
    TABLE_WIDTH,
    add_arguments,
    options,
    render_uncertainty,
    uncertainty_data,
    wrap_indented,
)
from app.domain.costs import CostSummary, summarize
from app.domain.fields import field_for, fields_in, groups_in_use
from app.domain.formatting import format_money, format_months, format_per_request
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

LABEL_WIDTH = 28
STATUS_MARKS = {"pass": "[pass]", "fail": "[fail]", "unknown": "[unknown]"}
# The one-time lines the engine computes from other inputs (not inputs, so not in the catalogue).
COMPUTED_ONE_TIME = {
    "teacher_labeling": "Teacher labelling (computed)",
    "human_review": "Human review (computed)",
}
# The per-request table's input rows: one catalogue field each, for both models.
MODEL_FIELDS = ("input_tokens", "output_tokens", "input_price_per_mtok", "output_price_per_mtok")
ROUTING_WORDS = {
    "cascade": "cascade: the specialist answers first",
    "router": "router: sent straight to the large model",
}
# Groups the Inputs block leaves to the blocks that add them up (per request, monthly, pay-back).
SHOWN_ELSEWHERE = ("Large model", "Specialist", "One-time costs", "Operations")


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


def _input_lines(scenario: Scenario) -> list[str]:
    """The scenario's own numbers, one row each, labelled and worded by the field catalogue; an
    extra that is off is left out, and the costs are in the blocks that add them up."""
    lines = ["", "Inputs"]
    for group in groups_in_use(scenario):
        if group in SHOWN_ELSEWHERE:
            continue
        for entry in fields_in(group):
            value = entry.value_in(scenario)
            text = entry.describe(value)
            if entry.key == "routing.escalation_rate":
                text += f" ({ROUTING_WORDS[scenario.routing.mode]})"
            elif entry.key == "quality.task_change_months" and value is None:
                text = "not given"
            lines.append(_row(entry.label, text))
    eval_exists = {True: "yes", False: "no", None: "unknown"}[scenario.quality.eval_exists]
    lines.append(_row("Eval exists", eval_exists))
    return lines


def _model_lines(scenario: Scenario, summary: CostSummary) -> list[str]:
    """Per request, the large model beside the specialist: names, the catalogue's token and price
    fields, and what a request costs on each path."""
    lines = ["", f"{'Per request':<{LABEL_WIDTH + 2}}{'Large model':<22}Specialist"]
    lines.append(_row("Model", scenario.large.name or "-", scenario.small.name or "-"))
    for name in MODEL_FIELDS:
        large, small = field_for(f"large.{name}"), field_for(f"small.{name}")
        small_text = small.format_value(small.value_in(scenario))
        if small.unit == "price" and scenario.self_hosting.enabled:
            small_text = "GPU-hours instead"  # billed by the GPU-hour, not per token
        lines.append(_row(large.heading, large.format_value(large.value_in(scenario)), small_text))
    lines.append(
        _row(
            "Cost per request",
            format_per_request(summary.large_cost_per_request),
            format_per_request(summary.small_cost_per_request),
        )
    )
    lines.append(_row("Path with escalation", "", format_per_request(summary.specialist_cost_per_request)))
    return lines


def _payback_lines(scenario: Scenario, summary: CostSummary) -> list[str]:
    """The one-time cost line by line (inputs by their catalogue labels), the break-even and the
    savings at the horizon."""
    lines = ["", "Pay-back", _row("One-time cost", format_money(summary.one_time_cost))]
    for key, value in summary.one_time_breakdown.items():
        if value:
            label = COMPUTED_ONE_TIME.get(key) or field_for(f"one_time.{key}").label
            lines.append(_row(f"  {label}", format_money(value)))
    months = summary.break_even_months
    if months is None:
        horizon_note = "the specialist never stays ahead"
    elif summary.break_even_within_horizon:
        horizon_note = f"within the {scenario.horizon_months}-month horizon"
    else:
        horizon_note = f"beyond the {scenario.horizon_months}-month horizon"
    method = "closed form" if summary.break_even_method == "closed_form" else "crossing of the cost curves"
    lines.append(_row("Break-even", f"{format_months(months)}  ({horizon_note}; {method})"))
    lines.append(
        _row(
            f"Savings at month {scenario.horizon_months}",
            f"{format_money(summary.cumulative_savings_at_horizon)}  (large only minus the specialist "
            "path, everything included)",
        )
    )
    return lines


def render_table(scenario: Scenario, summary: CostSummary, recommendation: Recommendation) -> str:
    """The human-readable `calc` output: inputs, costs, break-even, verdict and the six rules."""
    lines: list[str] = [scenario.name, "=" * min(len(scenario.name), TABLE_WIDTH)]
    lines += _input_lines(scenario)
    lines += _model_lines(scenario, summary)
    lines += ["", "Monthly"]
    lines.append(_row("Large model only", format_money(summary.large_monthly)))
    lines.append(_row("Specialist path", format_money(summary.specialist_monthly)))
    lines.append(_row("Gross savings", format_money(summary.monthly_savings)))
    lines.append(_row(field_for("monthly_ops").label, format_money(scenario.monthly_ops)))
    lines.append(_row("Net savings", format_money(summary.net_monthly_savings)))
    lines += _payback_lines(scenario, summary)

    deciding = f" (rule {recommendation.deciding_rule})" if recommendation.deciding_rule is not None else ""
    lines += ["", f"Verdict: {recommendation.label.upper()}{deciding}"]
    lines += wrap_indented(recommendation.headline, 2)
    lines += ["", "Decision rules"]
    for rule in recommendation.rules:
        lines.append(f"  {rule.id}  {STATUS_MARKS[rule.status]:<10} {rule.title}")
        lines += wrap_indented(rule.reason, 16)
    return "\n".join(lines)
