"""The three live charts of the calculator (pyqtgraph).

Every plot item is created once in `__init__`; a scenario change only calls `setData` / `setOpts`
/ `setPos` on them, which keeps a slider drag smooth. Each chart takes a `ScenarioDocument`
snapshot through `update_from(document)` and a `Theme` through `apply_theme(theme)`.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QWidget,
)

from app.domain.costs import CostCurves, break_even_vs_volume
from app.domain.formatting import format_money, format_months, format_number
from app.domain.scenario import MAX_VOLUME_PER_MONTH, Scenario
from app.ui.document import ScenarioDocument
from app.ui.plot_parts import (
    CompactAxis,
    Marker,
    cache_legend,
    ensure_in_legend,
    finite_or_nan,
    legend_share,
    make_curve,
    place_beside,
    rename_entry,
    set_range,
    settle,
    sticky_top,
    style_plot,
    theme_plot,
)
from app.ui.theme import LIGHT, Theme

# Requests are shown per thousand: per-request costs are fractions of a cent, hard to read.
PER_REQUESTS = 1000.0


def chart_volumes(
    scenario: Scenario, points: int = 61, previous: tuple[float, float] | None = None
) -> np.ndarray:
    """Log-spaced volumes over whole decades from ~1/1000 to ~100 times the scenario's volume.

    Whole decades keep the x axis still while the volume slider moves; with `previous` (the
    range drawn now) the range is kept while the volume stays two decades above its low end
    and one below its high end.
    """
    centre = max(scenario.volume_per_month, 1.0)
    if previous is not None:
        low, high = previous
        if low * 100.0 <= centre <= high / 10.0 or (low <= 1.0 and centre <= high / 10.0):
            return np.geomspace(low, high, points)
    low = 10.0 ** math.floor(math.log10(max(1.0, centre / 1000.0)))
    high = min(MAX_VOLUME_PER_MONTH, 10.0 ** math.ceil(math.log10(centre * 100.0)))
    if high <= low:
        high = low * 10.0
    return np.geomspace(low, high, points)


class CumulativeCostChart(pg.PlotWidget):  # type: ignore[misc]
    """Cumulative cost over the horizon: large only vs the specialist path, break-even marked."""

    # (large model, specialist path, hybrid, specialist alone), and their short forms.
    CURVE_NAMES = (
        "Large model only",
        "Specialist path",
        "Hybrid: specialist + escalation",
        "Specialist alone (no escalation)",
    )
    SHORT_CURVE_NAMES = ("Large only", "Specialist", "Hybrid", "Specialist alone")
    LONG_NAMES_FROM = 260.0  # plot width in pixels: the long legend is ~240 px wide

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            axisItems={"left": CompactAxis("left", money=True), "bottom": CompactAxis("bottom")},
        )
        style_plot(self)
        self.setAccessibleName("Cumulative cost chart")
        self.setLabel("bottom", "months")
        self.setLabel("left", "cumulative cost (USD)")
        self.legend = self.addLegend(offset=(10, 10))
        self.large_curve = make_curve(self, "Large model only")
        self.specialist_curve = make_curve(self, "Specialist path")
        self.specialist_only_curve = make_curve(self, "Specialist alone (no escalation)")
        cache_legend(self.legend)
        self.break_even_point = Marker()
        self.addItem(self.break_even_point)
        self.break_even_label = pg.TextItem("", anchor=(0.0, 1.2))
        self.addItem(self.break_even_label)
        self.curves: CostCurves | None = None
        self.escalating = False
        self.y_top: float | None = None
        self.data_top: float | None = None
        # (x of the break-even, x range) while the label sits beside the marker.
        self.label_span: tuple[float, float, float] | None = None
        self.getViewBox().sigResized.connect(lambda _box: self._on_resized())
        self.apply_theme(LIGHT)

    def _place_label(self) -> None:
        place_beside(self, self.break_even_label, self.label_span, 1.4)

    def _wrap_label(self) -> None:
        # A note wider than the plot wraps instead of running past its edge.
        room = float(self.getViewBox().width()) * 0.9
        label = self.break_even_label
        label.setTextWidth(-1)
        if room > 40 and label.boundingRect().width() > room:
            label.setTextWidth(room)

    def _name_curves(self) -> None:
        # A narrow plot (the risk view docked beside it) gets the short names, so the legend
        # is not cut at the plot's right edge.
        long = float(self.getViewBox().width()) >= self.LONG_NAMES_FROM
        names = self.CURVE_NAMES if long else self.SHORT_CURVE_NAMES
        large, path, hybrid, alone = names
        before = [label.text for _sample, label in self.legend.items]
        rename_entry(self.legend, self.large_curve, large)
        rename_entry(self.legend, self.specialist_curve, hybrid if self.escalating else path)
        rename_entry(self.legend, self.specialist_only_curve, alone)
        if [label.text for _sample, label in self.legend.items] != before:
            # A legend sizes itself when an entry comes or goes, not when one is renamed, and
            # from its labels' current sizes: shrink those to the new text first.
            for _sample, label in self.legend.items:
                label.resize(label.effectiveSizeHint(Qt.SizeHint.PreferredSize))
            self.legend.updateSize()

    def _on_resized(self) -> None:
        self._name_curves()
        self._wrap_label()
        self._place_label()
        if self.data_top is not None:
            self._fit_y(self.data_top)

    def _fit_y(self, top: float) -> None:
        # Headroom for the legend: the curves stay in the plot's lower part, clear of the legend
        # in its top-left corner (on a small window it covered the curves and the no-payback note).
        self.data_top = top
        self.y_top = sticky_top(self.y_top, top * 1.04 / (1.0 - legend_share(self, self.legend)))
        set_range(self, "y", 0, self.y_top)

    def reset_ranges(self) -> None:
        """Forget the axis ranges kept for steadiness; the next update fits the data afresh."""
        self.y_top = None

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        theme_plot(self, theme)
        self.large_curve.setPen(pg.mkPen(theme.large, width=2.5))
        self.specialist_curve.setPen(pg.mkPen(theme.specialist, width=2.5))
        self.specialist_only_curve.setPen(
            pg.mkPen(theme.specialist_only, width=1.8, style=Qt.PenStyle.DashLine)
        )
        self.break_even_point.setBrush(pg.mkBrush(theme.marker))
        self.break_even_point.setPen(pg.mkPen(theme.panel, width=1.5))
        self.break_even_label.setColor(theme.text)

    def update_from(self, document: ScenarioDocument) -> None:
        """Redraw from the document's scenario and its curves (computed once per change)."""
        scenario = document.scenario
        curves = document.curves
        self.curves = curves
        self.large_curve.setData(curves.months, curves.large_only)
        escalating = scenario.routing.escalation_rate > 0
        self.specialist_curve.setData(curves.months, curves.specialist)
        if escalating:
            self.specialist_only_curve.setData(curves.months, curves.specialist_only)
        self.specialist_only_curve.setVisible(escalating)
        self.escalating = escalating
        if escalating:
            ensure_in_legend(self.legend, self.specialist_only_curve, "Specialist alone")
        else:
            self.legend.removeItem(self.specialist_only_curve)
        self._name_curves()
        if curves.break_even_months is not None and curves.break_even_cost is not None:
            self.break_even_point.place(curves.break_even_months, curves.break_even_cost)
            months_text = format_months(curves.break_even_months)
            self.break_even_label.setText(
                f"break-even {months_text} · {format_money(curves.break_even_cost, 'compact')}"
            )
            horizon = float(scenario.horizon_months)
            # Keep the label inside the plot: right of the point while it fits there, else left.
            self.label_span = (curves.break_even_months, 0.0, horizon)
            self._place_label()
            self.break_even_label.setPos(curves.break_even_months, curves.break_even_cost)
        else:
            self.label_span = None
            self.break_even_point.place(None, None)
            # Marked by the engine's meaning: the month from which the specialist stays ahead.
            # Without one by the horizon it is behind there (it may have been ahead for a while).
            months = document.summary.break_even_months
            beyond = f"pays back at {format_months(months)}" if months is not None else "never pays back"
            behind = format_money(-document.summary.cumulative_savings_at_horizon, "compact")
            self.break_even_label.setText(
                f"no payback within {scenario.horizon_months} months ({beyond}; {behind} behind at the end)"
            )
            # Write the note between the curves at the end where they are furthest apart.
            gap_start = float(curves.specialist[0] - curves.large_only[0])
            gap_end = float(curves.specialist[-1] - curves.large_only[-1])
            if gap_start >= gap_end:
                x, index, anchor = 0.0, 0, (-0.02, 0.5)
            else:
                x, index, anchor = float(curves.months[-1]), -1, (1.02, 0.5)
            middle = float(curves.specialist[index] + curves.large_only[index]) / 2.0
            self.break_even_label.setAnchor(anchor)
            self.break_even_label.setPos(x, middle)
        self._wrap_label()
        # Explicit ranges (no auto-range): auto-ranging happens at paint time and would paint twice.
        set_range(self, "x", 0, float(scenario.horizon_months), padding=0.02)
        top = float(max(np.max(curves.large_only), np.max(curves.specialist), 1.0))
        self._fit_y(top)
        settle(self)


class BreakEvenVolumeChart(pg.PlotWidget):  # type: ignore[misc]
    """Break-even months against monthly volume (log x), with the scenario and the horizon marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"left": CompactAxis("left"), "bottom": CompactAxis("bottom")})
        style_plot(self)
        self.setAccessibleName("Break-even versus volume chart")
        self.setLogMode(x=True, y=False)
        self.setLabel("bottom", "requests per month (log scale)")
        self.setLabel("left", "break-even (months)")
        # x is drawn as log10(volume) (the axis is in log mode and labels 10**x).
        self.curve = make_curve(self, connect="finite")
        self.current_point = Marker()
        self.addItem(self.current_point)
        self.horizon_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            label="horizon {value:.0f} months",
            # Right-hand end: there the curve is low and clear of the label.
            labelOpts={"position": 0.93, "anchors": [(1, 1), (1, 1)]},
        )
        self.volume_line = pg.InfiniteLine(angle=90, movable=False)
        self.addItem(self.horizon_line)
        self.addItem(self.volume_line)
        self.current_label = pg.TextItem("", anchor=(-0.05, 1.2))
        self.addItem(self.current_label)
        # The goal-seek answer: a marker at (answer volume, target months) or, for a price answer,
        # at today's volume; hidden until a question is asked.
        self.goal_point = Marker(diameter=13.0)
        self.goal_point.setZValue(5)
        self.addItem(self.goal_point)
        self.goal_label = pg.TextItem("", anchor=(1.05, -0.2))
        self.goal_label.setVisible(False)
        self.addItem(self.goal_label)
        self.goal_text = ""
        self.volumes: np.ndarray = np.array([])
        self.months: np.ndarray = np.array([])
        self.y_top: float | None = None
        self.label_span: tuple[float, float, float] | None = None  # (x of "now", x range)
        self.curve_key: tuple[Scenario, float, float] | None = None  # what the curve was drawn for
        self.getViewBox().sigResized.connect(lambda _box: self._place_label())
        self.apply_theme(LIGHT)

    def _place_label(self) -> None:
        place_beside(self, self.current_label, self.label_span, 1.2)

    def reset_ranges(self) -> None:
        """Forget the axis ranges kept for steadiness; the next update fits the data afresh."""
        self.y_top = None
        self.volumes = np.array([])
        self.curve_key = None

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        theme_plot(self, theme)
        self.curve.setPen(pg.mkPen(theme.specialist, width=2.5))
        self.current_point.setBrush(pg.mkBrush(theme.marker))
        self.current_point.setPen(pg.mkPen(theme.panel, width=1.5))
        self.horizon_line.setPen(pg.mkPen(theme.horizon, width=1.2, style=Qt.PenStyle.DashLine))
        self.horizon_line.label.setColor(theme.muted)
        self.volume_line.setPen(pg.mkPen(theme.marker, width=1, style=Qt.PenStyle.DotLine))
        self.current_label.setColor(theme.text)
        self.goal_point.setBrush(pg.mkBrush(theme.specialist))
        self.goal_point.setPen(pg.mkPen(theme.panel, width=1.5))
        self.goal_label.setColor(theme.text)

    def show_goal(self, volume: float | None, months: float | None, text: str = "") -> None:
        """Mark a goal-seek answer at (volume, months); None hides the mark."""
        if volume is None or months is None or volume <= 0:
            self.goal_point.place(None, None)
            self.goal_label.setVisible(False)
            self.goal_text = ""
            return
        x = math.log10(volume)
        self.goal_point.place(x, months)
        self.goal_text = text
        self.goal_label.setText(text)
        self.goal_label.setPos(x, months)
        self.goal_label.setVisible(True)

    def update_from(self, document: ScenarioDocument) -> None:
        """Redraw from the document's scenario."""
        scenario = document.scenario
        previous = (float(self.volumes[0]), float(self.volumes[-1])) if self.volumes.size else None
        volumes = chart_volumes(scenario, previous=previous)
        # The curve depends on everything but the scenario's own volume: while the volume slider
        # drags within the drawn range, it stays as it is (no recomputation, no new path, and
        # the plot repaints only around the moving marker and lines).
        curve_key = (
            scenario.model_copy(update={"volume_per_month": 0}),
            float(volumes[0]),
            float(volumes[-1]),
        )
        if curve_key != self.curve_key:
            self.curve_key = curve_key
            months = break_even_vs_volume(scenario, volumes)
            self.volumes, self.months = volumes, months
            self.curve.setData(np.log10(volumes), finite_or_nan(months), connect="finite")
        horizon = float(scenario.horizon_months)
        self.horizon_line.setValue(horizon)
        volume = max(scenario.volume_per_month, 1.0)
        self.volume_line.setValue(math.log10(volume))
        current = document.summary.break_even_months
        # The y range follows the horizon, not the curve: near the lowest volumes it shoots up.
        top = horizon * 2.0
        if current is not None and current < 20 * horizon:
            top = max(top, current * 1.15)
        if current is not None:
            self.current_point.place(math.log10(volume), current)
            self.current_label.setText(f"now: {format_number(volume, 3)}/mo → {format_months(current)}")
            self.current_label.setPos(math.log10(volume), min(current, top))
        else:
            self.current_point.place(None, None)
            self.current_label.setText(f"now: {format_number(volume, 3)}/mo → never")
            self.current_label.setPos(math.log10(volume), top * 0.9)
        self.label_span = (math.log10(volume), math.log10(volumes[0]), math.log10(volumes[-1]))
        self._place_label()
        self.y_top = sticky_top(self.y_top, top)
        set_range(self, "y", 0, self.y_top)
        set_range(self, "x", math.log10(volumes[0]), math.log10(volumes[-1]), padding=0.02)
        settle(self)


class CostBreakdownChart(pg.PlotWidget):  # type: ignore[misc]
    """Cost per 1,000 requests split into input and output tokens, for each model (stacked bars).

    The bars are plain rectangles moved with `setRect` (pyqtgraph's BarGraphItem rebuilds and
    re-measures itself on every change); bar-graph items serve only as the legend's swatches.
    """

    CATEGORIES = ("Large model", "Specialist path")
    SHORT_CATEGORIES = ("Large", "Specialist")
    PARTS = (
        ("input", "input tokens"),
        ("output", "output tokens"),
        ("escalation", "escalation to large"),
        ("self_hosting", "GPU hosting"),
    )
    BAR_WIDTH = 0.55

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, axisItems={"left": CompactAxis("left", money=True), "bottom": pg.AxisItem("bottom")}
        )
        style_plot(self)
        self.setAccessibleName("Cost per request breakdown chart")
        # The chart's title says "per 1,000 requests"; a longer axis title was cut on small windows.
        self.setLabel("left", "USD")
        self.category_names = self.CATEGORIES
        self.getAxis("bottom").setTicks([list(enumerate(self.CATEGORIES))])
        # Two fixed names that never collide: on a narrow plot pyqtgraph would drop the first one.
        self.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.legend = self.addLegend(offset=(-10, 10))
        # segments[part][category]: one rectangle per stacked part and bar.
        self.segments: dict[str, list[QGraphicsRectItem]] = {}
        self.swatches: dict[str, pg.BarGraphItem] = {}
        for part, name in self.PARTS:
            self.segments[part] = []
            for _category in self.CATEGORIES:
                rect = QGraphicsRectItem()
                rect.setVisible(False)
                self.addItem(rect)
                self.segments[part].append(rect)
            self.swatches[part] = pg.BarGraphItem(x=[0], height=[1], width=1, name=name)
        for part in ("input", "output"):
            self.legend.addItem(self.swatches[part], self.swatches[part].opts["name"])
        cache_legend(self.legend)
        self.total_labels = [pg.TextItem("", anchor=(0.5, 1.1)) for _ in self.CATEGORIES]
        for label in self.total_labels:
            self.addItem(label)
        self.heights: dict[str, list[float]] = {}
        self.y_top: float | None = None
        self.x_range = (-0.5, 2.4)
        self.setXRange(*self.x_range, padding=0)  # room on the right for the legend
        # Keep the legend clear of the bars at any width.
        self.getViewBox().sigResized.connect(lambda _box: self.fit_legend_room())
        self.apply_theme(LIGHT)

    def fit_legend_room(self) -> None:
        """Extend the x range right of the bars by as much as the legend needs in pixels.

        On a narrow plot the left edge moves out too, so the total above the first bar is not
        clipped by the axis.
        """
        view_width = float(self.getViewBox().width())
        legend_width = float(self.legend.boundingRect().width()) + 16.0
        left = -0.5 if view_width >= 420 else -0.65
        bars_width = view_width - legend_width
        # The two bars span x left..1.5; the legend takes the rest of the plot's width.
        right = left + (1.5 - left) * view_width / bars_width if bars_width > 80 else 2.4
        x_range = (left, round(max(1.9, right), 2))
        if x_range != self.x_range:
            self.x_range = x_range
            self.setXRange(*x_range, padding=0)
        # Short bar names where the full ones would run into each other.
        names = self.CATEGORIES if view_width >= 420 else self.SHORT_CATEGORIES
        if names != self.category_names:
            self.category_names = names
            self.getAxis("bottom").setTicks([list(enumerate(names))])

    def reset_ranges(self) -> None:
        """Forget the axis ranges kept for steadiness; the next update fits the data afresh."""
        self.y_top = None

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        theme_plot(self, theme)
        colours = {
            "input": theme.input_tokens,
            "output": theme.output_tokens,
            "escalation": theme.escalation,
            "self_hosting": theme.self_hosting,
        }
        edge = pg.mkPen(theme.panel, width=1)
        for part, colour in colours.items():
            brush = pg.mkBrush(colour)
            for rect in self.segments[part]:
                rect.setBrush(brush)
                rect.setPen(edge)
            self.swatches[part].setOpts(brush=brush, pen=edge)
        for label in self.total_labels:
            label.setColor(theme.text)

    def _stack(self, part: str, category: int, bottom: float, height: float) -> None:
        rect = self.segments[part][category]
        if height <= 0:
            rect.setVisible(False)
            return
        rect.setRect(QRectF(category - self.BAR_WIDTH / 2, bottom, self.BAR_WIDTH, height))
        rect.setVisible(True)

    def update_from(self, document: ScenarioDocument) -> None:
        """Redraw from the document's cost summary."""
        parts = document.summary.breakdown
        k = PER_REQUESTS
        inputs = [parts.large_input * k, parts.small_input * k]
        outputs = [parts.large_output * k, parts.small_output * k]
        escalation = parts.escalation * k
        hosting = parts.self_hosting * k
        for category in (0, 1):
            self._stack("input", category, 0.0, inputs[category])
            self._stack("output", category, inputs[category], outputs[category])
        small_tokens = inputs[1] + outputs[1]
        self._stack("escalation", 1, small_tokens, escalation)
        self._stack("self_hosting", 1, small_tokens + escalation, hosting)
        for part, amount in (("escalation", escalation), ("self_hosting", hosting)):
            swatch = self.swatches[part]
            if amount > 0:
                ensure_in_legend(self.legend, swatch, swatch.opts["name"])
            else:
                self.legend.removeItem(swatch)
        # The legend grows with escalation or GPU hosting: keep the bars clear of it then too.
        self.fit_legend_room()
        self.heights = {
            "input": inputs,
            "output": outputs,
            "escalation": [escalation],
            "self_hosting": [hosting],
        }
        totals = [parts.large_total * k, parts.specialist_total * k]
        for index, (label, total) in enumerate(zip(self.total_labels, totals, strict=True)):
            # The axis says "per 1k requests": the bare amount keeps the two labels apart.
            label.setText(format_money(total, "per_request"))
            label.setPos(index, total)
        self.y_top = sticky_top(self.y_top, max(totals) * 1.2)
        set_range(self, "y", 0, self.y_top)
        settle(self)
