"""`specialist-studio distill label|report|export`: the teacher labels a set, the review is summarised,
the training set comes out.

- `distill label INPUTS --frontier-url URL --frontier-model NAME -o labelled.jsonl` asks the frontier
  model (any OpenAI-compatible endpoint, a served vLLM/TGI/llama.cpp too) about every input with the
  task's prompt template and scorer, records tokens and cost per item, and resumes when run again.
- `distill report labelled.jsonl` prints the teacher's error rate from the review, the wrong labels
  left, and the measured costs per example.
- `distill export labelled.jsonl --format F --split 0.9 --out-dir DIR` writes train/validation/test.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from app.cli import EXIT_FAILURE, EXIT_OK, CliError
from app.cli.served import add_endpoint_options

# The three steps: the one line `distill --help` lists, and what each step's own --help adds.
STEPS: dict[str, tuple[str, str]] = {
    "label": (
        "ask the teacher about every input",
        "Unlabelled inputs (.jsonl/.csv with 'input', or the playground's exported history) go to a "
        "frontier model; run again with the same -o to resume where the last run stopped.",
    ),
    "report": (
        "the teacher's error rate and the measured costs",
        "From the review: how often the teacher was wrong, per label, and what labelling cost.",
    ),
    "export": (
        "write the training set",
        "Duplicates removed, a held-out test slice (a spot-check set) first, then a stratified "
        "train/validation split.",
    ),
}
PROGRESS_EVERY_S = 2.0  # when stderr is not a terminal: one line at most this often
REVIEW_SEED = 0  # the review sample's seed, the same as the window's


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register `distill` and its three commands."""
    parser = subparsers.add_parser(
        "distill",
        help="label a set with a frontier model, review it, export a training set",
        description="Distillation: a frontier model (the teacher) labels your inputs; people review a "
        "sample in the window; the corrected set is exported for fine-tuning.",
    )
    commands = parser.add_subparsers(dest="distill_command", metavar="STEP")
    label, report, export = (
        commands.add_parser(step, help=summary, description=f"{summary[0].upper()}{summary[1:]}. {detail}")
        for step, (summary, detail) in STEPS.items()
    )
    label.add_argument("inputs", metavar="INPUTS", type=Path, help="inputs file (.jsonl or .csv)")
    add_endpoint_options(label, "frontier", required=True)
    label.add_argument(
        "--prompt", type=Path, metavar="FILE", help="prompt template (default: INPUTS.prompt.json if present)"
    )
    label.add_argument("--labels", metavar="A,B,C", help="a label task: the teacher answers one of these")
    label.add_argument("-o", "--output", type=Path, metavar="FILE", required=True, help="labelled JSONL")
    label.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    label.add_argument(
        "--input-price", type=float, metavar="USD", help="teacher price per million input tokens"
    )
    label.add_argument(
        "--output-price", type=float, metavar="USD", help="teacher price per million output tokens"
    )
    label.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="take the teacher's prices from the scenario's large model",
    )
    label.add_argument(
        "--with-local",
        action="store_true",
        help="also ask the local specialist (bundled Gemma or --gguf), so the review targets disagreements",
    )
    label.add_argument("--gguf", type=Path, metavar="FILE", help="local model for --with-local")
    label.add_argument(
        "--confidence",
        action="store_true",
        help="ask the teacher for token log-probabilities; answers it is unsure of go to review",
    )
    label.add_argument("--limit", type=int, metavar="N", help="only the first N inputs")
    label.add_argument("--timeout", type=float, default=60.0, metavar="S", help="read timeout per request")
    label.add_argument("--retries", type=int, default=3, help="client retries on 429/5xx (default 3)")
    label.add_argument(
        "--stream",
        action="store_true",
        help="stream answers (default: whole answers, which carry token usage)",
    )
    label.add_argument("--fresh", action="store_true", help="start over even if the labelled file exists")

    report.add_argument("labelled", metavar="LABELLED", type=Path, help="labelled JSONL")
    report.add_argument("--scenario", type=Path, metavar="FILE", help="scenario for the quality bar")
    report.add_argument("--hourly-rate", type=float, metavar="USD", help="reviewer cost per hour")
    report.add_argument("--json", action="store_true", help="print JSON")

    export.add_argument("labelled", metavar="LABELLED", type=Path, help="labelled JSONL")
    export.add_argument(
        "--format", choices=["openai-chat", "hf-chat", "alpaca", "sharegpt"], default="openai-chat"
    )
    export.add_argument("--split", type=float, default=0.9, help="train share of what the test slice leaves")
    export.add_argument("--test-share", type=float, default=0.1, help="share held out as the test slice")
    export.add_argument("--seed", type=int, default=13, help="random seed of the split")
    export.add_argument("--no-stratify", action="store_true", help="split at random instead of per answer")
    export.add_argument(
        "--system", metavar="TEXT", help="system prompt in the files (default: the teacher's)"
    )
    export.add_argument("--out-dir", type=Path, metavar="DIR", required=True)
    return parser


def run(args: argparse.Namespace) -> int:
    """Dispatch to the step."""
    step = getattr(args, "distill_command", None)
    if step == "label":
        return run_label(args)
    if step == "report":
        return run_report(args)
    if step == "export":
        return run_export(args)
    raise CliError("give a step: label, report or export (see specialist-studio distill -h)")


# ---------------------------------------------------------------------------------------------
# label


def _check_label_args(args: argparse.Namespace) -> None:
    if not 1 <= args.concurrency <= 64:
        raise CliError(f"--concurrency must be between 1 and 64, got {args.concurrency}")
    if args.limit is not None and args.limit < 1:
        raise CliError(f"--limit must be at least 1, got {args.limit}")
    if args.timeout <= 0:
        raise CliError(f"--timeout must be above 0 seconds, got {args.timeout:g}")
    if not 0 <= args.retries <= 10:
        raise CliError(f"--retries must be between 0 and 10, got {args.retries}")
    for option, value in (("--input-price", args.input_price), ("--output-price", args.output_price)):
        if value is not None and value < 0:
            raise CliError(f"{option} must not be negative, got {value:g}")
    if (args.input_price is None) != (args.output_price is None):
        raise CliError("--input-price and --output-price go together")
    if args.scenario is not None and args.input_price is not None:
        raise CliError("give prices either with --scenario or with --input-price/--output-price")
    if args.gguf is not None and not args.with_local:
        raise CliError("--gguf needs --with-local")
    for option, given in (("INPUTS", args.inputs), ("--prompt", args.prompt), ("--scenario", args.scenario)):
        if given is not None and args.output.exists() and given.exists() and args.output.samefile(given):
            raise CliError(f"-o {args.output}: is the {option} file; give the labels their own file")


def _template(args: argparse.Namespace) -> Any:
    from app.domain.evaluation import PromptTemplate, ScorerSpec
    from app.storage.testsets import TestSetError, default_prompt_for, load_prompt_template

    try:
        template = load_prompt_template(args.prompt) if args.prompt else default_prompt_for(args.inputs)
    except TestSetError as exc:
        raise CliError(str(exc)) from exc
    template = template or PromptTemplate()
    if args.labels:
        labels = tuple(dict.fromkeys(label.strip() for label in args.labels.split(",") if label.strip()))
        if not labels:
            raise CliError("--labels: give at least one label, e.g. --labels billing,shipping")
        template = template.model_copy(
            update={"labels": labels, "scorer": ScorerSpec(kind="one_of", labels=labels)}
        )
    return template


def _prices(args: argparse.Namespace) -> tuple[float | None, float | None]:
    if args.scenario is not None:
        from app.storage.scenario_files import ScenarioFileError, load_scenario

        try:
            scenario = load_scenario(args.scenario)
        except ScenarioFileError as exc:
            raise CliError(str(exc)) from exc
        return scenario.large.input_price_per_mtok, scenario.large.output_price_per_mtok
    return args.input_price, args.output_price


def _teacher(args: argparse.Namespace) -> Any:
    """The frontier client; the key comes from the environment or the keyring, never printed."""
    from app.inference.endpoints import preset_for_url
    from app.inference.session import InferenceSession, ServedEndpoint

    endpoint = ServedEndpoint(
        args.frontier_url, args.frontier_model, preset_for_url(args.frontier_url), read_timeout_s=args.timeout
    )
    client = InferenceSession().client(
        endpoint.with_key_env(args.frontier_key_env),
        key_hint=f"${args.frontier_key_env}"
        if args.frontier_key_env
        else "the endpoint's key variable or the keyring",
    )
    client.max_retries = args.retries
    # Whole answers by default: they carry token usage where streams do not (llama.cpp's server).
    client.stream = args.stream
    return client


def run_label(args: argparse.Namespace) -> int:
    """Label the inputs; exit 0 when every input has an answer, 1 when some failed, 130 when stopped."""
    from app.cli.spotcheck import local_generator
    from app.inference.distill import LabelConfig, run_labelling
    from app.storage.distill_files import (
        Checkpoint,
        DistillFileError,
        labelled_header,
        load_inputs,
        read_labelled,
        write_labelled,
    )

    _check_label_args(args)
    try:
        inputs = load_inputs(args.inputs).limited(args.limit)
    except DistillFileError as exc:
        raise CliError(str(exc)) from exc
    template = _template(args)
    input_price, output_price = _prices(args)
    done: dict[str, Any] = {}
    if args.output.exists():
        try:
            existing = read_labelled(args.output)
        except DistillFileError as exc:
            raise CliError(f"-o: {exc}") from exc
        if not args.fresh:
            if existing.header.get("source_fingerprint") != inputs.fingerprint:
                raise CliError(
                    f"{args.output.name} holds labels for another version of the inputs; "
                    "choose a new -o file or pass --fresh"
                )
            if existing.header.get("prompt") != template.model_dump(mode="json"):
                raise CliError(
                    f"{args.output.name} was labelled with another prompt template; "
                    "choose a new -o file or pass --fresh"
                )
            done = {item.item_id: item for item in existing.items}
    config = LabelConfig(
        prompt=template,
        concurrency=args.concurrency,
        input_price_per_mtok=input_price,
        output_price_per_mtok=output_price,
        ask_confidence=args.confidence,
    )
    teacher = _teacher(args)
    header = labelled_header(
        inputs,
        template,
        args.frontier_model,
        {
            "endpoint": teacher.base_url,
            "prices": {"input_per_mtok": input_price, "output_per_mtok": output_price},
        },
    )
    # Earlier items stay in the file (failed ones are asked again and replaced).
    checkpoint = Checkpoint(args.output, header, [item for item in done.values()])
    progress = _ProgressLine()
    cancel = threading.Event()
    box: dict[str, Any] = {}
    args.no_local = not args.with_local
    try:
        checkpoint.flush()
        with local_generator(args) as specialist:

            def work() -> None:
                try:
                    box["outcome"] = run_labelling(
                        inputs.items,
                        teacher,
                        config,
                        done=done,
                        specialist=specialist,
                        on_item=checkpoint.add,
                        on_progress=progress.show,
                        cancel=cancel,
                    )
                except BaseException as exc:  # handed to the main thread, which reports it
                    box["error"] = exc

            # The run lives on a helper thread so Ctrl-C reaches this one, which stops the run cleanly.
            worker = threading.Thread(target=work, name="distill-label", daemon=True)
            worker.start()
            try:
                while worker.is_alive():
                    worker.join(0.2)
            except KeyboardInterrupt:
                cancel.set()
                worker.join()
                checkpoint.flush()
                progress.finish()
                labelled = sum(1 for item in checkpoint.items if item.labelled)
                print(
                    f"Stopped: {labelled} of {len(inputs.items)} inputs labelled, saved in {args.output}; "
                    "run the same command again to resume.",
                    file=sys.stderr,
                )
                return 130
    except DistillFileError as exc:
        raise CliError(str(exc)) from exc
    finally:
        teacher.close()
    try:
        checkpoint.flush()
    except DistillFileError as exc:
        raise CliError(str(exc)) from exc
    progress.finish()
    if "error" in box:
        raise box["error"]
    outcome = box["outcome"]
    # Mark the review queue now, so the window and `distill report` see the same flagged items
    # and sample (a later run or the window rebuilds it, keeping every reviewed item).
    try:
        write_labelled(args.output, header, _queued(list(outcome.items), template))
    except DistillFileError as exc:
        raise CliError(str(exc)) from exc
    print(_label_summary(outcome, inputs.items, args.output))
    failed = [item for item in outcome.items if not item.labelled]
    if failed and len(failed) == len(outcome.items):
        first = failed[0].teacher.error if failed[0].teacher is not None else "no answer"
        print(f"specialist-studio distill label: every request failed (first: {first})", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK if not failed and not outcome.cancelled else EXIT_FAILURE


def _queued(items: list[Any], template: Any) -> list[Any]:
    """Items with their review-queue marks (the window's seed, so both draw the same sample)."""
    from app.domain.distill import build_review_queue

    return build_review_queue(items, template.scorer, seed=REVIEW_SEED)


def _label_summary(outcome: Any, items: Any, output: Path) -> str:
    labelled = [item for item in outcome.items if item.labelled]
    invalid = sum(1 for item in labelled if item.teacher is not None and not item.teacher.valid)
    costs = [item.teacher.cost_usd for item in labelled if item.teacher.cost_usd is not None]
    estimated = any(item.teacher.tokens_estimated for item in labelled)
    inputs = [item.teacher.input_tokens or 0 for item in labelled]
    outputs = [item.teacher.output_tokens or 0 for item in labelled]
    lines = [f"Labelled {len(labelled)} of {len(items)} inputs ({outcome.resumed} from the earlier run)."]
    if invalid:
        lines.append(f"  {invalid} answers are not valid for the task (they go to review first)")
    errors = len(outcome.items) - len(labelled)
    if errors:
        lines.append(f"  {errors} requests failed; run the same command again to ask them again")
    if labelled:
        kind = "estimated" if estimated else "reported by the endpoint"
        lines.append(
            f"  tokens per item: {sum(inputs) / len(labelled):.1f} in, "
            f"{sum(outputs) / len(labelled):.1f} out ({kind})"
        )
    if costs:
        lines.append(f"  teacher cost: ${sum(costs):.6f} in all, ${sum(costs) / len(costs):.8f} per item")
    else:
        lines.append("  teacher cost: unknown (give --scenario or --input-price/--output-price)")
    lines.append(f"Labels: {output}")
    return "\n".join(lines)


class _ProgressLine:
    """`12/50 labelled · 1 failed · $0.0012 · about 20 s left` on stderr."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._shown_at = 0.0
        self._last = ""

    def show(self, progress: Any) -> None:
        eta = f" · about {progress.eta_s:.0f} s left" if progress.eta_s is not None else ""
        failed = f" · {progress.errors} failed" if progress.errors else ""
        note = f" · {progress.note}" if progress.note else ""
        line = f"{progress.done}/{progress.total} labelled{failed} · ${progress.cost_usd:.6f}{eta}{note}"
        self._last = line
        now = time.monotonic()
        if self.tty:
            print(f"\r{line}   ", end="", file=sys.stderr, flush=True)
        elif now - self._shown_at >= PROGRESS_EVERY_S or progress.done == progress.total:
            print(line, file=sys.stderr, flush=True)
            self._shown_at = now

    def finish(self) -> None:
        if self.tty and self._last:
            print(file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# report


def _read(path: Path) -> Any:
    from app.storage.distill_files import DistillFileError, read_labelled

    try:
        return read_labelled(path)
    except DistillFileError as exc:
        raise CliError(str(exc)) from exc


def run_report(args: argparse.Namespace) -> int:
    """Print the teacher's error rate from the review and the measured costs."""
    from app.domain.distill import distillation_costs, teacher_error_report

    if args.hourly_rate is not None and args.hourly_rate < 0:
        raise CliError(f"--hourly-rate must not be negative, got {args.hourly_rate:g}")
    labelled = _read(args.labelled)
    bar = None
    if args.scenario is not None:
        from app.storage.scenario_files import ScenarioFileError, load_scenario

        try:
            bar = load_scenario(args.scenario).quality.quality_bar
        except ScenarioFileError as exc:
            raise CliError(str(exc)) from exc
    items = labelled.items
    if not any(item.queue is not None for item in items):
        items = _queued(items, labelled.template)  # a file written before queues were marked
    report = teacher_error_report(items, bar)
    costs = distillation_costs(items, args.hourly_rate)
    if args.json:
        print(json.dumps(report_json(report, costs), indent=2, ensure_ascii=False))
    else:
        print(format_report(report, costs))
    return EXIT_OK


def report_json(report: Any, costs: Any) -> dict[str, Any]:
    """The error report and the costs as plain JSON."""
    from dataclasses import asdict

    data = asdict(report)
    data["costs"] = asdict(costs)
    return dict(data)


def format_report(report: Any, costs: Any) -> str:
    """Plain-text error report and costs."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.1f} %"

    lines = [
        f"{report.labelled} labelled · {report.reviewed} reviewed "
        f"({report.sample_reviewed} of the random sample, "
        f"{report.targeted_reviewed} of {report.targeted} flagged)",
        f"Teacher accuracy on the random sample: {report.accuracy.describe()}",
    ]
    left = report.wrong_left
    if left.value is not None:
        lines.append(
            f"Wrong labels left in the unreviewed items: about {left.value:.1f} "
            f"(95 % {left.low:.1f}–{left.high:.1f}); {pct(report.residual_error_rate.value)} of the set"
        )
    for entry in report.per_label:
        lines.append(f"  when the teacher says {entry.label!r}: wrong {entry.errors.describe()}")
    if report.warning:
        lines += ["", report.warning]
    lines += ["", report.meaning, ""]
    if costs.teacher_cost_per_example is not None:
        kind = " (tokens estimated)" if costs.tokens_estimated else ""
        lines.append(f"Teacher cost per example: ${costs.teacher_cost_per_example:.8f}{kind}")
    if costs.review_seconds_per_item is not None:
        lines.append(f"Review time per reviewed item: {costs.review_seconds_per_item:.1f} s")
    if costs.review_cost_per_example is not None:
        lines.append(f"Review cost per reviewed item: ${costs.review_cost_per_example:.4f}")
    lines.append(f"Reviewed share: {pct(costs.review_share)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# export


def run_export(args: argparse.Namespace) -> int:
    """Write DIR/train.jsonl, validation.jsonl, test.jsonl (+ test.prompt.json) and README.txt."""
    from datetime import date

    from app.domain.distill_export import SplitPlan, prepare_split, readme_text
    from app.storage.distill_files import DistillFileError, write_export

    if not 0 < args.split <= 1:
        raise CliError(f"--split must be above 0 and at most 1 (the train share), got {args.split:g}")
    if not 0 <= args.test_share < 1:
        raise CliError(f"--test-share must be at least 0 and below 1, got {args.test_share:g}")
    if args.out_dir.exists() and not args.out_dir.is_dir():
        raise CliError(f"--out-dir {args.out_dir}: exists and is not a folder")
    labelled = _read(args.labelled)
    split = prepare_split(
        labelled.items, SplitPlan(args.split, args.test_share, args.seed, not args.no_stratify)
    )
    if not split.train:
        raise CliError(f"{args.labelled.name}: no usable examples to export (label the set first)")
    template = labelled.template
    system = args.system if args.system is not None else template.frontier.system
    readme = readme_text(
        split,
        export_format=args.format,
        source=str(labelled.header.get("source", args.labelled.name)),
        teacher=str(labelled.header.get("teacher", "unknown")),
        created=date.today().isoformat(),
        seed=args.seed,
        train_share=args.split,
        test_share=args.test_share,
        system=system,
    )
    try:
        write_export(args.out_dir, split, args.format, system, readme, template)
    except DistillFileError as exc:
        print(f"specialist-studio distill export: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Wrote {len(split.train)} train, {len(split.validation)} validation and {len(split.test)} test "
        f"examples ({args.format}) to {args.out_dir}; {split.duplicates_removed} duplicates removed, "
        f"{split.unusable} without a usable answer left out."
    )
    return EXIT_OK
