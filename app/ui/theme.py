"""Shared look: light and dark palettes, chart colours, and the pass / fail / unknown status marks.

Series colours come from the Okabe-Ito palette (readable with the common colour-vision
deficiencies), and status is never colour alone: each status has its own icon shape (circle with
a tick, square with a cross, diamond with a question mark) and a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from app.storage.resources import ResourceNotFoundError, resource_path

ThemeName = Literal["light", "dark"]
ThemeChoice = Literal["system", "light", "dark"]
StatusName = Literal["pass", "fail", "unknown"]

# Words that go with each status (the rule's condition holds / does not hold / cannot tell yet).
STATUS_WORDS: dict[str, str] = {"pass": "Holds", "fail": "Does not hold", "unknown": "Unknown"}
STATUS_SYMBOLS: dict[str, str] = {"pass": "✓", "fail": "✗", "unknown": "?"}


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
    status: dict[str, str]
    verdict_good: str
    verdict_bad: str
    verdict_neutral: str


LIGHT = Theme(
    name="light",
    window="#f6f7f9",
    panel="#ffffff",
    text="#1d2330",
    muted="#5b6475",
    grid="#d9dde5",
    accent="#0072B2",
    large="#E69F00",
    specialist="#0072B2",
    specialist_only="#56B4E9",
    input_tokens="#0072B2",
    output_tokens="#CC79A7",
    escalation="#E69F00",
    self_hosting="#009E73",
    marker="#D55E00",
    horizon="#5b6475",
    status={"pass": "#007a5a", "fail": "#b34700", "unknown": "#666666"},
    verdict_good="#dff3ea",
    verdict_bad="#fbe6da",
    verdict_neutral="#eceef2",
)

DARK = Theme(
    name="dark",
    window="#1e2127",
    panel="#262a31",
    text="#e6e8ec",
    muted="#a3aab8",
    grid="#3a404b",
    accent="#56B4E9",
    large="#E69F00",
    specialist="#56B4E9",
    specialist_only="#9ad3f2",
    input_tokens="#56B4E9",
    output_tokens="#CC79A7",
    escalation="#E69F00",
    self_hosting="#2fc49a",
    marker="#ff7a33",
    horizon="#a3aab8",
    status={"pass": "#3ccf9e", "fail": "#ff8a4c", "unknown": "#b0b0b0"},
    verdict_good="#1f3b33",
    verdict_bad="#45291c",
    verdict_neutral="#2f343d",
)


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
    app.setStyleSheet(_stylesheet())
    return theme


@cache
def status_icon(status: str) -> QIcon:
    """The icon of a rule status ('pass', 'fail', 'unknown'); an empty icon if the file is missing."""
    try:
        return QIcon(str(resource_path("icons", f"status-{status}.svg")))
    except ResourceNotFoundError:
        return QIcon()


def status_pixmap(status: str, size: int = 16) -> QPixmap:
    """The status icon rendered at `size` pixels."""
    return status_icon(status).pixmap(size, size)
