"""The parts every chart of the window is built from (pyqtgraph): the compact axis, the marker,
steady axis ranges, labels placed beside their points inside the plot, legends and theming.

The charts themselves (`app.ui.charts`, `app.ui.risk_charts`, the comparison's) only say what
they draw; how a plot is styled, ranged without repainting twice, and labelled without an edge
cutting a label is decided here once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from app.domain.formatting import format_number
from app.ui.theme import Theme

# Antialiasing only where it shows (the curves and markers); axes, grid and bars stay crisp and
# cheap, which keeps a repaint of all three charts within a few milliseconds.
pg.setConfigOptions(antialias=False)


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


def make_curve(widget: pg.PlotWidget, name: str | None = None, **options: Any) -> pg.PlotCurveItem:
    """A bare curve (lighter than PlotDataItem: no data-set, log or down-sampling machinery)."""
    item = pg.PlotCurveItem(name=name, antialias=True, **options)
    widget.addItem(item)
    return item


def finite_or_nan(values: np.ndarray) -> np.ndarray:
    """np.inf ("never") becomes NaN so the curve has a gap there instead of a spike."""
    out: np.ndarray = np.asarray(values, dtype=np.float64).copy()
    out[~np.isfinite(out)] = np.nan
    return out


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


def set_range(widget: pg.PlotWidget, axis: str, low: float, high: float, padding: float = 0.0) -> None:
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


def settle(widget: pg.PlotWidget) -> None:
    """Apply a new view range now rather than at paint time.

    pyqtgraph applies range changes while painting, and the axes it then invalidates ask for a
    second paint; settling first keeps it to one paint per change.
    """
    widget.getViewBox().prepareForPaint()


def style_plot(widget: pg.PlotWidget) -> None:
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


def theme_plot(widget: pg.PlotWidget, theme: Theme) -> None:
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


def rename_entry(legend: pg.LegendItem, item: Any, name: str) -> None:
    for sample, label in legend.items:
        if sample.item is item and label.text != name:
            label.setText(name)


def ensure_in_legend(legend: pg.LegendItem, item: Any, name: str) -> None:
    if not any(sample.item is item for sample, _ in legend.items):
        legend.addItem(item, name)
        cache_legend(legend)
