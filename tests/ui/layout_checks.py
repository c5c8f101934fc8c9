"""Find text a user cannot read in full: labels and buttons narrower than their text, wrapped
labels shorter than their lines, and scroll areas hiding content sideways.

Used by the layout tests and by the screenshot script; each finding is one line naming the
widget, its text and the sizes, so a failure says what is cut and where.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QScrollArea, QWidget

from app.ui.widgets import ElidedLabel

# Rounding of font metrics and style-sheet padding: a pixel or two is not a cut.
SLACK_PX = 2


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = widget.text().replace("\n", " ")[:60]
    return f"{type(widget).__name__}#{widget.objectName() or '-'} '{text}'"


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def cut_labels(root: QWidget) -> list[str]:
    """Labels and buttons under `root` whose text does not fit their size (elided labels excepted:
    they end in "…" and carry the whole text in a tooltip)."""
    found: list[str] = []
    for label in root.findChildren(QLabel):
        if not _shown(label) or not label.text() or isinstance(label, ElidedLabel):
            continue
        if label.textFormat() == Qt.TextFormat.RichText or (label.pixmap() is not None and not label.text()):
            continue
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + SLACK_PX:
                found.append(f"{_name(label)}: wrapped text needs {needed} px high, has {label.height()}")
        else:
            needed = label.minimumSizeHint().width()
            if needed > label.width() + SLACK_PX:
                found.append(f"{_name(label)}: needs {needed} px wide, has {label.width()}")
    for label in root.findChildren(ElidedLabel):
        if _shown(label) and label.is_elided() and label.toolTip() != label.text():
            found.append(f"{_name(label)}: elided without the whole text in its tooltip")
    for button in root.findChildren(QAbstractButton):
        if not _shown(button) or not button.text():
            continue
        needed = button.minimumSizeHint().width()
        if needed > button.width() + SLACK_PX:
            found.append(f"{_name(button)}: needs {needed} px wide, has {button.width()}")
    return found


def hidden_sideways(root: QWidget) -> list[str]:
    """Scroll areas under (or at) `root` whose content is wider than what they show with no way
    to scroll there, and widgets that stick out past the right edge of their scroll area."""
    found: list[str] = []
    areas = [area for area in root.findChildren(QAbstractScrollArea) if _shown(area)]
    if isinstance(root, QAbstractScrollArea):
        areas.insert(0, root)
    for area in areas:
        bar = area.horizontalScrollBar()
        can_scroll = bar.isVisible() and bar.maximum() > 0
        if bar.maximum() > 0 and not can_scroll:
            found.append(f"{_name(area)}: {bar.maximum()} px of content hidden sideways with no scroll bar")
        if isinstance(area, QScrollArea) and area.widget() is not None and not can_scroll:
            content = area.widget()
            viewport = area.viewport().width()
            if content.width() > viewport + SLACK_PX:
                found.append(f"{_name(area)}: content {content.width()} px wide in a {viewport} px viewport")
            for child in content.findChildren(QWidget):
                if not _shown(child) or isinstance(child, ElidedLabel):
                    continue
                right = child.mapTo(area.viewport(), QPoint(child.width(), 0)).x()
                if right > viewport + SLACK_PX and isinstance(child, QLabel | QAbstractButton):
                    found.append(f"{_name(child)}: right edge at {right} px, past the {viewport} px viewport")
    return found


def unreadable(root: QWidget) -> list[str]:
    """Everything `cut_labels` and `hidden_sideways` find under `root`."""
    return cut_labels(root) + hidden_sideways(root)
