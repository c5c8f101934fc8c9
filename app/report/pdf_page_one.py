"""Page one drawn: the header, the verdict box, the framed notices and the figure tiles."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from app.domain.formatting import format_date
from app.report.memo_data import HeadlineNumber, Notice
from app.report.pdf_layout import Layout
from app.report.pdf_style import ACCENT, INK, MUTED, RULE, SHADE, TONE_COLOURS, TONE_FILLS, hline


def draw_header(layout: Layout) -> None:
    """The kicker, the date and author, the scenario's name and description, and a rule under them."""
    c = layout.content
    fonts = layout.fonts
    label = "DECISION MEMO"
    h = layout.text_height(fonts.small_bold, label, layout.width)
    layout.draw_text(QRectF(0, 0, layout.width, h), label, fonts.small_bold, ACCENT)
    byline = " · ".join(part for part in (format_date(c.memo_date), c.author) if part)
    # A long author would print over the label: the byline keeps to the space beside it.
    room = layout.width - layout.metrics(fonts.small_bold).horizontalAdvance(label) - layout.pt(16)
    byline = layout.metrics(fonts.small).elidedText(byline, Qt.TextElideMode.ElideRight, room)
    layout.draw_text(QRectF(0, 0, layout.width, h), byline, fonts.small, MUTED, Qt.AlignmentFlag.AlignRight)
    layout.y = h + layout.pt(2)
    layout.text_block(c.scenario_name, fonts.title, INK, gap_after=2)
    if c.description:
        layout.text_block(c.description, fonts.body, MUTED, gap_after=4)
    y = layout.y + layout.pt(2)
    layout.add(lambda p: hline(p, 0, layout.width, y, ACCENT, layout.pt(1.2)))
    layout.y = y + layout.pt(10)


def draw_verdict(layout: Layout) -> None:
    """The verdict box: its tone's colours, the label, headline, board line and the deciding rule."""
    v = layout.content.verdict
    fonts = layout.fonts
    pad = layout.pt(12)
    inner = layout.width - 2 * pad - layout.pt(5)
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
    heights = [layout.text_height(font, text, inner) for text, font, _, _ in parts]
    total = sum(heights) + sum(layout.pt(g) for *_, g in parts) + 2 * pad
    top = layout.y
    layout.ensure_room(total)
    top = layout.y
    fill = TONE_FILLS[v.tone]
    bar = TONE_COLOURS[v.tone]
    box = QRectF(0, top, layout.width, total)
    bar_width = layout.pt(5)

    def background(painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRect(box)
        painter.setBrush(bar)
        painter.drawRect(QRectF(0, top, bar_width, total))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    layout.add(background)
    y = top + pad
    for (text, font, colour, gap), height in zip(parts, heights, strict=True):
        layout.draw_text(QRectF(bar_width + pad, y, inner, height), text, font, colour)
        y += height + layout.pt(gap)
    layout.y = top + total + layout.pt(12)


def draw_notice(layout: Layout, notice: Notice) -> None:
    """A framed note on page one: a toned title, then one wrapped line per (lead, text)."""
    fonts = layout.fonts
    pad = layout.pt(8)
    inner = layout.width - 2 * pad - layout.pt(4)
    texts = [(notice.title.upper(), fonts.small_bold, TONE_COLOURS[notice.tone])] if notice.title else []
    texts += [(f"{lead} {text}".strip(), fonts.small, INK) for lead, text in notice.lines]
    heights = [layout.text_height(font, text, inner) for text, font, _ in texts]
    total = sum(heights) + layout.pt(2) * (len(texts) - 1) + 2 * pad
    layout.ensure_room(total)
    top = layout.y
    box = QRectF(0, top, layout.width, total)
    fill = TONE_FILLS[notice.tone]
    bar = TONE_COLOURS[notice.tone]

    def background(painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRect(box)
        painter.setBrush(bar)
        painter.drawRect(QRectF(0, top, layout.pt(3), total))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    layout.add(background)
    y = top + pad
    for (text, font, colour), height in zip(texts, heights, strict=True):
        layout.draw_text(QRectF(pad + layout.pt(4), y, inner, height), text, font, colour)
        y += height + layout.pt(2)
    layout.y = top + total + layout.pt(8)


def draw_tiles(layout: Layout, numbers: Sequence[HeadlineNumber]) -> None:
    """The figure tiles, four (or three) to a row, each row as tall as its tallest tile."""
    fonts = layout.fonts
    columns = 4 if len(numbers) % 4 == 0 else 3
    gap = layout.pt(8)
    pad = layout.pt(8)
    tile_w = (layout.width - gap * (columns - 1)) / columns
    inner = tile_w - 2 * pad
    rows = [numbers[i : i + columns] for i in range(0, len(numbers), columns)]
    for row in rows:
        heights = []
        for tile in row:
            heights.append(
                layout.text_height(fonts.small_bold, tile.label.upper(), inner)
                + layout.text_height(fonts.tile_value, tile.value, inner)
                + layout.text_height(fonts.small, tile.detail, inner)
                + layout.pt(4)
            )
        tile_h = max(heights) + 2 * pad
        layout.ensure_room(tile_h)
        top = layout.y
        for index, tile in enumerate(row):
            left = index * (tile_w + gap)
            _draw_tile(layout, tile, QRectF(left, top, tile_w, tile_h), pad, inner)
        layout.y = top + tile_h + gap
    layout.y += layout.pt(4)


def _draw_tile(layout: Layout, tile: HeadlineNumber, rect: QRectF, pad: float, inner: float) -> None:
    fonts = layout.fonts

    def frame(painter: QPainter) -> None:
        painter.setPen(QPen(RULE, layout.pt(0.75)))
        painter.setBrush(SHADE)
        painter.drawRoundedRect(rect, layout.pt(3), layout.pt(3))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    layout.add(frame)
    x = rect.left() + pad
    y = rect.top() + pad
    label = tile.label.upper()
    h = layout.text_height(fonts.small_bold, label, inner)
    layout.draw_text(QRectF(x, y, inner, h), label, fonts.small_bold, MUTED)
    y += h + layout.pt(2)
    h = layout.text_height(fonts.tile_value, tile.value, inner)
    colour = TONE_COLOURS[tile.tone] if tile.tone != "neutral" else INK
    layout.draw_text(QRectF(x, y, inner, h), tile.value, fonts.tile_value, colour)
    y += h + layout.pt(2)
    h = layout.text_height(fonts.small, tile.detail, inner)
    layout.draw_text(QRectF(x, y, inner, h), tile.detail, fonts.small, MUTED)
