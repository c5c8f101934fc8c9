"""The pieces the app's dialogs are built from: a form with its introduction, a text box with its
limit and hint, a table headed by its columns, and a cell that is shown but not edited."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)


def form_dialog(dialog: QDialog, title: str, name: str, intro: str) -> tuple[QVBoxLayout, QFormLayout]:
    """Lay a dialog out as a form: its title and object name, a wrapped introduction, and a form for
    its rows (the caller adds the form to the column once its rows are in)."""
    dialog.setWindowTitle(title)
    dialog.setObjectName(name)
    column = QVBoxLayout(dialog)
    words = QLabel(intro)
    words.setWordWrap(True)
    column.addWidget(words)
    return column, QFormLayout()


def text_field(text: str, max_length: int, placeholder: str) -> QLineEdit:
    """A one-line text box holding `text`, at most `max_length` long, hinting what goes in it."""
    field = QLineEdit(text)
    field.setMaxLength(max_length)
    field.setPlaceholderText(placeholder)
    return field


def headed_table(columns: Sequence[str], rows: int = 0, row_numbers: bool = False) -> QTableWidget:
    """A table with its column headings; rows unnumbered unless asked (a row is named in its cells)."""
    table = QTableWidget(rows, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(row_numbers)
    return table


def read_only_item(text: str = "", tip: str = "") -> QTableWidgetItem:
    """A cell that can be selected and copied but not edited; `tip` as its tooltip."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tip:
        item.setToolTip(tip)
    return item
