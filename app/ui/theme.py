"""Shared look: light and dark palettes, chart colours, and the pass / fail / unknown status marks.

Series colours come from the Okabe-Ito palette (readable with the common colour-vision
deficiencies), and status is never colour alone: each rule mark has its own shape and a word.
A rule that holds is drawn in the colour of the verdict it leads to (a filled circle with a tick
when that verdict is good news for the switch, a filled square with "!" when it blocks); a rule
that does not hold is neutral (a grey outline circle with a dash): not holding is no alarm; an
unknown rule is a violet diamond with "?".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

from app.storage.resources import ResourceNotFoundError, resource_path

ThemeName = Literal["light", "dark"]
ThemeChoice = Literal["system", "light", "dark"]
StatusName = Literal["pass", "fail", "unknown"]

# Words that go with each status (the rule's condition holds / does not hold / cannot tell yet).
STATUS_WORDS: dict[str, str] = {"pass": "Holds", "fail": "Does not hold", "unknown": "Unknown"}
STATUS_SYMBOLS: dict[str, str] = {"pass": "✓", "fail": "–", "unknown": "?"}
# A holding rule that blocks the switch (its verdict is not good news) gets "!" instead of a tick.
BLOCKING_SYMBOL = "!"

# How a rule row is drawn: a holding rule by the tone of the verdict it leads to ("good", "bad",
# "neutral"), else "not_holding" or "unknown". Keys of `Theme.rule_marks`.
RuleLook = Literal["good", "bad", "neutral", "not_holding", "unknown"]


@dataclass(frozen=True)
class Theme:
    """Colours for one appearance; charts and banners read these instead of hard-coding."""

    name: ThemeName
    window: str
    panel: str
    text: str
    muted: str
    grid: str
    accent: str
    large: str  # large model series
    specialist: str  # the configured specialist path
    specialist_only: str  # the specialist with no escalation
    input_tokens: str
    output_tokens: str
    escalation: str
    self_hosting: str
    marker: str  # break-even point and current scenario
    horizon: str
    rule_marks: dict[str, str]  # colour of each RuleLook
    verdict_good: str
    verdict_bad: str
    verdict_neutral: str


# Every colour of the two appearances side by side, (light, dark): each pair is chosen together,
# so a role reads the same in both and stands out on its own background.
_COLOURS: dict[str, tuple[str, str]] = {
    "window": ("#f6f7f9", "#1e2127"),
    "panel": ("#ffffff", "#262a31"),
    "text": ("#1d2330", "#e6e8ec"),
    "muted": ("#5b6475", "#a3aab8"),
    "grid": ("#d9dde5", "#3a404b"),
    "accent": ("#0072B2", "#56B4E9"),
    "large": ("#E69F00", "#E69F00"),
    "specialist": ("#0072B2", "#56B4E9"),
    "specialist_only": ("#56B4E9", "#9ad3f2"),
    "input_tokens": ("#0072B2", "#56B4E9"),
    "output_tokens": ("#CC79A7", "#CC79A7"),
    "escalation": ("#E69F00", "#E69F00"),
    "self_hosting": ("#009E73", "#2fc49a"),
    "marker": ("#D55E00", "#ff7a33"),
    "horizon": ("#5b6475", "#a3aab8"),
    "verdict_good": ("#dff3ea", "#1f3b33"),
    "verdict_bad": ("#fbe6da", "#45291c"),
    "verdict_neutral": ("#eceef2", "#2f343d"),
}
# Each rule look's colour, (light, dark): each must also stand out from the other looks.
_RULE_MARKS: dict[str, tuple[str, str]] = {
    "good": ("#007a5a", "#3ccf9e"),
    "bad": ("#b34700", "#ff8a4c"),
    "neutral": ("#8a5a00", "#f0c05a"),
    "not_holding": ("#6b7280", "#9aa1ad"),
    "unknown": ("#6a4c9c", "#c3a8f0"),
}


def _theme(name: ThemeName, side: int) -> Theme:
    """The theme made of one side of each pair (0: light, 1: dark)."""
    colours = {role: pair[side] for role, pair in _COLOURS.items()}
    marks = {look: pair[side] for look, pair in _RULE_MARKS.items()}
    return Theme(name=name, rule_marks=marks, **colours)


LIGHT = _theme("light", 0)
DARK = _theme("dark", 1)


def system_prefers_dark() -> bool:
    """True when the desktop asks for a dark appearance (Qt 6.5+ colour-scheme hint)."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def resolve_theme(choice: str) -> Theme:
    """The theme for a setting value: 'light', 'dark', or 'system' (anything else means system)."""
    if choice == "light":
        return LIGHT
    if choice == "dark":
        return DARK
    return DARK if system_prefers_dark() else LIGHT


def _palette(theme: Theme) -> QPalette:
    palette = QPalette()
    window, panel, text, muted = (
        QColor(theme.window),
        QColor(theme.panel),
        QColor(theme.text),
        QColor(theme.muted),
    )
    accent = QColor(theme.accent)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: panel,
        QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.ToolTipBase: panel,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: muted,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: panel,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ffffff"),
        QPalette.ColorRole.Highlight: accent,
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: accent,
        QPalette.ColorRole.Mid: QColor(theme.grid),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return palette


def _stylesheet() -> str:
    try:
        return resource_path("styles", "app.qss").read_text(encoding="utf-8")
    except (ResourceNotFoundError, OSError):
        return ""  # the app stays usable with Qt's default look


def apply_theme(app: QApplication, choice: str) -> Theme:
    """Apply a light or dark palette (Fusion style, so it looks the same everywhere) and the stylesheet."""
    theme = resolve_theme(choice)
    app.setStyle("Fusion")
    app.setPalette(_palette(theme))
    # Set again even when unchanged: the re-polish it causes is what gives the widgets the style
    # sheet styles (labels with an object name) the new palette's colours.
    app.setStyleSheet(_stylesheet())
    return theme


@cache
def rule_mark_pixmap(look: str, colour: str, size: int = 18) -> QPixmap:
    """The mark of a rule row, drawn in code in `colour` (so it follows the theme).

    Shapes differ as well as colours: "good" a filled circle with a tick, "bad" and "neutral" a
    filled square with "!", "not_holding" an outline circle with a dash, "unknown" a diamond with "?".
    """
    ratio = 2.0  # drawn at twice the size: sharp on high-density screens too
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    ink = QColor(colour)
    white = QColor("#ffffff")
    box = QRectF(1.0, 1.0, size - 2.0, size - 2.0)
    stroke = max(1.5, size / 9.0)
    if look == "good":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        painter.drawEllipse(box)
        painter.setPen(QPen(white, stroke, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPolyline(
            QPolygonF(
                [
                    QPointF(size * 0.27, size * 0.52),
                    QPointF(size * 0.43, size * 0.68),
                    QPointF(size * 0.74, size * 0.33),
                ]
            )
        )
    elif look in ("bad", "neutral"):
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        painter.drawRoundedRect(box, size / 6.0, size / 6.0)
        _draw_glyph(painter, box, "!", white, size)
    elif look == "unknown":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        half = size / 2.0
        painter.drawPolygon(
            QPolygonF(
                [QPointF(half, 0.5), QPointF(size - 0.5, half), QPointF(half, size - 0.5), QPointF(0.5, half)]
            )
        )
        _draw_glyph(painter, box, "?", white, size)
    else:  # not holding: outline only, nothing that reads as an alarm
        painter.setPen(QPen(ink, stroke))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box.adjusted(stroke / 2, stroke / 2, -stroke / 2, -stroke / 2))
        painter.drawLine(QPointF(size * 0.32, size / 2.0), QPointF(size * 0.68, size / 2.0))
    painter.end()
    return pixmap


def _draw_glyph(painter: QPainter, box: QRectF, glyph: str, colour: QColor, size: int) -> None:
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(8, round(size * 0.62)))
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, glyph)
