"""Moving sliders and typing values redraws every chart and the rules exactly as the engine says."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame

from app.domain.costs import break_even_vs_volume, cumulative_curves, summarize
from app.domain.goal_seek import goal_seek_large_price, goal_seek_volume
from app.domain.plan import answer_goal_seek
from app.domain.rules import VERDICT_LABELS, RuleResult, evaluate, verdict_tone
from app.domain.scenario import MAX_VOLUME_PER_MONTH, Scenario
from app.storage.presets import list_presets, load_preset
from app.storage.settings import Settings
from app.ui.decision_panel import RuleRow, tone_colour
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def assert_views_match_engine(window: MainWindow) -> None:
    """Every chart's data and every rule row equal what the domain computes for the scenario."""
    scenario = window.document.scenario
    calculator = window.calculator
    curves = cumulative_curves(scenario)
    x, y = calculator.cumulative_chart.large_curve.getData()
    np.testing.assert_allclose(x, curves.months)
    np.testing.assert_allclose(y, curves.large_only)
    np.testing.assert_allclose(calculator.cumulative_chart.specialist_curve.getData()[1], curves.specialist)
    assert calculator.cumulative_chart.y_top >= max(curves.large_only.max(), curves.specialist.max())
    if curves.break_even_months is not None:
        point = calculator.cumulative_chart.break_even_point.position()
        assert point == pytest.approx((curves.break_even_months, curves.break_even_cost))
    else:
        assert calculator.cumulative_chart.break_even_point.position() is None

    chart = calculator.volume_chart
    volumes = chart.volumes
    assert volumes[0] <= max(scenario.volume_per_month, 1.0) <= volumes[-1]
    np.testing.assert_allclose(volumes, np.geomspace(volumes[0], volumes[-1], volumes.size))
    months = break_even_vs_volume(scenario, volumes)
    x, y = chart.curve.getData()
    np.testing.assert_allclose(x, np.log10(volumes))  # drawn on a log axis
    expected = np.where(np.isfinite(months), months, np.nan)
    np.testing.assert_allclose(y, expected, equal_nan=True)
    current = summarize(scenario).break_even_months
    marked = chart.current_point.position()
    if current is None:
        assert marked is None
    else:
        assert marked == pytest.approx((np.log10(max(scenario.volume_per_month, 1.0)), current))

    breakdown = summarize(scenario).breakdown
    heights = calculator.breakdown_chart.heights
    assert heights["input"] == pytest.approx([breakdown.large_input * 1000, breakdown.small_input * 1000])
    assert heights["output"] == pytest.approx([breakdown.large_output * 1000, breakdown.small_output * 1000])

    recommendation = evaluate(scenario)
    shown = calculator.decision.rules.displayed()
    assert shown == [(rule.id, rule.status, rule.reason) for rule in recommendation.rules]
    for row, rule in zip(calculator.decision.rules.rows, recommendation.rules, strict=True):
        assert_rule_row_drawn(window, row, rule, deciding=rule.id == recommendation.deciding_rule)
    assert recommendation.label in calculator.decision.banner.title.text()
    assert recommendation.label.upper() in window.verdict_strip.text()


# The verdict each rule leads to when it holds (rules.py's precedence), written out independently.
RULE_LEADS_TO = {
    1: "specialize",
    2: "use_off_the_shelf",
    3: "keep_large_and_route",
    4: "keep_large",
    5: "keep_large",
    6: "needs_eval",
}
GOOD_NEWS = {"specialize", "use_off_the_shelf"}


def assert_rule_row_drawn(window: MainWindow, row: RuleRow, rule: RuleResult, deciding: bool) -> None:
    """A rule row's mark, words and colour say its status without relying on colour alone.

    Holds: the colour of the verdict the rule leads to, a tick when that is good news for the
    switch and "!" when it blocks it, and the verdict named. Does not hold: neutral grey, a dash,
    no alarm. Unknown: its own "?" and what it needs. The deciding rule is framed.
    """
    theme = window.theme
    text = row.status_label.text()
    colour = row.status_label.palette().color(QPalette.ColorRole.WindowText).name()
    assert row.status == rule.status
    if rule.status == "pass":
        verdict = RULE_LEADS_TO[rule.id]
        tone = "good" if verdict in GOOD_NEWS else ("neutral" if verdict == "needs_eval" else "bad")
        assert text.startswith("✓ Holds" if verdict in GOOD_NEWS else "! Holds"), text
        assert VERDICT_LABELS[verdict] in text
        assert row.look == tone
        assert colour == QColor(theme.rule_marks[tone]).name()
    elif rule.status == "fail":
        assert text.startswith("– Does not hold"), text
        assert "✗" not in text
        assert row.look == "not_holding"
        assert colour == QColor(theme.rule_marks["not_holding"]).name()
        # Neutral: none of the verdict colours.
        assert colour not in {QColor(theme.rule_marks[tone]).name() for tone in ("good", "bad", "neutral")}
    else:
        assert text.startswith("? Unknown: needs "), text
        assert row.look == "unknown"
        assert colour == QColor(theme.rule_marks["unknown"]).name()
    assert text.endswith(" · decides") == deciding
    assert (row.frameShape() == QFrame.Shape.Box) == deciding
    assert not row.icon.pixmap().isNull()


def test_window_opens_on_the_preset_and_matches_the_engine(window: MainWindow, preset: Scenario) -> None:
    assert window.document.scenario == preset
    assert window.calculator.inputs.fields["volume_per_month"].entry.text() == "3M"
    assert_views_match_engine(window)


def test_moving_the_volume_slider_redraws_charts_and_rules(window: MainWindow, qtbot) -> None:
    field = window.calculator.inputs.fields["volume_per_month"]
    before = window.document.scenario.volume_per_month
    large_before = window.calculator.cumulative_chart.large_curve.getData()[1].copy()
    field.slider.setFocus()
    qtbot.keyClick(field.slider, Qt.Key.Key_PageDown)
    qtbot.keyClick(field.slider, Qt.Key.Key_PageDown)
    after = window.document.scenario.volume_per_month
    assert after < before
    assert field.entry.text() == field.display_text(after)
    assert not np.allclose(window.calculator.cumulative_chart.large_curve.getData()[1], large_before)
    assert_views_match_engine(window)


def test_dragging_the_volume_down_until_it_never_pays_back(window: MainWindow) -> None:
    slider = window.calculator.inputs.fields["volume_per_month"].slider
    slider.setValue(0)  # as a mouse drag to the far left does
    scenario = window.document.scenario
    assert scenario.volume_per_month == 1000
    assert summarize(scenario).break_even_months is None or not summarize(scenario).break_even_within_horizon
    assert_views_match_engine(window)
    assert window.calculator.decision.rules.displayed()[3][1] == "pass"  # rule 4: volume too low


def test_typing_an_exact_value_with_units(window: MainWindow, qtbot) -> None:
    entry = window.calculator.inputs.fields["large.input_price_per_mtok"].entry
    entry.selectAll()
    qtbot.keyClicks(entry, "$3.75")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert window.document.scenario.large.input_price_per_mtok == 3.75
    assert_views_match_engine(window)

    volume = window.calculator.inputs.fields["volume_per_month"].entry
    volume.selectAll()
    qtbot.keyClicks(volume, "12.5M")
    qtbot.keyClick(volume, Qt.Key.Key_Return)
    assert window.document.scenario.volume_per_month == 12_500_000
    assert volume.text() == "12.5M"
    assert_views_match_engine(window)


def test_an_absurd_value_is_clamped_with_a_visible_message(window: MainWindow, qtbot) -> None:
    inputs = window.calculator.inputs
    entry = inputs.fields["volume_per_month"].entry
    entry.selectAll()
    qtbot.keyClicks(entry, "5e15")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert window.document.scenario.volume_per_month == MAX_VOLUME_PER_MONTH
    assert inputs.notice_label.isVisible()
    assert "maximum" in inputs.notice_label.text()
    assert "Requests per month" in inputs.notice_label.text()
    assert_views_match_engine(window)

    escalation = inputs.fields["routing.escalation_rate"].entry
    escalation.selectAll()
    qtbot.keyClicks(escalation, "-20")
    qtbot.keyClick(escalation, Qt.Key.Key_Return)
    assert window.document.scenario.routing.escalation_rate == 0
    assert "minimum" in inputs.notice_label.text()


def test_text_that_is_not_a_number_is_refused_and_the_value_kept(window: MainWindow, qtbot) -> None:
    inputs = window.calculator.inputs
    before = window.document.scenario
    entry = inputs.fields["one_time.data_curation"].entry
    entry.selectAll()
    qtbot.keyClicks(entry, "lots")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert window.document.scenario == before
    assert "'lots' is not a number" in inputs.notice_label.text()
    assert entry.text() == "15K"


def test_escalation_shows_the_hybrid_and_specialist_only_curves(window: MainWindow, qtbot) -> None:
    field = window.calculator.inputs.fields["routing.escalation_rate"]
    field.entry.selectAll()
    qtbot.keyClicks(field.entry, "0")
    qtbot.keyClick(field.entry, Qt.Key.Key_Return)
    chart = window.calculator.cumulative_chart
    assert not chart.specialist_only_curve.isVisible()
    field.entry.selectAll()
    qtbot.keyClicks(field.entry, "25")
    qtbot.keyClick(field.entry, Qt.Key.Key_Return)
    assert window.document.scenario.routing.escalation_rate == 0.25
    assert chart.specialist_only_curve.isVisible()
    curves = cumulative_curves(window.document.scenario)
    np.testing.assert_allclose(chart.specialist_only_curve.getData()[1], curves.specialist_only)
    assert window.calculator.breakdown_chart.heights["escalation"][0] == pytest.approx(
        summarize(window.document.scenario).breakdown.escalation * 1000
    )
    assert_views_match_engine(window)


def test_a_specialist_dearer_than_the_large_model_never_pays_back(window: MainWindow, qtbot) -> None:
    for key, value in (("small.input_price_per_mtok", "50"), ("small.output_price_per_mtok", "200")):
        entry = window.calculator.inputs.fields[key].entry
        entry.selectAll()
        qtbot.keyClicks(entry, value)
        qtbot.keyClick(entry, Qt.Key.Key_Return)
    chart = window.calculator.volume_chart
    assert np.all(np.isinf(chart.months))
    assert np.all(np.isnan(chart.curve.getData()[1]))
    assert "never" in chart.current_label.toPlainText()
    # Keep the large model: no plan of its own to price, so the card shows the swap as rejected.
    banner = window.calculator.decision.banner
    assert not banner.figure_box.isVisibleTo(banner)
    assert banner.rejected.text().startswith("Rejected") and "never pays back" in banner.rejected.text()
    assert "never pays back" in window.verdict_strip.text()
    assert_views_match_engine(window)


def test_an_unknown_accuracy_makes_its_rules_unknown(window: MainWindow) -> None:
    field = window.calculator.inputs.fields["quality.specialist_accuracy"]
    assert field.known is not None and field.known.isChecked()
    field.known.click()
    assert window.document.scenario.quality.specialist_accuracy is None
    assert field.entry.text() == "unknown"
    statuses = {rule_id: status for rule_id, status, _ in window.calculator.decision.rules.displayed()}
    assert statuses[3] == "unknown"
    assert_views_match_engine(window)
    field.known.click()
    assert window.document.scenario.quality.specialist_accuracy is not None


def test_choosing_a_catalog_model_fills_prices_and_shows_the_source(window: MainWindow) -> None:
    picker = window.calculator.inputs.large_picker
    entry = next(item for item in picker.entries if item.display_name != window.document.scenario.large.name)
    index = picker.entries.index(entry) + 1
    picker.combo.setCurrentIndex(index)
    picker.combo.activated.emit(index)
    large = window.document.scenario.large
    assert (large.input_price_per_mtok, large.output_price_per_mtok) == (
        entry.input_price_per_mtok,
        entry.output_price_per_mtok,
    )
    assert large.price_source == entry.source
    assert entry.source in picker.source_label.text()
    assert entry.as_of in picker.source_label.text()
    assert_views_match_engine(window)


def test_goal_seek_answers_in_place_and_follows_edits(window: MainWindow, qtbot) -> None:
    goal = window.calculator.decision.goal_seek
    goal.months.setValue(3)
    qtbot.mouseClick(goal.volume_button, Qt.MouseButton.LeftButton)
    expected = goal_seek_volume(window.document.scenario, 3.0)
    assert expected.value is not None and math.isfinite(expected.value)
    shown = goal.result
    assert shown is not None and shown.volume_per_month is not None
    # Rounded up to three significant digits: at most 1 % above the engine's exact answer.
    assert expected.value <= shown.volume_per_month <= expected.value * 1.01
    assert goal.answer.text() == answer_goal_seek(window.document.scenario, "volume", 3.0).text
    window.goal_price_action.trigger()
    assert goal.answer.text() == answer_goal_seek(window.document.scenario, "price", 3.0).text
    window.document.set_field(("monthly_ops",), 5000.0, "ops")
    assert goal.answer.text() == answer_goal_seek(window.document.scenario, "price", 3.0).text
    price = goal_seek_large_price(window.document.scenario, 3.0).value
    assert price is not None and goal.result is not None and goal.result.factor is not None
    assert goal.result.factor == pytest.approx(
        price / summarize(window.document.scenario).large_cost_per_request
    )


def test_every_input_has_an_accessible_name_and_a_tooltip(window: MainWindow) -> None:
    for field in window.calculator.inputs.fields.values():
        assert field.entry.accessibleName() == field.spec.label
        assert field.slider.accessibleName()
        assert "Feeds:" in field.slider.toolTip()


def test_extras_start_folded_and_unfold_from_the_keyboard(window: MainWindow) -> None:
    section = window.calculator.inputs.extras_section
    assert not section.expanded
    window.extras_action.trigger()
    assert section.expanded and section.body.isVisible()


def test_dark_theme_recolours_the_charts(window: MainWindow) -> None:
    window.apply_theme_choice("dark")
    background = window.calculator.cumulative_chart.backgroundBrush().color()
    assert background.lightness() < 80
    assert window.settings.theme == "dark"
    window.apply_theme_choice("light")
    assert window.calculator.cumulative_chart.backgroundBrush().color().lightness() > 200


def test_opening_another_scenario_fits_the_axes_afresh(window: MainWindow) -> None:
    chart = window.calculator.cumulative_chart
    big_top = chart.y_top
    # 60 % of the volume: within a drag the axis would stay (the data still fills a third of it).
    smaller = window.document.scenario.with_changes(
        volume_per_month=window.document.scenario.volume_per_month * 0.6
    )
    window.document.load(smaller, None)
    curves = cumulative_curves(window.document.scenario)
    assert chart.y_top is not None and big_top is not None and chart.y_top < big_top
    assert chart.y_top >= max(curves.large_only.max(), curves.specialist.max())
    assert_views_match_engine(window)


def test_a_typed_price_drops_the_catalog_source(window: MainWindow, qtbot) -> None:
    picker = window.calculator.inputs.large_picker
    assert window.document.scenario.large.price_source  # the preset's prices come from the catalog
    entry = window.calculator.inputs.fields["large.output_price_per_mtok"].entry
    entry.selectAll()
    qtbot.keyClicks(entry, "9.5")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    large = window.document.scenario.large
    assert large.output_price_per_mtok == 9.5
    assert large.price_source == "" and large.price_as_of == ""
    assert picker.combo.currentIndex() == 0
    assert "typed in" in picker.source_label.text()
    window.undo_action.trigger()  # one step puts price and source back
    assert window.document.scenario.large.price_source


def test_the_system_theme_is_followed_while_running(window: MainWindow, monkeypatch) -> None:
    from PySide6.QtGui import QGuiApplication

    from app.ui import theme

    assert window.settings.theme == "system"
    # The offscreen platform has no colour scheme of its own: stand in for the desktop's answer
    # and send the change signal the desktop would send.
    monkeypatch.setattr(theme, "system_prefers_dark", lambda: True)
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert window.theme.name == "dark"
    assert window.calculator.cumulative_chart.backgroundBrush().color().lightness() < 80
    monkeypatch.setattr(theme, "system_prefers_dark", lambda: False)
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window.theme.name == "light"
    window.apply_theme_choice("dark")  # an explicit choice is kept whatever the desktop says
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window.theme.name == "dark"
    window.apply_theme_choice("system")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_preset_draws_each_rule_status_by_its_meaning(window: MainWindow, theme: str) -> None:
    window.apply_theme_choice(theme, save=False)
    seen: set[str] = set()
    looks: set[str] = set()
    for info in list_presets():
        window.document.load(load_preset(info.name), None)
        assert_views_match_engine(window)
        seen.update(row.status for row in window.calculator.decision.rules.rows)
        looks.update(row.look for row in window.calculator.decision.rules.rows)
    # Unknown as well: take a measured accuracy away.
    window.calculator.inputs.fields["quality.specialist_accuracy"].known.click()
    assert_views_match_engine(window)
    seen.update(row.status for row in window.calculator.decision.rules.rows)
    looks.update(row.look for row in window.calculator.decision.rules.rows)
    assert seen == {"pass", "fail", "unknown"}
    assert {"good", "bad", "not_holding", "unknown"} <= looks


def test_an_unknown_rule_says_what_it_needs(window: MainWindow) -> None:
    window.calculator.inputs.fields["quality.specialist_accuracy"].known.click()
    rows = {row.rule_id: row for row in window.calculator.decision.rules.rows}
    assert rows[3].status == "unknown"
    assert rows[3].status_label.text().startswith("? Unknown: needs the fine-tuned specialist's accuracy")
    assert rows[1].status == "unknown"
    # Rule 1 shows what the domain says it needs (its structured `needs`, no longer parsed out of
    # the reason's "Missing: ..." text).
    needs = evaluate(window.document.scenario).rule(1).needs
    assert "the fine-tuned specialist's accuracy" in needs
    assert f"needs {', '.join(needs)}" in rows[1].status_label.text()


def _wait_until_value_labels_are_inside(calculator, qtbot) -> None:
    """Each chart's value label inside its plot, left and right. A text item takes its scene place
    when it is next painted, so this waits for the repaint rather than reading an old position."""
    for chart, label in (
        (calculator.volume_chart, calculator.volume_chart.current_label),
        (calculator.cumulative_chart, calculator.cumulative_chart.break_even_label),
    ):

        def inside(chart=chart, label=label) -> bool:
            view = chart.getViewBox().sceneBoundingRect()
            box = label.sceneBoundingRect()
            return view.left() - 1 <= box.left() and box.right() <= view.right() + 1

        chart.viewport().update()
        qtbot.waitUntil(inside, timeout=3000)


def test_a_small_window_keeps_the_charts_readable(window: MainWindow, qtbot) -> None:
    assert window.calculator.breakdown_chart.category_names == ("Large model", "Specialist path")
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    calculator = window.calculator
    inputs, charts, decision = calculator.splitter.sizes()
    assert charts >= 330, calculator.splitter.sizes()
    assert inputs >= calculator.inputs.minimumWidth() and decision >= calculator.decision.minimumWidth()
    # The breakdown legend sits right of both bars, not over them; narrow bars get short names.
    breakdown = calculator.breakdown_chart
    narrow = breakdown.getViewBox().width() < 420
    assert breakdown.category_names == (breakdown.SHORT_CATEGORIES if narrow else breakdown.CATEGORIES)
    legend_left = breakdown.getViewBox().mapSceneToView(breakdown.legend.sceneBoundingRect().topLeft()).x()
    assert legend_left > 1 + breakdown.BAR_WIDTH / 2
    # Value labels stay inside their plots.
    _wait_until_value_labels_are_inside(calculator, qtbot)


def test_chart_labels_stay_inside_narrow_charts_beside_the_risk_view(window: MainWindow, qtbot) -> None:
    # With the risk view docked at 1440 px the charts column is ~240 px wide, and the break-even
    # sits near the left edge (2.3 of 24 months): too little room on either side of the point,
    # so the label goes above it, moved along until both ends are inside the plot.
    window.resize(1440, 900)
    window.risk.toggle_action.trigger()
    calculator = window.calculator
    _wait_until_value_labels_are_inside(calculator, qtbot)
    # The cumulative chart's legend takes its short names rather than running past the plot.
    cumulative = calculator.cumulative_chart
    view_right = cumulative.getViewBox().sceneBoundingRect().right()
    # The legend's layout takes the shorter names at the next pass of the event loop.
    qtbot.waitUntil(lambda: cumulative.legend.sceneBoundingRect().right() <= view_right + 1, timeout=3000)
    assert next(label.text for _sample, label in cumulative.legend.items) == "Large only"


def test_a_closed_window_stops_following_the_desktop_scheme(make_window, monkeypatch) -> None:
    from PySide6.QtGui import QGuiApplication

    from app.ui import theme

    closed = make_window()
    closed.show()
    assert closed.theme.name == "light"
    closed.close()
    monkeypatch.setattr(theme, "system_prefers_dark", lambda: True)
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert closed.theme.name == "light"  # it no longer restyles the application
    monkeypatch.setattr(theme, "system_prefers_dark", lambda: False)
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_verdict_strip_is_readable_in_a_window_opened_in_either_theme(make_window, qtbot, theme) -> None:
    # A light window first, as when the theme is changed between runs of the app.
    first = make_window()
    first.show()
    first.close()
    main = make_window(settings=Settings(theme=theme))
    main.show()
    qtbot.waitExposed(main)
    image = main.verdict_strip.grab().toImage()
    background = image.pixelColor(3, 3)
    expected = QColor(tone_colour(main.theme, verdict_tone(main.document.recommendation.verdict)))
    assert background.name() == expected.name()
    assert (background.lightness() < 100) == (theme == "dark")
    main.apply_theme_choice("light" if theme == "dark" else "dark", save=False)
    flipped = main.verdict_strip.grab().toImage().pixelColor(3, 3)
    assert (
        flipped.name()
        == QColor(tone_colour(main.theme, verdict_tone(main.document.recommendation.verdict))).name()
    )
    main.apply_theme_choice("system", save=False)
