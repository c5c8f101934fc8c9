"""A memo table drawn: a shaded header repeated on each page, zebra rows, status markers, a caption."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter

from app.report.memo_data import Table, Tone
from app.report.pdf_layout import Layout
from app.report.pdf_style import INK, MUTED, RULE, SHADE, TONE_COLOURS, hline


def draw_table(layout: Layout, table: Table) -> None:
    """A table at the cursor: the header repeats on each page, and the last row never stands alone."""
    fonts = layout.fonts
    weights = table.weights or tuple(1.0 for _ in table.columns)
    total_weight = sum(weights)
    widths = [layout.width * w / total_weight for w in weights]
    lefts = [sum(widths[:i]) for i in range(len(widths))]
    pad = layout.pt(4)
    marker_space = layout.pt(9) if table.row_tones else 0.0

    def cell_width(index: int) -> float:
        return widths[index] - 2 * pad - (marker_space if index == 0 else 0.0)

    def row_height(cells: Sequence[str], font: QFont) -> float:
        return max(layout.text_height(font, text, cell_width(i)) for i, text in enumerate(cells)) + 2 * pad

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
            rect = QRectF(0, top, layout.width, height)

            def shade(painter: QPainter) -> None:
                painter.fillRect(rect, fill)

            layout.add(shade)
        if tone is not None:
            dot = QRectF(pad, top + pad + layout.pt(2.5), layout.pt(5), layout.pt(5))
            colour = TONE_COLOURS[tone]

            def marker(painter: QPainter) -> None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawEllipse(dot)
                painter.setBrush(Qt.BrushStyle.NoBrush)

            layout.add(marker)
        for i, text in enumerate(cells):
            shift = marker_space if i == 0 else 0.0
            align = Qt.AlignmentFlag.AlignRight if i in table.numeric else Qt.AlignmentFlag.AlignLeft
            layout.draw_text(
                QRectF(lefts[i] + pad + shift, top + pad, cell_width(i), height - 2 * pad),
                text,
                font,
                INK,
                align,
            )
        line_y = top + height
        layout.add(lambda p: hline(p, 0, layout.width, line_y, RULE, layout.pt(0.5)))

    def header() -> None:
        top = layout.y
        draw_row(table.columns, top, header_h, fonts.small_bold, SHADE, None)
        layout.y = top + header_h

    first_row_h = row_height(table.rows[0], fonts.small) if table.rows else 0.0
    layout.ensure_room(header_h + first_row_h)
    header()
    heights = [row_height(cells, fonts.small) for cells in table.rows]
    last = len(heights) - 1
    for index, cells in enumerate(table.rows):
        h = heights[index]
        # No last row alone on a page (with the caption under it): when the last two rows do
        # not fit together, they move over together, as long as two rows stay behind.
        keep_with_last = index == last - 1 and index >= 2
        needed = h + heights[last] if keep_with_last else h
        if layout.y + needed > layout.bottom:
            layout.new_page()
            header()  # repeat the header on the next page
        tone = table.row_tones[index] if index < len(table.row_tones) else None
        fill = SHADE if index % 2 == 1 else None
        draw_row(cells, layout.y, h, fonts.small, fill, tone)
        layout.y += h
    layout.y += layout.pt(4)
    if table.caption:
        layout.text_block(table.caption, fonts.small, MUTED, gap_after=8)
    else:
        layout.y += layout.pt(6)
