"""The spot-check's summary strip: accuracy per model, agreement, the ood slice, speed and cost,
how many items a claim needs, warnings, and the button that pushes the accuracies into the scenario.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from app.domain.evaluation import (
    IN_DISTRIBUTION,
    OOD_TAG,
    ModelSummary,
    SpotcheckSummary,
    check_claim,
    sample_size_for_margin,
)
from app.domain.formatting import format_money
from app.ui.spotcheck.setup_panel import RECORDED

AGREEMENT_NOTE = "agreement with the frontier model is not correctness"


class SummaryStrip(QFrame):
    """The figures of the last run (or "–" before one), as one form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(self)
        self.specialist_label = QLabel("–")
        self.frontier_label = QLabel("–")
        self.agreement_label = QLabel("–")
        self.tags_label = QLabel("–")
        self.speed_label = QLabel("–")
        for label in (self.specialist_label, self.frontier_label, self.agreement_label):
            label.setWordWrap(True)
        # Never squeezed by the table below: multi-line rows must stay readable.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        form.addRow("Specialist accuracy", self.specialist_label)
        form.addRow("Frontier accuracy", self.frontier_label)
        form.addRow("Agreement", self.agreement_label)
        form.addRow("In-distribution vs ood", self.tags_label)
        form.addRow("Latency and cost", self.speed_label)
        needed_row = QHBoxLayout()
        self.margin_spin = QDoubleSpinBox()
        self.margin_spin.setRange(0.5, 25.0)
        self.margin_spin.setSingleStep(0.5)
        self.margin_spin.setDecimals(1)
        self.margin_spin.setValue(5.0)
        self.margin_spin.setSuffix(" points")
        self.needed_label = QLabel("–")
        self.needed_label.setWordWrap(True)
        needed_row.addWidget(QLabel("±"))
        needed_row.addWidget(self.margin_spin)
        needed_row.addWidget(self.needed_label, 1)
        form.addRow("How many items?", needed_row)
        self.warnings_label = QLabel("")
        self.warnings_label.setWordWrap(True)
        form.addRow("Warnings", self.warnings_label)
        push_row = QHBoxLayout()
        self.push_button = QPushButton("Use these accuracies in the scenario")
        self.push_button.setEnabled(False)
        self.push_label = QLabel("")
        push_row.addWidget(self.push_button)
        push_row.addWidget(self.push_label, 1)
        form.addRow(push_row)

    def clear(self) -> None:
        """Back to "–" everywhere: no run, or its results were set aside."""
        for label in (
            self.specialist_label,
            self.frontier_label,
            self.agreement_label,
            self.tags_label,
            self.speed_label,
            self.needed_label,
        ):
            label.setText("–")
        self.warnings_label.setText("")
        # "Quality inputs now measured: …" belongs to the results it came from.
        self.push_label.setText("")
        self.push_button.setEnabled(False)

    def show_summary(self, summary: SpotcheckSummary) -> None:
        """Every row but "How many items?" (see `show_needed`) for `summary`."""
        specialist, frontier = summary.specialist, summary.frontier
        if specialist.name == "specialist (not run)" and specialist.accuracy.total == 0:
            # The row is already labelled "Specialist accuracy": say what to do, not "specialist (not run)".
            self.specialist_label.setText("not run: tick “Run the specialist” to measure it")
        else:
            self.specialist_label.setText(
                f"{specialist.name}: {specialist.accuracy.describe()}{_errors(specialist.errors)}"
            )
        recorded = (
            " (recorded answers)" if frontier.source == RECORDED and RECORDED not in frontier.name else ""
        )
        self.frontier_label.setText(
            f"{frontier.name}{recorded}: {frontier.accuracy.describe()}{_errors(frontier.errors)}"
        )
        self.agreement_label.setText(f"{summary.agreement.describe()} — {AGREEMENT_NOTE}")
        parts = []
        for name in (IN_DISTRIBUTION, OOD_TAG):
            entry = summary.tag(name)
            if entry is not None and entry.items:
                parts.append(
                    f"{name} ({entry.items}): specialist {entry.specialist.describe()}, "
                    f"frontier {entry.frontier.describe()}"
                )
        self.tags_label.setText("\n".join(parts) or "–")
        self.speed_label.setText(
            "\n".join(
                _speed_and_cost(side, model)
                for side, model in (("Specialist", summary.specialist), ("Frontier", summary.frontier))
            )
        )
        self.warnings_label.setText("\n".join(f"• {line}" for line in summary.warnings))
        self.push_button.setEnabled(summary.specialist.accuracy.estimate is not None)

    def show_needed(self, summary: SpotcheckSummary | None, quality_bar: float) -> None:
        """How many graded items the chosen margin needs, and whether the bar can be claimed."""
        if summary is None:
            self.needed_label.setText("–")
            return
        if summary.specialist.accuracy.estimate is None:
            self.needed_label.setText("– (no graded specialist answers: run the specialist to size the set)")
            return
        margin = self.margin_spin.value() / 100
        accuracy = summary.specialist.accuracy
        estimate = accuracy.estimate if accuracy.estimate is not None else 0.0
        needed = sample_size_for_margin(estimate, margin)
        text = (
            f"{needed} graded items for ±{margin * 100:g} points at the specialist's {estimate:.1%} "
            f"(normal approximation); this run has {accuracy.total}."
        )
        if accuracy.total < needed:
            text += " Too few to claim that precision."
        claim = check_claim(accuracy, quality_bar, "the specialist")
        if claim.supported is None:
            text += f"\n{claim.message}"
        self.needed_label.setText(text)


def _errors(count: int) -> str:
    return f" · {count} errors" if count else ""


def _speed_and_cost(side: str, model: ModelSummary) -> str:
    estimated = " (tokens estimated)" if model.tokens_estimated and model.cost_per_item is not None else ""
    return (
        f"{side}: p50 {_seconds(model.latency_p50_s)}, p95 {_seconds(model.latency_p95_s)} · "
        f"{format_money(model.cost_per_item, 'per_request')} per item, "
        f"{format_money(model.cost_per_million_items, 'cents')} per million{estimated}"
    )


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"
