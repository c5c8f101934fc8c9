"""The Distillation tab on real widgets: review by keyboard with autosave, labelling against a real
llama.cpp server, cancel, export, and the measured costs into the scenario."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from support.distill import write_demo_labelled
from support.fault_server import FaultServer
from support.llama_servers import Endpoint

from app.domain.distill import LabelledItem, TeacherAnswer
from app.inference.session import InferenceSession
from app.storage.distill_files import read_labelled
from app.storage.presets import load_preset
from app.storage.resources import resource_path
from app.storage.settings import Settings
from app.ui.distill.view import DistillPrompter, DistillView
from app.ui.document import ScenarioDocument

pytestmark = pytest.mark.gui

DEMO = resource_path("spotcheck", "support_triage.jsonl")
DEMO_PROMPT = resource_path("spotcheck", "support_triage.prompt.json")
LABELS = ("billing", "shipping", "technical", "account", "other")


class Answers(DistillPrompter):
    """Answers the tab's questions from attributes."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.folder_answer: Path | None = None
        self.confirm_answer = True
        self.confirm_texts: list[str] = []

    def open_path(self, parent: QWidget, title: str, file_filter: str) -> Path | None:
        return self.path

    def folder(self, parent: QWidget, title: str) -> Path | None:
        return self.folder_answer

    def confirm(self, parent: QWidget, title: str, text: str) -> bool:
        self.confirm_texts.append(text)
        return self.confirm_answer


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def view(qtbot, answers: Answers, tmp_path: Path) -> Iterator[DistillView]:
    document = ScenarioDocument(load_preset("support-ticket-triage"))
    session = InferenceSession(log_folder=tmp_path / "model-logs")
    widget = DistillView(document, prompter=answers, session=session, settings=Settings())
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    yield widget
    widget.shutdown()
    assert session.server is None  # no model process left behind


def _teacher(answer: str) -> TeacherAnswer:
    return TeacherAnswer(answer, answer, answer in LABELS, input_tokens=90, output_tokens=1, cost_usd=0.0005)


def _labelled_file(tmp_path: Path) -> Path:
    """Two disagreements and one invalid answer first, then nine ordinary items."""
    items = [
        LabelledItem("d1", "Refund my double charge", _teacher("billing"), specialist_output="shipping"),
        LabelledItem("d2", "App crashes on start", _teacher("technical"), specialist_output="account"),
        LabelledItem("bad", "Where is my parcel?", _teacher("banana")),
    ]
    items += [LabelledItem(f"n{k}", f"Ordinary message {k}", _teacher(LABELS[k % 5])) for k in range(9)]
    return write_demo_labelled(tmp_path / "labelled.jsonl", items)


def test_review_queue_by_keyboard_saves_every_decision(
    qtbot, view: DistillView, answers: Answers, tmp_path: Path
) -> None:
    answers.path = _labelled_file(tmp_path)
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    panel = view.review
    table = panel.table
    # Flagged items first (two disagreements, one invalid answer), then the random sample of the other
    # nine: 9 of 9 by the sample-size formula.
    assert table.rowCount() == 12
    assert [table.item(row, 1).text() for row in range(3)] == [
        "specialist disagrees",
        "specialist disagrees",
        "answer not valid",
    ]
    assert table.currentRow() == 0
    table.setFocus()

    qtbot.keyClick(table, Qt.Key.Key_2)  # d1: the teacher said billing; label 2 is shipping
    qtbot.keyClick(table, Qt.Key.Key_A)  # d2: accept technical
    qtbot.keyClick(table, Qt.Key.Key_A)  # bad: "banana" cannot be accepted
    assert "not usable" in view.status_label.text()
    assert table.currentRow() == 2
    qtbot.keyClick(table, Qt.Key.Key_E)
    assert panel.editor.hasFocus() or panel.editor.text() == "banana"
    panel.editor.selectAll()
    qtbot.keyClicks(panel.editor, "other")
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return)
    qtbot.keyClick(table, Qt.Key.Key_S)  # first sample item: skipped
    qtbot.keyClick(table, Qt.Key.Key_Return)  # second sample item: accepted
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert table.currentRow() == 5

    saved = {item.item_id: item for item in read_labelled(answers.path).items}
    assert saved["d1"].review is not None and (saved["d1"].review.verdict, saved["d1"].review.final) == (
        "corrected",
        "shipping",
    )
    assert saved["d2"].review is not None and saved["d2"].review.verdict == "accepted"
    assert saved["bad"].review is not None and (saved["bad"].review.verdict, saved["bad"].review.final) == (
        "corrected",
        "other",
    )
    decided = [item for item in saved.values() if item.review is not None]
    assert len(decided) == 5
    assert sum(1 for item in decided if item.review is not None and item.review.verdict == "skipped") == 1
    assert all(item.review is not None and item.review.seconds >= 0 for item in decided)
    assert panel.progress_label.text().startswith("Reviewed 4 of 12 in the queue · 1 skipped")
    # One sample item reviewed (accepted): 1/1 correct, and the readout says so.
    assert "100.0 % (95 % CI" in view.accuracy_label.text() and "1/1" in view.accuracy_label.text()
    assert "Not proven yet" in view.warning_label.text()

    # A wider margin needs a smaller sample (Cochran, N = 9: ±20 points → 9 · 24.01 / (24.01 + 8) = 6.75
    # → 7); the decisions made stay in the queue.
    view.margin_spin.setValue(20.0)
    assert "7 of 9 unflagged items" in view.sample_label.text()
    assert table.rowCount() == 3 + 7
    assert sum(1 for item in view.review.items if item.review is not None) == 5
    view.margin_spin.setValue(5.0)
    assert table.rowCount() == 12

    # Reopening the file resumes on the first undecided row.
    assert view.open_labelled(answers.path)
    assert view.review.table.currentRow() == 5


def test_export_button_writes_the_training_set(
    qtbot, view: DistillView, answers: Answers, tmp_path: Path
) -> None:
    answers.path = _labelled_file(tmp_path)
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    answers.folder_answer = tmp_path / "out"
    view.format_combo.setCurrentText("sharegpt")
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert "Exported" in view.status_label.text()
    lines = [
        json.loads(line)
        for line in (tmp_path / "out" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert lines and all(line["conversations"][-1]["from"] == "gpt" for line in lines)
    # "banana" was neither valid nor corrected: it is not trained on.
    assert all(line["conversations"][-1]["value"] != "banana" for line in lines)


def _inputs(tmp_path: Path, count: int) -> Path:
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()[:count]]
    path = tmp_path / "inputs.jsonl"
    path.write_text(
        "".join(json.dumps({"id": r["id"], "input": r["input"]}) + "\n" for r in rows), encoding="utf-8"
    )
    (tmp_path / "inputs.prompt.json").write_text(DEMO_PROMPT.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_label_review_and_fill_the_scenario_from_a_real_run(
    qtbot, view: DistillView, answers: Answers, tmp_path: Path, frontier_endpoint: Endpoint, monkeypatch
) -> None:
    monkeypatch.setenv("DISTILL_VIEW_KEY", frontier_endpoint.api_key)
    answers.path = _inputs(tmp_path, 3)
    qtbot.mouseClick(view.load_button, Qt.MouseButton.LeftButton)
    assert "3 inputs" in view.source_label.text()
    view.url_edit.setText(frontier_endpoint.base_url)
    view.model_edit.setText(frontier_endpoint.model)
    view.key_env_edit.setText("DISTILL_VIEW_KEY")
    view.local_check.setChecked(True)  # the bundled Gemma answers too
    qtbot.mouseClick(view.label_button, Qt.MouseButton.LeftButton)
    assert view.running and view.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not view.running, timeout=240_000)
    assert view.status_label.text().startswith("Done: 3 labelled"), view.status_label.text()
    assert view.progress.value() == 3
    # Three items: flagged or in the sample (3 of 3), so every one is in the queue.
    assert view.review.table.rowCount() == 3
    # The local specialist answered each item (grammar-constrained to the labels).
    assert all(item.specialist_output in LABELS for item in view.review.items)
    view.review.table.setFocus()
    for _ in range(3):
        qtbot.keyClick(view.review.table, Qt.Key.Key_1)
    view.rate_spin.setValue(60.0)
    qtbot.mouseClick(view.use_button, Qt.MouseButton.LeftButton)
    dialog = view.review_dialog
    assert dialog is not None and dialog.isVisible()
    shown = {
        dialog.table.item(row, 1).text(): dialog.table.item(row, 3).text()
        for row in range(dialog.table.rowCount())
    }
    assert shown["Share reviewed by people"] == "1"
    assert "distillation.teacher_cost_per_example" in dialog.checked_paths()
    assert "Only 3 reviewed items" in dialog.warnings_label.text()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    # The oracle: recompute each field from the labelled file on disk and the preset's prices.
    items = read_labelled(tmp_path / "inputs.labelled.jsonl").items
    large = view.document.scenario.large
    teacher_costs = [
        (
            item.teacher.input_tokens * large.input_price_per_mtok
            + item.teacher.output_tokens * large.output_price_per_mtok
        )
        / 1e6
        for item in items
        if item.teacher is not None
        and item.teacher.input_tokens is not None
        and item.teacher.output_tokens is not None
    ]
    seconds = [item.review.seconds for item in items if item.review is not None]
    assert len(teacher_costs) == 3 and len(seconds) == 3
    distillation = view.document.scenario.distillation
    assert distillation.enabled
    assert distillation.examples == 3
    assert distillation.human_review_share == 1.0
    assert distillation.teacher_cost_per_example == pytest.approx(sum(teacher_costs) / 3)
    assert distillation.review_seconds_per_example == pytest.approx(sum(seconds) / 3, abs=1e-3)
    assert distillation.review_cost_per_example == pytest.approx(sum(seconds) / 3 * 60 / 3600, abs=1e-6)
    assert distillation.reviewer_hourly_rate == 60.0
    assert "teacher frontier-stand-in" in distillation.measured_from
    # Each measured field keeps its provenance: the sample it rests on and the teacher measured.
    evidence = view.document.scenario.evidence
    share = evidence["distillation.human_review_share"]
    assert (share.n, share.successes, share.model) == (3, 3, frontier_endpoint.model)
    assert evidence["distillation.review_cost_per_example"].n == 3
    assert evidence["distillation.teacher_cost_per_example"].value == pytest.approx(sum(teacher_costs) / 3)
    # One undo step puts the typed values back.
    view.document.undo_stack.undo()
    assert not view.document.scenario.distillation.enabled


def test_cancel_stops_a_run_and_keeps_what_finished(
    qtbot, view: DistillView, answers: Answers, tmp_path: Path, fault_server: FaultServer
) -> None:
    answers.path = _inputs(tmp_path, 2)
    qtbot.mouseClick(view.load_button, Qt.MouseButton.LeftButton)
    view.url_edit.setText(fault_server.url("slow"))
    view.model_edit.setText("m")
    qtbot.mouseClick(view.label_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.running, timeout=20_000)
    assert view.status_label.text().startswith("Stopped: 0 labelled")
    assert view.label_button.isEnabled()
    assert read_labelled(tmp_path / "inputs.labelled.jsonl").items == []


def test_the_window_hosts_the_tab(window) -> None:
    titles = [window.tabs.tabText(index) for index in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("Distillation"))
    built = window.tabs.currentWidget().ensure_built()
    assert isinstance(built, DistillView)
    assert not built.label_button.isEnabled()  # nothing loaded yet
