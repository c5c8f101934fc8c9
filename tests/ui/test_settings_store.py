"""One settings store: saved per field, announced to the views, seen by every view without a restart."""

from __future__ import annotations

import pytest

from app.inference.local_server import LlamaLoadOptions
from app.inference.session import ModelChoice
from app.storage.paths import settings_path
from app.storage.settings import Settings, load_settings, update_settings
from app.ui.playground.view import PlaygroundView
from app.ui.settings_store import SettingsStore
from app.ui.spotcheck.setup_panel import LIVE
from app.ui.spotcheck.view import SpotcheckView

pytestmark = pytest.mark.gui


def test_update_saves_only_its_fields_and_announces_them(qtbot) -> None:
    update_settings(window_geometry="KEPT")  # another copy of the app wrote this meanwhile
    store = SettingsStore(Settings(theme="light"))
    with qtbot.waitSignal(store.changed, timeout=1000) as blocker:
        store.update(local_model={"gpu_layers": 3})
    settings, fields = blocker.args
    assert fields == frozenset({"local_model"}) and settings is store.settings
    assert store.settings.local_model.gpu_layers == 3 and store.settings.theme == "light"
    saved = load_settings()
    assert saved.local_model.gpu_layers == 3 and saved.window_geometry == "KEPT"
    assert saved.theme == "system"  # the store's unsaved theme was not among the fields written

    with qtbot.assertNotEmitted(store.changed):
        store.update(local_model={"gpu_layers": 3})  # no change: nothing to announce
    before = settings_path().read_text(encoding="utf-8")
    with qtbot.assertNotEmitted(store.changed), pytest.raises(ValueError, match="gpu_layers"):
        store.update(local_model={"gpu_layers": -5})
    assert store.settings.local_model.gpu_layers == 3
    assert settings_path().read_text(encoding="utf-8") == before  # a refused value is never written


def _tab_view(qtbot, window, title: str) -> object:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index(title))
    page = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: getattr(page, "view", None) is not None, timeout=10_000)
    return page.view


def test_a_change_in_the_playground_is_seen_by_the_spotcheck_without_a_restart(qtbot, window) -> None:
    spotcheck = _tab_view(qtbot, window, "Spot-check")
    playground = _tab_view(qtbot, window, "Playground")
    assert isinstance(spotcheck, SpotcheckView) and isinstance(playground, PlaygroundView)
    assert spotcheck.settings_store is playground.settings_store is window.settings_store
    live = spotcheck.frontier_combo.findData(LIVE)

    playground.model_panel.context.setValue(4096)
    playground.model_panel.gpu_layers.setValue(2)
    playground.frontier_panel.select_preset("custom")
    playground.frontier_panel.base_url.setText("http://127.0.0.1:9/v1")
    playground.frontier_panel.model.setText("another-model")
    qtbot.waitUntil(lambda: spotcheck.settings.frontier.model == "another-model", timeout=5_000)

    # The spot-check (built before the change) runs the model and endpoint the playground shows now.
    assert spotcheck.model_choice() == ModelChoice(None, LlamaLoadOptions(4096, 0, 2))
    assert spotcheck.model_choice() == playground.model_choice()
    assert spotcheck.frontier_combo.itemText(live) == "Frontier: another-model at http://127.0.0.1:9/v1"
    assert window.settings.local_model.context_size == 4096  # the window sees it too
    assert load_settings().local_model.context_size == 4096  # and it is remembered


def test_two_playgrounds_follow_each_other(qtbot) -> None:
    from app.storage.presets import load_preset
    from app.ui.document import ScenarioDocument

    store = SettingsStore(Settings())
    document = ScenarioDocument(load_preset("support-ticket-triage"))
    first = PlaygroundView(document, settings_store=store)
    second = PlaygroundView(document, settings_store=store)
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    first.model_panel.labels.setText("spam, ham")
    first.frontier_panel.timeout.setValue(42)
    first._save_settings()
    assert second.model_panel.label_list() == ("spam", "ham")
    assert second.frontier_panel.timeout.value() == 42
    first.shutdown()
    second.shutdown()
