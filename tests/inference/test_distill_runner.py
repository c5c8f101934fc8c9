"""The labelling runner on real servers: the local specialist beside the teacher, faults, cancel."""

from __future__ import annotations

import threading

from support.fault_server import FaultServer
from support.llama_servers import Endpoint

from app.domain.distill import build_review_queue
from app.domain.evaluation import PromptTemplate, ScorerSpec, TestItem
from app.inference.distill import LabelConfig, LabelProgress, run_labelling
from app.inference.local_generator import LocalSpecialist
from app.inference.local_server import LocalModelServer
from app.inference.openai_client import OpenAICompatibleGenerator
from app.storage.resources import resource_path
from app.storage.testsets import load_prompt_template

TEMPLATE = load_prompt_template(resource_path("spotcheck", "support_triage.prompt.json"))
ITEMS = (
    TestItem("a", "I was charged twice for my order, please refund one payment."),
    TestItem("b", "My parcel has not arrived and tracking has not moved for a week."),
    TestItem("c", "The app crashes every time I open the settings page."),
)


def test_local_specialist_answers_beside_the_teacher_and_flags_disagreements(
    local_model_server: LocalModelServer, frontier_endpoint: Endpoint
) -> None:
    teacher = OpenAICompatibleGenerator(
        frontier_endpoint.base_url, frontier_endpoint.model, frontier_endpoint.api_key, stream=False
    )
    specialist = LocalSpecialist(local_model_server)
    try:
        outcome = run_labelling(
            ITEMS, teacher, LabelConfig(prompt=TEMPLATE, concurrency=2), specialist=specialist
        )
    finally:
        teacher.close()
        specialist.close()
    assert not outcome.cancelled and outcome.errors == 0
    labels = set(TEMPLATE.labels)
    for item in outcome.items:
        # The local side is grammar-constrained to the labels; the teacher's answer is whatever it said.
        assert item.specialist_output in labels
        assert item.teacher is not None and item.teacher.cost_usd is None  # no prices given
    queued = build_review_queue(list(outcome.items), TEMPLATE.scorer)
    for item in queued:
        assert item.teacher is not None
        if not item.teacher.valid:
            assert item.queue == "invalid"
        elif item.teacher.answer != item.specialist_output:
            assert item.queue == "disagree"
        else:
            assert item.queue == "sample"  # three unflagged items: the sample takes all of them


def test_a_cut_stream_is_recorded_as_that_items_failure(fault_server: FaultServer) -> None:
    teacher = OpenAICompatibleGenerator(fault_server.url("cut"), "m", max_retries=0)
    seen: list[str] = []
    outcome = run_labelling(
        ITEMS[:2],
        teacher,
        LabelConfig(prompt=PromptTemplate(), item_retries=0),
        on_item=lambda record: seen.append(record.item_id),
    )
    teacher.close()
    assert sorted(seen) == ["a", "b"]
    assert outcome.errors == 2
    assert all(item.teacher is not None and "cut off" in (item.teacher.error or "") for item in outcome.items)


def test_cancel_stops_after_the_requests_in_flight(fault_server: FaultServer) -> None:
    teacher = OpenAICompatibleGenerator(fault_server.url("ok"), "m")
    cancel = threading.Event()
    progress: list[LabelProgress] = []

    def on_progress(report: LabelProgress) -> None:
        progress.append(report)
        if report.done >= 1:
            cancel.set()

    items = tuple(TestItem(str(n), f"message {n}") for n in range(20))
    outcome = run_labelling(
        items,
        teacher,
        LabelConfig(prompt=PromptTemplate(), scorer=ScorerSpec(), concurrency=1),
        on_progress=on_progress,
        cancel=cancel,
    )
    teacher.close()
    assert outcome.cancelled
    assert 1 <= len(outcome.items) < 20
    assert progress[0].last is None and progress[0].total == 20
    # A second run with the first one's items asks only for the rest.
    again = OpenAICompatibleGenerator(fault_server.url("ok"), "m")
    rest = run_labelling(
        items,
        again,
        LabelConfig(prompt=PromptTemplate(), concurrency=4),
        done={item.item_id: item for item in outcome.items},
    )
    again.close()
    assert rest.resumed == len(outcome.items)
    assert [item.item_id for item in rest.items] == [str(n) for n in range(20)]
    assert all(item.labelled for item in rest.items)
