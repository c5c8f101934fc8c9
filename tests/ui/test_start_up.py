"""`specialist-studio FILE` end to end: run_gui with a bad file still opens the window and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.storage.settings import load_settings
from app.ui.app import run_gui
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _top_level(kind: type) -> list:
    return [
        widget for widget in QApplication.topLevelWidgets() if isinstance(widget, kind) and widget.isVisible()
    ]


def test_run_gui_with_a_bad_file_opens_the_window_with_the_problem_shown(qtbot, tmp_path: Path) -> None:
    bad = tmp_path / "oops.json"
    bad.write_text('{"schema_version": 1, "volume_per_month": "lots"}', encoding="utf-8")
    seen: dict[str, object] = {}

    def inspect_and_quit() -> None:
        windows = _top_level(MainWindow)
        boxes = _top_level(QMessageBox)
        seen["windows"] = len(windows)
        seen["messages"] = [box.text() for box in boxes]
        seen["scenario"] = windows[0].document.scenario.name if windows else None
        for box in boxes:
            box.close()
        for window in windows:
            window.close()
        QApplication.quit()

    QTimer.singleShot(300, inspect_and_quit)
    assert run_gui([str(bad)]) == 0
    assert seen["windows"] == 1
    messages = seen["messages"]
    assert isinstance(messages, list) and len(messages) == 1
    assert "oops.json" in messages[0] and "volume_per_month" in messages[0]
    assert seen["scenario"]  # the first-run preset is there to work with


def test_run_gui_refuses_two_files(tmp_path: Path, capsys) -> None:
    assert run_gui([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 2
    assert "one scenario file" in capsys.readouterr().err
    assert load_settings().recent_files == ()
