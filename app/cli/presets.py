"""`specialist-studio presets`: list the bundled presets, or print one as a scenario file.

`--show NAME` prints exactly what `calc` and the window read, so
`specialist-studio presets --show support-ticket-triage > my.json` starts a scenario of one's own.
"""

from __future__ import annotations

import argparse
import textwrap

from app.cli import EXIT_OK, CliError
from app.cli.calc import emit
from app.storage.presets import PresetNotFoundError, list_presets, load_preset
from app.storage.scenario_files import ScenarioFileError, scenario_to_text


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register `presets [--show NAME]`."""
    parser = subparsers.add_parser(
        "presets",
        help="list the bundled scenario presets, or print one as a scenario file",
        description="List the bundled presets (name, title, summary). With --show NAME, print that "
        "preset as a scenario file, valid input for `calc`.",
    )
    parser.add_argument("--show", metavar="NAME", help="print this preset as a scenario JSON file")
    parser.add_argument(
        "--sources", action="store_true", help="also say where each preset's numbers come from"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """List the presets or print one."""
    try:
        if args.show:
            emit(scenario_to_text(load_preset(args.show)).rstrip("\n"))
            return EXIT_OK
        presets = list_presets()
    except (PresetNotFoundError, ScenarioFileError) as exc:
        raise CliError(str(exc)) from None
    if not presets:
        raise CliError("no presets are installed (the resources folder has no presets/)")
    name_width = max(len(info.name) for info in presets) + 2
    lines = [f"{'NAME':<{name_width}}TITLE", ""]
    for info in presets:
        lines.append(f"{info.name:<{name_width}}{info.title}")
        lines += textwrap.wrap(
            info.summary,
            width=96,
            initial_indent=" " * name_width,
            subsequent_indent=" " * name_width,
            break_on_hyphens=False,  # "off-the-shelf" stays on one line
        )
        if args.sources:
            lines += textwrap.wrap(
                f"Source: {info.source}",
                width=96,
                initial_indent=" " * name_width,
                subsequent_indent=" " * (name_width + 2),
                break_on_hyphens=False,
            )
        lines.append("")
    lines.append("Show one as a scenario file: specialist-studio presets --show NAME")
    lines.append("Compute one: specialist-studio calc --preset NAME")
    emit("\n".join(lines))
    return EXIT_OK
