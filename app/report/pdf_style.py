"""The memo's look on paper: colours, the type scale, and the hairline every part draws.

One font family for the whole memo (few fonts embedded), kerning on and hinting off so metrics
measured at the PDF's resolution match what a viewer draws, and no ligatures so copied text reads
as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from app.report.memo_data import Tone

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
class Fonts:
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


def make_fonts() -> Fonts:
    """The type scale in the memo's one family."""
    return Fonts(
        title=_font(19, QFont.Weight.Bold),
        heading=_font(13.5, QFont.Weight.Bold),
        verdict=_font(24, QFont.Weight.Bold),
        tile_value=_font(15, QFont.Weight.Bold),
        body=_font(9.5),
        bold=_font(9.5, QFont.Weight.Bold),
        small=_font(8),
        small_bold=_font(8, QFont.Weight.Bold),
    )


def hline(painter: QPainter, x0: float, x1: float, y: float, colour: QColor, width: float) -> None:
    """A horizontal rule from `x0` to `x1` at `y`."""
    painter.setPen(QPen(colour, width))
    painter.drawLine(QPointF(x0, y), QPointF(x1, y))
