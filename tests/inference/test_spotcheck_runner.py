"""The spot-check runner: real local model, real HTTP endpoints, resume, cancel and concurrency."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fault_server import FaultServer

from app.domain.evaluation import PromptTemplate, ScorerSpec, TestItem, TestSet
from app.inference.local_generator import LocalSpecialist
from app.inference.local_server import LocalModelServer
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.spotcheck import (
    Progress,
    RunConfig,
    run_spotcheck,
)
from app.inference.types import GenerationRequest, GenerationResult, Live, TextGenerator
from app.storage.resources import resource_path
from app.storage.spotcheck_results import SpotcheckError, load_spotcheck_results, read_results
from app.storage.testsets import default_prompt_for, load_test_set

DEMO = resource_path("spotcheck", "support_triage.jsonl")
LABELS = ("billing", "shipping", "technical", "account", "other")


class ScriptedGenerator(TextGenerator):
    """A TextGenerator that answers from a table after a fixed delay, and counts calls in flight.

    Used only where the runner's own bookkeeping is under test (concurrency bounds, resume,
    cancel timing); the model itself is exercised by the tests on the real servers below.
    """

    def __init__(self, name: str, answers: dict[str, str], delay_s: float = 0.0) -> None:
        self.name = name
        self.answers = answers
        self.delay_s = delay_s
        self.prompts: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def model_id(self) -> str:
        return self.name

    def _answer(self, request: GenerationRequest, live: Live) -> GenerationResult:
        cancel = live.cancel
        with self._lock:
            self.prompts.append(request.prompt)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            cancelled = (
                cancel.wait(self.delay_s) if cancel is not None else (time.sleep(self.delay_s) or False)
            )
            text = next((answer for key, answer in self.answers.items() if key in request.prompt), "other")
            return GenerationResult(
                text=text,
                model=self.name,
                input_tokens=len(request.prompt) // 4,
                output_tokens=1,
                tokens_counted=False,
                time_to_first_token_s=self.delay_s,
                total_s=self.delay_s,
                cancelled=bool(cancelled),
            )
        finally:
            with self._lock:
                self.in_flight -= 1


def _set(n: int, tmp_path: Path) -> TestSet:
    rows = [
        {"id": f"i{k}", "input": f"message {k}", "expected": "billing", "reference_output": "billing"}
        for k in range(n)
    ]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return load_test_set(path)


CONFIG = RunConfig(
    prompt=PromptTemplate(labels=LABELS, scorer=ScorerSpec(kind="one_of", labels=LABELS)),
    run_date="2026-11-23",
)


def test_frontier_runs_concurrently_and_local_sequentially(tmp_path: Path) -> None:
    test_set = _set(12, tmp_path)
    local = ScriptedGenerator("local", {"message": "billing"}, delay_s=0.01)
    frontier = ScriptedGenerator("frontier", {"message 3": "shipping", "message": "billing"}, delay_s=0.05)
    updates: list[Progress] = []
    outcome = run_spotcheck(
        test_set, local, frontier, CONFIG, tmp_path / "r.jsonl", on_progress=updates.append
    )
    assert frontier.max_in_flight == 4  # the default concurrency, reached with 12 queued items
    assert local.max_in_flight == 1
    assert [p.done for p in updates] == list(range(13))
    assert updates[-1].eta_s == 0.0
    assert not outcome.cancelled
    assert outcome.summary.frontier.accuracy.successes == 11
    assert outcome.summary.agreement.successes == 11
    assert [r.item_id for r in outcome.results] == [f"i{k}" for k in range(12)]


def test_concurrency_setting_is_honoured(tmp_path: Path) -> None:
    frontier = ScriptedGenerator("frontier", {}, delay_s=0.03)
    config = RunConfig(prompt=CONFIG.prompt, concurrency=2)
    run_spotcheck(_set(8, tmp_path), None, frontier, config)
    assert frontier.max_in_flight == 2


def test_cancel_then_resume_skips_finished_items(tmp_path: Path) -> None:
    test_set = _set(10, tmp_path)
    results = tmp_path / "r.jsonl"
    cancel = threading.Event()

    def stop_after_four(progress: Progress) -> None:
        if progress.done == 4:
            cancel.set()

    local = ScriptedGenerator("local", {"message": "billing"}, delay_s=0.01)
    first = run_spotcheck(test_set, local, None, CONFIG, results, stop_after_four, cancel)
    assert first.cancelled
    assert len(first.results) == 4
    assert not first.summary.complete
    assert load_spotcheck_results(results).items == 4  # a stopped run still has a (partial) summary

    again = ScriptedGenerator("local", {"message": "billing"})
    second = run_spotcheck(test_set, again, None, CONFIG, results)
    assert second.resumed == 4
    assert len(again.prompts) == 6  # only the six unfinished items were asked
    assert second.summary.complete
    assert second.summary.specialist.accuracy.total == 10
    stored = read_results(results)
    assert len(stored.items) == 10
    assert stored.summary == second.summary


def test_resume_refuses_a_changed_set(tmp_path: Path) -> None:
    test_set = _set(3, tmp_path)
    results = tmp_path / "r.jsonl"
    run_spotcheck(test_set, None, None, CONFIG, results)
    changed = _set(4, tmp_path)  # same path, new content
    with pytest.raises(SpotcheckError, match="another version of 'small'"):
        run_spotcheck(changed, None, None, CONFIG, results)


def test_a_line_cut_short_by_a_crash_is_redone(tmp_path: Path) -> None:
    test_set = _set(3, tmp_path)
    results = tmp_path / "r.jsonl"
    run_spotcheck(test_set, None, None, CONFIG, results)
    lines = results.read_text(encoding="utf-8").splitlines()
    # Header, first item, and half of the second: as if the process died mid-write.
    results.write_text("\n".join([*lines[:2], lines[2][:30]]), encoding="utf-8")
    local = ScriptedGenerator("local", {})
    outcome = run_spotcheck(test_set, local, None, CONFIG, results)
    assert outcome.resumed == 1
    assert len(local.prompts) == 2


def test_recorded_answers_fill_the_frontier_column_when_no_endpoint(tmp_path: Path) -> None:
    items = (
        TestItem("a", "x", "billing", "billing"),
        TestItem("b", "y", "billing", None),  # nothing recorded
    )
    test_set = TestSet("t", tmp_path / "t.jsonl", items, "f")
    outcome = run_spotcheck(test_set, None, None, CONFIG)
    first, second = outcome.results
    assert first.frontier.source == "recorded"
    assert first.frontier.correct is True
    assert first.frontier.tokens_estimated
    assert second.frontier.source == "none"
    assert second.frontier.correct is None
    assert outcome.summary.frontier.source == "recorded"


def test_frontier_errors_count_as_wrong_and_apart(fault_server: FaultServer, tmp_path: Path) -> None:
    frontier = OpenAICompatibleGenerator(fault_server.url("500"), "fault-model", max_retries=0)
    try:
        outcome = run_spotcheck(_set(2, tmp_path), None, frontier, CONFIG)
    finally:
        frontier.close()
    assert outcome.summary.frontier.errors == 2
    # a failed answer is a wrong answer (leaving it out would flatter the model)
    assert (outcome.summary.frontier.accuracy.successes, outcome.summary.frontier.accuracy.total) == (0, 2)
    assert "500" in (outcome.results[0].frontier.error or "")


def test_errored_items_are_asked_again_on_resume(fault_server: FaultServer, tmp_path: Path) -> None:
    test_set = _set(2, tmp_path)
    results = tmp_path / "r.jsonl"
    broken = OpenAICompatibleGenerator(fault_server.url("503"), "fault-model", max_retries=0)
    try:
        run_spotcheck(test_set, None, broken, CONFIG, results)
    finally:
        broken.close()
    working = ScriptedGenerator("frontier", {"message": "billing"})
    outcome = run_spotcheck(test_set, None, working, CONFIG, results)
    assert outcome.resumed == 0
    assert len(working.prompts) == 2
    assert outcome.summary.frontier.errors == 0
    assert outcome.summary.frontier.accuracy.successes == 2


def test_frontier_answers_that_are_not_labels_count_as_wrong(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    frontier = OpenAICompatibleGenerator(fault_server.url("ok"), "fault-model")
    try:
        outcome = run_spotcheck(_set(2, tmp_path), None, frontier, CONFIG)
    finally:
        frontier.close()
    result = outcome.results[0].frontier
    assert result.output == "Hello from the fault server"
    assert result.correct is False
    assert result.detail.startswith("not one of the labels")
    assert result.latency_s is not None


@pytest.fixture
def local_specialist(local_model_server: LocalModelServer) -> Iterator[LocalSpecialist]:
    generator = LocalSpecialist(local_model_server)
    try:
        yield generator
    finally:
        generator.close()


@pytest.mark.slow
def test_bundled_model_over_a_slice_of_the_demo_set(
    local_specialist: LocalSpecialist, tmp_path: Path
) -> None:
    demo = load_test_set(DEMO)
    template = default_prompt_for(DEMO)
    assert template is not None
    # Four in-distribution items and four ood ones.
    chosen = [item for item in demo.items if not item.is_ood][:4] + [
        item for item in demo.items if item.is_ood
    ][:4]
    test_set = TestSet(demo.name, demo.path, tuple(chosen), demo.fingerprint)
    results = tmp_path / "demo.jsonl"
    outcome = run_spotcheck(test_set, local_specialist, None, RunConfig(prompt=template), results)
    assert not outcome.cancelled
    # The grammar holds the base model to the five labels: every answer is gradable.
    assert all(result.specialist.output in LABELS for result in outcome.results)
    assert all(result.specialist.error is None for result in outcome.results)
    assert outcome.summary.specialist.accuracy.total == 8
    assert outcome.summary.tag("ood") is not None
    assert outcome.summary.tag("ood").items == 4  # type: ignore[union-attr]
    assert outcome.summary.specialist.latency_p50_s is not None
    assert load_spotcheck_results(results) == outcome.summary
