"""The review table: one row per queued item, decided by keyboard, timed per item.

Keys on the table: A or Enter accepts the teacher's answer, 1–9 picks that label instead, E (or F2)
edits the answer (Enter saves, Esc goes back), S skips. Up/Down move. The time an item was on
screen before the decision is recorded with it; each decision is reported (`decided`) so the view
saves at once.
"""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.distill import REASON_TITLES, LabelledItem, apply_review

COLUMNS = ("#", "Why", "Input", "Teacher", "Decision")
_LABEL_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}


class ReviewTable(QTableWidget):
    """The queue as a table that turns review keys into signals (other keys move as usual)."""

    accept_pressed = Signal()
    label_pressed = Signal(int)  # 1-based label number
    edit_pressed = Signal()
    skip_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Review keys; everything else goes to the table."""
        key = event.key()
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if plain and key in (Qt.Key.Key_A, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_pressed.emit()
        elif plain and key in _LABEL_KEYS:
            self.label_pressed.emit(_LABEL_KEYS[key])
        elif plain and key in (Qt.Key.Key_E, Qt.Key.Key_F2):
            self.edit_pressed.emit()
        elif plain and key == Qt.Key.Key_S:
            self.skip_pressed.emit()
        else:
            super().keyPressEvent(event)


class AnswerEditor(QLineEdit):
    """The answer being edited; Esc gives the keys back to the table without a change."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Esc cancels the edit."""
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class ReviewPanel(QWidget):
    """The review queue, the current item in full, and the keys; emits `decided(index)` per decision."""

    decided = Signal(int)  # index into `items`
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[LabelledItem] = []
        self.order: list[int] = []  # item indices in review order (the table's rows)
        self.labels: tuple[str, ...] = ()
        self._timer = QElapsedTimer()

        self.table = ReviewTable(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Review queue")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)

        self.input_view = QPlainTextEdit()
        self.input_view.setReadOnly(True)
        self.input_view.setAccessibleName("Input of the current item")
        self.input_view.setMaximumHeight(110)
        self.teacher_label = QLabel()
        self.teacher_label.setWordWrap(True)
        self.editor = AnswerEditor()
        self.editor.setAccessibleName("Corrected answer")
        self.editor.setPlaceholderText("E to edit the answer, Enter to save it, Esc to go back")
        self.keys_label = QLabel()
        self.keys_label.setWordWrap(True)
        self.progress_label = QLabel("No review queue yet: label a set or open a labelled file.")
        self.progress_label.setAccessibleName("Review progress")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.input_view)
        row = QHBoxLayout()
        row.addWidget(self.teacher_label, 1)
        row.addWidget(self.editor, 1)
        layout.addLayout(row)
        layout.addWidget(self.keys_label)

        self.table.accept_pressed.connect(self.accept_current)
        self.table.label_pressed.connect(self.pick_label)
        self.table.edit_pressed.connect(self.start_edit)
        self.table.skip_pressed.connect(self.skip_current)
        self.table.currentCellChanged.connect(lambda row, _c, old, _o: self._on_row(row, old))
        self.editor.returnPressed.connect(self._finish_edit)
        self.editor.cancelled.connect(self._cancel_edit)

    # -- content ---------------------------------------------------------------------------
    def set_queue(self, items: list[LabelledItem], order: list[int], labels: tuple[str, ...]) -> None:
        """Show `items[i]` for each i of `order`, and start on the first undecided row."""
        self.items = list(items)
        self.order = list(order)
        self.labels = labels
        keys = ["A or Enter: accept", "E: edit", "S: skip", "↑↓: move"]
        if labels:
            numbered = " · ".join(f"{n}: {label}" for n, label in enumerate(labels[:9], start=1))
            keys.insert(1, numbered)
        self.keys_label.setText("Keys — " + " · ".join(keys))
        self.table.setRowCount(len(order))
        for row, index in enumerate(order):
            self._fill_row(row, index)
        first = next((row for row, index in enumerate(order) if self.items[index].review is None), 0)
        if order:
            self.table.setCurrentCell(first, 2)
        self._update_progress()

    def _fill_row(self, row: int, index: int) -> None:
        item = self.items[index]
        teacher = item.teacher
        answer = (
            ""
            if teacher is None
            else (teacher.answer if teacher.error is None else f"error: {teacher.error}")
        )
        decision = ""
        if item.review is not None:
            decision = (
                item.review.verdict
                if item.review.final is None
                else f"{item.review.verdict}: {item.review.final}"
            )
        values = (str(row + 1), REASON_TITLES.get(item.queue or "", ""), item.input, answer, decision)
        for column, value in enumerate(values):
            cell = QTableWidgetItem(" ".join(value.split())[:200])
            cell.setToolTip(value[:2000])
            self.table.setItem(row, column, cell)

    def current_index(self) -> int | None:
        """The item index of the current row, or None."""
        row = self.table.currentRow()
        return self.order[row] if 0 <= row < len(self.order) else None

    def _on_row(self, row: int, _old: int) -> None:
        self._timer.restart()
        index = self.order[row] if 0 <= row < len(self.order) else None
        if index is None:
            self.input_view.clear()
            self.teacher_label.clear()
            return
        item = self.items[index]
        self.input_view.setPlainText(item.input)
        teacher = item.teacher
        if teacher is None:
            text = "Teacher: not labelled"
        elif teacher.error is not None:
            text = f"Teacher: the request failed ({teacher.error})"
        else:
            problem = f" — {teacher.problem}" if not teacher.valid else ""
            text = f"Teacher: <b>{_escape(teacher.answer)}</b>{_escape(problem)}"
            if teacher.confidence is not None:
                text += f" (confidence {teacher.confidence * 100:.0f} %)"
            if item.specialist_output is not None:
                text += f"<br>Local specialist: {_escape(item.specialist_output)}"
        self.teacher_label.setText(text)
        self.editor.clear()

    # -- decisions -------------------------------------------------------------------------
    def accept_current(self) -> None:
        """Keep the teacher's answer (only a valid one can be kept)."""
        index = self.current_index()
        if index is None:
            return
        teacher = self.items[index].teacher
        if teacher is None or teacher.error is not None or not teacher.valid:
            self.message.emit(
                "The teacher's answer is not usable: pick a label with its number or edit it (E)."
            )
            return
        self._decide(index, teacher.answer)

    def pick_label(self, number: int) -> None:
        """Replace the answer with the task's label `number` (1-based)."""
        index = self.current_index()
        if index is None:
            return
        if not 1 <= number <= len(self.labels):
            self.message.emit(f"No label {number}: this task has {len(self.labels)} labels.")
            return
        self._decide(index, self.labels[number - 1])

    def start_edit(self) -> None:
        """Put the current answer in the editor and give it the keys."""
        index = self.current_index()
        if index is None:
            return
        item = self.items[index]
        current = item.final_answer or (item.teacher.output if item.teacher is not None else "")
        self.editor.setText(current)
        self.editor.selectAll()
        self.editor.setFocus()

    def _finish_edit(self) -> None:
        index = self.current_index()
        text = self.editor.text().strip()
        if index is None:
            return
        if not text:
            self.message.emit("An empty answer cannot be trained on: type one, or Esc and skip (S).")
            return
        self._decide(index, text)
        self.table.setFocus()

    def _cancel_edit(self) -> None:
        self.editor.clear()
        self.table.setFocus()

    def skip_current(self) -> None:
        """Leave the item undecided for now (it is not counted as reviewed)."""
        index = self.current_index()
        if index is not None:
            self._decide(index, None)

    def _decide(self, index: int, final: str | None) -> None:
        seconds = self._timer.elapsed() / 1000 if self._timer.isValid() else 0.0
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.items[index] = apply_review(self.items[index], final, seconds, when)
        row = self.table.currentRow()
        self._fill_row(row, index)
        self._update_progress()
        self.decided.emit(index)
        if row + 1 < self.table.rowCount():
            self.table.setCurrentCell(row + 1, 2)
        else:
            self._timer.restart()

    def _update_progress(self) -> None:
        queued = [self.items[index] for index in self.order]
        reviewed = [item for item in queued if item.reviewed]
        skipped = sum(1 for item in queued if item.review is not None and item.review.verdict == "skipped")
        timed = [item.review.seconds for item in reviewed if item.review is not None]
        pace = f" · {sum(timed) / len(timed):.1f} s per item" if timed else ""
        skip = f" · {skipped} skipped" if skipped else ""
        if queued:
            self.progress_label.setText(f"Reviewed {len(reviewed)} of {len(queued)} in the queue{skip}{pace}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
