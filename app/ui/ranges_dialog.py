"""The ranges editor: how uncertain each input is, edited as a table; OK applies it as one undo step.

A row is one ranged field: its dotted path, its value in the scenario (the most likely one, read
only), the distribution, low and high (or successes k of trials n for a beta from evidence) and a
note saying where the range comes from. OK validates the whole section through the scenario
model; a problem is shown in one line and nothing the user typed is lost.
"""

from __future__ import annotations

import math

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.range_defaults import default_ranges
from app.domain.ranges import DISTRIBUTIONS, Range, get_path, rangeable_fields
from app.domain.scenario import Scenario, describe_validation_error
from app.ui.dialog_parts import headed_table, read_only_item
from app.ui.document import ScenarioDocument

COLUMNS = ("Input", "Value", "Distribution", "Low", "High", "k (right)", "n (graded)", "Note")
FIELD, VALUE, DISTRIBUTION, LOW, HIGH, SUCCESSES, TRIALS, NOTE = range(len(COLUMNS))


def _number_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


class RangesDialog(QDialog):
    """Edit the scenario's `ranges` section; the document changes only when OK validates."""

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ranges: how uncertain is each input?")
        self.setObjectName("rangesDialog")
        self.document = document
        self.paths = sorted(rangeable_fields(Scenario))
        self.table = headed_table(COLUMNS, row_numbers=True)
        self.table.horizontalHeader().setSectionResizeMode(FIELD, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error = QLabel()
        self.error.setObjectName("rangesError")
        self.error.setWordWrap(True)
        explain = QLabel(
            "The scenario's own value is the most likely one. Triangular, uniform and PERT take a low "
            "and a high; beta takes k right answers of n graded items (a measured accuracy)."
        )
        explain.setWordWrap(True)
        self.add_button = QPushButton("Add range")
        self.remove_button = QPushButton("Remove")
        self.defaults_button = QPushButton("Apply default ranges")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_selected)
        self.defaults_button.clicked.connect(self.apply_defaults)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.defaults_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for path, rng in document.scenario.ranges.items():
            self.add_row(path, rng)
        self.resize(980, 460)

    # -- rows --------------------------------------------------------------------------------
    def add_row(self, path: str = "", rng: Range | None = None) -> int:
        """Append a row (a new one starts on the first input without a range); returns its index."""
        if not path:
            taken = set(self.row_paths())
            path = next((candidate for candidate in self.paths if candidate not in taken), self.paths[0])
        index = self.table.rowCount()
        self.table.insertRow(index)
        field = QComboBox()
        field.addItems(self.paths)
        field.setCurrentText(path)
        field.currentTextChanged.connect(lambda _text, row=index: self._show_value(row))
        self.table.setCellWidget(index, FIELD, field)
        distribution = QComboBox()
        distribution.addItems(list(DISTRIBUTIONS))
        distribution.setCurrentText(rng.distribution if rng is not None else "triangular")
        self.table.setCellWidget(index, DISTRIBUTION, distribution)
        self.table.setItem(index, VALUE, read_only_item())  # the scenario's value, shown by _show_value
        cells = {
            LOW: rng.low if rng is not None else None,
            HIGH: rng.high if rng is not None else None,
            SUCCESSES: rng.successes if rng is not None else None,
            TRIALS: rng.trials if rng is not None else None,
        }
        for column, value in cells.items():
            self.table.setItem(index, column, QTableWidgetItem(_number_text(value)))
        self.table.setItem(index, NOTE, QTableWidgetItem(rng.note if rng is not None else ""))
        self._show_value(index)
        return index

    def _combo(self, row: int, column: int) -> QComboBox:
        widget = self.table.cellWidget(row, column)
        assert isinstance(widget, QComboBox)
        return widget

    def _show_value(self, row: int) -> None:
        path = self._combo(row, FIELD).currentText()
        value = get_path(self.document.scenario, path)
        item = self.table.item(row, VALUE)
        if item is not None:
            item.setText("not set" if value is None else _number_text(value))

    def row_paths(self) -> list[str]:
        """The input chosen in each row, top to bottom."""
        return [self._combo(row, FIELD).currentText() for row in range(self.table.rowCount())]

    def set_cell(self, row: int, column: int, text: str) -> None:
        """Type `text` into a cell (combo cells take the matching entry)."""
        if column in (FIELD, DISTRIBUTION):
            self._combo(row, column).setCurrentText(text)
            return
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, column, item)
        item.setText(text)

    def remove_selected(self) -> None:
        """Remove the rows with a selected cell (the current row when none is selected)."""
        rows = sorted({index.row() for index in self.table.selectedIndexes()} or {self.table.currentRow()})
        for row in reversed(rows):
            if row >= 0:
                self.table.removeRow(row)
        self._rewire()

    def _rewire(self) -> None:
        # Row indexes shift after a removal: reconnect each field combo to its own row.
        for row in range(self.table.rowCount()):
            combo = self._combo(row, FIELD)
            combo.currentTextChanged.disconnect()
            combo.currentTextChanged.connect(lambda _text, row=row: self._show_value(row))

    def apply_defaults(self) -> int:
        """Add the default range of every estimated input that has no row yet; returns how many."""
        taken = set(self.row_paths())
        added = 0
        for path, rng in default_ranges(self.document.scenario).items():
            if path not in taken:
                self.add_row(path, rng)
                added += 1
        return added

    # -- reading and applying ------------------------------------------------------------------
    def _number(self, row: int, column: int) -> float | None:
        item = self.table.item(row, column)
        text = item.text().strip().replace(",", "") if item is not None else ""
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise ValueError(
                f"row {row + 1} ({self.row_paths()[row]}): {COLUMNS[column]} {text!r} is not a number"
            ) from None
        if not math.isfinite(value):
            raise ValueError(f"row {row + 1} ({self.row_paths()[row]}): {COLUMNS[column]} must be finite")
        return value

    def ranges_data(self) -> dict[str, dict[str, object]]:
        """The table as the scenario's `ranges` section (raises ValueError for a bad cell or a repeat)."""
        data: dict[str, dict[str, object]] = {}
        for row, path in enumerate(self.row_paths()):
            if path in data:
                raise ValueError(f"row {row + 1}: {path} has a range already (one row per input)")
            distribution = self._combo(row, DISTRIBUTION).currentText()
            entry: dict[str, object] = {"distribution": distribution}
            if distribution == "beta":
                successes, trials = self._number(row, SUCCESSES), self._number(row, TRIALS)
                entry["successes"] = None if successes is None else int(successes)
                entry["trials"] = None if trials is None else int(trials)
            else:
                entry["low"] = self._number(row, LOW)
                entry["high"] = self._number(row, HIGH)
            note_item = self.table.item(row, NOTE)
            entry["note"] = note_item.text().strip() if note_item is not None else ""
            data[path] = entry
        return data

    def accept(self) -> None:
        """Validate and apply as one undo step; on a problem say it in one line and stay open."""
        try:
            data = self.ranges_data()
            scenario = self.document.scenario.with_changes(ranges=data)
        except ValidationError as exc:
            self.error.setText(describe_validation_error(exc))
            return
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.document.set_scenario(scenario, "Edit ranges")
        super().accept()
