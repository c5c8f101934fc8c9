"""A specialist served at an endpoint, chosen in the window: Edit ▸ Specialist model… switches both
the spot-check and the playground to llama-cpp-python's real server (no local model process
starts), and a spot-check against an endpoint that turns requests away says it is backing off."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox
from support.fault_server import FaultServer
from support.llama_servers import Endpoint
from support.processes import model_server_children

from app.inference.playground import PlaygroundRun
from app.inference.session import SPECIALIST_KEY_ENV
from app.storage.presets import load_preset
from app.storage.settings import FrontierSettings, Settings, SpecialistSettings, load_settings
from app.ui.document import ScenarioDocument
from app.ui.playground.view import PlaygroundView
from app.ui.specialist_settings import SpecialistSettingsDialog
from app.ui.spotcheck.setup_panel import LIVE
from app.ui.spotcheck.view import SpotcheckView

pytestmark = pytest.mark.gui


LABELS = {"billing", "shipping", "technical", "account", "other"}


def _tab(window, title: str):  # type: ignore[no-untyped-def]
    titles = [window.tabs.tabText(index) for index in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index(title))
    return window.tabs.currentWidget().ensure_built()


@pytest.mark.slow
def test_the_settings_action_switches_the_spotcheck_and_the_playground_to_an_endpoint(
    qtbot, window, frontier_endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SPECIALIST_KEY_ENV, frontier_endpoint.api_key)
    shared = model_server_children()  # the suite's own servers, running already
    spotcheck = _tab(window, "Spot-check")
    assert isinstance(spotcheck, SpotcheckView)
    assert spotcheck.setup.specialist_info.text() == "Specialist: the local GGUF model"

    # Edit ▸ Specialist model…, as a user would: the real action, the real dialog, OK.
    window.specialist_action.trigger()
    dialog = window.specialist_dialog
    assert isinstance(dialog, SpecialistSettingsDialog) and dialog.isVisible()
    qtbot.waitExposed(dialog)
    # On its indicator: a radio button takes clicks on its circle and text, not its whole width.
    radio = dialog.endpoint_radio
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert radio.isChecked()
    assert dialog.endpoint_box.isEnabled()
    dialog.base_url.setText(frontier_endpoint.base_url)
    dialog.model.setText(frontier_endpoint.model)
    dialog.grammar.setChecked(True)
    assert dialog.key_state.text() == f"from the {SPECIALIST_KEY_ENV} environment variable"
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    saved = load_settings().specialist  # saved for the next start, and in the store now
    assert (saved.source, saved.base_url, saved.model, saved.label_grammar) == (
        "endpoint",
        frontier_endpoint.base_url,
        frontier_endpoint.model,
        True,
    )
    host = urlsplit(frontier_endpoint.base_url).netloc
    served_name = f"{frontier_endpoint.model} (served at {host})"
    assert spotcheck.setup.specialist_info.text() == f"Specialist: {frontier_endpoint.model} served at {host}"

    # A small spot-check asks the endpoint, several items at once; no model process starts.
    spotcheck.limit_spin.setValue(3)
    with qtbot.waitSignal(spotcheck.run_finished, timeout=240_000) as blocker:
        assert spotcheck.start_run()
    outcome = blocker.args[0]
    assert outcome is not None and not outcome.cancelled
    assert outcome.summary.specialist.name == served_name
    assert outcome.parallelism["specialist"].requested == spotcheck.concurrency_spin.value()
    answers = [result.specialist for result in outcome.results]
    assert [(answer.error, answer.output in LABELS) for answer in answers] == [(None, True)] * 3
    assert all(answer.confidence is not None for answer in answers)
    assert spotcheck.session.server is None and model_server_children(ignore=shared) == []
    assert served_name in spotcheck.specialist_label.text()

    # The playground follows the same setting: its specialist column streams from the endpoint.
    playground = _tab(window, "Playground")
    assert isinstance(playground, PlaygroundView)
    assert served_name in playground.local_column.title.text()
    assert playground.model_panel.state.text().startswith(f"Not used: the specialist is served at {host}")
    playground.model_panel.mode.setCurrentIndex(playground.model_panel.mode.findData("completion"))
    playground.model_panel.labels.setText("billing, shipping")
    playground.model_panel.max_tokens.setValue(4)
    playground.prompt.setPlainText("Message: I was charged twice for one order.\nCategory:")
    with qtbot.waitSignal(playground.run_finished, timeout=120_000) as blocker:
        qtbot.mouseClick(playground.run_button, Qt.MouseButton.LeftButton)
    run = blocker.args[0]
    assert isinstance(run, PlaygroundRun)
    assert run.local.name == served_name
    assert run.local.result is not None and run.local.result.error is None
    assert run.local.result.text.strip() in {"billing", "shipping"}  # the grammar reached the server
    assert playground.local_column.status.text() == "Done."
    assert playground.session.server is None and model_server_children(ignore=shared) == []


@pytest.fixture
def overloaded_view(qtbot, fault_server: FaultServer) -> Iterator[SpotcheckView]:
    fault_server.reset_overload()
    url = fault_server.url("overloaded")
    settings = Settings(
        frontier=FrontierSettings(preset="custom", base_url=url, model="fault-model"),
        specialist=SpecialistSettings(source="endpoint", base_url=url, model="fault-model"),
    )
    view = SpotcheckView(ScenarioDocument(load_preset("support-ticket-triage")), settings=settings)
    qtbot.addWidget(view)
    view.show()
    yield view
    view.shutdown()


def test_a_busy_endpoint_is_said_in_the_window_and_the_run_completes(
    qtbot, overloaded_view: SpotcheckView, fault_server: FaultServer
) -> None:
    view = overloaded_view
    view.frontier_combo.setCurrentIndex(view.frontier_combo.findData(LIVE))
    view.concurrency_spin.setValue(6)
    view.limit_spin.setValue(6)
    with qtbot.waitSignal(view.run_finished, timeout=120_000) as blocker:
        assert view.start_run()
    outcome = blocker.args[0]
    assert outcome is not None and not outcome.cancelled
    assert fault_server.overload_refused > 0
    # Both sides share an endpoint that takes two requests at once: each backed off and finished.
    for side in ("specialist", "frontier"):
        answers = [getattr(result, side) for result in outcome.results]
        assert [(answer.error, answer.output) for answer in answers] == [(None, "billing")] * 6
    lowered = {side: report for side, report in outcome.parallelism.items() if report.backoffs}
    assert lowered and all(report.lowest < report.requested == 6 for report in lowered.values())
    # Said as it happened, naming the side, and still shown after the run.
    assert view.notes and {note.split(":")[0] for note in view.notes} == set(lowered)
    assert view.backoff_label.isVisible()
    assert view.backoff_label.text() == f"Backing off: {view.notes[-1]}"
    assert "in flight now" in view.backoff_label.text()
    assert not view.errors_label.isVisible()  # nothing failed in the end
