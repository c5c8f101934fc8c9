"""Draw a `MemoContent` into a PDF with Qt's own PDF engine (QtGui only, no widgets).

Layout runs in two passes (`app.report.pdf_layout`): the first measures every block with the PDF
device's font metrics and assigns it to a page; the second paints, so the footer can say "Page 2
of 4". Page one (`pdf_page_one`), tables (`pdf_tables`) and charts (`pdf_charts`, QPainterPaths, so
they stay vectors) are drawn by their own modules in the memo's look (`pdf_style`); Qt embeds
subsets of the fonts used.

Threading: `QPdfWriter`, `QPainter`, `QFont` and `QFontMetricsF` are reentrant in Qt 6 and may be
used from any thread once a `QGuiApplication` exists (the font database needs it); nothing here
touches a widget, a window or a global other than the font database.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

from app import __version__
from app.domain.formatting import format_date
from app.report.memo_data import Block, Bullets, MemoContent, Paragraph, Table
from app.report.pdf_charts import draw_chart, draw_tornado
from app.report.pdf_layout import Layout
from app.report.pdf_page_one import draw_header, draw_notice, draw_tiles, draw_verdict
from app.report.pdf_style import CHART_HEIGHT_PT, INK, MARGIN_MM, MUTED, RESOLUTION_DPI, RULE, DrawOp, hline
from app.report.pdf_tables import draw_table
from app.storage.atomic import atomic_write_bytes

PageSizeName = Literal["A4", "Letter"]
PAGE_SIZES: dict[str, QPageSize.PageSizeId] = {
    "A4": QPageSize.PageSizeId.A4,
    "Letter": QPageSize.PageSizeId.Letter,
}


def _draw_block(layout: Layout, block: Block) -> None:
    if isinstance(block, Paragraph):
        font = layout.fonts.small if block.style == "note" else layout.fonts.body
        layout.text_block(block.text, font, MUTED if block.style == "note" else INK)
    elif isinstance(block, Bullets):
        layout.bullets(block)
    elif isinstance(block, Table):
        draw_table(layout, block)
    else:
        draw_chart(layout, block, layout.pt(CHART_HEIGHT_PT))


def _lay_out(layout: Layout) -> list[list[DrawOp]]:
    """Page one, then each section from page two on: the paint operations of every page."""
    c = layout.content
    draw_header(layout)
    draw_verdict(layout)
    for notice in c.notices:
        draw_notice(layout, notice)
    draw_tiles(layout, c.headline_numbers)
    if c.tornado is not None:
        draw_tornado(layout, c.tornado)
    # The decision chart takes what is left of page one (within reason).
    room = layout.bottom - layout.y - layout.pt(60)
    # 115 pt still reads (three ticks a side); below that the chart goes to page two whole.
    draw_chart(layout, c.decision_chart, max(layout.pt(115), min(room, layout.pt(300))))
    for index, section in enumerate(c.sections):
        if index == 0:
            layout.new_page()  # page one is the decision alone
        layout.section_title(section.title, section.blocks[0] if section.blocks else None)
        for block in section.blocks:
            _draw_block(layout, block)
    return layout.pages


def _footer(layout: Layout, painter: QPainter, page: int, pages: int) -> None:
    fonts = layout.fonts
    top = layout.height - layout.pt(12)
    h = layout.metrics(fonts.small).height() + 1
    hline(painter, 0, layout.width, top - layout.pt(5), RULE, layout.pt(0.5))
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
    layout = Layout(writer, content)
    pages = _lay_out(layout)
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
