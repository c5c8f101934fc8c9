"""The playground's two answer columns and the one-line figures each shows under its answer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.formatting import format_money
from app.inference.playground import SideRun
from app.inference.types import GenerationResult


def _no_cost(result: GenerationResult) -> str:
    # A refused request is not billed; otherwise there was no price to multiply by.
    return "not billed" if result.error and not result.output_tokens else "no price"


def figures_text(side: SideRun) -> str:
    """'TTFT 80 ms · 52.1 tok/s · 1.20 s · in 12 / out 40 · $0.0001' for a column."""
    result = side.result
    if result is None:
        return ""
    counted = " (counted)" if result.tokens_counted else ""
    tokens = (
        f"tokens in {result.input_tokens if result.input_tokens is not None else '–'} / "
        f"out {result.output_tokens if result.output_tokens is not None else '–'}{counted}"
    )
    cost = side.cost_usd
    cost_text = f"cost {format_money(cost, 'per_request')}" if cost is not None else _no_cost(result)
    latency = f"latency {result.total_s:.2f} s"
    if result.time_to_first_token_s is None:
        # Nothing streamed (an error, or an empty answer): no first token and no speed to show.
        return f"no tokens streamed · {latency} · {tokens} · {cost_text}"
    ttft = f"TTFT {result.time_to_first_token_s * 1000:.0f} ms"
    per_second = result.tokens_per_second
    # Whole numbers from 100 up: a decimal on "13632.8 tok/s" is noise.
    speed = f"{per_second:.{0 if per_second >= 100 else 1}f} tok/s" if per_second else "– tok/s"
    return f"{ttft} · {speed} · {latency} · {tokens} · {cost_text}"


class AnswerColumn(QWidget):
    """One streaming column: title, live text, figures, status line (and Restart for the local side)."""

    restart_requested = Signal()

    def __init__(self, title: str, with_restart: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.title = QLabel(f"<b>{title}</b>")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlaceholderText("The answer streams here.")
        self.figures = QLabel("")
        # Wrapped: one long unwrapped line would force the column, and the window, wider.
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.live = False  # whether the status follows the stream ("Streaming…"), or is final
        self.restart_button = QPushButton("Restart model")
        self.restart_button.setVisible(False)
        self.restart_button.clicked.connect(self.restart_requested)
        # Room for wrapped figures and status reserved up front, so both columns' answer boxes keep
        # the same height (and their figures line up) whatever each column's status says.
        line = self.fontMetrics().lineSpacing()
        # A long model name wraps (two lines kept in both columns) instead of widening its column.
        self.title.setWordWrap(True)
        self.title.setMinimumHeight(2 * line)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.figures.setMinimumHeight(3 * line)
        self.status.setMinimumHeight(3 * line)
        for label in (self.figures, self.status):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for widget in (self.title, self.text, self.figures, self.status):
            layout.addWidget(widget)
        # Both columns hold the button's room (the frontier's is never shown), so the answer boxes
        # stay level when the local model crashes and its Restart button appears.
        policy = self.restart_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.restart_button.setSizePolicy(policy)
        layout.addWidget(self.restart_button)
        self.restart_button.setEnabled(with_restart)

    def set_empty_reason(self, reason: str | None) -> None:
        """What the empty answer box says: why this column will stay empty, or where text will go."""
        self.text.setPlaceholderText(reason or "The answer streams here.")

    def clear(self) -> None:
        """Empty the answer, its figures and its status, ready for the next run."""
        self.text.clear()
        self.figures.setText("")
        self.set_status("")

    def append(self, piece: str) -> None:
        cursor = self.text.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)

    def set_status(self, message: str, problem: bool = False, live: bool = False) -> None:
        """Show `message` under the answer; `live` while the answer is still coming (tokens update it)."""
        self.live = live
        self.status.setText(message)
        self.status.setStyleSheet("color: #c0392b;" if problem else "")

    def show_finished(self, side: SideRun, failed: bool = False) -> None:
        """The side's final figures and status; `failed` marks an empty side that broke (red), not
        one left out on purpose."""
        result = side.result
        if result is None:
            self.set_status(side.empty_reason or "", problem=failed)
            return
        self.figures.setText(figures_text(side))
        if result.cancelled:
            self.set_status("Stopped.")
        elif result.error:
            self.set_status(result.error, problem=True)
        elif not result.text.strip():
            self.set_status(
                "Done: the model returned no text"
                + (f" (finish reason: {result.finish_reason})." if result.finish_reason else ".")
            )
        elif result.finish_reason == "length":
            self.set_status(f"Done: stopped at the Max tokens limit ({result.output_tokens} tokens).")
        else:
            # "stop" is the ordinary end; any other reason (content filter, tool call) is worth naming.
            other = result.finish_reason not in (None, "stop")
            self.set_status("Done" + (f" (finish reason: {result.finish_reason})" if other else "") + ".")
