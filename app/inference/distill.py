"""The teacher labels a set: a frontier model over unlabelled inputs, with the task's prompt and scorer.

No Qt.

`run_labelling` is a plain function the CLI calls directly and the window runs in a worker.
Requests are built exactly as the spot-check builds its frontier side (`frontier_request`), so a
set labelled here and spot-checked later sees the same prompt. Each finished item is handed to
`on_item` straight away (the caller checkpoints it to disk), so a stopped run resumes: items
passed in `done` are skipped.

Back-off (`app.inference.backoff`, shared with the spot-check): the OpenAI-compatible client
already retries 429/5xx before the first token, honouring `Retry-After`. When a request still fails
with a rate limit or a server error, the runner halves the number of requests it keeps in flight,
waits, and asks again (up to `item_retries` times), so a provider's limit slows the run down instead
of failing half the set.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from app.domain.distill import LabelledItem, TeacherAnswer, read_answer, task_labels, teacher_cost
from app.domain.evaluation import PromptTemplate, ScorerSpec, TestItem
from app.inference.backoff import (
    DEFAULT_FIRST_WAIT_S,
    DEFAULT_ITEM_RETRIES,
    BackoffPolicy,
    ParallelismGate,
    ask_with_backoff,
    backoff_note,
)
from app.inference.logprobs import TOP_LOGPROBS, answer_confidence
from app.inference.spotcheck import frontier_request, specialist_request
from app.inference.types import GenerationResult, TextGenerator

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 64


@dataclass(frozen=True)
class LabelConfig:
    """How to ask the teacher and what its tokens cost."""

    prompt: PromptTemplate
    scorer: ScorerSpec | None = None  # None: the template's
    concurrency: int = DEFAULT_CONCURRENCY
    input_price_per_mtok: float | None = None
    output_price_per_mtok: float | None = None
    item_retries: int = DEFAULT_ITEM_RETRIES
    backoff_first_s: float = DEFAULT_FIRST_WAIT_S
    # Ask the teacher for token log-probabilities, so answers it is unsure of go to review. Off by
    # default: some endpoints refuse the parameter (llama.cpp's Python server without logits_all).
    # An endpoint that sends them anyway gets a confidence all the same.
    ask_confidence: bool = False

    @property
    def effective_scorer(self) -> ScorerSpec:
        return self.scorer if self.scorer is not None else self.prompt.scorer


@dataclass(frozen=True)
class LabelProgress:
    """Reported after each finished item (and once at the start, with `last` None)."""

    done: int  # items with an answer or a final error, resumed ones included
    total: int
    resumed: int
    errors: int
    cost_usd: float  # teacher cost so far (this run and resumed items with a known cost)
    in_flight_limit: int  # requests kept in flight now (lowered after rate limits)
    elapsed_s: float
    eta_s: float | None
    note: str  # a one-line event worth showing ("rate limited: 2 in flight now"), else ""
    last: LabelledItem | None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass(frozen=True)
class LabelOutcome:
    """The items in input order, whether the run was stopped early, and how many were kept from an
    earlier run."""

    items: tuple[LabelledItem, ...]
    cancelled: bool
    resumed: int

    @property
    def errors(self) -> int:
        """Items whose request failed in the end (asked again on the next run)."""
        return sum(1 for item in self.items if not item.labelled)


def resumable(done: Mapping[str, LabelledItem]) -> dict[str, LabelledItem]:
    """The items of an earlier run worth keeping: answered ones (failed requests are asked again)."""
    return {item_id: item for item_id, item in done.items() if item.labelled}


def answer_from(
    result: GenerationResult, scorer: ScorerSpec, labels: Sequence[str], config: LabelConfig
) -> TeacherAnswer:
    """The teacher's answer record from one generation result."""
    cost = None
    if config.input_price_per_mtok is not None and config.output_price_per_mtok is not None:
        cost = teacher_cost(
            result.input_tokens,
            result.output_tokens,
            config.input_price_per_mtok,
            config.output_price_per_mtok,
        )
    if result.error is not None:
        return TeacherAnswer(
            output=result.text,
            answer="",
            valid=False,
            problem="request failed",
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
            tokens_estimated=result.tokens_counted,
            # A failed request may still be billed for its prompt; record what is known.
            cost_usd=None,
            latency_s=result.total_s,
            error=result.error,
        )
    answer, valid, problem = read_answer(result.text, scorer, labels)
    confidence = answer_confidence(result.logprobs, tuple(labels) or None, answer if valid else result.text)
    return TeacherAnswer(
        output=result.text.strip(),
        answer=answer,
        valid=valid,
        problem=problem,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        tokens_estimated=result.tokens_counted,
        cost_usd=cost,
        latency_s=result.total_s,
        confidence=confidence,
    )


@dataclass
class _RunState:
    ran: int = 0
    errors: int = 0
    note: str = ""


def run_labelling(
    items: Sequence[TestItem],
    teacher: TextGenerator,
    config: LabelConfig,
    *,
    done: Mapping[str, LabelledItem] | None = None,
    specialist: TextGenerator | None = None,
    on_item: Callable[[LabelledItem], None] | None = None,
    on_progress: Callable[[LabelProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> LabelOutcome:
    """Ask the teacher about every item not already in `done`; hand each record to `on_item`.

    With `specialist` given, the local model answers each item too (one at a time, on this
    thread), so the review can target the items where the two disagree. `cancel` stops the run
    after the requests in flight; what finished has been handed to `on_item`.
    """
    scorer = config.effective_scorer
    labels = task_labels(config.prompt, scorer)
    cancel = cancel or threading.Event()
    kept = resumable(done or {})
    results: dict[str, LabelledItem] = dict(kept)
    pending = [item for item in items if item.item_id not in kept]
    lock = threading.Lock()
    gate = ParallelismGate(min(MAX_CONCURRENCY, config.concurrency))
    policy = BackoffPolicy(config.item_retries, config.backoff_first_s)
    started = time.monotonic()
    state = _RunState()
    specialist_lock = threading.Lock()

    def total_cost() -> float:
        return sum(
            item.teacher.cost_usd
            for item in results.values()
            if item.teacher is not None and item.teacher.cost_usd is not None
        )

    def report(last: LabelledItem | None) -> None:
        if on_progress is None:
            return
        elapsed = time.monotonic() - started
        ran = state.ran
        remaining = len(pending) - ran
        eta = elapsed / ran * remaining if ran else None
        on_progress(
            LabelProgress(
                done=len(results),
                total=len(items),
                resumed=len(kept),
                errors=state.errors,
                cost_usd=total_cost(),
                in_flight_limit=gate.limit,
                elapsed_s=elapsed,
                eta_s=eta,
                note=state.note,
                last=last,
            )
        )

    def note_backoff(result: GenerationResult, limit: int) -> None:
        with lock:
            state.note = backoff_note(result, limit)

    def ask_teacher(item: TestItem) -> GenerationResult | None:
        request = frontier_request(config.prompt, item, scorer)
        if config.ask_confidence:
            request = replace(request, logprobs=TOP_LOGPROBS)
        return ask_with_backoff(teacher, request, gate, cancel, policy, note_backoff)

    def work(item: TestItem) -> None:
        if cancel.is_set():
            return
        generated = ask_teacher(item)
        if generated is None:
            return
        specialist_output = None
        if specialist is not None and generated.error is None:
            with specialist_lock:  # one local process: requests would only queue
                local = specialist.generate(specialist_request(config.prompt, item, scorer), cancel=cancel)
            if local.cancelled:
                return
            specialist_output = local.text.strip() if local.error is None else None
        record = LabelledItem(
            item_id=item.item_id,
            input=item.input,
            teacher=answer_from(generated, scorer, labels, config),
            specialist_output=specialist_output,
            tags=item.tags,
        )
        with lock:
            results[item.item_id] = record
            state.ran = state.ran + 1
            if record.teacher is not None and record.teacher.error is not None:
                state.errors = state.errors + 1
            if on_item is not None:
                on_item(record)
            report(record)
            state.note = ""

    report(None)
    threads: list[threading.Thread] = []
    queue_lock = threading.Lock()
    queue = list(reversed(pending))

    def worker() -> None:
        while not cancel.is_set():
            with queue_lock:
                if not queue:
                    return
                item = queue.pop()
            work(item)

    for index in range(gate.limit):
        thread = threading.Thread(target=worker, name=f"distill-teacher-{index}", daemon=True)
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join()
    ordered = tuple(results[item.item_id] for item in items if item.item_id in results)
    return LabelOutcome(ordered, len(ordered) < len(items), len(kept))
