"""The window's playground and spot-check share one model process (the inference session's)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from support.processes import model_server_children

from app.inference.spotcheck import RunOutcome
from app.storage.settings import load_settings
from app.ui.playground.view import PlaygroundView
from app.ui.spotcheck.view import SpotcheckView

pytestmark = pytest.mark.gui
RUN_TIMEOUT_MS = 240_000


def _tab_view(qtbot, window, title: str) -> object:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index(title))
    page = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: getattr(page, "view", None) is not None, timeout=10_000)
    return page.view


@pytest.mark.slow
def test_playground_and_spotcheck_run_one_model_process(qtbot, window) -> None:
    shared = model_server_children()  # the suite's own servers, running already
    playground = _tab_view(qtbot, window, "Playground")
    assert isinstance(playground, PlaygroundView)
    playground.model_panel.threads.setValue(2)
    playground.model_panel.context.setValue(1024)
    qtbot.mouseClick(playground.model_panel.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: playground.model_panel.state.text().startswith("Loaded"), timeout=RUN_TIMEOUT_MS)
    assert playground.server is not None
    pid = playground.server.pid
    assert model_server_children(ignore=shared) == [pid]
    # The playground's choices reach the settings the spot-check runs its model with.
    qtbot.waitUntil(lambda: load_settings().local_model.context_size == 1024, timeout=5_000)

    spotcheck = _tab_view(qtbot, window, "Spot-check")
    assert isinstance(spotcheck, SpotcheckView)
    spotcheck.limit_spin.setValue(2)
    assert spotcheck.local_check.isChecked()
    with qtbot.waitSignal(spotcheck.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(spotcheck.run_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert isinstance(outcome, RunOutcome)
    assert all(result.specialist.error is None for result in outcome.results)
    assert [result.specialist.output != "" for result in outcome.results] == [True, True]
    # The spot-check used the process the playground loaded: still one child, the same one.
    assert model_server_children(ignore=shared) == [pid]
    assert playground.server is not None and playground.server.pid == pid

    # Another choice in the playground replaces the process; it never adds a second one.
    playground.model_panel.context.setValue(512)
    qtbot.mouseClick(playground.model_panel.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            playground.server is not None
            and playground.server.pid != pid
            and "Loaded" in (playground.model_panel.state.text())
        ),
        timeout=RUN_TIMEOUT_MS,
    )
    assert model_server_children(ignore=shared) == [playground.server.pid]
    playground.shutdown()
    spotcheck.shutdown()
    assert model_server_children(ignore=shared) == []
