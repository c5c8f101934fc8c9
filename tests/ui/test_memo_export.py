"""File ▸ Export decision memo… in the real window: Ctrl+E and the menu action, read back with pdftotext."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.domain.formatting import format_money, format_months
from app.storage.settings import load_settings
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def words(text: str) -> str:
    return " ".join(text.split())


class SaveDialog:
    """Stands in for the platform's save dialog: answers `answer`, records what it was offered."""

    def __init__(self, answer: Path | None) -> None:
        self.answer = answer
        self.offered: list[str] = []

    def __call__(self, parent: Any, title: str, suggested: str, filters: str) -> tuple[str, str]:
        self.offered.append(suggested)
        return (str(self.answer) if self.answer else "", filters)


@pytest.fixture
def save_dialog(monkeypatch: pytest.MonkeyPatch) -> SaveDialog:
    dialog = SaveDialog(None)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return dialog


def _export(qtbot, window: MainWindow, press_keys: bool = True) -> Any:
    """Open the options with Ctrl+E (or the menu action), then press Export…; the outcome."""
    exporter = window.memo_exporter
    if press_keys:
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    else:
        window.export_memo_action.trigger()
    dialog = exporter.dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(exporter.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        # The click returns while a worker writes the memo: the window shows progress and stays live.
        assert exporter.running and exporter.progress_bar.isVisible()
        assert not window.export_memo_action.isEnabled()
    assert not exporter.running and not exporter.progress_bar.isVisible()
    return blocker.args[0]


def test_ctrl_e_writes_the_memo_with_the_verdict_and_the_windows_figures(
    qtbot, window: MainWindow, save_dialog: SaveDialog, tmp_path: Path
) -> None:
    save_dialog.answer = tmp_path / "board memo"  # no suffix: .pdf is added
    assert window.export_memo_action in window.menuBar().actions()[0].menu().actions()
    outcome = _export(qtbot, window)
    assert outcome.ok, outcome.error
    assert outcome.pdf_path == tmp_path / "board memo.pdf"
    page_one = words(pdf_text(outcome.pdf_path, 1))
    document = window.document
    summary = document.summary
    assert document.recommendation.label in page_one
    assert document.recommendation.label.upper() in window.verdict_strip.text()
    # The same figures the window's verdict card shows, read off its labels.
    banner = window.calculator.decision.banner
    for figure in (banner.net_savings, banner.break_even, banner.one_time):
        assert figure.value.text() and figure.value.text() in page_one, figure.value.text()
    assert format_money(summary.net_monthly_savings, "figure") == banner.net_savings.value.text()
    assert format_months(summary.break_even_months) in page_one
    # The result box offers Open and Show in folder; both go to the desktop with the file's URL.
    opened: list[QUrl] = []
    window.memo_exporter.open_url = opened.append
    box = window.memo_exporter.result_box
    assert box is not None and box.isVisible()
    assert "board memo.pdf" in box.text()
    qtbot.mouseClick(window.memo_exporter.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "board memo.pdf"))]


def test_the_menu_action_remembers_folder_paper_and_author(
    qtbot, window: MainWindow, save_dialog: SaveDialog, tmp_path: Path
) -> None:
    folder = tmp_path / "memos"
    folder.mkdir()
    save_dialog.answer = folder / "first.pdf"
    window.export_memo_action.trigger()
    dialog = window.memo_exporter.dialog
    assert dialog is not None
    assert not dialog.spotcheck_check.isEnabled()  # no spot-check has run in this session
    dialog.author_edit.setText("Dana Reyes")
    dialog.page_combo.setCurrentText("Letter")
    dialog.json_check.setChecked(True)
    with qtbot.waitSignal(window.memo_exporter.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome.ok, outcome.error
    assert outcome.json_path == folder / "first.json" and outcome.json_path.is_file()
    # The content saved beside it re-renders the same memo, nothing recomputed.
    from app.cli import main

    assert main(["memo", "--from-json", str(outcome.json_path), "-o", str(tmp_path / "again.pdf")]) == 0
    assert pdf_text(tmp_path / "again.pdf") == pdf_text(outcome.pdf_path)
    assert "Dana Reyes" in pdf_text(outcome.pdf_path, 1)
    info = subprocess.run(
        ["pdfinfo", str(outcome.pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    assert "612 x 792 pts" in info  # Letter
    saved = load_settings().memo
    assert (saved.last_directory, saved.page_size, saved.author) == (str(folder), "Letter", "Dana Reyes")

    # The next export starts from what was remembered.
    opened: list[QUrl] = []
    window.memo_exporter.open_url = opened.append
    qtbot.mouseClick(window.memo_exporter.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(folder))]
    save_dialog.answer = None  # cancel this time: nothing is written
    window.export_memo_action.trigger()
    again = window.memo_exporter.dialog
    assert again is not None
    assert again.author_edit.text() == "Dana Reyes" and again.page_combo.currentText() == "Letter"
    again.accept()
    assert save_dialog.offered[-1].startswith(str(folder))
    assert not window.memo_exporter.running


def test_a_failure_names_the_file_and_the_reason(
    qtbot, window: MainWindow, save_dialog: SaveDialog, tmp_path: Path
) -> None:
    save_dialog.answer = tmp_path / "no such folder" / "memo.pdf"
    outcome = _export(qtbot, window, press_keys=False)
    assert not outcome.ok
    box = window.memo_exporter.result_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "memo.pdf" in box.text() and "does not exist" in box.text()
    assert window.export_memo_action.isEnabled()
    assert window.document.scenario.name  # the scenario is untouched
    assert not window.document.dirty


def test_the_memo_button_beside_the_verdict_runs_the_same_action(window: MainWindow) -> None:
    assert window.memo_button.defaultAction() is window.export_memo_action
    assert window.memo_button.isVisible()
    assert window.export_memo_action.shortcut().toString() == "Ctrl+E"
    window.memo_button.click()
    dialog = window.memo_exporter.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def _tab(window: MainWindow, title: str) -> Any:
    from app.ui.views import LazyView

    for index in range(window.tabs.count()):
        if window.tabs.tabText(index) == title:
            window.tabs.setCurrentIndex(index)
            page = window.tabs.widget(index)
            return page.ensure_built() if isinstance(page, LazyView) else page
    raise AssertionError(f"no {title} tab")


def test_a_spotcheck_run_in_this_session_goes_on_page_one(
    qtbot, window: MainWindow, save_dialog: SaveDialog, tmp_path: Path
) -> None:
    """The bundled set's recorded frontier answers (no model to start): 80 of 87 right."""
    view = _tab(window, "Spot-check")
    view.local_check.setChecked(False)
    with qtbot.waitSignal(view.run_finished, timeout=240_000):
        assert view.start_run()
    summary = view.summary
    assert summary is not None
    window.tabs.setCurrentIndex(0)
    save_dialog.answer = tmp_path / "with-evidence.pdf"
    window.export_memo_action.trigger()
    dialog = window.memo_exporter.dialog
    assert dialog is not None and dialog.spotcheck_check.isEnabled() and dialog.spotcheck_check.isChecked()
    with qtbot.waitSignal(window.memo_exporter.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome.ok, outcome.error
    page_one = words(pdf_text(outcome.pdf_path, 1))
    assert "MEASURED EVIDENCE" in page_one
    assert f"{summary.frontier.name}" in page_one and "80 of 87 items" in page_one
    assert f"{80 / 87 * 100:.1f}%" in page_one and summary.run_date in page_one
    # The specialist did not run: the typed accuracy is said to be typed, not measured.
    typed = window.document.scenario.quality.specialist_accuracy
    assert typed is not None
    assert f"specialist accuracy of {typed * 100:.1f}%" in page_one and "not measured" in page_one
    assert window.memo_exporter.current_spotcheck() is summary
    view.shutdown()


def test_decision_details_reach_page_one_and_the_scenario_file(
    qtbot, window: MainWindow, save_dialog: SaveDialog, tmp_path: Path
) -> None:
    from PySide6.QtCore import QDate

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    options = window.memo_exporter.dialog
    assert options is not None
    qtbot.mouseClick(options.decision_button, Qt.MouseButton.LeftButton)
    details = window.memo_exporter.decision_dialog
    assert details is not None and details.isVisible()
    details.ask_edit.setText("Approve $21.5K and a four-week pilot")
    details.owner_edit.setText("Head of Support")
    details.date_check.setChecked(True)
    details.date_edit.setDate(QDate(2026, 12, 15))
    details.pilot_edit.setPlainText("Route 10 % of tickets for four weeks; stop below 90 % accuracy.")
    before = window.document.undo_stack.count()
    details.accept()
    assert window.document.undo_stack.count() == before + 1  # one undo step
    assert window.document.scenario.decision.decision_date == "2026-12-15"

    save_dialog.answer = tmp_path / "decision.pdf"
    with qtbot.waitSignal(window.memo_exporter.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(options.export_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome.ok, outcome.error
    page_one = words(pdf_text(outcome.pdf_path, 1))
    assert "FOR DECISION" in page_one
    assert "The ask: Approve $21.5K and a four-week pilot" in page_one
    assert "owner Head of Support; decide by 2026-12-15" in page_one
    assert "Pilot plan: Route 10 % of tickets for four weeks" in page_one

    # Stored with the scenario, and one undo takes it back.
    assert window.save_to(tmp_path / "scenario.json")
    assert '"decision_date": "2026-12-15"' in (tmp_path / "scenario.json").read_text(encoding="utf-8")
    window.document.undo_stack.undo()
    assert window.document.scenario.decision.empty
    assert window.decision_action in window.menuBar().actions()[2].menu().actions()


@pytest.mark.slow
def test_a_base_model_measured_in_the_window_is_named_as_not_the_specialist(
    qtbot, window: MainWindow, save_dialog: SaveDialog, tmp_path: Path
) -> None:
    """The report's case, for real: the bundled base model run on a few items, then Ctrl+E."""
    view = _tab(window, "Spot-check")
    view.limit_spin.setValue(4)
    with qtbot.waitSignal(view.run_finished, timeout=300_000):
        assert view.start_run()
    summary = view.summary
    assert summary is not None and summary.specialist.accuracy.total > 0
    window.tabs.setCurrentIndex(0)
    save_dialog.answer = tmp_path / "base-model.pdf"
    outcome = _export(qtbot, window)
    assert outcome.ok, outcome.error
    page_one = words(pdf_text(outcome.pdf_path, 1))
    accuracy = summary.specialist.accuracy
    assert f"{accuracy.successes} of {accuracy.total} items" in page_one
    assert "Not the scenario's specialist:" in page_one
    assert "accuracy 93.0% meets" not in words(pdf_text(outcome.pdf_path))
    view.shutdown()


def test_the_risk_views_result_goes_on_page_one(
    qtbot, window: MainWindow, save_dialog: SaveDialog, tmp_path: Path
) -> None:
    controller = window.risk.controller
    qtbot.waitUntil(
        lambda: controller.result is not None and controller.result_scenario == window.document.scenario,
        timeout=180_000,
    )
    result = controller.result
    assert result is not None and window.memo_exporter.current_uncertainty() is result
    save_dialog.answer = tmp_path / "risk.pdf"
    outcome = _export(qtbot, window, press_keys=False)
    assert outcome.ok, outcome.error
    page_one = words(pdf_text(outcome.pdf_path, 1))
    assert "HOW SURE IS THE PAYBACK" in page_one and f"{result.draws:,} draws" in page_one
    assert "What moves the savings at" in page_one
