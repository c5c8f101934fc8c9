"""The memo's charts drawn as vector paths: line charts with axes, markers and a legend, and the
tornado's horizontal bars."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from app.domain.formatting import format_money, format_volume
from app.report.memo_data import Chart, ChartMarker, Series, TornadoChart
from app.report.pdf_layout import Layout
from app.report.pdf_style import ACCENT, INK, MUTED, RULE, SERIES_COLOURS, hline


def draw_chart(layout: Layout, chart: Chart, height: float) -> None:
    """A titled line chart `height` tall at the cursor, with its caption under it."""
    fonts = layout.fonts
    title_h = layout.text_height(fonts.bold, chart.title, layout.width) if chart.title else 0.0
    caption_h = layout.text_height(fonts.small, chart.caption, layout.width) if chart.caption else 0.0
    total = title_h + layout.pt(4) + height + layout.pt(4) + caption_h
    layout.ensure_room(total)
    if chart.title:
        layout.draw_text(QRectF(0, layout.y, layout.width, title_h), chart.title, fonts.bold)
    plot_box = QRectF(0, layout.y + title_h + layout.pt(4), layout.width, height)
    layout.add(lambda p: ChartPainter(layout, chart, plot_box).paint(p))
    layout.y = plot_box.bottom() + layout.pt(4)
    if chart.caption:
        layout.draw_text(QRectF(0, layout.y, layout.width, caption_h), chart.caption, fonts.small, MUTED)
        layout.y += caption_h
    layout.y += layout.pt(10)


def draw_tornado(layout: Layout, chart: TornadoChart) -> None:
    """Horizontal bars of savings at the horizon, one driver each, around the most likely value."""
    fonts = layout.fonts
    row_h = layout.pt(13)
    label_w = layout.width * 0.42
    title_h = layout.text_height(fonts.bold, chart.title, layout.width)
    caption_h = layout.text_height(fonts.small, chart.caption, layout.width) if chart.caption else 0.0
    axis_h = layout.pt(12)
    total = title_h + layout.pt(4) + row_h * len(chart.rows) + axis_h + caption_h + layout.pt(10)
    layout.ensure_room(total)
    top = layout.y
    layout.draw_text(QRectF(0, top, layout.width, title_h), chart.title, fonts.bold)
    bars_top = top + title_h + layout.pt(4)
    values = [chart.base] + [v for row in chart.rows for v in (row.at_low, row.at_high)]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    left, right = label_w + layout.pt(46), layout.width - layout.pt(46)

    def x_of(value: float) -> float:
        return left + (value - lo) / span * (right - left)

    for index, row in enumerate(chart.rows):
        y = bars_top + index * row_h
        layout.draw_text(QRectF(0, y + layout.pt(1), label_w, row_h), row.label, fonts.small, INK)
        a, b = sorted((row.at_low, row.at_high))
        bar = QRectF(
            x_of(a), y + layout.pt(2.5), max(x_of(b) - x_of(a), layout.pt(0.8)), row_h - layout.pt(5)
        )

        def paint_bar(painter: QPainter, bar: QRectF = bar) -> None:
            painter.fillRect(bar, SERIES_COLOURS["specialist_only"])

        layout.add(paint_bar)
        for value, rect, align in (
            (
                a,
                QRectF(bar.left() - layout.pt(46), y + layout.pt(1), layout.pt(44), row_h),
                Qt.AlignmentFlag.AlignRight,
            ),
            (
                b,
                QRectF(bar.right() + layout.pt(2), y + layout.pt(1), layout.pt(44), row_h),
                Qt.AlignmentFlag.AlignLeft,
            ),
        ):
            layout.draw_text(rect, format_money(value, "compact"), fonts.small, MUTED, align)
    base_x = x_of(chart.base)
    bottom = bars_top + row_h * len(chart.rows)

    def base_line(painter: QPainter) -> None:
        painter.setPen(QPen(INK, layout.pt(0.8)))
        painter.drawLine(QPointF(base_x, bars_top), QPointF(base_x, bottom + layout.pt(2)))

    layout.add(base_line)
    label = f"most likely: {format_money(chart.base, 'compact')}"
    layout.draw_text(
        QRectF(base_x - layout.pt(80), bottom + layout.pt(2), layout.pt(160), axis_h),
        label,
        fonts.small,
        MUTED,
        Qt.AlignmentFlag.AlignHCenter,
    )
    layout.y = bottom + axis_h
    if chart.caption:
        layout.draw_text(QRectF(0, layout.y, layout.width, caption_h), chart.caption, fonts.small, MUTED)
        layout.y += caption_h
    layout.y += layout.pt(10)


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1/2/5 x 10^n step giving about `target_ticks` ticks over `span`."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target_ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return 10 * magnitude


def axis_label(value: float, kind: str) -> str:
    """A tick label in the axis's format."""
    if kind == "money":
        return format_money(value, "compact")
    if kind == "count":
        # Ticks fall on round numbers: "10K", "1M" read better than "10.0K", "1.0M".
        return re.sub(r"\.0(?=[KMBT]?$)", "", format_volume(value))
    if kind == "percent":
        return f"{value * 100:.0f}%"
    return f"{value:g}"


@dataclass
class ChartPainter:
    """Paints one line chart into a box as vector paths."""

    layout: Layout
    chart: Chart
    box: QRectF
    # Worked out from the three above: the plot inside the box and the ranges of its axes.
    plot: QRectF = field(init=False)
    x_min: float = field(init=False)
    x_max: float = field(init=False)
    y_min: float = field(init=False)
    y_max: float = field(init=False)
    y_step: float = field(init=False)
    # Where the horizontal line's label sits, so a vertical marker's label can keep clear of it.
    line_label: QRectF | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        chart, box, pt = self.chart, self.box, self.layout.pt
        self.plot = QRectF(
            box.left() + pt(56),
            box.top() + pt(22),
            box.width() - pt(56) - pt(10),
            box.height() - pt(22) - pt(30),
        )
        xs = [x for s in chart.series for x in s.xs if math.isfinite(x) and (x > 0 or not chart.log_x)]
        ys = [y for s in chart.series for y in s.ys if math.isfinite(y)]
        ys += [m.y for m in chart.markers if m.y is not None]
        if chart.horizontal_line is not None:
            ys.append(chart.horizontal_line[0])
        self.x_min = min(xs) if xs else 0.0
        self.x_max = max(xs) if xs else 1.0
        if self.x_max <= self.x_min:
            self.x_max = self.x_min + 1.0
        # An all-zero chart still gets a readable axis (0 to 1) rather than a degenerate one.
        y_top = max(max(ys) if ys else 1.0, 1.0)
        if chart.y_max is not None:
            y_top = min(y_top, chart.y_max) if ys else chart.y_max
        self.y_min = 0.0
        self.y_step = nice_step(max(y_top, 1e-9))
        self.y_max = max(self.y_step, math.ceil(y_top / self.y_step - 1e-9) * self.y_step)

    def map_x(self, x: float) -> float:
        """Device x of `x` (log or linear axis)."""
        if self.chart.log_x:
            lo, hi = math.log10(self.x_min), math.log10(self.x_max)
            t = (math.log10(max(x, self.x_min)) - lo) / (hi - lo)
        else:
            t = (x - self.x_min) / (self.x_max - self.x_min)
        return self.plot.left() + t * self.plot.width()

    def map_y(self, y: float, overshoot: float = 0.0) -> float:
        """Device y of `y`, clamped to the axis plus `overshoot` (a share of the range; lines
        leave the top through the clip instead of flattening along it)."""
        span = self.y_max - self.y_min
        clipped = min(max(y, self.y_min), self.y_max + overshoot * span)
        return self.plot.bottom() - (clipped - self.y_min) / (self.y_max - self.y_min) * self.plot.height()

    def x_ticks(self) -> list[float]:
        """Tick values of the x axis: powers of ten on a log axis, round steps otherwise."""
        if self.chart.log_x:
            first = math.ceil(math.log10(self.x_min))
            last = math.floor(math.log10(self.x_max))
            return [10.0**e for e in range(first, last + 1)]
        step = nice_step(self.x_max - self.x_min, 6)
        start = math.ceil(self.x_min / step) * step
        count = int((self.x_max - start) / step + 1e-9) + 1
        return [start + i * step for i in range(count)]

    def paint(self, painter: QPainter) -> None:
        """Grid, axes, the horizontal line, series, markers and legend."""
        pt = self.layout.pt
        fonts = self.layout.fonts
        chart = self.chart
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        metrics = self.layout.metrics(fonts.small)
        label_h = metrics.height()

        # Grid and y labels.
        y = self.y_min
        while y <= self.y_max + self.y_step * 1e-6:
            py = self.map_y(y)
            hline(painter, self.plot.left(), self.plot.right(), py, RULE, pt(0.5))
            painter.setFont(fonts.small)
            painter.setPen(MUTED)
            painter.drawText(
                QRectF(self.box.left(), py - label_h / 2, pt(52), label_h),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                axis_label(y, chart.y_format),
            )
            y += self.y_step
        for x in self.x_ticks():
            px = self.map_x(x)
            painter.setPen(QPen(RULE, pt(0.5)))
            painter.drawLine(QPointF(px, self.plot.bottom()), QPointF(px, self.plot.bottom() + pt(3)))
            painter.setPen(MUTED)
            painter.drawText(
                QRectF(px - pt(30), self.plot.bottom() + pt(4), pt(60), label_h),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                axis_label(x, chart.x_format),
            )
        painter.setPen(MUTED)
        painter.drawText(
            QRectF(self.plot.left(), self.plot.bottom() + pt(5) + label_h, self.plot.width(), label_h),
            int(Qt.AlignmentFlag.AlignHCenter),
            chart.x_label,
        )
        painter.drawText(
            QRectF(self.box.left(), self.box.top(), pt(200), label_h),
            int(Qt.AlignmentFlag.AlignLeft),
            chart.y_label,
        )
        hline(painter, self.plot.left(), self.plot.right(), self.plot.bottom(), MUTED, pt(0.8))

        if chart.horizontal_line is not None:
            value, text = chart.horizontal_line
            py = self.map_y(value)
            pen = QPen(MUTED, pt(0.8))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(self.plot.left(), py), QPointF(self.plot.right(), py))
            painter.setPen(MUTED)
            width = self.layout.metrics(fonts.small).horizontalAdvance(text) + pt(4)
            above = QRectF(self.plot.right() - width, py - label_h - pt(1), width, label_h)
            # Close under the top of the plot the label above the line would run into the
            # vertical marker's label there: put it under the line instead.
            label = (
                above
                if not self._collides_with_vertical_label(above)
                else above.translated(0, label_h + pt(2))
            )
            self.line_label = label
            painter.drawText(label, int(Qt.AlignmentFlag.AlignRight), text)

        painter.setClipRect(self.plot.adjusted(-pt(2), -pt(2), pt(2), pt(2)))
        for series in chart.series:
            self.paint_series(painter, series)
        painter.setClipping(False)
        self.paint_markers(painter)
        self.paint_legend(painter)
        painter.restore()

    def _vertical_label_rect(self, marker: ChartMarker) -> QRectF:
        """Where a vertical marker's label goes: right of its line, or left of it near the edge."""
        pt = self.layout.pt
        metrics = self.layout.metrics(self.layout.fonts.small_bold)
        px = self.map_x(marker.x)
        width = metrics.horizontalAdvance(marker.label) + pt(4)
        left = px + pt(3) if px + width < self.plot.right() else px - width - pt(3)
        top = self.plot.top()
        if self.line_label is not None and self.line_label.intersects(
            QRectF(left, top, width, metrics.height())
        ):
            top = self.line_label.bottom() + pt(2)
        return QRectF(left, top, width, metrics.height())

    def _collides_with_vertical_label(self, rect: QRectF) -> bool:
        return any(
            marker.vertical and self._vertical_label_rect(marker).intersects(rect)
            for marker in self.chart.markers
        )

    def paint_series(self, painter: QPainter, series: Series) -> None:
        """One series as a path; a non-finite point breaks the line."""
        path = QPainterPath()
        pen_down = False
        for x, y in zip(series.xs, series.ys, strict=True):
            if not (math.isfinite(x) and math.isfinite(y)) or (self.chart.log_x and x <= 0):
                pen_down = False  # a gap: "never" or undefined
                continue
            point = QPointF(self.map_x(x), self.map_y(y, overshoot=0.5))
            if pen_down:
                path.lineTo(point)
            else:
                path.moveTo(point)
                pen_down = True
        pen = QPen(SERIES_COLOURS[series.role], self.layout.pt(2.0 if not series.dashed else 1.4))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if series.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def paint_markers(self, painter: QPainter) -> None:
        """Labelled points and vertical lines, labels kept inside the plot."""
        pt = self.layout.pt
        fonts = self.layout.fonts
        metrics = self.layout.metrics(fonts.small_bold)
        for marker in self.chart.markers:
            px = self.map_x(marker.x)
            if marker.vertical:
                pen = QPen(ACCENT, pt(0.8))
                pen.setStyle(Qt.PenStyle.DotLine)
                painter.setPen(pen)
                painter.drawLine(QPointF(px, self.plot.top()), QPointF(px, self.plot.bottom()))
                label = self._vertical_label_rect(marker)
                # A white ground: the curve often runs through the label near the top of the plot.
                painter.fillRect(label, QColor("white"))
                painter.setFont(fonts.small)
                painter.setPen(ACCENT)
                painter.drawText(label, 0, marker.label)
                continue
            if marker.y is None:
                continue
            py = self.map_y(marker.y)
            painter.setPen(QPen(QColor("white"), pt(1.2)))
            painter.setBrush(INK)
            painter.drawEllipse(QPointF(px, py), pt(4), pt(4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            width = metrics.horizontalAdvance(marker.label) + pt(10)
            height = metrics.height() + pt(4)
            left = px + pt(8) if px + pt(8) + width < self.plot.right() else px - pt(8) - width
            top = py - height - pt(14) if py - height - pt(14) > self.plot.top() else py + pt(8)
            label_box = QRectF(left, top, width, height)
            painter.setPen(QPen(RULE, pt(0.5)))
            painter.setBrush(QColor("white"))
            painter.drawRoundedRect(label_box, pt(2), pt(2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setFont(fonts.small_bold)
            painter.setPen(INK)
            painter.drawText(label_box, int(Qt.AlignmentFlag.AlignCenter), marker.label)

    def paint_legend(self, painter: QPainter) -> None:
        """One entry per series above the plot, long names elided to share the width."""
        if len(self.chart.series) < 2:
            return
        pt = self.layout.pt
        fonts = self.layout.fonts
        metrics = self.layout.metrics(fonts.small)
        x = self.plot.left() + pt(60)
        y = self.box.top() + pt(2)
        painter.setFont(fonts.small)
        # Names that fit are drawn whole; when they do not, the longest are cut with an ellipsis
        # (a long model name ran off the page and pushed the other entries out of sight).
        budget = self.box.right() - x - len(self.chart.series) * (pt(20) + pt(2) + pt(14))
        widths = {s.name: metrics.horizontalAdvance(s.name) for s in self.chart.series}
        allowed: dict[str, float] = {}
        for index, name in enumerate(sorted(widths, key=widths.__getitem__)):
            allowed[name] = min(widths[name], budget / (len(widths) - index))
            budget -= allowed[name]
        for series in self.chart.series:
            pen = QPen(SERIES_COLOURS[series.role], pt(2))
            if series.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            mid = y + metrics.height() / 2
            painter.drawLine(QPointF(x, mid), QPointF(x + pt(16), mid))
            painter.setPen(INK)
            name = metrics.elidedText(series.name, Qt.TextElideMode.ElideRight, allowed[series.name] + 1)
            width = metrics.horizontalAdvance(name) + pt(2)
            painter.drawText(QRectF(x + pt(20), y, width, metrics.height()), 0, name)
            x += pt(20) + width + pt(14)
