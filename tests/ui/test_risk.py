"""The risk view in the window: View ▸ Risk, a worker that follows edits, the ranges editor, defaults."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMenu

from app.domain import drivers, monte_carlo, probability_seek, range_defaults, uncertainty
from app.storage.presets import load_preset
from app.storage.settings import Settings
from app.ui.main_window import MainWindow
from app.ui.ranges_dialog import FIELD, HIGH, LOW, RangesDialog

pytestmark = pytest.mark.gui

DRAWS = 400  # enough to check the view shows the domain's result; the domain tests check the maths


def _menu_action(window: MainWindow, menu_title: str, text: str):  # type: ignore[no-untyped-def]
    for menu in window.menuBar().findChildren(QMenu):
        if menu.title().replace("&", "") == menu_title:
            for action in menu.actions():
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no {menu_title} ▸ {text}")


def _settled(qtbot, window: MainWindow) -> uncertainty.UncertaintyResult | None:  # type: ignore[no-untyped-def]
    controller = window.risk.controller
    qtbot.waitUntil(
        lambda: not controller.busy and controller.result_scenario == window.document.scenario, timeout=60_000
    )
    return controller.result


@pytest.fixture
def risky(qtbot, make_window) -> MainWindow:  # type: ignore[no-untyped-def]
    window = make_window()
    window.risk.controller.draws = DRAWS
    window.risk.controller.schedule()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.risk.shutdown()


def test_view_risk_opens_the_dock_with_the_domains_figures(qtbot, risky: MainWindow) -> None:  # type: ignore[no-untyped-def]
    action = _menu_action(risky, "View", "Risk")
    assert not risky.risk.dock.isVisible()
    action.trigger()
    assert risky.risk.dock.isVisible()
    result = _settled(qtbot, risky)
    assert result is not None
    expected = uncertainty.analyse(risky.document.scenario, draws=DRAWS, seed=monte_carlo.DEFAULT_SEED)
    assert expected is not None
    assert result.p_payback_within_horizon == expected.p_payback_within_horizon
    view = risky.risk.view
    assert view.headline.text().startswith(uncertainty.payback_headline(expected))
    # P10, P50, P90 marked where the domain puts them; the tornado lists its fields in swing order.
    assert view.distribution.marks() == pytest.approx(list(expected.savings_percentiles))
    assert view.tornado.fields == [bar.field for bar in expected.tornado][: len(view.tornado.fields)]
    assert "EVPI" in view.value_of_information.text()
    # The verdict card carries the same sentence.
    banner = risky.calculator.decision.banner
    assert banner.risk.isVisibleTo(risky) and banner.risk.text() == uncertainty.payback_headline(expected)
    view.measure.setCurrentIndex(1)
    marks = [m for m in expected.break_even_percentiles if m is not None]
    assert view.distribution.marks() == pytest.approx(marks)
    action.trigger()
    assert not risky.risk.dock.isVisible()


def test_the_spider_tab_shows_each_input_across_its_range_as_the_domain_computes_it(
    qtbot, risky: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    _menu_action(risky, "View", "Risk").trigger()
    result = _settled(qtbot, risky)
    assert result is not None
    view = risky.risk.view
    assert view.drivers_stack.currentWidget() is view.tornado
    assert view.drivers_title.text().startswith("Tornado:")
    # Click the real tab, as a user does.
    tabs = view.drivers_tabs
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(1).center())
    assert tabs.currentIndex() == 1
    assert view.drivers_stack.currentWidget() is view.spider
    assert view.drivers_title.text().startswith("Spider:")
    expected = drivers.sweep(risky.document.scenario)
    shown = view.spider.curves()
    assert list(shown) == [line.field for line in expected.spider][: len(shown)]
    for line in expected.spider[: len(shown)]:
        x, y = shown[line.field]
        assert x == pytest.approx([0, 100 / 6, 200 / 6, 50, 400 / 6, 500 / 6, 100])
        assert y == [point.savings_at_horizon for point in line.points]
    # An edit recomputes, and the spider on show follows it.
    risky.document.set_field(("volume_per_month",), risky.document.scenario.volume_per_month * 1.5, "volume")
    _settled(qtbot, risky)
    again = drivers.sweep(risky.document.scenario).spider[0]
    assert view.spider.curves()[again.field][1] == [point.savings_at_horizon for point in again.points]
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(0).center())
    assert view.drivers_stack.currentWidget() is view.tornado
    assert (
        view.tornado.fields
        == [bar.field for bar in drivers.sweep(risky.document.scenario).tornado][: len(view.tornado.fields)]
    )


def test_a_drag_of_edits_is_computed_off_the_gui_thread_once_it_pauses(qtbot, risky: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _settled(qtbot, risky)
    results: list[object] = []
    risky.risk.controller.result_ready.connect(results.append)
    # A slider drag: many edits in a row; the GUI thread only restarts the wait.
    for volume in np.linspace(400_000, 900_000, 15):
        risky.document.set_field(("volume_per_month",), float(volume), "volume", merge_key="volume")
    assert risky.risk.controller.busy
    result = _settled(qtbot, risky)
    assert len(results) == 1  # one run for the whole drag, for its last value
    assert result is not None
    expected = uncertainty.analyse(risky.document.scenario, draws=DRAWS, seed=monte_carlo.DEFAULT_SEED)
    assert expected is not None
    assert result.p_payback_within_horizon == expected.p_payback_within_horizon
    assert risky.risk.controller.result_scenario.volume_per_month == pytest.approx(900_000)


def test_without_ranges_the_window_says_there_is_no_uncertainty(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(scenario=load_preset("support-ticket-triage").with_changes(ranges={}))
    window.risk.controller.draws = DRAWS
    assert _settled(qtbot, window) is None
    assert not window.calculator.decision.banner.risk.isVisibleTo(window)
    assert "no uncertainty to show" in window.risk.view.headline.text()
    window.risk.shutdown()


def test_apply_default_ranges_is_one_undo_step(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(scenario=load_preset("support-ticket-triage").with_changes(ranges={}))
    window.risk.controller.draws = DRAWS
    _menu_action(window, "Scenario", "Apply default ranges").trigger()
    ranges = window.document.scenario.ranges
    assert ranges == range_defaults.default_ranges(window.document.scenario)
    assert all(rng.note.startswith("assumption") for rng in ranges.values())
    result = _settled(qtbot, window)
    assert result is not None and window.calculator.decision.banner.risk.isVisibleTo(window)
    window.undo_action.trigger()
    assert window.document.scenario.ranges == {}
    window.risk.shutdown()


def test_the_ranges_editor_refuses_a_bad_range_in_one_line_and_applies_a_good_one(
    qtbot, risky: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    _menu_action(risky, "Scenario", "Edit ranges…").trigger()
    dialog = risky.risk.dialog
    assert isinstance(dialog, RangesDialog) and dialog.isVisible()
    before = risky.document.scenario
    assert dialog.row_paths() == list(before.ranges)
    row = dialog.row_paths().index("volume_per_month")
    dialog.set_cell(row, LOW, "4000000")  # above today's 3M: not a range around the value
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert (
        dialog.error.text()
        == "ranges: volume_per_month: needs low <= value <= high, got 4e+06 <= 3e+06 <= 4.5e+06"
    )
    assert risky.document.scenario == before
    dialog.set_cell(row, LOW, "1,000,000")
    dialog.set_cell(row, HIGH, "5000000")
    new_row = dialog.add_row()
    dialog.set_cell(new_row, FIELD, "small.input_price_per_mtok")
    dialog.set_cell(new_row, LOW, "0.2")
    dialog.set_cell(new_row, HIGH, "0.5")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    ranges = risky.document.scenario.ranges
    assert (ranges["volume_per_month"].low, ranges["volume_per_month"].high) == (1e6, 5e6)
    assert (ranges["small.input_price_per_mtok"].low, ranges["small.input_price_per_mtok"].high) == (0.2, 0.5)
    risky.undo_action.trigger()
    assert risky.document.scenario == before


def test_risk_view_buttons_open_the_editor(qtbot, risky: MainWindow) -> None:  # type: ignore[no-untyped-def]
    risky.risk.toggle_action.trigger()
    qtbot.mouseClick(risky.risk.view.edit_button, Qt.MouseButton.LeftButton)
    dialog = risky.risk.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_a_window_closes_while_a_run_is_in_flight(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(settings=Settings(), scenario=load_preset("support-ticket-triage"))
    qtbot.addWidget(window)
    window.risk.controller.draws = DRAWS
    window.show()
    qtbot.waitUntil(lambda: window.risk.controller._thread is not None, timeout=10_000)
    window.close()
    assert window.risk.controller._thread is None or window.risk.controller._thread.isFinished()


def test_the_inverse_goal_seek_finds_the_volume_for_a_chance_of_payback(qtbot, risky: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from app.ui.risk import SEEK_DRAWS

    risky.risk.toggle_action.trigger()
    view = risky.risk.view
    view.target.setValue(95)
    qtbot.mouseClick(view.seek_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.seek_button.isEnabled(), timeout=120_000)
    expected = probability_seek.volume_for_probability(
        risky.document.scenario, 0.95, draws=SEEK_DRAWS, seed=monte_carlo.DEFAULT_SEED
    )
    assert expected.value is not None
    assert view.seek_answer.text() == expected.message
    assert "95% chance of paying back within 24 months needs" in view.seek_answer.text()
