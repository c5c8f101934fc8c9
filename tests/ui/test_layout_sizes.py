"""The window reads right at every size: nothing cut, verdict cards that quote the recommended
plan, goal seek you can apply, and a first launch that says what to do."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.domain.costs import summarize
from app.domain.formatting import format_money
from app.storage.presets import load_preset, preset_names
from app.storage.settings import Settings, load_settings
from app.ui.main_window import MainWindow
from app.ui.widgets import ElidedLabel
from tests.domain.domain_helpers import design_example
from tests.ui.layout_checks import unreadable

SIZES = ((1024, 700), (1440, 900))


def settle(qtbot, rounds: int = 4) -> None:
    for _ in range(rounds):
        QApplication.processEvents()
    qtbot.wait(1)


def test_the_checks_find_a_cut_label_and_a_hidden_sideways_scroll(qtbot) -> None:
    # The layout test below must be able to fail: a label wider than a scroll area that cannot
    # scroll sideways is found twice (content too wide, label past the edge), an elided label is not.
    area = QScrollArea()
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidgetResizable(True)
    content = QWidget()
    column = QVBoxLayout(content)
    column.addWidget(QLabel("Keep the large model and route the hard tail of difficult inputs (rule 3)"))
    elided = ElidedLabel("verdict: KEEP THE LARGE MODEL AND ROUTE THE HARD TAIL · pays back 9.8 months")
    column.addWidget(elided)
    area.setWidget(content)
    qtbot.addWidget(area)
    area.resize(200, 120)
    area.show()
    qtbot.waitExposed(area)
    findings = unreadable(area)
    assert any("content" in line and "viewport" in line for line in findings)
    assert any("route the hard tail" in line for line in findings)
    assert elided.is_elided() and elided.toolTip() == elided.text()
    assert not any("ElidedLabel" in line for line in findings)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_text_is_cut_for_any_preset_at_1024x700_and_1440x900(
    make_window: Callable[..., MainWindow], qtbot, theme: str
) -> None:
    window = make_window(settings=Settings(theme=theme, welcome_dismissed=True))
    window.show()
    qtbot.waitExposed(window)
    for width, height in SIZES:
        window.resize(width, height)
        settle(qtbot)
        assert (window.width(), window.height()) == (width, height), "the window must fit this size"
        for name in preset_names():
            window.open_preset(name)
            settle(qtbot)
            found = unreadable(window.calculator)
            assert found == [], f"{theme} {width}x{height} {name}: " + "; ".join(found)
            strip = window.verdict_strip
            assert strip.geometry().right() <= window.width()
            if strip.is_elided():
                assert strip.toolTip() == strip.text()


def test_a_first_launch_says_what_to_do_and_fits_a_small_screen(
    make_window: Callable[..., MainWindow], qtbot
) -> None:
    window = make_window(settings=Settings())
    window.show()
    qtbot.waitExposed(window)
    window.resize(1024, 700)
    settle(qtbot)
    guide = window.welcome
    assert guide.isVisible() and window.height() == 700
    words = " ".join(label.text() for label in guide.findChildren(QLabel))
    for view in ("Calculator", "Playground", "Spot-check"):
        assert view in words
    assert "Pick a preset" in words and "open a scenario file" in words
    assert guide.open_button.text().startswith("Open a scenario file")
    assert unreadable(guide) == []
    # Pick a preset from the guide: it loads, and the guide has done its job.
    index = guide.preset_combo.findData("review-sentiment")
    guide.preset_combo.setCurrentIndex(index)
    qtbot.mouseClick(guide.preset_button, Qt.MouseButton.LeftButton)
    assert window.document.scenario == load_preset("review-sentiment") and window.document.path is None
    assert not guide.isVisible()
    assert load_settings().welcome_dismissed
    window.welcome_action.trigger()
    assert guide.isVisible()
    qtbot.mouseClick(guide.close_button, Qt.MouseButton.LeftButton)
    assert not guide.isVisible()
    # A second launch starts without the guide.
    again = make_window(settings=load_settings())
    assert again.welcome.isHidden()


def test_the_route_card_quotes_the_routed_plan_and_labels_the_swap_rejected(
    make_window: Callable[..., MainWindow],
) -> None:
    quality = {
        "specialist_accuracy": 0.8,
        "large_accuracy": 0.97,
        "eval_exists": True,
        "task_change_months": 60,
    }
    scenario = design_example(quality=quality, routing={"escalation_rate": 0.2, "mode": "cascade"})
    window = make_window(scenario=scenario)
    banner = window.calculator.decision.banner
    # By hand: path = 0.000435 + 0.2 · 0.0155 = 0.003535 $/request; net = (0.0155 - 0.003535) · 1e7
    # - 1,200 = 118,450 a month; a year 1,421,400; over 24 months 118,450 · 24 - 13,500 = 2,829,300.
    assert banner.net_savings.value.text() == "$118,450"
    assert banner.annual.value.text() == "$1.42M"
    assert banner.horizon_total.value.text() == "$2.83M"
    assert "24 months" in banner.horizon_total.caption.text()
    assert "Routed plan: 20.0%" in banner.plan_title.text()
    # The swap (no escalation): (0.0155 - 0.000435) · 1e7 - 1,200 = 149,450 a month, labelled rejected.
    rejected = banner.rejected.text()
    assert rejected.startswith("Rejected") and "$149,450" in rejected


def test_the_keep_card_says_what_it_would_take(make_window: Callable[..., MainWindow]) -> None:
    scenario = design_example(
        volume_per_month=1_000,
        quality={"specialist_accuracy": 0.95, "eval_exists": True, "task_change_months": 60},
    )
    window = make_window(scenario=scenario)
    banner = window.calculator.decision.banner
    assert not banner.figure_box.isVisibleTo(banner)
    # (13,500 / 24 + 1,200) / (0.0155 - 0.000435) = 116,993 requests, rounded up to 117K.
    assert "117K requests/month" in banner.would_take.text()
    assert "per Mtok" in banner.would_take.text()
    assert banner.rejected.text().startswith("Rejected: the swap")


def test_goal_seek_answers_like_the_inputs_applies_in_one_undo_step_and_is_marked(
    make_window: Callable[..., MainWindow], qtbot
) -> None:
    scenario = design_example(volume_per_month=50_000, quality={"eval_exists": True})
    window = make_window(scenario=scenario)
    goal = window.calculator.decision.goal_seek
    goal.months.setValue(1)
    assert goal.months.suffix() == " month"
    qtbot.mouseClick(goal.volume_button, Qt.MouseButton.LeftButton)
    # (13,500 / 1 + 1,200) / 0.015065 = 975,772.0 requests/month, rounded up to 976K.
    assert "within 1 month from 976K requests/month" in goal.answer.text()
    chart = window.calculator.volume_chart
    assert chart.goal_point.position() == pytest.approx((math.log10(976_000), 1.0))
    stack = window.document.undo_stack
    before, steps = window.document.scenario, stack.count()
    assert goal.apply_button.isEnabled()
    qtbot.mouseClick(goal.apply_button, Qt.MouseButton.LeftButton)
    assert window.document.scenario.volume_per_month == 976_000 and stack.count() == steps + 1
    months = summarize(window.document.scenario).break_even_months
    assert months is not None and months <= 1.0
    assert not goal.apply_button.isEnabled()  # the answer is what the scenario now holds
    window.undo_action.trigger()
    assert window.document.scenario == before
    # The price answer is in $/Mtok like the inputs, never per request.
    window.goal_price_action.trigger()
    assert "per Mtok" in goal.answer.text() and "per request" not in goal.answer.text()
    qtbot.mouseClick(goal.apply_button, Qt.MouseButton.LeftButton)
    large = window.document.scenario.large
    assert format_money(large.input_price_per_mtok, "price") in goal.answer.text()
    assert stack.count() == steps + 1  # undo then one new step
    window.undo_action.trigger()
    assert window.document.scenario == before
