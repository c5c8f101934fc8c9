"""A view in a tab stops its work when the window around it closes, or when it is closed itself."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from app.ui.lifetime import StopsWithWindow

pytestmark = pytest.mark.gui


def test_a_tab_stops_with_its_window_and_with_itself(qtbot) -> None:
    window = QMainWindow()
    tabs = QTabWidget()
    view = QWidget()
    stops: list[str] = []
    watcher = StopsWithWindow(view, lambda: stops.append("stopped"))
    tabs.addTab(view, "View")
    window.setCentralWidget(tabs)
    qtbot.addWidget(window)
    assert watcher.window is None  # not shown anywhere yet
    window.show()
    qtbot.waitExposed(window)
    assert watcher.window is window
    window.close()
    assert stops == ["stopped"]

    alone = QWidget()
    StopsWithWindow(alone, lambda: stops.append("alone"))
    qtbot.addWidget(alone)
    alone.show()
    alone.close()
    assert stops == ["stopped", "alone"]
