"""`specialist-studio memo`: write the PDF decision memo for a scenario file or a preset."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import EXIT_OK, CliError
from app.domain.scenario import Scenario

PAGE_SIZE_CHOICES = ("A4", "Letter")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register `memo SCENARIO [--spotcheck RESULTS] -o memo.pdf`."""
    parser = subparsers.add_parser(
        "memo",
        help="write the PDF decision memo for a scenario",
        description="Write the decision memo (verdict, numbers, charts, inputs, rules, caveats) as a PDF.",
    )
    parser.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario JSON file")
    parser.add_argument("--preset", metavar="NAME", help="use a bundled preset instead of a file")
    parser.add_argument(
        "--spotcheck", metavar="RESULTS", help="spot-check results file (JSONL) to add its section"
    )
    parser.add_argument("-o", "--output", required=True, metavar="PDF", help="where to write the memo")
    parser.add_argument(
        "--page-size",
        default="A4",
        type=_page_size,
        metavar="A4|Letter",
        help="paper size (default A4)",
    )
    parser.add_argument("--author", default="", metavar="NAME", help="author shown on the memo")
    return parser


def _page_size(text: str) -> str:
    for name in PAGE_SIZE_CHOICES:
        if text.lower() == name.lower():
            return name
    raise argparse.ArgumentTypeError(f"must be A4 or Letter, not {text!r}")


def _load_scenario(args: argparse.Namespace) -> Scenario:
    if bool(args.scenario) == bool(args.preset):
        raise CliError("give a SCENARIO file or --preset NAME (one of them)")
    from app.storage.scenario_files import ScenarioFileError, load_scenario

    if args.preset:
        from app.storage.presets import load_preset

        try:
            return load_preset(args.preset)
        except (ScenarioFileError, LookupError, ValueError, OSError) as exc:
            raise CliError(str(exc) or f"no preset named {args.preset!r}") from exc

    try:
        return load_scenario(Path(args.scenario))
    except ScenarioFileError as exc:
        raise CliError(str(exc)) from exc


def _refuse_to_replace_a_non_pdf(output: Path) -> None:
    """An existing memo may be replaced; any other file (the scenario, the results) may not."""
    if not output.is_file():
        return
    try:
        with output.open("rb") as existing:
            head = existing.read(5)
    except OSError as exc:
        raise CliError(f"{output}: cannot check the existing file ({exc.strerror or exc})") from exc
    if head and head != b"%PDF-":
        raise CliError(f"{output}: exists and is not a PDF; not replacing it (give the memo its own file)")


def run(args: argparse.Namespace) -> int:
    """Load the scenario (and spot-check results), write the memo, print where it went."""
    scenario = _load_scenario(args)
    output = Path(args.output)
    if output.is_dir():
        raise CliError(f"{output}: is a folder; give the PDF's file name")
    if not output.parent.is_dir():
        raise CliError(f"{output}: folder {output.parent} does not exist")
    _refuse_to_replace_a_non_pdf(output)

    spotcheck = None
    if args.spotcheck:
        from app.inference.spotcheck import SpotcheckError, load_spotcheck_results

        try:
            spotcheck = load_spotcheck_results(Path(args.spotcheck))
        except SpotcheckError as exc:
            raise CliError(str(exc)) from exc

    # Qt is imported here, not at start-up, so the other commands never pay for it.
    from app.report.export import MemoExportError, export_memo

    try:
        written = export_memo(
            scenario, output, spotcheck=spotcheck, page_size=args.page_size, author=args.author
        )
    except MemoExportError as exc:
        raise CliError(str(exc)) from exc
    print(f"Wrote the decision memo for {scenario.name!r} to {written}")
    return EXIT_OK
