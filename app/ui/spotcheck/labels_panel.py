"""Per-label accuracy and the confusion matrices of a label task, for both models.

An overall accuracy hides which queue a model gets wrong. The table gives each expected label's
accuracy for the specialist and the frontier (with its 95 % interval); the two matrices count, per
expected label (rows), what each model answered (columns, "(no label)" for an answer that is none
of the labels or that failed). The figures are the domain's (`label_accuracy`, `confusion_matrix`),
the same `spotcheck --json` prints as `by_label` and `confusion`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.evaluation import ConfusionMatrix, Interval, ItemResult, confusion_matrix, label_accuracy
from app.domain.formatting import format_interval, format_share
from app.ui.widgets import wrapped_label

SIDES = ("specialist", "frontier")
ACCURACY_COLUMNS = (
    "Expected label",
    "Items",
    "Specialist right",
    "Specialist accuracy",
    "Frontier right",
    "Frontier accuracy",
)


def _cell(text: str, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def accuracy_text(interval: Interval) -> str:
    """'80.0% (95 % 49.0%–94.3%)', or 'n/a' with nothing graded."""
    if interval.estimate is None or interval.low is None or interval.high is None:
        return "n/a"
    return f"{format_share(interval.estimate)} (95 % {format_interval(interval.low, interval.high)})"


def _read_only(table: QTableWidget) -> None:
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)


class LabelsPanel(QWidget):
    """The per-label table and one confusion matrix per model; a note when the task has no labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.note = wrapped_label(
            "Per-label figures appear after a run of a label task (a one-of-labels scorer)."
        )
        layout.addWidget(self.note)
        self.accuracy_table = QTableWidget(0, len(ACCURACY_COLUMNS))
        self.accuracy_table.setHorizontalHeaderLabels(list(ACCURACY_COLUMNS))
        self.accuracy_table.verticalHeader().setVisible(False)
        self.accuracy_table.setAccessibleName("Accuracy per expected label")
        _read_only(self.accuracy_table)
        layout.addWidget(self.accuracy_table, 1)
        grid = QGridLayout()
        self.matrices: dict[str, QTableWidget] = {}
        for column, side in enumerate(SIDES):
            title = wrapped_label(f"<b>Confusion, {side}</b> (rows: expected label · columns: answered)")
            matrix = QTableWidget(0, 0)
            matrix.setAccessibleName(f"Confusion matrix, {side}")
            _read_only(matrix)
            grid.addWidget(title, 0, column)
            grid.addWidget(matrix, 1, column)
            self.matrices[side] = matrix
        layout.addLayout(grid, 1)
        self.labels: tuple[str, ...] = ()

    def clear(self) -> None:
        """No run shown: empty tables."""
        self.show_results([], ())

    def show_results(self, results: Sequence[ItemResult], labels: Sequence[str]) -> None:
        """Fill the table and the matrices from the per-item results of a label task."""
        self.labels = tuple(labels)
        rows = label_accuracy(results, labels) if labels else ()
        table = self.accuracy_table
        table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            table.setItem(index, 0, _cell(row.label))
            table.setItem(index, 1, _cell(str(row.items), number=True))
            for offset, interval in ((2, row.specialist), (4, row.frontier)):
                table.setItem(index, offset, _cell(f"{interval.successes}/{interval.total}", number=True))
                table.setItem(index, offset + 1, _cell(accuracy_text(interval), number=True))
        for side, matrix in self.matrices.items():
            self._fill_matrix(matrix, confusion_matrix(results, labels, side) if labels and results else None)
        if not labels:
            self.note.setText("Per-label figures need a label task (a one-of-labels scorer with its labels).")
        elif not rows:
            self.note.setText("Per-label figures appear once items with an expected label have run.")
        else:
            self.note.setText(
                "Accuracy per expected label (an error counts as wrong); each matrix counts what a model "
                "answered for the items expecting each label."
            )

    @staticmethod
    def _fill_matrix(matrix: QTableWidget, confusion: ConfusionMatrix | None) -> None:
        if confusion is None:
            matrix.setRowCount(0)
            matrix.setColumnCount(0)
            return
        columns = list(next(iter(confusion.counts.values())).keys()) if confusion.counts else []
        matrix.setRowCount(len(confusion.labels))
        matrix.setColumnCount(len(columns))
        matrix.setHorizontalHeaderLabels(columns)
        matrix.setVerticalHeaderLabels(list(confusion.labels))
        for row, expected in enumerate(confusion.labels):
            for column, answered in enumerate(columns):
                count = confusion.counts[expected][answered]
                cell = _cell(str(count), number=True)
                if expected == answered and count:
                    font = cell.font()
                    font.setBold(True)  # the diagonal: right answers
                    cell.setFont(font)
                matrix.setItem(row, column, cell)
