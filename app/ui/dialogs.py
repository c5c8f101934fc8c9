"""Every question and message the main window puts to the user, in one replaceable place.

The window calls these methods instead of QMessageBox / QFileDialog directly, so tests answer
them by swapping in a subclass. Errors use a non-blocking, window-modal message box (`open()`),
which tests can read and close; the real box stays on screen until the user closes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.dialog_parts import headed_table

SaveAnswer = Literal["save", "discard", "cancel"]

SCENARIO_FILTER = "Scenario files (*.json);;All files (*)"


class Prompter:
    """The user's side of the conversation; subclass to answer without a person (tests)."""

    def __init__(self) -> None:
        self.open_boxes: list[QMessageBox] = []

    def show_error(self, parent: QWidget, title: str, message: str) -> QMessageBox:
        """Show a problem without blocking; the box is returned so callers (and tests) can read it."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
        box.setAccessibleName(title)
        self.open_boxes = [existing for existing in self.open_boxes if existing.isVisible()]
        self.open_boxes.append(box)
        box.open()
        return box

    def ask_save_changes(self, parent: QWidget, name: str) -> SaveAnswer:
        """'Save changes to NAME?' -> save / discard / cancel."""
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = QMessageBox.question(
            parent,
            "Unsaved changes",
            f"Save the changes to “{name}” first? Without saving they are lost.",
            buttons,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return "save"
        if answer == QMessageBox.StandardButton.Discard:
            return "discard"
        return "cancel"

    def ask_recover(self, parent: QWidget, description: str) -> bool:
        """Offer unsaved work found after a crash; True to restore it."""
        answer = QMessageBox.question(
            parent,
            "Recover unsaved work?",
            f"Specialist Studio stopped with unsaved work: {description}. Restore it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_open_path(self, parent: QWidget, title: str, directory: str) -> Path | None:
        """A scenario file to open, or None when cancelled."""
        path, _ = QFileDialog.getOpenFileName(parent, title, directory, SCENARIO_FILTER)
        return Path(path) if path else None

    def ask_save_path(self, parent: QWidget, title: str, suggested: str) -> Path | None:
        """Where to save, or None when cancelled (a missing .json suffix is added)."""
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, SCENARIO_FILTER)
        if not path:
            return None
        chosen = Path(path)
        return chosen if chosen.suffix else chosen.with_suffix(".json")

    def ask_choice(self, parent: QWidget, title: str, label: str, items: list[str]) -> int | None:
        """Pick one of `items`; the index, or None when cancelled."""
        if not items:
            return None
        item, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
        return items.index(item) if ok and item in items else None

    def show_info(self, parent: QWidget, title: str, message: str) -> None:
        """A short, non-blocking note (About, shortcuts)."""
        box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
        self.open_boxes.append(box)
        box.open()


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: keys and actions in two aligned columns (a table, not tabs in a
    message box, whose proportional font left the columns ragged)."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.table = headed_table(("Keys", "Action"), len(rows))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        for index, (keys, action) in enumerate(rows):
            self.table.setItem(index, 0, QTableWidgetItem(keys))
            self.table.setItem(index, 1, QTableWidgetItem(action))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 560)

    def rows(self) -> list[tuple[str, str]]:
        """(keys, action) as shown."""
        shown = []
        for row in range(self.table.rowCount()):
            keys, action = self.table.item(row, 0), self.table.item(row, 1)
            shown.append((keys.text() if keys else "", action.text() if action else ""))
        return shown
