"""`specialist-studio spotcheck SET`: both models over a test set, scored against ground truth.

The specialist side is the bundled Gemma (or `--gguf FILE`) in its own process, or a specialist
served at an OpenAI-compatible endpoint (`--specialist-url` + `--specialist-model`: a fine-tuned
model at a provider, vLLM, TGI, llama.cpp's server). The frontier side is any OpenAI-compatible
endpoint (`--frontier-url` + `--frontier-model`), or, when none is given, the set's recorded
`reference_output` answers. Served sides run `--concurrency` requests at once and back off on rate
limits and server errors (each lowering is one line on stderr). With `-o FILE` results are written
as they finish and a second call with the same file resumes where the first stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.cli import EXIT_FAILURE, EXIT_OK, CliError
from app.cli.served import (
    SPECIALIST_KEY_HINT,
    add_endpoint_options,
    add_specialist_options,
    check_specialist_options,
    specialist_endpoint,
)
from app.domain.formatting import format_money

# Non-inferiority margin of the paired comparison: "as good as" means at most 2 points worse.
DEFAULT_MARGIN = 0.02
# The quality bar "items needed" aims at when no scenario gives one (the scenario's own default).
DEFAULT_BAR = 0.9
AGREEMENT_NOTE = (
    "Agreement with the frontier model is not correctness: a specialist that copies its teacher's "
    "mistakes agrees and is still wrong. Accuracy above is against the set's expected answers."
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register `spotcheck` and its options."""
    parser = subparsers.add_parser(
        "spotcheck",
        help="run the local specialist and a frontier model over a test set and score both",
        description="Run both models over a test set (.jsonl or .csv), score each answer against the "
        "set's expected value, and report accuracy with 95% Wilson intervals, agreement, the ood "
        "slice, latency and cost. With no frontier endpoint the set's recorded answers are used.",
    )
    parser.add_argument("set", metavar="SET", type=Path, help="test set file (.jsonl or .csv)")
    parser.add_argument(
        "--gguf", type=Path, metavar="FILE", help="local model (default: the bundled Gemma 3 270M)"
    )
    parser.add_argument(
        "--no-local", action="store_true", help="skip the specialist (review recorded answers)"
    )
    add_specialist_options(parser)
    # Named as in `ask`; the older spelling of the key's variable stays accepted.
    add_endpoint_options(parser, "frontier", key_aliases=("--api-key-env",))
    parser.add_argument(
        "--prompt", type=Path, metavar="FILE", help="prompt template (default: SET.prompt.json)"
    )
    parser.add_argument(
        "--scorer",
        choices=["exact", "one_of", "regex", "json_fields", "number"],
        help="override the template's scorer",
    )
    parser.add_argument("--labels", metavar="A,B,C", help="labels for the one_of scorer")
    parser.add_argument(
        "--pattern", metavar="REGEX", help="pattern for the regex scorer (default: each expected)"
    )
    parser.add_argument(
        "--tolerance", type=float, default=0.0, help="tolerance for the number and JSON scorers"
    )
    parser.add_argument("--fields", metavar="A,B", help="fields compared by the json_fields scorer")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        help="parallel requests to each endpoint, the frontier and a served specialist; lowered by "
        "itself when rate limits or server errors pile up (default 4)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="a random sample of N items, stratified by ood tag and expected label (never the first N)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the --limit sample (default 0)")
    parser.add_argument(
        "--scenario", type=Path, metavar="FILE", help="scenario for prices and the quality bar"
    )
    parser.add_argument(
        "--margin",
        type=float,
        default=DEFAULT_MARGIN,
        help="non-inferiority margin of the paired comparison: the specialist 'matches' when it is "
        "provably at most this much worse than the frontier (default 0.02, i.e. 2 points)",
    )
    parser.add_argument(
        "--bar",
        type=float,
        metavar="SHARE",
        help="quality bar for 'items needed' (default: the scenario's, else 0.9)",
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="results JSONL (resumed if it exists)"
    )
    parser.add_argument("--fresh", action="store_true", help="start over even if the results file exists")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def _check_args(args: argparse.Namespace) -> None:
    if (args.frontier_url is None) != (args.frontier_model is None):
        raise CliError("--frontier-url and --frontier-model go together")
    if args.limit is not None and args.limit < 1:
        raise CliError(f"--limit must be at least 1, got {args.limit}")
    if not 1 <= args.concurrency <= 64:
        raise CliError(f"--concurrency must be between 1 and 64, got {args.concurrency}")
    if not 0 <= args.margin < 1:
        raise CliError(f"--margin must be between 0 and 1 (e.g. 0.02 for 2 points), got {args.margin}")
    if args.bar is not None and not 0 < args.bar < 1:
        raise CliError(f"--bar must be between 0 and 1 (e.g. 0.9 for 90 %), got {args.bar}")
    if args.tolerance < 0:
        raise CliError(f"--tolerance must not be negative, got {args.tolerance}")
    if args.no_local and args.gguf is not None:
        raise CliError("--no-local and --gguf contradict each other")
    check_specialist_options(args)
    if args.output is not None:
        from app.storage.regular_files import FileRefusedError, check_output_target

        try:
            # Before any work: /dev/full, a pipe, a folder or a missing folder is refused here.
            check_output_target(args.output, "the spot-check results")
        except FileRefusedError as exc:
            raise CliError(f"-o {exc}") from exc
        # Results go to their own file: -o naming an input would overwrite what the user made.
        for option, given in (("SET", args.set), ("--prompt", args.prompt), ("--scenario", args.scenario)):
            if given is not None and _same_file(args.output, given):
                raise CliError(f"-o {args.output}: is the {option} file; give the results their own file")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.exists() and second.exists() and first.samefile(second)
    except OSError:
        return False


@contextlib.contextmanager
def _specialist_generator(args: argparse.Namespace) -> Iterator[Any]:
    """The specialist: served at an endpoint, else the local model (None with --no-local)."""
    if args.specialist_url is None:
        with local_generator(args) as local:
            yield local
        return
    from app.inference.session import InferenceSession

    # The one owner of the models and of the clients, as in the window. Whole answers: the server
    # queues them, where it would cut a stream short when the next request arrives.
    client = InferenceSession().client(specialist_endpoint(args), key_hint=SPECIALIST_KEY_HINT, stream=False)
    try:
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def local_generator(args: argparse.Namespace) -> Iterator[Any]:
    """The local specialist (`--gguf` or the bundled Gemma) in its own process, stopped however the
    run ends; None with `--no-local`. `distill label --with-local` uses it too."""
    if args.no_local:
        yield None
        return
    from app.inference.session import InferenceSession

    # The one owner of the model process, as in the window.
    session = InferenceSession()
    generator = _local_specialist(args, session)
    try:
        yield generator
    finally:
        generator.close()
        session.stop()


def _local_specialist(args: argparse.Namespace, session: Any) -> Any:
    """The bundled Gemma or `--gguf FILE`, started in the session's one model process."""
    from app.inference.bundled_model import BundledModelError, bundled_model_path
    from app.inference.gguf import GgufError
    from app.inference.local_server import LocalServerError
    from app.inference.session import ModelChoice, spotcheck_model_name
    from app.storage.regular_files import FileRefusedError, check_regular

    try:
        model_path = args.gguf if args.gguf is not None else bundled_model_path()
    except BundledModelError as exc:
        raise CliError(str(exc)) from exc
    try:
        # A missing file, a pipe (which would block the header read) or a device, in one line.
        check_regular(model_path, "a GGUF model file", None)
    except FileRefusedError as exc:
        raise CliError(f"--gguf: {exc}") from exc
    try:
        # The set's prompt template already holds the few-shot examples; labels become a grammar.
        return session.local_specialist(
            ModelChoice(Path(model_path)), display_name=spotcheck_model_name(Path(model_path))
        )
    except (GgufError, LocalServerError) as exc:
        raise CliError(f"local model: {exc}") from exc


def _frontier_generator(args: argparse.Namespace) -> Any:
    if args.frontier_url is None:
        return None
    from app.inference.endpoints import preset_for_url
    from app.inference.session import InferenceSession, ServedEndpoint

    # The key comes from the variable named, else the endpoint's usual variable or the keyring;
    # it is never printed or written.
    endpoint = ServedEndpoint(args.frontier_url, args.frontier_model, preset_for_url(args.frontier_url))
    return InferenceSession().client(endpoint.with_key_env(args.frontier_key_env))


def run(args: argparse.Namespace) -> int:
    """Load the set, run both models, print the summary; exit 0 when every item finished, 1 when
    the run stopped early or every answer on one side failed."""
    from pydantic import ValidationError

    from app.domain.distill import task_labels
    from app.domain.evaluation import (
        ScorerSpec,
        confusion_matrix,
        label_accuracy,
        paired_comparison,
        routing_curve,
        sample_size_advice,
    )
    from app.inference.spotcheck import RunConfig, ScenarioTerms, run_spotcheck
    from app.storage.scenario_files import ScenarioFileError, load_scenario
    from app.storage.spotcheck_results import SpotcheckError, read_results
    from app.storage.testsets import TestSetError, default_prompt_for, load_prompt_template, load_test_set

    _check_args(args)
    try:
        test_set = load_test_set(args.set).limited(args.limit, args.seed)
        template = load_prompt_template(args.prompt) if args.prompt else default_prompt_for(args.set)
    except TestSetError as exc:
        raise CliError(str(exc)) from exc
    from app.domain.evaluation import PromptTemplate

    template = template or PromptTemplate()
    scorer = template.scorer
    if args.scorer is not None:
        labels = tuple(label.strip() for label in (args.labels or "").split(",") if label.strip())
        if labels:
            from app.domain.labels import check_labels

            try:
                check_labels(labels)  # before a grammar built from them reaches the model process
            except ValueError as exc:
                raise CliError(f"--labels: {exc}") from exc
        fields = tuple(name.strip() for name in (args.fields or "").split(",") if name.strip())
        try:
            scorer = ScorerSpec(
                kind=args.scorer,
                labels=labels or template.labels,
                pattern=args.pattern or "",
                tolerance=args.tolerance,
                fields=fields,
            )
        except ValidationError as exc:
            # pydantic's own text ends with a documentation link; name the option and the problem
            raise CliError(f"--scorer {args.scorer}: {_scorer_problem(exc)}") from exc
    prices = None
    routing_prices = None
    bar = None
    if args.scenario is not None:
        try:
            scenario = load_scenario(args.scenario)
        except ScenarioFileError as exc:
            raise CliError(str(exc)) from exc
        terms = ScenarioTerms.of(scenario)
        prices, routing_prices, bar = terms.prices, terms.routing, terms.quality_bar
    if args.bar is not None:
        bar = args.bar
    if args.output is not None and args.fresh and args.output.exists():
        # Start over only on a results file: --fresh must not delete some other file of the user's.
        try:
            read_results(args.output)
        except SpotcheckError as exc:
            raise CliError(f"--fresh: {exc}; not deleting it") from exc
        args.output.unlink()
    config = RunConfig(
        prompt=template,
        scorer=scorer,
        concurrency=args.concurrency,
        prices=prices,
        quality_bar=bar,
        # A served specialist runs in parallel like the frontier; the local one answers in turn.
        specialist_concurrency=args.concurrency if args.specialist_url is not None else 1,
    )
    frontier = _frontier_generator(args)
    if frontier is None and not args.json:
        print("No frontier endpoint given: the frontier column uses the set's recorded reference outputs.")
    show_progress = not args.json and sys.stderr.isatty()
    try:
        with _specialist_generator(args) as specialist:
            outcome = run_spotcheck(
                test_set,
                specialist,
                frontier,
                config,
                args.output,
                on_progress=_print_progress if show_progress else None,
                on_note=_print_note,
            )
    except SpotcheckError as exc:
        raise CliError(str(exc)) from exc
    finally:
        if frontier is not None:
            frontier.close()
    summary = outcome.summary
    target = bar if bar is not None else DEFAULT_BAR
    advice = {
        side: sample_size_advice(model.accuracy.successes, model.accuracy.total, target, side)
        for side, model in (("specialist", summary.specialist), ("frontier", summary.frontier))
    }
    paired = paired_comparison(outcome.results, args.margin)
    routing = routing_curve(outcome.results, routing_prices)
    if args.json:
        data: dict[str, Any] = summary.to_json()
        data.pop("type", None)
        data["frontier_source"] = "live" if frontier is not None else "recorded"
        data["specialist_source"] = (
            "none" if args.no_local else ("served" if args.specialist_url is not None else "local")
        )
        # Per side that asked a model: the parallelism asked for, the lowest the back-off reached.
        data["parallelism"] = {side: report.to_json() for side, report in outcome.parallelism.items()}
        data["results_path"] = str(args.output) if args.output is not None else None
        data["items_needed"] = {
            "method": "power: exact binomial, 80 % chance that the 95 % Wilson interval settles the bar",
            "bar": target,
            "bar_from": "--bar" if args.bar is not None else ("scenario" if bar is not None else "default"),
            "power": advice["specialist"].power,
            **{side: entry.items_needed for side, entry in advice.items()},
            "minimum_detectable_difference": {
                side: entry.minimum_detectable_difference for side, entry in advice.items()
            },
            "explanation": {side: entry.message for side, entry in advice.items()},
        }
        data["paired"] = paired.to_json()
        data["paired"]["explanation"] = paired.describe()
        data["routing"] = routing.to_json()
        labels = task_labels(template, scorer)
        if labels:
            data["by_label"] = [dataclasses.asdict(row) for row in label_accuracy(outcome.results, labels)]
            data["confusion"] = {
                side: confusion_matrix(outcome.results, labels, side).to_json()
                for side in ("specialist", "frontier")
            }
        data["agreement_note"] = AGREEMENT_NOTE
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(format_summary(summary, advice, paired, routing, args.output))
    failed = _all_failed(outcome.results)
    if failed:
        # Every answer on a side errored: nothing was measured, so say why and do not exit 0.
        print(f"specialist-studio spotcheck: {failed}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK if not outcome.cancelled else EXIT_FAILURE


def _all_failed(results: Any) -> str:
    """`frontier: all 2 items failed (first: ...)` for a side whose every answer errored, else ""."""
    for side in ("specialist", "frontier"):
        answers = [getattr(result, side) for result in results]
        errors = [answer.error for answer in answers if answer.error]
        if answers and len(errors) == len(answers):
            return f"{side}: all {len(answers)} items failed (first: {errors[0]})"
    return ""


def _print_note(line: str) -> None:
    """A back-off or a refused feature, said on stderr as it happens (also under --json); one write
    per line, as worker threads say them at once."""
    sys.stderr.write(f"specialist-studio spotcheck: {line}\n")
    sys.stderr.flush()


def _print_progress(progress: Any) -> None:
    eta = f", about {progress.eta_s:.0f} s left" if progress.eta_s is not None else ""
    end = "\n" if progress.done == progress.total else ""
    print(f"\r{progress.done}/{progress.total} items{eta}   ", end=end, file=sys.stderr, flush=True)


def _scorer_problem(error: Any) -> str:
    """The scorer's validation problems without pydantic's trailing documentation link."""
    from app.domain.scenario import describe_validation_error

    return describe_validation_error(error)


def _routing_figures(routing: Any) -> str:
    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0%}"

    apgr = "n/a" if routing.apgr is None else f"{routing.apgr:.2f}"
    return (
        f"escalating {share(routing.cpt50)} of traffic recovers half the gap to the frontier (CPT50), "
        f"{share(routing.cpt80)} recovers 80 % (CPT80); APGR {apgr}."
    )


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def format_summary(
    summary: Any, advice: dict[str, Any], paired: Any, routing: Any, output: Path | None
) -> str:
    """The plain-text report: accuracy, paired comparison, agreement, tags, latency, cost,
    routing, items needed, warnings."""
    lines = [
        f"Spot-check {summary.set_name} · {summary.items} of {summary.set_items} items · "
        f"scorer: {summary.scorer} · {summary.run_date}",
        "",
        "Accuracy against expected answers (95 % Wilson interval):",
    ]
    for side, model in (("specialist", summary.specialist), ("frontier", summary.frontier)):
        source = " (recorded)" if model.source == "recorded" and "recorded" not in model.name else ""
        errors = f", {model.errors} errors" if model.errors else ""
        # "specialist  specialist (not run)" said the side twice: keep only what the name adds
        name = (
            model.name.removeprefix(f"{side} (").removesuffix(")")
            if model.name == f"{side} (not run)"
            else model.name
        )
        lines.append(f"  {side:<11} {name}{source}: {model.accuracy.describe()}{errors}")
    if paired.n:
        lines += [
            "",
            f"Paired on the same items ({paired.n}): both right {paired.both_right}, only the specialist "
            f"{paired.specialist_only}, only the frontier {paired.frontier_only}, both wrong "
            f"{paired.both_wrong} ({paired.both_wrong_same_answer} with the same answer); "
            f"exact McNemar p = {paired.mcnemar_p:.3g}.",
            f"  {paired.describe()}",
        ]
    lines += ["", f"Agreement between the models: {summary.agreement.describe()}", f"  {AGREEMENT_NOTE}", ""]
    lines.append("By tag:")
    for entry in summary.by_tag:
        lines.append(
            f"  {entry.tag:<16} {entry.items:>4} items  specialist {entry.specialist.describe()}"
            f"  ·  frontier {entry.frontier.describe()}"
        )
    lines += ["", "Latency and cost:"]
    for side, model in (("specialist", summary.specialist), ("frontier", summary.frontier)):
        estimated = (
            " (tokens estimated)" if model.tokens_estimated and model.cost_per_item is not None else ""
        )
        lines.append(
            f"  {side:<11} p50 {_seconds(model.latency_p50_s)}, p95 {_seconds(model.latency_p95_s)}; "
            f"cost per item {format_money(model.cost_per_item, 'per_request')}, per million items "
            f"{format_money(model.cost_per_million_items, 'cents')}{estimated}"
        )
    if summary.specialist.cost_per_item is None:
        lines.append("  (costs need prices: pass --scenario FILE)")
    if routing.points:
        lines += [
            "",
            f"Routing on the specialist's confidence ({routing.n} items): " + _routing_figures(routing),
        ]
    elif routing.without_confidence:
        lines += ["", "Routing: the specialist's answers carry no confidence, so no routing curve."]
    lines += ["", "How many items? (power: 80 % chance that the 95 % interval settles the bar)"]
    for side in ("specialist", "frontier"):
        lines.append(f"  {advice[side].message}")
    if summary.warnings:
        lines += ["", "Warnings:"] + [f"  - {warning}" for warning in summary.warnings]
    if not summary.complete:
        lines += ["", "The run stopped early; run the same command again to resume."]
    if output is not None:
        lines += ["", f"Results: {output}"]
    return "\n".join(lines)
