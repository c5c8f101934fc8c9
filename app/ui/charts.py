"""The three live charts of the calculator (pyqtgraph).

Every plot item is created once in `__init__`; a scenario change only calls `setData` / `setOpts`
/ `setPos` on them, which keeps a slider drag smooth. Each chart takes a `ScenarioDocument`
snapshot through `update_from(document)` and a `Theme` through `apply_theme(theme)`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.domain.costs import CostCurves, break_even_vs_volume
from app.domain.formatting import format_money, format_months, format_number
from app.domain.scenario import MAX_VOLUME_PER_MONTH, Scenario
from app.ui.document import ScenarioDocument
from app.ui.theme import LIGHT, Theme

# Antialiasing only where it shows (the curves and markers); axes, grid and bars stay crisp and
# cheap, which keeps a repaint of all three charts within a few milliseconds.
pg.setConfigOptions(antialias=False)

# Requests are shown per thousand: per-request costs are fractions of a cent, hard to read.
PER_REQUESTS = 1000.0


class CompactAxis(pg.AxisItem):  # type: ignore[misc]
    """Tick labels as people read them: 10k, 1M, $2.5M (also on log axes)."""

    def __init__(self, orientation: str, money: bool = False, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self._money = money
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        """Format each tick value (log axes get 10**value)."""
        strings = []
        for value in values:
            shown = 10**value if self.logMode else value * scale
            if self.logMode and not math.isfinite(shown):
                strings.append("")
                continue
            text = format_number(abs(shown), 3)
            strings.append(("-$" if shown < 0 else "$") + text if self._money else format_number(shown, 3))
        return strings


def nice_ceiling(value: float) -> float:
    """The next 1, 2, 2.5 or 5 x 10^k at or above `value`.

    Axis tops snap to these so a slider drag changes an axis only now and then: an axis that
    keeps its range is not redrawn, and its tick labels are the costly part of a repaint.
    """
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10.0 ** (exponent + 1)


def sticky_top(previous: float | None, needed: float) -> float:
    """An axis top that grows at once but shrinks only when the data uses under a third of it.

    While a slider drags back and forth the axes then stay put (no jumping, and no redraw of
    their tick labels, the costly part of a repaint); the data never leaves the plot.
    """
    if previous is None or needed > previous or needed < previous / 3.0:
        return nice_ceiling(needed)
    return previous


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


class Marker(QGraphicsEllipseItem):
    """A round marker of fixed pixel size at a data point; moving it is a plain `setPos`.

    Far cheaper than a one-point scatter plot, which rebuilds its data on every change.
    """

    def __init__(self, diameter: float = 11.0) -> None:
        super().__init__(-diameter / 2, -diameter / 2, diameter, diameter)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(20)
        self.setVisible(False)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Draw smoothly (the view itself does not antialias: axes stay crisp and cheap)."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        super().paint(painter, option, widget)

    def place(self, x: float | None, y: float | None) -> None:
        """Show the marker at (x, y) in data coordinates, or hide it when either is None."""
        if x is None or y is None:
            self.setVisible(False)
            return
        self.setPos(x, y)
        self.setVisible(True)

    def position(self) -> tuple[float, float] | None:
        """(x, y) in data coordinates while shown, else None."""
        return (self.pos().x(), self.pos().y()) if self.isVisible() else None


def _curve(widget: pg.PlotWidget, name: str | None = None, **options: Any) -> pg.PlotCurveItem:
    """A bare curve (lighter than PlotDataItem: no data-set, log or down-sampling machinery)."""
    item = pg.PlotCurveItem(name=name, antialias=True, **options)
    widget.addItem(item)
    return item


def _finite_or_nan(values: np.ndarray) -> np.ndarray:
    """np.inf ("never") becomes NaN so the curve has a gap there instead of a spike."""
    out: np.ndarray = np.asarray(values, dtype=np.float64).copy()
    out[~np.isfinite(out)] = np.nan
    return out


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
        _style_plot(self)
        self.setAccessibleName("Cumulative cost chart")
        self.setLabel("bottom", "months")
        self.setLabel("left", "cumulative cost (USD)")
        self.legend = self.addLegend(offset=(10, 10))
        self.large_curve = _curve(self, "Large model only")
        self.specialist_curve = _curve(self, "Specialist path")
        self.specialist_only_curve = _curve(self, "Specialist alone (no escalation)")
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
        _rename(self.legend, self.large_curve, large)
        _rename(self.legend, self.specialist_curve, hybrid if self.escalating else path)
        _rename(self.legend, self.specialist_only_curve, alone)
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
        _set_range(self, "y", 0, self.y_top)

    def reset_ranges(self) -> None:
        """Forget the axis ranges kept for steadiness; the next update fits the data afresh."""
        self.y_top = None

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        _theme_plot(self, theme)
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
            _ensure_in_legend(self.legend, self.specialist_only_curve, "Specialist alone")
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
        _set_range(self, "x", 0, float(scenario.horizon_months), padding=0.02)
        top = float(max(np.max(curves.large_only), np.max(curves.specialist), 1.0))
        self._fit_y(top)
        _settle(self)


class BreakEvenVolumeChart(pg.PlotWidget):  # type: ignore[misc]
    """Break-even months against monthly volume (log x), with the scenario and the horizon marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"left": CompactAxis("left"), "bottom": CompactAxis("bottom")})
        _style_plot(self)
        self.setAccessibleName("Break-even versus volume chart")
        self.setLogMode(x=True, y=False)
        self.setLabel("bottom", "requests per month (log scale)")
        self.setLabel("left", "break-even (months)")
        # x is drawn as log10(volume) (the axis is in log mode and labels 10**x).
        self.curve = _curve(self, connect="finite")
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
        _theme_plot(self, theme)
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
            self.curve.setData(np.log10(volumes), _finite_or_nan(months), connect="finite")
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
        _set_range(self, "y", 0, self.y_top)
        _set_range(self, "x", math.log10(volumes[0]), math.log10(volumes[-1]), padding=0.02)
        _settle(self)


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
        _style_plot(self)
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
        _theme_plot(self, theme)
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
                _ensure_in_legend(self.legend, swatch, swatch.opts["name"])
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
        _set_range(self, "y", 0, self.y_top)
        _settle(self)


def legend_share(widget: pg.PlotWidget, legend: pg.LegendItem) -> float:
    """The share of the plot's height the legend takes from the top (at most 45 %)."""
    view_height = float(widget.getViewBox().height())
    if view_height <= 0:
        return 0.3
    return min(0.45, (float(legend.boundingRect().height()) + 14.0) / view_height)


def side_anchor(
    widget: pg.PlotWidget, label: pg.TextItem, x: float, low: float, high: float, lift: float
) -> tuple[float, float]:
    """Where a label goes beside its point: right where it fits, else left where it fits, else
    above it, moved along so that no edge of the plot cuts it (a point near an edge of a narrow
    plot would push a label centred on it over that edge)."""
    if fits_right(widget, label, x, low, high):
        return (-0.05, lift)
    if fits_right(widget, label, high - (x - low), low, high):  # the room left of x, mirrored
        return (1.05, lift)
    view_width = float(widget.getViewBox().width())
    width = float(label.boundingRect().width())
    if high <= low or view_width <= 0 or width <= 0:
        return (0.5, lift + 0.6)
    point = (x - low) / (high - low) * view_width  # pixels from the plot's left edge
    left = min(max(point - width / 2, 0.0), max(view_width - width, 0.0))
    return ((point - left) / width, lift + 0.6)


def place_beside(
    widget: pg.PlotWidget, label: pg.TextItem, span: tuple[float, float, float] | None, lift: float
) -> None:
    """Anchor `label` beside its point, `span` = (its x, the plot's x range) (see `side_anchor`);
    nothing while the label has no point."""
    if span is not None:
        label.setAnchor(side_anchor(widget, label, *span, lift))


def fits_right(widget: pg.PlotWidget, label: pg.TextItem, x: float, low: float, high: float) -> bool:
    """True when `label` fits between data x and the right edge of the plot (in pixels).

    Labels go right of their point where they fit and left of it otherwise, so a narrow window
    does not clip them at the plot's edge.
    """
    view_width = float(widget.getViewBox().width())
    if high <= low or view_width <= 0:
        return True
    room = (high - x) / (high - low) * view_width
    return bool(room >= float(label.boundingRect().width()) * 1.1 + 8.0)


def _set_range(widget: pg.PlotWidget, axis: str, low: float, high: float, padding: float = 0.0) -> None:
    """Set the x or y view range, skipping the call when it asks for the range already set.

    The axes are sticky, so most changes ask for the same ranges again; pyqtgraph's `setRange`
    does a good deal of work before it finds nothing changed (five calls a change add up).
    """
    requested: dict[str, tuple[float, float, float]] = widget.__dict__.setdefault("requested_ranges", {})
    wanted = (low, high, padding)
    if requested.get(axis) == wanted:
        return
    requested[axis] = wanted
    if axis == "x":
        widget.setXRange(low, high, padding=padding)
    else:
        widget.setYRange(low, high, padding=padding)


def _settle(widget: pg.PlotWidget) -> None:
    """Apply a new view range now rather than at paint time.

    pyqtgraph applies range changes while painting, and the axes it then invalidates ask for a
    second paint; settling first keeps it to one paint per change.
    """
    widget.getViewBox().prepareForPaint()


def _style_plot(widget: pg.PlotWidget) -> None:
    widget.setMenuEnabled(False)
    widget.setMouseEnabled(x=False, y=False)
    widget.hideButtons()
    # No grid: pyqtgraph draws grid lines as part of the axes, so every curve change would redraw
    # the axes' tick labels too (the costly part of a repaint).
    # Fixed axis sizes: tick labels changing width ($50k -> $100k) would otherwise re-layout the
    # plot and paint it twice per change.
    widget.getAxis("left").setWidth(62)
    widget.getAxis("bottom").setHeight(40)
    # Low enough that three charts and the first-launch guide fit a 700-pixel-high window.
    widget.setMinimumHeight(130)
    widget.getPlotItem().layout.setContentsMargins(4, 6, 10, 4)
    # The axes sit in the region a moving curve dirties: as cached pixmaps they are blitted
    # instead of replaying their tick labels' text on every change (redrawn when they change).
    for name in ("left", "bottom"):
        widget.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def cache_legend(legend: pg.LegendItem) -> None:
    """Draw the legend's samples and labels from cached pixmaps.

    The legend lies over the curves, so it is repainted on every change; its text is the costly
    part and changes only when an entry is renamed (which invalidates the cache).
    """
    for sample, label in legend.items:
        for item in (sample, label, getattr(label, "item", None)):
            if isinstance(item, QGraphicsItem):
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _theme_plot(widget: pg.PlotWidget, theme: Theme) -> None:
    widget.setBackground(theme.panel)
    for name in ("left", "bottom"):
        axis = widget.getAxis(name)
        axis.setPen(pg.mkPen(theme.muted))
        axis.setTextPen(pg.mkPen(theme.text))
    legend = widget.getPlotItem().legend
    if legend is not None:
        legend.setLabelTextColor(theme.text)
        for _sample, label in legend.items:
            label.setText(label.text, color=theme.text)  # existing labels only re-colour on setText
        legend.setBrush(pg.mkBrush(theme.panel + "d8"))
        legend.setPen(pg.mkPen(theme.grid))


def _rename(legend: pg.LegendItem, item: Any, name: str) -> None:
    for sample, label in legend.items:
        if sample.item is item and label.text != name:
            label.setText(name)


def _ensure_in_legend(legend: pg.LegendItem, item: Any, name: str) -> None:
    if not any(sample.item is item for sample, _ in legend.items):
        legend.addItem(item, name)
        cache_legend(legend)
