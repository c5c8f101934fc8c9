"""The one review dialog through which measurements enter a scenario.

Used by the playground's "Use in scenario" and the spot-check's "Use these accuracies": each
field before → after with a tick box, the sample it rests on, and warnings. Nothing changes
until "Apply ticked" is pressed; what is applied is one undo step (the caller's
`set_scenario`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.evidence import MeasurementReview
from app.domain.scenario import Evidence
from app.ui.dialog_parts import headed_table, read_only_item


def _sample_text(evidence: Evidence | None) -> str:
    """What a measured value rests on: `20/30 · spot-check · 2026-11-20` (k of n), or `n = 5 · …`."""
    if evidence is None:
        return ""
    counts = f"{evidence.successes}/{evidence.n}" if evidence.successes is not None else f"n = {evidence.n}"
    return f"{counts} · {evidence.source} · {evidence.measured_at}"


class MeasurementReviewDialog(QDialog):
    """Shows a `MeasurementReview`; `applied` carries the ticked field paths on "Apply ticked"."""

    applied = Signal(list)

    COLUMNS = ("Apply", "Field", "Before", "After", "Evidence", "Warnings")

    def __init__(self, review: MeasurementReview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = review
        self.setWindowTitle(review.title)
        self.setObjectName("measurementReview")
        layout = QVBoxLayout(self)
        self.sample_label = QLabel(f"Measured on: {review.sample}")
        self.sample_label.setWordWrap(True)
        layout.addWidget(self.sample_label)
        self.table = headed_table(self.COLUMNS, len(review.changes))
        for row, change in enumerate(review.changes):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked if change.checked else Qt.CheckState.Unchecked)
            tick.setData(Qt.ItemDataRole.UserRole, change.path)
            self.table.setItem(row, 0, tick)
            warnings = " ".join(change.warnings)
            cells = (
                change.label,
                change.describe_value(change.before),
                change.describe_value(change.after),
                _sample_text(change.evidence),
            )
            for column, text in enumerate(cells, start=1):
                self.table.setItem(row, column, read_only_item(text))
            # The warnings cell is narrow: its whole text is in the tooltip.
            self.table.setItem(row, len(cells) + 1, read_only_item(warnings, tip=warnings))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        lines = list(review.warnings) + [
            f"{change.label}: {warning}" for change in review.changes for warning in change.warnings
        ]
        self.warnings_label = QLabel(
            "Before you apply:\n" + "\n".join(f"• {line}" for line in lines) if lines else "No warnings."
        )
        self.warnings_label.setWordWrap(True)
        layout.addWidget(self.warnings_label)
        buttons = QDialogButtonBox()
        self.apply_button = QPushButton("Apply ticked")
        self.apply_button.setDefault(True)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.clicked.connect(self._apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 420)

    def checked_paths(self) -> list[str]:
        """The field paths ticked now."""
        paths: list[str] = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                paths.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return paths

    def set_checked(self, path: str, checked: bool) -> None:
        """Tick or untick one field (the same as clicking its box)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == path:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _apply(self) -> None:
        self.applied.emit(self.checked_paths())
        self.accept()
