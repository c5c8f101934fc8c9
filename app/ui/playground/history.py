"""The playground's history: one row per run, newest last, with a short summary of each side; its
export (JSONL) and "Use in scenario…", which opens the review of what the measured runs would change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.evidence import MeasurementReview, apply_review
from app.inference.playground import PlaygroundRun, SidePrices, SideRun, export_jsonl, measurement_review
from app.ui.document import ScenarioDocument
from app.ui.review_dialog import MeasurementReviewDialog


def side_summary(side: SideRun) -> str:
    """'12 tokens 52 tok/s · positive' for a side that answered; why it did not otherwise."""
    result = side.result
    if result is None:
        return f"not run: {side.empty_reason}" if side.empty_reason else "—"
    if result.error:
        return "error: " + result.error
    if result.cancelled:
        return "stopped"
    speed = f" {result.tokens_per_second:.0f} tok/s" if result.tokens_per_second else ""
    return f"{result.output_tokens} tokens{speed} · {result.text.strip()[:60] or '(no text)'}"


class HistoryTable(QTableWidget):
    """Time, prompt and both sides' summaries of every run of this session (read-only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["Time", "Prompt", "Local", "Frontier"])
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def add_run(self, run: PlaygroundRun) -> None:
        """Append one row for `run`."""
        row = self.rowCount()
        self.insertRow(row)
        for column, text in enumerate(
            (
                run.timestamp[11:19],
                run.prompt.strip()[:80],
                side_summary(run.local),
                side_summary(run.frontier),
            )
        ):
            self.setItem(row, column, QTableWidgetItem(text))


class HistoryPanel(QWidget):
    """The runs of this session: the table, its export, and the way measurements reach the scenario
    (through the review dialog only, never silently). Says what it did through `said`."""

    said = Signal(str)  # one line for the view's message row

    def __init__(
        self,
        document: ScenarioDocument,
        frontier_prices: Callable[[], SidePrices],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self._frontier_prices = frontier_prices
        self.runs: list[PlaygroundRun] = []
        self.review_dialog: MeasurementReviewDialog | None = None
        self.table = HistoryTable()
        self.export_button = QPushButton("Export history (JSONL)…")
        self.use_button = QPushButton("Use in scenario…")
        self.use_button.setToolTip(
            "Averaged measured tokens and prices into the scenario's large and small models"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>History</b>"))
        row.addStretch(1)
        row.addWidget(self.use_button)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.export_button.clicked.connect(self._export_dialog)
        self.use_button.clicked.connect(self.use_in_scenario)

    def add_run(self, run: PlaygroundRun) -> None:
        """Keep `run` and show its row."""
        self.runs.append(run)
        self.table.add_run(run)

    def choose_export_path(self) -> Path | None:
        """Ask where to export the history (tests replace this)."""
        name, _ = QFileDialog.getSaveFileName(
            self, "Export history", "playground-history.jsonl", "JSON Lines (*.jsonl)"
        )
        return Path(name) if name else None

    def _export_dialog(self) -> None:
        if not self.runs:
            self.said.emit("Nothing to export yet: run a prompt first.")
            return
        path = self.choose_export_path()
        if path is not None:
            self.export_history(path)

    def export_history(self, path: Path) -> None:
        """Write every run as one JSON line through the one atomic write."""
        try:
            export_jsonl(self.runs, path)
        except OSError as exc:
            self.said.emit(f"Could not export to {path}: {exc.strerror or exc}")
            return
        self.said.emit(f"Exported {len(self.runs)} runs to {path}.")

    def use_in_scenario(self) -> None:
        """Open the review of what the measured runs would change (tokens, names, the frontier's
        prices); the ticked fields go into the scenario as one undoable step, never silently."""
        try:
            review = measurement_review(
                self.document.scenario,
                self.runs,
                None,
                self._frontier_prices(),
                local_is_base_model=any("bundled" in run.local.name.lower() for run in self.runs),
            )
        except ValueError as exc:
            self.said.emit(str(exc).capitalize() + ".")
            return
        dialog = MeasurementReviewDialog(review, self)
        dialog.applied.connect(lambda paths: self._apply_review(review, paths))
        self.review_dialog = dialog
        dialog.open()

    def _apply_review(self, review: MeasurementReview, paths: list[str]) -> None:
        if not paths:
            self.said.emit("Nothing ticked: the scenario is unchanged.")
            return
        self.document.set_scenario(apply_review(self.document.scenario, review, paths), review.undo_label)
        self.said.emit(f"{len(paths)} measured field(s) applied — marked as measured.")
