"""`specialist-studio memo`: write the PDF decision memo for a scenario file or a preset.

`--json FILE` also (or only) writes the memo's content as JSON; `--from-json FILE` renders the PDF
from such a file without recomputing anything, so a memo can be re-exported (another paper size,
a lost PDF) exactly as it was, without re-running a spot-check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli import EXIT_OK, CliError
from app.cli.calc_uncertainty import add_arguments as add_uncertainty_arguments
from app.cli.calc_uncertainty import options as uncertainty_options
from app.domain.evaluation import ItemResult
from app.domain.scenario import Scenario
from app.storage.settings import MEMO_PAGE_SIZES

PAGE_SIZE_CHOICES = MEMO_PAGE_SIZES


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register `memo SCENARIO [--spotcheck RESULTS] -o memo.pdf`."""
    parser = subparsers.add_parser(
        "memo",
        help="write the PDF decision memo for a scenario",
        description="Write the decision memo (verdict, numbers, charts, inputs, rules, caveats) as a PDF.",
    )
    parser.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario JSON file")
    parser.add_argument(
        "--from-json",
        metavar="CONTENT",
        help="render the PDF from a memo content file written by --json (nothing is recomputed)",
    )
    parser.add_argument("--preset", metavar="NAME", help="use a bundled preset instead of a file")
    parser.add_argument(
        "--spotcheck", metavar="RESULTS", help="spot-check results file (JSONL) to add its section"
    )
    parser.add_argument("-o", "--output", metavar="PDF", help="where to write the memo (PDF)")
    parser.add_argument(
        "--json",
        metavar="CONTENT",
        help="also write the memo's content as JSON ('-' for standard output); enough alone without -o",
    )
    parser.add_argument(
        "--page-size",
        default=None,
        type=_page_size,
        metavar="A4|Letter",
        help="paper size (default A4, or the one a --from-json file was rendered on)",
    )
    parser.add_argument("--author", default="", metavar="NAME", help="author shown on the memo")
    # The chance of payback and the tornado on page one, from a Monte Carlo over the scenario's ranges.
    add_uncertainty_arguments(parser)
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


def _check_output(output: Path) -> None:
    from app.storage.regular_files import FileRefusedError, check_output_target

    try:
        # Before any work: a folder, a missing folder, a device (/dev/full) or a pipe is refused.
        check_output_target(output, "the decision memo")
    except FileRefusedError as exc:
        raise CliError(str(exc)) from exc
    _refuse_to_replace_a_non_pdf(output)


def _check_json_target(target: str, sources: list[str]) -> None:
    """The content file may replace an earlier content file, never the scenario or the results."""
    if target == "-":
        return
    path = Path(target)
    if path.is_dir():
        raise CliError(f"{path}: is a folder; give the JSON file's name")
    if not path.parent.is_dir():
        raise CliError(f"{path}: folder {path.parent} does not exist")
    for source in sources:
        if source and path.exists() and Path(source).exists() and path.samefile(source):
            raise CliError(f"{path}: is one of the inputs; give the memo content its own file")
    if path.is_file():
        from app.report.memo_json import MemoJsonError, read_memo_json

        try:
            read_memo_json(path)
        except MemoJsonError:
            raise CliError(f"{path}: exists and is not a memo content file; not replacing it") from None


def _write_json(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        return
    from app.storage.atomic import atomic_write_text

    try:
        atomic_write_text(Path(target), text, what="the memo content")
    except OSError as exc:
        raise CliError(str(exc)) from exc


def _render_from_json(args: argparse.Namespace) -> int:
    if args.scenario or args.preset or args.spotcheck or args.author or args.json or args.uncertainty:
        raise CliError("--from-json renders a content file as it is: give only -o (and --page-size)")
    if not args.output:
        raise CliError("--from-json needs -o PDF: where to write the memo")
    from app.report.memo_json import MemoJsonError, read_memo_json

    try:
        content, page_size = read_memo_json(Path(args.from_json))
    except MemoJsonError as exc:
        raise CliError(str(exc)) from exc
    output = Path(args.output)
    _check_output(output)
    from app.report.export import MemoExportError, render_memo

    try:
        written = render_memo(content, output, args.page_size or page_size)
    except MemoExportError as exc:
        raise CliError(str(exc)) from exc
    print(f"Wrote the decision memo {content.scenario_name!r} from {Path(args.from_json).name} to {written}")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Load the scenario (and spot-check results), write the memo (and its content), say where."""
    if args.from_json:
        return _render_from_json(args)
    if not args.output and not args.json:
        raise CliError("give -o PDF, --json CONTENT, or both")
    scenario = _load_scenario(args)
    output = Path(args.output) if args.output else None
    if output is not None:
        _check_output(output)
    if args.json:
        _check_json_target(args.json, [args.scenario or "", args.spotcheck or "", args.output or ""])

    spotcheck = None
    items: tuple[ItemResult, ...] = ()
    if args.spotcheck:
        from app.storage.spotcheck_results import SpotcheckError, load_spotcheck_results, read_results

        try:
            spotcheck = load_spotcheck_results(Path(args.spotcheck))
            # The items too: the evidence page shows where the specialist is wrong and the frontier right.
            items = tuple(read_results(Path(args.spotcheck)).items.values())
        except SpotcheckError as exc:
            raise CliError(str(exc)) from exc

    uncertainty = None
    monte_carlo = uncertainty_options(args)
    if monte_carlo is not None:
        from app.domain.uncertainty import analyse

        uncertainty = analyse(scenario, *monte_carlo)
        if uncertainty is None:
            print(f"{scenario.name!r} has no ranges: no uncertainty to show on the memo", file=sys.stderr)

    from app.report.content import build_memo_content

    page_size = args.page_size or "A4"
    content = build_memo_content(
        scenario, spotcheck=spotcheck, author=args.author, uncertainty=uncertainty, spotcheck_items=items
    )
    if args.json:
        from app.report.memo_json import memo_to_json

        _write_json(args.json, memo_to_json(content, page_size))
    if output is None:
        if args.json != "-":
            print(f"Wrote the memo content for {scenario.name!r} to {args.json}")
        return EXIT_OK
    # Qt is imported here, not at start-up, so the other commands (and --json alone) never pay for it.
    from app.report.export import MemoExportError, render_memo

    try:
        written = render_memo(content, output, page_size)
    except MemoExportError as exc:
        raise CliError(str(exc)) from exc
    if args.json != "-":
        print(f"Wrote the decision memo for {scenario.name!r} to {written}")
    return EXIT_OK
