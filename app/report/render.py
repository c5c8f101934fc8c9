"""Draw a `MemoContent` into a PDF with Qt's own PDF engine (QtGui only, no widgets).

Layout runs in two passes: the first measures every block with the PDF device's font metrics
and assigns it to a page; the second paints. That way the footer can say "Page 2 of 4".
Charts are QPainterPaths, so they stay vectors in the PDF; Qt embeds subsets of the fonts used.

Threading: `QPdfWriter`, `QPainter`, `QFont` and `QFontMetricsF` are reentrant in Qt 6 and may be
used from any thread once a `QGuiApplication` exists (the font database needs it); nothing here
touches a widget, a window or a global other than the font database.
"""

from __future__ import annotations

import errno
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)

from app import __version__
from app.domain.formatting import format_date, format_money, format_volume
from app.report.memo_data import (
    Block,
    Bullets,
    Chart,
    ChartMarker,
    HeadlineNumber,
    MemoContent,
    Notice,
    Paragraph,
    Series,
    Table,
    Tone,
    TornadoChart,
)
from app.storage.atomic import atomic_write_bytes

PageSizeName = Literal["A4", "Letter"]
PAGE_SIZES: dict[str, QPageSize.PageSizeId] = {
    "A4": QPageSize.PageSizeId.A4,
    "Letter": QPageSize.PageSizeId.Letter,
}

# High enough that hairlines and small text position precisely; the PDF is vector either way.
RESOLUTION_DPI = 600
MARGIN_MM = 16.0
CHART_HEIGHT_PT = 250.0  # charts after page one; page one's chart takes the room left
FONT_FAMILIES = [
    "Inter",
    "Segoe UI",
    "Helvetica Neue",
    "Helvetica",
    "Arial",
    "DejaVu Sans",
    "Liberation Sans",
]

INK = QColor("#1f2430")
MUTED = QColor("#5b6272")
RULE = QColor("#d5d9e0")
SHADE = QColor("#f3f5f8")
ACCENT = QColor("#2f4b7c")
TONE_COLOURS: dict[Tone, QColor] = {
    "good": QColor("#1b7a3d"),
    "bad": QColor("#b3261e"),
    "warn": QColor("#a15c00"),
    "neutral": QColor("#4a5568"),
}
TONE_FILLS: dict[Tone, QColor] = {
    "good": QColor("#e8f4ec"),
    "bad": QColor("#fbeaea"),
    "warn": QColor("#fdf1e2"),
    "neutral": QColor("#eef1f5"),
}
SERIES_COLOURS = {
    "large": QColor("#c8553d"),
    "specialist": QColor("#1f77b4"),
    "specialist_only": QColor("#6aa6d6"),
    "volume": QColor("#1f77b4"),
}

DrawOp = Callable[[QPainter], None]


@dataclass
class _Fonts:
    """The memo's type scale, all from one family so the PDF embeds few fonts."""

    title: QFont
    heading: QFont
    verdict: QFont
    tile_value: QFont
    body: QFont
    bold: QFont
    small: QFont
    small_bold: QFont


def _font(point_size: float, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(point_size)
    font.setWeight(weight)
    # Kerning on, hinting off: metrics measured at 600 dpi must match what the PDF viewer draws.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    # No ligatures: text copied out of the memo (or searched) must read "off-the-shelf", not "oﬀ".
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _make_fonts() -> _Fonts:
    return _Fonts(
        title=_font(19, QFont.Weight.Bold),
        heading=_font(13.5, QFont.Weight.Bold),
        verdict=_font(24, QFont.Weight.Bold),
        tile_value=_font(15, QFont.Weight.Bold),
        body=_font(9.5),
        bold=_font(9.5, QFont.Weight.Bold),
        small=_font(8),
        small_bold=_font(8, QFont.Weight.Bold),
    )


class _Layout:
    """Places blocks top to bottom on pages, measuring with the PDF device's metrics."""

    def __init__(self, writer: QPdfWriter, content: MemoContent) -> None:
        self.writer = writer
        self.content = content
        self.fonts = _make_fonts()
        self.unit = RESOLUTION_DPI / 72.0  # device units per point
        self.width = float(writer.width())
        self.height = float(writer.height())
        self.footer_height = self.pt(22)
        self.bottom = self.height - self.footer_height
        self.pages: list[list[DrawOp]] = [[]]
        self.y = 0.0

    # -- helpers ------------------------------------------------------------------------------

    def pt(self, points: float) -> float:
        """Points to device units."""
        return points * self.unit

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.writer)

    def text_height(self, font: QFont, text: str, width: float) -> float:
        """Height of `text` wrapped to `width`."""
        if not text:
            return 0.0
        rect = self.metrics(font).boundingRect(
            QRectF(0, 0, width, 1e7), int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft), text
        )
        return math.ceil(rect.height()) + 1.0

    def add(self, op: DrawOp) -> None:
        self.pages[-1].append(op)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = 0.0

    def ensure_room(self, needed: float) -> None:
        """Start a new page unless `needed` fits below the cursor (a block taller than a page just starts)."""
        if self.y > 0 and self.y + needed > self.bottom:
            self.new_page()

    def draw_text(
        self,
        rect: QRectF,
        text: str,
        font: QFont,
        colour: QColor = INK,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        flags = int(Qt.TextFlag.TextWordWrap) | int(align) | int(Qt.AlignmentFlag.AlignTop)

        def op(painter: QPainter) -> None:
            painter.setFont(font)
            painter.setPen(colour)
            painter.drawText(rect, flags, text)

        self.add(op)

    def text_block(self, text: str, font: QFont, colour: QColor = INK, gap_after: float = 6) -> None:
        height = self.text_height(font, text, self.width)
        self.ensure_room(height)
        self.draw_text(QRectF(0, self.y, self.width, height), text, font, colour)
        self.y += height + self.pt(gap_after)

    # -- page one -----------------------------------------------------------------------------

    def header(self) -> None:
        c = self.content
        fonts = self.fonts
        label = "DECISION MEMO"
        h = self.text_height(fonts.small_bold, label, self.width)
        self.draw_text(QRectF(0, 0, self.width, h), label, fonts.small_bold, ACCENT)
        byline = " · ".join(part for part in (format_date(c.memo_date), c.author) if part)
        # A long author would print over the label: the byline keeps to the space beside it.
        room = self.width - self.metrics(fonts.small_bold).horizontalAdvance(label) - self.pt(16)
        byline = self.metrics(fonts.small).elidedText(byline, Qt.TextElideMode.ElideRight, room)
        self.draw_text(QRectF(0, 0, self.width, h), byline, fonts.small, MUTED, Qt.AlignmentFlag.AlignRight)
        self.y = h + self.pt(2)
        self.text_block(c.scenario_name, fonts.title, INK, gap_after=2)
        if c.description:
            self.text_block(c.description, fonts.body, MUTED, gap_after=4)
        y = self.y + self.pt(2)
        self.add(lambda p: _hline(p, 0, self.width, y, ACCENT, self.pt(1.2)))
        self.y = y + self.pt(10)

    def verdict(self) -> None:
        v = self.content.verdict
        fonts = self.fonts
        pad = self.pt(12)
        inner = self.width - 2 * pad - self.pt(5)
        kicker = "RECOMMENDATION"
        parts: list[tuple[str, QFont, QColor, float]] = [
            (kicker, fonts.small_bold, TONE_COLOURS[v.tone], 2),
            (v.label, fonts.verdict, TONE_COLOURS[v.tone], 4),
            (v.headline, fonts.bold, INK, 5),
        ]
        if v.board_line:
            parts.append((v.board_line, fonts.body, INK, 5))
        parts += [
            (f"Decided by {v.deciding_rule}", fonts.small_bold, MUTED, 1),
        ]
        if v.reason:
            parts.append((v.reason, fonts.small, MUTED, 0))
        heights = [self.text_height(font, text, inner) for text, font, _, _ in parts]
        total = sum(heights) + sum(self.pt(g) for *_, g in parts) + 2 * pad
        top = self.y
        self.ensure_room(total)
        top = self.y
        fill = TONE_FILLS[v.tone]
        bar = TONE_COLOURS[v.tone]
        box = QRectF(0, top, self.width, total)
        bar_width = self.pt(5)

        def background(painter: QPainter) -> None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRect(box)
            painter.setBrush(bar)
            painter.drawRect(QRectF(0, top, bar_width, total))
            painter.setBrush(Qt.BrushStyle.NoBrush)

        self.add(background)
        y = top + pad
        for (text, font, colour, gap), height in zip(parts, heights, strict=True):
            self.draw_text(QRectF(bar_width + pad, y, inner, height), text, font, colour)
            y += height + self.pt(gap)
        self.y = top + total + self.pt(12)

    def notice(self, notice: Notice) -> None:
        """A framed note on page one: a toned title, then one wrapped line per (lead, text)."""
        fonts = self.fonts
        pad = self.pt(8)
        inner = self.width - 2 * pad - self.pt(4)
        texts = [(notice.title.upper(), fonts.small_bold, TONE_COLOURS[notice.tone])] if notice.title else []
        texts += [(f"{lead} {text}".strip(), fonts.small, INK) for lead, text in notice.lines]
        heights = [self.text_height(font, text, inner) for text, font, _ in texts]
        total = sum(heights) + self.pt(2) * (len(texts) - 1) + 2 * pad
        self.ensure_room(total)
        top = self.y
        box = QRectF(0, top, self.width, total)
        fill = TONE_FILLS[notice.tone]
        bar = TONE_COLOURS[notice.tone]

        def background(painter: QPainter) -> None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRect(box)
            painter.setBrush(bar)
            painter.drawRect(QRectF(0, top, self.pt(3), total))
            painter.setBrush(Qt.BrushStyle.NoBrush)

        self.add(background)
        y = top + pad
        for (text, font, colour), height in zip(texts, heights, strict=True):
            self.draw_text(QRectF(pad + self.pt(4), y, inner, height), text, font, colour)
            y += height + self.pt(2)
        self.y = top + total + self.pt(8)

    def tiles(self, numbers: Sequence[HeadlineNumber]) -> None:
        fonts = self.fonts
        columns = 4 if len(numbers) % 4 == 0 else 3
        gap = self.pt(8)
        pad = self.pt(8)
        tile_w = (self.width - gap * (columns - 1)) / columns
        inner = tile_w - 2 * pad
        rows = [numbers[i : i + columns] for i in range(0, len(numbers), columns)]
        for row in rows:
            heights = []
            for tile in row:
                heights.append(
                    self.text_height(fonts.small_bold, tile.label.upper(), inner)
                    + self.text_height(fonts.tile_value, tile.value, inner)
                    + self.text_height(fonts.small, tile.detail, inner)
                    + self.pt(4)
                )
            tile_h = max(heights) + 2 * pad
            self.ensure_room(tile_h)
            top = self.y
            for index, tile in enumerate(row):
                left = index * (tile_w + gap)
                self._tile(tile, QRectF(left, top, tile_w, tile_h), pad, inner)
            self.y = top + tile_h + gap
        self.y += self.pt(4)

    def _tile(self, tile: HeadlineNumber, rect: QRectF, pad: float, inner: float) -> None:
        fonts = self.fonts

        def frame(painter: QPainter) -> None:
            painter.setPen(QPen(RULE, self.pt(0.75)))
            painter.setBrush(SHADE)
            painter.drawRoundedRect(rect, self.pt(3), self.pt(3))
            painter.setBrush(Qt.BrushStyle.NoBrush)

        self.add(frame)
        x = rect.left() + pad
        y = rect.top() + pad
        label = tile.label.upper()
        h = self.text_height(fonts.small_bold, label, inner)
        self.draw_text(QRectF(x, y, inner, h), label, fonts.small_bold, MUTED)
        y += h + self.pt(2)
        h = self.text_height(fonts.tile_value, tile.value, inner)
        colour = TONE_COLOURS[tile.tone] if tile.tone != "neutral" else INK
        self.draw_text(QRectF(x, y, inner, h), tile.value, fonts.tile_value, colour)
        y += h + self.pt(2)
        h = self.text_height(fonts.small, tile.detail, inner)
        self.draw_text(QRectF(x, y, inner, h), tile.detail, fonts.small, MUTED)

    def tornado(self, chart: TornadoChart) -> None:
        """Horizontal bars of savings at the horizon, one driver each, around the most likely value."""
        fonts = self.fonts
        row_h = self.pt(13)
        label_w = self.width * 0.42
        title_h = self.text_height(fonts.bold, chart.title, self.width)
        caption_h = self.text_height(fonts.small, chart.caption, self.width) if chart.caption else 0.0
        axis_h = self.pt(12)
        total = title_h + self.pt(4) + row_h * len(chart.rows) + axis_h + caption_h + self.pt(10)
        self.ensure_room(total)
        top = self.y
        self.draw_text(QRectF(0, top, self.width, title_h), chart.title, fonts.bold)
        bars_top = top + title_h + self.pt(4)
        values = [chart.base] + [v for row in chart.rows for v in (row.at_low, row.at_high)]
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        left, right = label_w + self.pt(46), self.width - self.pt(46)

        def x_of(value: float) -> float:
            return left + (value - lo) / span * (right - left)

        for index, row in enumerate(chart.rows):
            y = bars_top + index * row_h
            self.draw_text(QRectF(0, y + self.pt(1), label_w, row_h), row.label, fonts.small, INK)
            a, b = sorted((row.at_low, row.at_high))
            bar = QRectF(x_of(a), y + self.pt(2.5), max(x_of(b) - x_of(a), self.pt(0.8)), row_h - self.pt(5))

            def paint_bar(painter: QPainter, bar: QRectF = bar) -> None:
                painter.fillRect(bar, SERIES_COLOURS["specialist_only"])

            self.add(paint_bar)
            for value, rect, align in (
                (
                    a,
                    QRectF(bar.left() - self.pt(46), y + self.pt(1), self.pt(44), row_h),
                    Qt.AlignmentFlag.AlignRight,
                ),
                (
                    b,
                    QRectF(bar.right() + self.pt(2), y + self.pt(1), self.pt(44), row_h),
                    Qt.AlignmentFlag.AlignLeft,
                ),
            ):
                self.draw_text(rect, format_money(value, "compact"), fonts.small, MUTED, align)
        base_x = x_of(chart.base)
        bottom = bars_top + row_h * len(chart.rows)

        def base_line(painter: QPainter) -> None:
            painter.setPen(QPen(INK, self.pt(0.8)))
            painter.drawLine(QPointF(base_x, bars_top), QPointF(base_x, bottom + self.pt(2)))

        self.add(base_line)
        label = f"most likely: {format_money(chart.base, 'compact')}"
        self.draw_text(
            QRectF(base_x - self.pt(80), bottom + self.pt(2), self.pt(160), axis_h),
            label,
            fonts.small,
            MUTED,
            Qt.AlignmentFlag.AlignHCenter,
        )
        self.y = bottom + axis_h
        if chart.caption:
            self.draw_text(QRectF(0, self.y, self.width, caption_h), chart.caption, fonts.small, MUTED)
            self.y += caption_h
        self.y += self.pt(10)

    # -- blocks -------------------------------------------------------------------------------

    def section_title(self, title: str, first: Block | None) -> None:
        h = self.text_height(self.fonts.heading, title, self.width)
        # Keep a heading with what follows: a whole chart, or the first lines of text or table.
        follow = self.pt(CHART_HEIGHT_PT + 60) if isinstance(first, Chart) else self.pt(90)
        self.ensure_room(h + follow)
        if self.y > 0:
            self.y += self.pt(6)
        self.draw_text(QRectF(0, self.y, self.width, h), title, self.fonts.heading, ACCENT)
        self.y += h + self.pt(6)

    def block(self, block: Block) -> None:
        if isinstance(block, Paragraph):
            font = self.fonts.small if block.style == "note" else self.fonts.body
            self.text_block(block.text, font, MUTED if block.style == "note" else INK)
        elif isinstance(block, Bullets):
            self.bullets(block)
        elif isinstance(block, Table):
            self.table(block)
        else:
            self.chart(block, self.pt(CHART_HEIGHT_PT))

    def bullets(self, bullets: Bullets) -> None:
        indent = self.pt(12)
        width = self.width - indent
        for lead, text in bullets.items:
            lead_h = self.text_height(self.fonts.bold, lead, width)
            text_h = self.text_height(self.fonts.body, text, width)
            self.ensure_room(lead_h + text_h)
            top = self.y
            dot = QRectF(self.pt(2), top + self.pt(4), self.pt(4), self.pt(4))

            def marker(painter: QPainter, dot: QRectF = dot) -> None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(ACCENT)
                painter.drawEllipse(dot)
                painter.setBrush(Qt.BrushStyle.NoBrush)

            self.add(marker)
            if lead:
                self.draw_text(QRectF(indent, top, width, lead_h), lead, self.fonts.bold)
            self.draw_text(QRectF(indent, top + lead_h, width, text_h), text, self.fonts.body)
            self.y = top + lead_h + text_h + self.pt(7)

    def table(self, table: Table) -> None:
        fonts = self.fonts
        weights = table.weights or tuple(1.0 for _ in table.columns)
        total_weight = sum(weights)
        widths = [self.width * w / total_weight for w in weights]
        lefts = [sum(widths[:i]) for i in range(len(widths))]
        pad = self.pt(4)
        marker_space = self.pt(9) if table.row_tones else 0.0

        def cell_width(index: int) -> float:
            return widths[index] - 2 * pad - (marker_space if index == 0 else 0.0)

        def row_height(cells: Sequence[str], font: QFont) -> float:
            return max(self.text_height(font, text, cell_width(i)) for i, text in enumerate(cells)) + 2 * pad

        header_h = row_height(table.columns, fonts.small_bold)

        def draw_row(
            cells: Sequence[str],
            top: float,
            height: float,
            font: QFont,
            fill: QColor | None,
            tone: Tone | None,
        ) -> None:
            if fill is not None:
                rect = QRectF(0, top, self.width, height)

                def shade(painter: QPainter) -> None:
                    painter.fillRect(rect, fill)

                self.add(shade)
            if tone is not None:
                dot = QRectF(pad, top + pad + self.pt(2.5), self.pt(5), self.pt(5))
                colour = TONE_COLOURS[tone]

                def marker(painter: QPainter) -> None:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colour)
                    painter.drawEllipse(dot)
                    painter.setBrush(Qt.BrushStyle.NoBrush)

                self.add(marker)
            for i, text in enumerate(cells):
                shift = marker_space if i == 0 else 0.0
                align = Qt.AlignmentFlag.AlignRight if i in table.numeric else Qt.AlignmentFlag.AlignLeft
                self.draw_text(
                    QRectF(lefts[i] + pad + shift, top + pad, cell_width(i), height - 2 * pad),
                    text,
                    font,
                    INK,
                    align,
                )
            line_y = top + height
            self.add(lambda p: _hline(p, 0, self.width, line_y, RULE, self.pt(0.5)))

        def header() -> None:
            top = self.y
            draw_row(table.columns, top, header_h, fonts.small_bold, SHADE, None)
            self.y = top + header_h

        first_row_h = row_height(table.rows[0], fonts.small) if table.rows else 0.0
        self.ensure_room(header_h + first_row_h)
        header()
        heights = [row_height(cells, fonts.small) for cells in table.rows]
        last = len(heights) - 1
        for index, cells in enumerate(table.rows):
            h = heights[index]
            # No last row alone on a page (with the caption under it): when the last two rows do
            # not fit together, they move over together, as long as two rows stay behind.
            keep_with_last = index == last - 1 and index >= 2
            needed = h + heights[last] if keep_with_last else h
            if self.y + needed > self.bottom:
                self.new_page()
                header()  # repeat the header on the next page
            tone = table.row_tones[index] if index < len(table.row_tones) else None
            fill = SHADE if index % 2 == 1 else None
            draw_row(cells, self.y, h, fonts.small, fill, tone)
            self.y += h
        self.y += self.pt(4)
        if table.caption:
            self.text_block(table.caption, fonts.small, MUTED, gap_after=8)
        else:
            self.y += self.pt(6)

    # -- charts -------------------------------------------------------------------------------

    def chart(self, chart: Chart, height: float) -> None:
        fonts = self.fonts
        title_h = self.text_height(fonts.bold, chart.title, self.width) if chart.title else 0.0
        caption_h = self.text_height(fonts.small, chart.caption, self.width) if chart.caption else 0.0
        total = title_h + self.pt(4) + height + self.pt(4) + caption_h
        self.ensure_room(total)
        if chart.title:
            self.draw_text(QRectF(0, self.y, self.width, title_h), chart.title, fonts.bold)
        plot_box = QRectF(0, self.y + title_h + self.pt(4), self.width, height)
        self.add(lambda p: _ChartPainter(self, chart, plot_box).paint(p))
        self.y = plot_box.bottom() + self.pt(4)
        if chart.caption:
            self.draw_text(QRectF(0, self.y, self.width, caption_h), chart.caption, fonts.small, MUTED)
            self.y += caption_h
        self.y += self.pt(10)

    # -- the whole memo -----------------------------------------------------------------------

    def run(self) -> list[list[DrawOp]]:
        c = self.content
        self.header()
        self.verdict()
        for notice in c.notices:
            self.notice(notice)
        self.tiles(c.headline_numbers)
        if c.tornado is not None:
            self.tornado(c.tornado)
        # The decision chart takes what is left of page one (within reason).
        room = self.bottom - self.y - self.pt(60)
        # 115 pt still reads (three ticks a side); below that the chart goes to page two whole.
        self.chart(c.decision_chart, max(self.pt(115), min(room, self.pt(300))))
        for index, section in enumerate(c.sections):
            if index == 0:
                self.new_page()  # page one is the decision alone
            self.section_title(section.title, section.blocks[0] if section.blocks else None)
            for block in section.blocks:
                self.block(block)
        return self.pages


def _hline(painter: QPainter, x0: float, x1: float, y: float, colour: QColor, width: float) -> None:
    painter.setPen(QPen(colour, width))
    painter.drawLine(QPointF(x0, y), QPointF(x1, y))


def _nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1/2/5 x 10^n step giving about `target_ticks` ticks over `span`."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target_ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return 10 * magnitude


def _axis_label(value: float, kind: str) -> str:
    if kind == "money":
        return format_money(value, "compact")
    if kind == "count":
        # Ticks fall on round numbers: "10K", "1M" read better than "10.0K", "1.0M".
        return re.sub(r"\.0(?=[KMBT]?$)", "", format_volume(value))
    if kind == "percent":
        return f"{value * 100:.0f}%"
    return f"{value:g}"


class _ChartPainter:
    """Paints one line chart into a box as vector paths."""

    def __init__(self, layout: _Layout, chart: Chart, box: QRectF) -> None:
        self.layout = layout
        self.chart = chart
        self.box = box
        pt = layout.pt
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
        self.y_step = _nice_step(max(y_top, 1e-9))
        self.y_max = max(self.y_step, math.ceil(y_top / self.y_step - 1e-9) * self.y_step)
        # Where the horizontal line's label sits, so a vertical marker's label can keep clear of it.
        self.line_label: QRectF | None = None

    def map_x(self, x: float) -> float:
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
        if self.chart.log_x:
            first = math.ceil(math.log10(self.x_min))
            last = math.floor(math.log10(self.x_max))
            return [10.0**e for e in range(first, last + 1)]
        step = _nice_step(self.x_max - self.x_min, 6)
        start = math.ceil(self.x_min / step) * step
        count = int((self.x_max - start) / step + 1e-9) + 1
        return [start + i * step for i in range(count)]

    def paint(self, painter: QPainter) -> None:
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
            _hline(painter, self.plot.left(), self.plot.right(), py, RULE, pt(0.5))
            painter.setFont(fonts.small)
            painter.setPen(MUTED)
            painter.drawText(
                QRectF(self.box.left(), py - label_h / 2, pt(52), label_h),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                _axis_label(y, chart.y_format),
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
                _axis_label(x, chart.x_format),
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
        _hline(painter, self.plot.left(), self.plot.right(), self.plot.bottom(), MUTED, pt(0.8))

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


def _footer(layout: _Layout, painter: QPainter, page: int, pages: int) -> None:
    fonts = layout.fonts
    top = layout.height - layout.pt(12)
    h = layout.metrics(fonts.small).height() + 1
    _hline(painter, 0, layout.width, top - layout.pt(5), RULE, layout.pt(0.5))
    painter.setFont(fonts.small)
    painter.setPen(MUTED)
    # A long title is cut with an ellipsis (it was clipped mid-word), keeping the date visible.
    date_text = f" · {format_date(layout.content.memo_date)}"
    metrics = layout.metrics(fonts.small)
    room = layout.width * 0.75 - metrics.horizontalAdvance(date_text)
    title = metrics.elidedText(layout.content.title, Qt.TextElideMode.ElideRight, room)
    painter.drawText(
        QRectF(0, top, layout.width * 0.75, h), int(Qt.AlignmentFlag.AlignLeft), title + date_text
    )
    painter.drawText(
        QRectF(0, top, layout.width, h), int(Qt.AlignmentFlag.AlignRight), f"Page {page} of {pages}"
    )


def _configure_writer(writer: QPdfWriter, content: MemoContent, page_size: str) -> None:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(PAGE_SIZES[page_size]),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(content.title)
    writer.setCreator(f"Specialist Studio {__version__}")
    if content.author and hasattr(writer, "setAuthor"):  # QPdfWriter.setAuthor: Qt 6.8+
        writer.setAuthor(content.author)


def render_memo_pdf(content: MemoContent, path: Path, page_size: PageSizeName | str = "A4") -> int:
    """Write `content` as a PDF at `path`; returns the number of pages.

    Needs a QGuiApplication (fonts). The PDF is rendered in memory, checked to be a whole PDF, and
    handed to the one atomic write, which checks what reached the disk before it replaces the old
    file: a full disk never leaves an empty or half memo where a good one was. Raises `OSError`
    (`FileRefusedError`: one line naming the file and the reason).
    """
    data, pages = render_memo_pdf_bytes(content, page_size)
    atomic_write_bytes(Path(path), data, what="the decision memo")
    return pages


def render_memo_pdf_bytes(content: MemoContent, page_size: PageSizeName | str = "A4") -> tuple[bytes, int]:
    """The memo as the bytes of a PDF file, and its number of pages."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    _configure_writer(writer, content, page_size)
    layout = _Layout(writer, content)
    pages = layout.run()
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(errno.EIO, "the PDF writer could not start a page")
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for number, ops in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            for op in ops:
                op(painter)
            _footer(layout, painter, number, len(pages))
    finally:
        painter.end()
    del writer  # finishes the PDF (cross-reference table and trailer) in the buffer
    data = bytes(buffer.data().data())
    buffer.close()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise OSError(errno.EIO, "the PDF writer produced an incomplete file")
    return data, len(pages)


__all__ = ["PAGE_SIZES", "PageSizeName", "render_memo_pdf", "render_memo_pdf_bytes"]
