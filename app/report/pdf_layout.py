"""Placing the memo on pages: measure with the PDF device's metrics, then record what to paint.

Layout runs in two passes: the first measures every block and assigns it to a page (recording a
paint operation for each piece); the second paints. That way the footer can say "Page 2 of 4".
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPdfWriter

from app.report.memo_data import Block, Bullets, Chart, MemoContent
from app.report.pdf_style import ACCENT, CHART_HEIGHT_PT, INK, RESOLUTION_DPI, DrawOp, make_fonts


class Layout:
    """Places blocks top to bottom on pages, measuring with the PDF device's metrics."""

    def __init__(self, writer: QPdfWriter, content: MemoContent) -> None:
        self.writer = writer
        self.content = content
        self.fonts = make_fonts()
        self.unit = RESOLUTION_DPI / 72.0  # device units per point
        self.width = float(writer.width())
        self.height = float(writer.height())
        self.footer_height = self.pt(22)
        self.bottom = self.height - self.footer_height
        self.pages: list[list[DrawOp]] = [[]]
        self.y = 0.0

    def pt(self, points: float) -> float:
        """Points to device units."""
        return points * self.unit

    def metrics(self, font: QFont) -> QFontMetricsF:
        """Font metrics on the PDF device (what the viewer will draw)."""
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
        """Record a paint operation on the current page."""
        self.pages[-1].append(op)

    def new_page(self) -> None:
        """Start a new page; the cursor goes to its top."""
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
        """Record `text` wrapped in `rect` (top-aligned)."""
        flags = int(Qt.TextFlag.TextWordWrap) | int(align) | int(Qt.AlignmentFlag.AlignTop)

        def op(painter: QPainter) -> None:
            painter.setFont(font)
            painter.setPen(colour)
            painter.drawText(rect, flags, text)

        self.add(op)

    def text_block(self, text: str, font: QFont, colour: QColor = INK, gap_after: float = 6) -> None:
        """A paragraph across the full width at the cursor, moving to a new page if it does not fit."""
        height = self.text_height(font, text, self.width)
        self.ensure_room(height)
        self.draw_text(QRectF(0, self.y, self.width, height), text, font, colour)
        self.y += height + self.pt(gap_after)

    def section_title(self, title: str, first: Block | None) -> None:
        """A section heading, kept on one page with the start of what follows."""
        h = self.text_height(self.fonts.heading, title, self.width)
        # Keep a heading with what follows: a whole chart, or the first lines of text or table.
        follow = self.pt(CHART_HEIGHT_PT + 60) if isinstance(first, Chart) else self.pt(90)
        self.ensure_room(h + follow)
        if self.y > 0:
            self.y += self.pt(6)
        self.draw_text(QRectF(0, self.y, self.width, h), title, self.fonts.heading, ACCENT)
        self.y += h + self.pt(6)

    def bullets(self, bullets: Bullets) -> None:
        """A bulleted list, each item with its bold lead-in."""
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
