"""Files, undo/redo, unsaved-changes prompts, bad files, autosave and recovery, start-up, compare."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.domain.costs import cumulative_curves
from app.domain.fields import field_for
from app.domain.rules import RULE_TITLES
from app.domain.scenario import Scenario
from app.storage.autosave import AutosaveSlot, leftover_slots
from app.storage.presets import load_preset
from app.storage.scenario_files import load_scenario
from app.storage.settings import Settings, load_settings
from app.ui.compare import CompareDialog, comparison_rows
from app.ui.dialogs import ShortcutsDialog
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def type_into(qtbot, window: MainWindow, key: str, text: str) -> None:
    entry = window.calculator.inputs.fields[key].entry
    entry.selectAll()
    qtbot.keyClicks(entry, text)
    qtbot.keyClick(entry, Qt.Key.Key_Return)


def test_save_and_reopen_gives_the_identical_scenario(
    window: MainWindow, qtbot, tmp_path: Path, make_window
) -> None:
    type_into(qtbot, window, "volume_per_month", "7.5M")
    type_into(qtbot, window, "routing.escalation_rate", "12.5")
    assert window.document.dirty and window.isWindowModified()
    path = tmp_path / "triage.json"
    window.prompter.save_path_answer = path  # type: ignore[attr-defined]
    window.save_action.trigger()  # never saved: Save asks where
    assert path.is_file()
    assert not window.document.dirty and not window.isWindowModified()
    assert window.document.path == path.resolve()
    saved = window.document.scenario

    other = make_window(load_preset("review-sentiment"))
    assert other.open_path(path)
    assert other.document.scenario == saved
    assert load_scenario(path) == saved
    assert other.calculator.inputs.fields["volume_per_month"].entry.text() == "7.5M"
    np.testing.assert_allclose(
        other.calculator.cumulative_chart.specialist_curve.getData()[1], cumulative_curves(saved).specialist
    )
    assert str(path.resolve()) == load_settings().recent_files[0]


def test_undo_and_redo_every_edit(window: MainWindow, qtbot, preset: Scenario) -> None:
    type_into(qtbot, window, "volume_per_month", "1M")
    type_into(qtbot, window, "monthly_ops", "4000")
    window.calculator.inputs.mode_combo.activated.emit(1)  # router
    assert window.document.scenario.routing.mode == "router"
    assert window.document.undo_stack.count() == 3

    window.undo_action.trigger()
    assert window.document.scenario.routing.mode == "cascade"
    assert window.calculator.inputs.mode_combo.currentData() == "cascade"
    window.undo_action.trigger()
    assert window.document.scenario.monthly_ops == preset.monthly_ops
    assert window.calculator.inputs.fields["monthly_ops"].entry.text() == "1.5K"
    window.undo_action.trigger()
    assert window.document.scenario == preset
    assert not window.document.dirty
    np.testing.assert_allclose(
        window.calculator.cumulative_chart.large_curve.getData()[1], cumulative_curves(preset).large_only
    )
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert window.document.scenario.volume_per_month == 1_000_000
    assert window.document.scenario.monthly_ops == 4000
    assert window.document.dirty


def test_a_slider_drag_is_one_undo_step(window: MainWindow, preset: Scenario) -> None:
    slider = window.calculator.inputs.fields["volume_per_month"].slider
    start = slider.value()
    for offset in range(1, 30, 3):  # the moves a drag delivers
        slider.setValue(start + offset)
    assert window.document.scenario.volume_per_month != preset.volume_per_month
    assert window.document.undo_stack.count() == 1
    window.undo_action.trigger()
    assert window.document.scenario == preset


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({"schema_version": 1, "name": "x"}), "volume_per_month: required field is missing"),
    ],
)
def test_a_bad_file_shows_a_dialog_and_keeps_the_current_work(
    window: MainWindow, qtbot, tmp_path: Path, content: str, expected: str
) -> None:
    type_into(qtbot, window, "volume_per_month", "4M")
    work = window.document.scenario
    bad = tmp_path / "broken.json"
    bad.write_text(content, encoding="utf-8")
    prompter = window.prompter
    prompter.open_answer = bad
    prompter.save_answer = "discard"
    assert not window.open_dialog()
    box = prompter.open_boxes[-1]
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "broken.json" in box.text() and expected in box.text()
    box.accept()
    # The unsaved work is untouched: same scenario, still dirty, still undoable.
    assert window.document.scenario == work
    assert window.document.dirty
    assert window.document.undo_stack.count() == 1
    assert window.isVisible()


def test_an_invalid_value_in_a_file_names_the_field(
    window: MainWindow, tmp_path: Path, preset: Scenario
) -> None:
    data = preset.model_dump(mode="json")
    data["large"]["input_price_per_mtok"] = -3
    bad = tmp_path / "negative.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert not window.open_path(bad)
    _title, message = window.prompter.errors[-1]  # type: ignore[attr-defined]
    assert "large.input_price_per_mtok" in message and "negative.json" in message
    assert window.document.scenario == preset


def test_leaving_unsaved_changes_asks_first(window: MainWindow, qtbot, preset: Scenario) -> None:
    prompter = window.prompter
    type_into(qtbot, window, "volume_per_month", "9M")
    edited = window.document.scenario
    prompter.save_answer = "cancel"
    assert not window.new_scenario()
    assert window.document.scenario == edited
    assert not window.close()  # the close is refused too
    assert window.isVisible()
    assert len(prompter.questions) == 2
    prompter.save_answer = "discard"
    assert window.open_preset("hr-policy-questions")
    assert window.document.scenario == load_preset("hr-policy-questions")
    assert not window.document.dirty


def test_autosave_and_recovery_after_a_crash(window: MainWindow, qtbot, make_window) -> None:
    assert not window.autosave_now()  # nothing unsaved yet, nothing written
    type_into(qtbot, window, "one_time.data_curation", "20k")
    qtbot.waitUntil(lambda: window.autosave_slot.read() is not None, timeout=5000)  # the debounced autosave
    recovered = window.autosave_slot.read()
    assert recovered is not None and recovered.scenario == window.document.scenario
    window.autosave_slot.abandon()  # the window's process dies: the OS drops its slot's lock

    # The next start after a crash: the slot is offered and restored as unsaved work.
    restarted = make_window(load_preset("review-sentiment"))
    prompter = restarted.prompter
    assert restarted.offer_recovery()
    assert restarted.document.scenario.one_time.data_curation == 20_000
    assert restarted.document.dirty
    assert any(question.startswith("recover") for question in prompter.questions)
    # The work now lives in the new window's own slot; the crashed window's slot is gone.
    kept = restarted.autosave_slot.read()
    assert kept is not None and kept.scenario.one_time.data_curation == 20_000
    assert not recovered.slot_path.exists()


def test_two_windows_that_crashed_are_each_offered_back(make_window, preset: Scenario) -> None:
    """Edits in two windows, both crash: each window's work comes back, in a window of its own."""
    first, second = make_window(preset), make_window(preset)
    first.document.load(preset.with_changes(monthly_ops=1300.0), None, dirty=True)
    second.document.load(preset.with_changes(monthly_ops=1400.0), None, dirty=True)
    assert first.autosave_now() and second.autosave_now()
    assert first.autosave_slot.path != second.autosave_slot.path
    first.autosave_slot.abandon()
    second.autosave_slot.abandon()

    restarted = make_window(preset)
    assert restarted.offer_recovery()
    assert sum(question.startswith("recover") for question in restarted.prompter.questions) == 2
    restored = [restarted, *restarted.recovered_windows]
    assert sorted(window.document.scenario.monthly_ops for window in restored) == [1300.0, 1400.0]
    assert all(window.document.dirty for window in restored)
    for window in restarted.recovered_windows:
        window.prompter.save_answer = "discard"  # type: ignore[attr-defined]
        window.close()


def test_a_clean_exit_keeps_the_other_windows_autosave(make_window, preset: Scenario) -> None:
    editing, closing = make_window(preset), make_window(preset)
    editing.document.load(preset.with_changes(monthly_ops=1500.0), None, dirty=True)
    assert editing.autosave_now()
    closing.close()  # no unsaved work: a clean exit
    kept = editing.autosave_slot.read()
    assert kept is not None and kept.scenario.monthly_ops == 1500.0
    editing.autosave_slot.abandon()
    offered = leftover_slots()
    assert [item.scenario.monthly_ops for item in offered] == [1500.0]
    offered[0].release()


def test_declining_recovery_empties_the_slot(make_window, preset: Scenario) -> None:
    crashed = AutosaveSlot()
    crashed.write(preset.with_changes(monthly_ops=1600.0), None)
    crashed.abandon()
    window = make_window(preset)
    window.prompter.recover_answer = False
    assert not window.offer_recovery()
    assert leftover_slots() == [] and not crashed.path.exists()
    assert window.document.scenario == preset


def test_start_up_with_a_file_a_bad_file_and_the_last_scenario(
    make_window, tmp_path: Path, preset: Scenario
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(load_preset("review-sentiment").model_dump(mode="json")), encoding="utf-8")
    window = make_window(preset)
    window.start(good)
    assert window.document.path == good.resolve()
    assert window.document.scenario == load_preset("review-sentiment")

    missing = tmp_path / "missing.json"
    bad_start = make_window(preset)
    bad_start.start(missing)  # the window opens anyway, with the problem shown
    assert bad_start.document.scenario == preset
    assert "missing.json" in bad_start.prompter.errors[-1][1]  # type: ignore[attr-defined]
    assert "file not found" in bad_start.prompter.errors[-1][1]  # type: ignore[attr-defined]

    last = make_window(preset, Settings(last_scenario=str(good)))
    last.start(None)
    assert last.document.scenario == load_preset("review-sentiment")


def test_duplicate_continues_in_an_unsaved_copy(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "original.json"
    assert window.save_to(path)
    window.duplicate_action.trigger()
    assert window.document.path is None
    assert window.document.dirty
    assert window.document.scenario.name.endswith("(copy)")
    assert load_scenario(path).name == window.document.scenario.name.removesuffix(" (copy)")


def test_compare_two_scenarios_side_by_side(window: MainWindow, qtbot, tmp_path: Path) -> None:
    path = tmp_path / "base.json"
    assert window.save_to(path)
    type_into(qtbot, window, "volume_per_month", "6M")
    dialog = window.compare_with_saved()
    assert isinstance(dialog, CompareDialog)
    qtbot.addWidget(dialog)
    rows = {row.label: row for row in dialog.rows}
    volume = rows["Requests per month"]
    # This scenario (6M, edited) against the other (the saved 3M): "3M higher", read forwards.
    assert volume.changed and volume.a == "6M" and volume.b == "3M" and volume.delta == "3M higher (+100%)"
    net = rows["Net savings per month"]
    assert net.changed and " more (+" in net.delta  # twice the traffic saves more here
    assert not rows["Horizon"].changed
    # Inputs by the field catalogue's labels, with the group where a label alone is ambiguous.
    assert {field_for("large.input_tokens").qualified_label, "Specialist: input tokens"} <= set(rows)
    assert dialog.table.rowCount() == len(dialog.rows)
    # The verdict and the headline figures come first, the rules in the main view's words next.
    labels = [row.label for row in dialog.rows]
    assert labels[:3] == ["Verdict and headline", "Verdict", "Break-even"]
    assert labels.index("Decision rules") < labels.index("Inputs")
    rule_rows = [row for row in dialog.rows if row.label.startswith("Rule ")]
    assert {row.a for row in rule_rows} <= {"Holds", "Does not hold", "Unknown"}
    assert rule_rows[0].label == f"Rule 1: {RULE_TITLES[1]}"
    assert dialog.table.horizontalHeaderItem(3).text() == "This scenario vs the other"
    # Both scenarios' cumulative curves, one over the other.
    this_curve = dialog.chart.curves["this_large"].getData()[1]
    other_curve = dialog.chart.curves["other_large"].getData()[1]
    assert this_curve[-1] == pytest.approx(2 * other_curve[-1])  # twice the volume, twice the large bill
    dialog.close()

    same = comparison_rows(window.document.scenario, window.document.scenario)
    assert not any(row.changed for row in same)


def test_every_menu_action_has_a_shortcut(window: MainWindow) -> None:
    for action in (
        window.new_action,
        window.open_action,
        window.save_action,
        window.save_as_action,
        window.quit_action,
        window.undo_action,
        window.redo_action,
        window.duplicate_action,
        window.compare_file_action,
        window.compare_saved_action,
        window.compare_preset_action,
        window.goal_volume_action,
        window.goal_price_action,
        window.extras_action,
        window.full_screen_action,
        window.shortcuts_action,
        *window.tab_actions,
        *window.theme_actions.values(),
    ):
        assert not action.shortcut().isEmpty(), action.text()
    keys = [line.split("\t")[0] for line in window.shortcut_lines()]
    assert len(keys) == len(set(keys)), "two actions share a shortcut"


def test_recent_files_reopen_from_the_menu(window: MainWindow, tmp_path: Path, preset: Scenario) -> None:
    path = tmp_path / "recent.json"
    assert window.save_to(path)
    window.open_preset("review-sentiment")
    actions = window.recent_menu.actions()
    assert window.recent_menu.isEnabled() and actions
    assert actions[0].text().endswith("recent.json")
    actions[0].trigger()
    assert window.document.path == path.resolve()
    assert window.document.scenario == preset


def test_compare_with_a_preset_and_help_windows(window: MainWindow) -> None:
    window.prompter.choice_answer = 0  # type: ignore[attr-defined]
    dialog = window.compare_with_preset()
    assert isinstance(dialog, CompareDialog)
    assert any(row.changed for row in dialog.rows)
    dialog.close()
    window.shortcuts_action.trigger()
    shortcuts = window.help_windows[-1]
    assert isinstance(shortcuts, ShortcutsDialog) and shortcuts.isVisible()
    # Keys and actions in two columns of one table: every row has both, each in its own column.
    rows = shortcuts.rows()
    assert ("Ctrl+S", "Save") in rows and all(keys and action and "\t" not in keys for keys, action in rows)
    assert len(rows) == len(window.shortcut_lines())
    shortcuts.close()
    window.about_action.trigger()
    assert window.prompter.questions[-1:] == ["About Specialist Studio"]  # type: ignore[attr-defined]


def test_the_window_hosts_the_extra_views_built_on_first_show(window: MainWindow) -> None:
    from app.ui.views import EXTRA_VIEWS, LazyView

    titles = [window.tabs.tabText(index) for index in range(window.tabs.count())]
    assert titles[0] == "Calculator"
    assert titles[1:] == [title for title, _module, _class in EXTRA_VIEWS]
    for index in range(1, window.tabs.count()):
        page = window.tabs.widget(index)
        assert isinstance(page, LazyView) and page.view is None  # nothing heavy at start-up
    assert len(window.tab_actions) == window.tabs.count()


def test_a_file_without_one_time_or_ops_opens_with_a_warning_shown(
    window: MainWindow, tmp_path: Path
) -> None:
    """A cost left out counts as $0 and can decide the verdict: the window says so when opening."""
    document = json.loads(
        (Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "v1_minimal.json").read_text(
            encoding="utf-8"
        )
    )
    del document["monthly_ops"]
    path = tmp_path / "forgot-ops.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    window.prompter.open_answer = path  # type: ignore[attr-defined]
    window.prompter.save_answer = "discard"  # type: ignore[attr-defined]
    assert window.open_dialog()
    assert window.document.scenario.monthly_ops == 0
    assert len(window.open_warnings) == 1
    assert "monthly_ops is not in the file" in window.open_warnings[0]
    box = window.prompter.open_boxes[-1]  # type: ignore[attr-defined]
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "monthly_ops is not in the file" in box.text() and "count as $0" in box.text()
    assert "monthly_ops is not in the file" in window.statusBar().currentMessage()
    box.accept()


def test_a_typed_value_outside_its_range_is_taken_and_widens_the_range(window: MainWindow, qtbot) -> None:
    """A range is an assumption around the value, not a limit on what may be typed."""
    before = window.document.scenario.ranges["one_time.data_curation"]
    assert before.high is not None and before.high < 42_000
    type_into(qtbot, window, "one_time.data_curation", "42k")
    after = window.document.scenario
    assert after.one_time.data_curation == 42_000
    assert after.ranges["one_time.data_curation"].high == 42_000
    assert after.ranges["one_time.data_curation"].low == before.low
    window.document.undo_stack.undo()
    assert window.document.scenario.ranges["one_time.data_curation"] == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_opening_a_fifo_shows_a_dialog_instead_of_hanging(window: MainWindow, tmp_path: Path) -> None:
    """File > Open on a named pipe used to block the window (and abort it on exit)."""
    pipe = tmp_path / "scenario.json"
    os.mkfifo(pipe)
    prompter = window.prompter
    prompter.open_answer = pipe
    window.open_action.trigger()
    box = prompter.open_boxes[-1]
    assert isinstance(box, QMessageBox) and "is a named pipe (FIFO), not a regular file" in box.text()
    box.accept()
    assert window.isVisible()
