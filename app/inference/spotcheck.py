"""The spot-check runner: both models over a test set, scored against ground truth. No Qt.

A plain function (`run_spotcheck`) the CLI calls directly and the window runs in a worker thread.
The frontier side runs with bounded concurrency (API calls wait on the network); so does a
specialist served at an endpoint. The local specialist answers one item at a time (one llama.cpp
process, which would only queue parallel requests). Each side that calls an endpoint backs off
on rate limits and server errors (`app.inference.backoff`): its parallelism is halved when a
request still fails after the client's own retries, the item is asked again, and the run says so
through `on_note`. Each finished item is appended to a JSONL results file straight away, so a
cancelled or crashed run resumes where it stopped: items already in the file are skipped.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from app.domain.distill import task_labels
from app.domain.evaluation import (
    ItemResult,
    Prices,
    PromptTemplate,
    RoutingPrices,
    ScorerSpec,
    SideResult,
    SpotcheckSummary,
    TestItem,
    TestSet,
    outputs_agree,
    score_output,
    summarize_results,
)
from app.domain.pricing import model_cost_per_request
from app.domain.scenario import Scenario
from app.inference.backoff import (
    BackoffPolicy,
    ParallelismGate,
    ParallelismReport,
    ask_with_backoff,
    backoff_note,
)
from app.inference.logprobs import TOP_LOGPROBS, answer_confidence
from app.inference.types import GenerationRequest, GenerationResult, TextGenerator
from app.storage.spotcheck_results import (
    ResultsFile,
    ResultsWriter,
    SpotcheckError,
    read_results,
    results_header,
)

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 64
# Recorded answers carry no token counts; ~4 characters per token is the usual rule of thumb
# for English text with BPE tokenizers. Costs built on it are marked as estimated.
CHARS_PER_TOKEN = 4.0


Side = Literal["specialist", "frontier"]


@dataclass(frozen=True)
class RunConfig:
    """What to run and how to score it."""

    prompt: PromptTemplate
    scorer: ScorerSpec | None = None  # None: the prompt template's scorer
    concurrency: int = DEFAULT_CONCURRENCY  # frontier requests in flight
    prices: Prices | None = None
    quality_bar: float | None = None
    run_date: str = field(default_factory=lambda: date.today().isoformat())
    # Specialist requests in flight: 1 for the local model (its one llama.cpp process would only
    # queue more), the same as the frontier's for a specialist served at an endpoint.
    specialist_concurrency: int = 1
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)

    @property
    def effective_scorer(self) -> ScorerSpec:
        return self.scorer if self.scorer is not None else self.prompt.scorer


@dataclass(frozen=True)
class ScenarioTerms:
    """What a scenario gives a spot-check: its two models' prices (the cost per item), their costs
    per request (the routing curve's cost per 1,000 requests, in its routing mode) and the bar."""

    prices: Prices
    routing: RoutingPrices
    quality_bar: float

    @classmethod
    def of(cls, scenario: Scenario) -> ScenarioTerms:
        """The terms of `scenario` (its small model is the specialist, its large one the frontier)."""
        small, large = scenario.small, scenario.large
        return cls(
            Prices(
                small.input_price_per_mtok,
                small.output_price_per_mtok,
                large.input_price_per_mtok,
                large.output_price_per_mtok,
            ),
            RoutingPrices(
                model_cost_per_request(small), model_cost_per_request(large), scenario.routing.mode
            ),
            scenario.quality.quality_bar,
        )


@dataclass(frozen=True)
class Progress:
    """Reported after each finished item (and once at the start, with `last` None)."""

    done: int  # items finished, resumed ones included
    total: int
    resumed: int  # items taken from the results file rather than run now
    elapsed_s: float
    eta_s: float | None  # None until one item has been run by this call
    last: ItemResult | None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


ProgressCallback = Callable[[Progress], None]
NoteCallback = Callable[[str], None]
"""One line worth showing while a run goes on ('frontier: 429 Too Many Requests: backing off, 2 in
flight now'); called from worker threads."""


@dataclass(frozen=True)
class SummaryTerms:
    """What a run's summary rests on besides its items: the set, the date, the scorer, the models'
    names, the prices and the bar. Kept with the outcome, so a grade by hand re-summarises alike."""

    set_name: str
    run_date: str
    scorer: ScorerSpec
    specialist_name: str
    frontier_name: str
    prices: Prices | None
    set_items: int
    quality_bar: float | None

    @classmethod
    def of_results(cls, kept: ResultsFile, test_set: TestSet, scenario: ScenarioTerms) -> SummaryTerms | None:
        """The terms of results found again: their header names the scorer, the models and the date;
        prices and bar are the scenario's now, as for a run now. None for a header without them."""
        header = kept.header
        try:
            scorer = ScorerSpec.model_validate(header["scorer"])
            names = (str(header["specialist"]), str(header["frontier"]), str(header["run_date"]))
        except (KeyError, ValueError):
            return None
        specialist, frontier, run_date = names
        # The run may have been of a sample (--limit): its own summary says how many items it had.
        set_items = kept.summary.set_items if kept.summary is not None else len(test_set.items)
        return cls(
            test_set.name,
            run_date,
            scorer,
            specialist,
            frontier,
            scenario.prices,
            set_items,
            scenario.quality_bar,
        )

    def summarize(self, results: Sequence[ItemResult]) -> SpotcheckSummary:
        """Accuracy, agreement, tags, latency and cost of `results` under these terms."""
        terms = {name.name: getattr(self, name.name) for name in dataclasses.fields(self)}
        return summarize_results(results, **terms)


@dataclass(frozen=True)
class RunOutcome:
    """The results in set order, their summary and its terms, whether the run was stopped early,
    and what each side that asked a model did with its parallelism."""

    results: tuple[ItemResult, ...]
    summary: SpotcheckSummary
    terms: SummaryTerms
    cancelled: bool
    resumed: int
    results_path: Path | None
    parallelism: dict[str, ParallelismReport] = field(default_factory=dict)


def specialist_request(template: PromptTemplate, item: TestItem, scorer: ScorerSpec) -> GenerationRequest:
    """The local specialist's request for one item (labels constrain the output when known)."""
    return _request(template, "specialist", item, scorer)


def frontier_request(template: PromptTemplate, item: TestItem, scorer: ScorerSpec) -> GenerationRequest:
    """The frontier model's request for one item."""
    return _request(template, "frontier", item, scorer)


def _request(template: PromptTemplate, side: Side, item: TestItem, scorer: ScorerSpec) -> GenerationRequest:
    prompt = template.specialist if side == "specialist" else template.frontier
    labels = task_labels(template, scorer)
    return GenerationRequest(
        prompt=prompt.render(item.input),
        system=prompt.system,
        mode=prompt.mode,
        max_tokens=prompt.max_tokens,
        temperature=0.0,
        labels=tuple(labels) or None,
        stop=prompt.stop,
        # The specialist's confidence drives the routing curve. The frontier is not asked: some
        # OpenAI-compatible providers refuse the field, and one refusal would fail every item;
        # a frontier that sends log-probabilities anyway gets a confidence all the same.
        logprobs=TOP_LOGPROBS if side == "specialist" else 0,
    )


def estimate_tokens(text: str) -> int:
    """A rough token count for text with no tokenizer at hand (`CHARS_PER_TOKEN`)."""
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN)) if text else 0


def _side_from_generation(
    result: GenerationResult, item: TestItem, scorer: ScorerSpec, labels: tuple[str, ...] = ()
) -> SideResult:
    if result.error is not None:
        return SideResult(
            output=result.text.strip(),
            correct=None,
            detail=f"error: {result.error}",
            latency_s=result.total_s,
            error=result.error,
        )
    output = result.text.strip()
    score = score_output(output, item.expected, scorer)
    return SideResult(
        output=output,
        correct=score.correct,
        detail=score.detail,
        latency_s=result.total_s,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        tokens_estimated=result.tokens_counted,
        confidence=answer_confidence(result.logprobs, labels, output),
    )


def recorded_side(template: PromptTemplate, item: TestItem, scorer: ScorerSpec) -> SideResult:
    """The frontier column from the set's recorded `reference_output` (no endpoint configured)."""
    if item.reference_output is None:
        return SideResult(
            output="", correct=None, detail="no frontier endpoint and no recorded answer", source="none"
        )
    request = frontier_request(template, item, scorer)
    score = score_output(item.reference_output, item.expected, scorer)
    return SideResult(
        output=item.reference_output,
        correct=score.correct,
        detail=score.detail,
        input_tokens=estimate_tokens((request.system or "") + request.prompt),
        output_tokens=estimate_tokens(item.reference_output),
        tokens_estimated=True,
        source="recorded",
    )


def item_result(
    item: TestItem, specialist: SideResult, frontier: SideResult, scorer: ScorerSpec | None = None
) -> ItemResult:
    """One row of the results: the item and both answers, and whether they agree (when both are
    answers: an error, or a side not asked, agrees with nothing)."""
    both = scorer is not None and (
        specialist.error is None
        and frontier.error is None
        and "none" not in (specialist.source, frontier.source)
    )
    return ItemResult(
        item_id=item.item_id,
        input=item.input,
        expected=item.expected,
        tags=item.tags,
        specialist=specialist,
        frontier=frontier,
        agree=outputs_agree(specialist.output, frontier.output, scorer) if both and scorer else None,
    )


def not_asked(reason: str) -> SideResult:
    """A side no model answered, and why ("not run yet", "no local model configured")."""
    return SideResult(output="", correct=None, detail=reason, source="none")


def unanswered_results(test_set: TestSet) -> list[ItemResult]:
    """The set's items as rows with no answers yet, so a set can be read before it runs."""
    empty = not_asked("not run yet")
    return [item_result(item, empty, empty) for item in test_set.items]


def _resumable(results_path: Path | None, test_set: TestSet, scorer: ScorerSpec) -> dict[str, ItemResult]:
    if results_path is None or not results_path.exists():
        return {}
    existing = read_results(results_path)
    if existing.header.get("set_fingerprint") != test_set.fingerprint:
        raise SpotcheckError(
            f"{results_path.name} holds results for another version of {existing.header.get('set_name')!r}; "
            "choose a new results file"
        )
    if existing.header.get("scorer") != scorer.model_dump(mode="json"):
        raise SpotcheckError(f"{results_path.name} was scored with another scorer; choose a new results file")
    wanted = {item.item_id for item in test_set.items}
    # Items that errored (a timeout, a crashed model) are asked again rather than kept.
    return {
        item_id: result
        for item_id, result in existing.items.items()
        if item_id in wanted and result.specialist.error is None and result.frontier.error is None
    }


class _Lane:
    """One side that asks a model: its generator, its gate and back-off, how its requests are built.

    A served specialist that refuses token log-probabilities (some endpoints answer 400 to the
    field) is asked again without them; when that works the rest of the run does without, and
    says so: its answers then carry no confidence.
    """

    def __init__(
        self,
        side: Side,
        generator: TextGenerator,
        parallel: int,
        config: RunConfig,
        on_note: NoteCallback | None,
    ) -> None:
        self.side = side
        self.generator = generator
        self.gate = ParallelismGate(max(1, min(MAX_CONCURRENCY, parallel)))
        self.template, self.scorer = config.prompt, config.effective_scorer
        self.policy = config.backoff
        self.on_note = on_note
        self.logprobs_refused = False

    def note(self, line: str) -> None:
        if self.on_note is not None:
            self.on_note(f"{self.side}: {line}")

    def answer(self, item: TestItem, cancel: threading.Event) -> GenerationResult | None:
        """The model's answer to `item` (None when cancelled before it came)."""
        request = _request(self.template, self.side, item, self.scorer)
        if self.logprobs_refused:
            request = dataclasses.replace(request, logprobs=0)
        result = self._ask(request, cancel)
        if result is None or not request.logprobs or result.http_status not in (400, 422):
            return result
        plain = self._ask(dataclasses.replace(request, logprobs=0), cancel)
        if plain is not None and plain.error is None and not self.logprobs_refused:
            self.logprobs_refused = True
            self.note(
                f"the endpoint refused token log-probabilities ({result.http_status}); asking without "
                "them, so its answers carry no confidence"
            )
        return plain

    def _ask(self, request: GenerationRequest, cancel: threading.Event) -> GenerationResult | None:
        return ask_with_backoff(
            self.generator,
            request,
            self.gate,
            cancel,
            self.policy,
            lambda result, limit: self.note(backoff_note(result, limit)),
        )


def run_spotcheck(
    test_set: TestSet,
    specialist: TextGenerator | None,
    frontier: TextGenerator | None,
    config: RunConfig,
    results_path: Path | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    on_note: NoteCallback | None = None,
) -> RunOutcome:
    """Run both models over `test_set`, score each answer, write results as they finish.

    With `frontier` None the frontier column uses each item's recorded `reference_output`.
    With `results_path` pointing at an earlier run of the same set and scorer, finished items
    are kept and skipped. `cancel` stops the run after the requests in flight; what finished
    is written and summarised (`RunOutcome.cancelled`). `on_note` hears each back-off.
    """
    scorer = config.effective_scorer
    cancel = cancel or threading.Event()
    done_before = _resumable(results_path, test_set, scorer)
    labels = task_labels(config.prompt, scorer)
    specialist_name = specialist.display_name if specialist is not None else "specialist (not run)"
    frontier_name = frontier.display_name if frontier is not None else "recorded answers"
    writer = ResultsWriter(results_path)
    writer.start(
        results_header(
            test_set,
            {
                "scorer": scorer.model_dump(mode="json"),
                "specialist": specialist_name,
                "frontier": frontier_name,
                "run_date": config.run_date,
            },
        ),
        [result for item in test_set.items if (result := done_before.get(item.item_id)) is not None],
    )
    results: dict[str, ItemResult] = dict(done_before)
    pending = [item for item in test_set.items if item.item_id not in done_before]
    started = time.monotonic()
    ran = 0

    def report(last: ItemResult | None) -> None:
        if on_progress is None:
            return
        elapsed = time.monotonic() - started
        remaining = len(pending) - ran
        eta = elapsed / ran * remaining if ran else None
        on_progress(Progress(len(results), len(test_set.items), len(done_before), elapsed, eta, last))

    asked: tuple[tuple[Side, TextGenerator | None, int], ...] = (
        ("specialist", specialist, config.specialist_concurrency),
        ("frontier", frontier, config.concurrency),
    )
    lanes = {
        side: _Lane(side, generator, parallel, config, on_note)
        for side, generator, parallel in asked
        if generator is not None
    }

    def ask(lane: _Lane, item: TestItem) -> SideResult | None:
        generated = None if cancel.is_set() else lane.answer(item, cancel)
        return None if generated is None else _side_from_generation(generated, item, scorer, labels)

    report(None)
    # One pool per side, as wide as its gate: the requests are queued up front, each side keeps
    # its parallelism in flight, and the items are combined and written in set order.
    executors = {
        side: ThreadPoolExecutor(max_workers=lane.gate.requested, thread_name_prefix=f"spotcheck-{side}")
        for side, lane in lanes.items()
    }
    try:
        futures: dict[Side, dict[str, Future[SideResult | None]]] = {
            side: {item.item_id: executors[side].submit(ask, lane, item) for item in pending}
            for side, lane in lanes.items()
        }
        for item in pending:
            if cancel.is_set():
                break
            if specialist is not None:
                specialist_side = futures["specialist"][item.item_id].result()
            else:
                specialist_side = not_asked("no local model configured")
            if frontier is not None:
                frontier_side = futures["frontier"][item.item_id].result()
            else:
                frontier_side = recorded_side(config.prompt, item, scorer)
            if specialist_side is None or frontier_side is None or cancel.is_set():
                break  # cancelled before or while asking
            result = item_result(item, specialist_side, frontier_side, scorer)
            results[item.item_id] = result
            writer.append(result.to_json())
            ran += 1
            report(result)
    finally:
        if cancel.is_set() or ran < len(pending):
            cancel.set()  # in-flight requests see it and return early
        for executor in executors.values():
            executor.shutdown(wait=True, cancel_futures=True)
    ordered = tuple(results[item.item_id] for item in test_set.items if item.item_id in results)
    terms = SummaryTerms(
        test_set.name,
        config.run_date,
        scorer,
        specialist_name,
        frontier_name,
        config.prices,
        len(test_set.items),
        config.quality_bar,
    )
    summary = terms.summarize(ordered)
    writer.append(summary.to_json(), durable=True)
    return RunOutcome(
        ordered,
        summary,
        terms,
        len(ordered) < len(test_set.items),
        len(done_before),
        results_path,
        {side: lane.gate.report() for side, lane in lanes.items()},
    )
