"""The risk view's charts: the distribution with P10-P90 marked, the tornado and the spider.

Plot widgets only: each is handed an `UncertaintyResult` (or its spider lines) and draws it;
the risk view (`app.ui.risk`) decides when and which one is on show.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.domain.drivers import SpiderLine
from app.domain.fields import label_for_key
from app.domain.uncertainty import UncertaintyResult
from app.ui.plot_parts import CompactAxis
from app.ui.theme import LIGHT, Theme

HISTOGRAM_BINS = 40
TORNADO_ROWS = 8


def _percentile_line(colour: str, label: str) -> pg.InfiniteLine:
    line = pg.InfiniteLine(
        angle=90,
        movable=False,
        pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine),
        label=label,
        labelOpts={"position": 0.92, "color": colour},
    )
    return line


class DistributionChart(pg.PlotWidget):  # type: ignore[misc]
    """Histogram of savings at the horizon or of the break-even month, with P10, P50, P90 marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.x_axis = CompactAxis("bottom", money=True)
        super().__init__(parent=parent, axisItems={"bottom": self.x_axis})
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.getAxis("left").setLabel("% of draws")
        self.getAxis("left").enableAutoSIPrefix(False)
        self.bars = pg.PlotDataItem(stepMode="center", fillLevel=0)
        self.band = pg.LinearRegionItem(movable=False)
        self.lines = [_percentile_line(LIGHT.marker, name) for name in ("P10", "P50", "P90")]
        self.addItem(self.band)
        self.addItem(self.bars)
        for line in self.lines:
            self.addItem(line)
        self.note = ""
        self.apply_theme(LIGHT)

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        self.setBackground(theme.panel)
        self.bars.setPen(pg.mkPen(theme.specialist, width=1))
        self.bars.setBrush(pg.mkBrush(theme.specialist_only + "99"))
        self.band.setBrush(pg.mkBrush(theme.grid + "80"))
        for line in self.lines:
            line.setPen(pg.mkPen(theme.marker, width=1.5, style=Qt.PenStyle.DashLine))

    def show_values(
        self, values: np.ndarray, marks: tuple[float | None, float | None, float | None], money: bool
    ) -> None:
        """Draw the histogram of the finite `values` and the three percentile marks."""
        self.x_axis._money = money  # the same axis reads $ or months
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            self.bars.setData([], [])
            for line in self.lines:
                line.hide()
            self.band.hide()
            return
        counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS)
        self.bars.setData(edges, 100.0 * counts / values.size)
        self.getAxis("bottom").setLabel("savings at the horizon" if money else "break-even, months")
        shown = [mark for mark in marks if mark is not None and math.isfinite(mark)]
        for line, mark in zip(self.lines, marks, strict=True):
            if mark is None or not math.isfinite(mark):
                line.hide()
            else:
                line.setPos(mark)
                line.show()
        if len(shown) >= 2:
            self.band.setRegion((min(shown), max(shown)))
            self.band.show()
        else:
            self.band.hide()

    def marks(self) -> list[float]:
        """The positions of the visible percentile lines (P10, P50, P90)."""
        return [float(line.value()) for line in self.lines if line.isVisible()]


class TornadoChart(pg.PlotWidget):  # type: ignore[misc]
    """One bar per ranged input from its low to its high end's savings, largest swing on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, axisItems={"bottom": CompactAxis("bottom", money=True)})
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.low_bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.6)
        self.high_bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.6)
        self.centre = pg.InfiniteLine(angle=90, movable=False)
        self.addItem(self.low_bars)
        self.addItem(self.high_bars)
        self.addItem(self.centre)
        self.fields: list[str] = []
        self.apply_theme(LIGHT)

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark (the low end in one colour, the high end in another)."""
        self.setBackground(theme.panel)
        self.low_bars.setOpts(brush=pg.mkBrush(theme.large), pen=pg.mkPen(theme.large))
        self.high_bars.setOpts(brush=pg.mkBrush(theme.specialist), pen=pg.mkPen(theme.specialist))
        self.centre.setPen(pg.mkPen(theme.text, width=1))

    def clear_bars(self) -> None:
        """No bars (a scenario without ranges)."""
        self.fields = []
        for bars in (self.low_bars, self.high_bars):
            bars.setOpts(x0=[], x1=[], y=[], height=0.6)
        self.getAxis("left").setTicks([[]])

    def show_result(self, result: UncertaintyResult, base_savings: float) -> None:
        """Bars from the point estimate to each end's savings, the widest swing at the top."""
        bars = result.tornado[:TORNADO_ROWS]
        self.fields = [bar.field for bar in bars]
        rows = list(range(len(bars), 0, -1))
        self.low_bars.setOpts(
            x0=[min(base_savings, bar.savings_at_low) for bar in bars],
            x1=[max(base_savings, bar.savings_at_low) for bar in bars],
            y=rows,
            height=0.6,
        )
        self.high_bars.setOpts(
            x0=[min(base_savings, bar.savings_at_high) for bar in bars],
            x1=[max(base_savings, bar.savings_at_high) for bar in bars],
            y=rows,
            height=0.6,
        )
        self.centre.setPos(base_savings)
        self.getAxis("left").setTicks(
            [[(row, label_for_key(bar.field)) for row, bar in zip(rows, bars, strict=True)]]
        )
        self.setYRange(0.3, len(bars) + 0.7, padding=0)


class SpiderChart(pg.PlotWidget):  # type: ignore[misc]
    """One line per ranged input: savings at the horizon as it moves from its low to its high.

    The x axis is the position within each input's own range (0 % = low, 100 % = high), so inputs
    of any unit share it; a steep line is a sensitive input, a bent one a threshold. The lines
    are created once and only take new data.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, axisItems={"left": CompactAxis("left", money=True)})
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.getAxis("bottom").setLabel("position in the input's range (low → high), %")
        self.getAxis("left").setLabel("savings at the horizon")
        self.legend = self.addLegend(offset=(6, 6), labelTextSize="8pt")
        self.lines = [pg.PlotDataItem() for _ in range(TORNADO_ROWS)]
        for line in self.lines:
            self.addItem(line)
        self.pivot = pg.InfiniteLine(angle=0, movable=False)
        self.addItem(self.pivot)
        self.fields: list[str] = []
        self.apply_theme(LIGHT)

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark: one colour-blind-safe colour per line."""
        self.setBackground(theme.panel)
        palette = (
            theme.specialist,
            theme.large,
            theme.self_hosting,
            theme.output_tokens,
            theme.specialist_only,
            theme.marker,
            theme.muted,
            theme.text,
        )
        for line, colour in zip(self.lines, palette, strict=True):
            line.setPen(pg.mkPen(colour, width=2))
            line.setSymbol("o")
            line.setSymbolSize(5)
            line.setSymbolBrush(pg.mkBrush(colour))
            line.setSymbolPen(pg.mkPen(colour))
        self.pivot.setPen(pg.mkPen(theme.text, width=1, style=Qt.PenStyle.DotLine))
        # The legend sits over the lines: readable text on a see-through panel.
        self.legend.setLabelTextColor(theme.text)
        self.legend.setBrush(pg.mkBrush(theme.panel + "99"))
        self.legend.setPen(pg.mkPen(theme.grid))

    def show_lines(self, lines: tuple[SpiderLine, ...], base_savings: float) -> None:
        """The widest-swinging inputs (up to `TORNADO_ROWS`), the scenario's own savings dotted."""
        shown = lines[:TORNADO_ROWS]
        self.fields = [line.field for line in shown]
        self.legend.clear()
        for item, line in zip(self.lines, shown, strict=False):
            count = len(line.points)
            item.setData(
                [100.0 * index / (count - 1) for index in range(count)],
                [point.savings_at_horizon for point in line.points],
            )
            item.show()
            self.legend.addItem(item, label_for_key(line.field))
        for item in self.lines[len(shown) :]:
            item.setData([], [])
            item.hide()
        self.pivot.setPos(base_savings)

    def curves(self) -> dict[str, tuple[list[float], list[float]]]:
        """What each visible line draws: field -> (x, y), for reading the chart back."""
        result = {}
        for item, field in zip(self.lines, self.fields, strict=False):
            x, y = item.getData()
            result[field] = ([float(v) for v in x], [float(v) for v in y])
        return result
