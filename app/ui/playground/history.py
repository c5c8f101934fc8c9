"""The playground's history: one row per run, newest last, with a short summary of each side."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.inference.playground import PlaygroundRun, SideRun


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
