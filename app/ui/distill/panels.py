"""The Distillation tab's side panels: the teacher's error rate, the measured costs, the export."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.distill import DistillationCosts, TeacherErrorReport
from app.domain.distill_export import EXPORT_FORMATS


def _wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class ReadoutPanel(QGroupBox):
    """Accuracy with its interval, wrong labels left, per-label error rates, the warning, the meaning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("3 · The teacher's error rate", parent)
        self.accuracy_label = _wrapped("Teacher accuracy: review some of the random sample to measure it.")
        self.accuracy_label.setAccessibleName("Teacher accuracy")
        self.left_label = _wrapped()
        self.per_label_label = _wrapped()
        self.warning_label = _wrapped()
        self.warning_label.setObjectName("distillWarning")
        self.warning_label.setStyleSheet("color: #b3261e;")
        self.meaning_label = _wrapped()
        self.meaning_label.setStyleSheet("color: palette(mid);")
        # Scrolls rather than clips: the plain-words warning and meaning can run long.
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.accuracy_label,
            self.left_label,
            self.per_label_label,
            self.warning_label,
            self.meaning_label,
        ):
            content_layout.addWidget(widget)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        QVBoxLayout(self).addWidget(scroll)

    def show_report(self, report: TeacherErrorReport) -> None:
        """Put the report's figures and words on screen."""
        self.accuracy_label.setText(f"Teacher accuracy (random sample): {report.accuracy.describe()}")
        left = report.wrong_left
        if left.value is not None and left.low is not None and left.high is not None:
            unreviewed = report.remainder - report.sample_reviewed
            self.left_label.setText(
                f"Wrong labels left in the {unreviewed} unreviewed items: about {left.value:.1f} "
                f"(95 % {left.low:.1f}–{left.high:.1f}) of {report.labelled} labelled"
            )
        else:
            self.left_label.setText("Wrong labels left: unknown until part of the random sample is reviewed.")
        self.per_label_label.setText(
            "<br>".join(
                f"says <b>{entry.label}</b>: wrong {entry.errors.describe()}" for entry in report.per_label
            )
        )
        self.warning_label.setText(report.warning)
        self.meaning_label.setText(report.meaning)


class CostsPanel(QGroupBox):
    """The reviewer's hourly rate, what labelling and review cost per example, and 'Use in scenario'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("4 · Measured costs", parent)
        self.rate_spin = QDoubleSpinBox()
        self.rate_spin.setRange(0, 10_000)
        self.rate_spin.setDecimals(2)
        self.rate_spin.setPrefix("$")
        self.rate_spin.setSuffix(" per hour")
        self.rate_spin.setValue(40.0)
        self.rate_spin.setAccessibleName("Reviewer hourly rate")
        self.costs_label = _wrapped()
        self.use_button = QPushButton("Use in scenario…")
        self.use_button.setToolTip(
            "Put the measured labelling and review costs into the scenario's distillation inputs"
        )
        form = QFormLayout(self)
        form.addRow("Reviewer rate", self.rate_spin)
        form.addRow(self.costs_label)
        form.addRow(self.use_button)

    def show_costs(self, costs: DistillationCosts) -> None:
        """One line: labelled, reviewed, teacher cost and review time per item."""
        parts = [f"{costs.labelled} labelled · {costs.reviewed} reviewed ({costs.review_share * 100:.1f} %)"]
        if costs.teacher_cost_per_example is not None:
            estimated = " (tokens estimated)" if costs.tokens_estimated else ""
            parts.append(f"teacher ${costs.teacher_cost_per_example:.6f} per example{estimated}")
        if costs.review_seconds_per_item is not None and costs.review_cost_per_example is not None:
            parts.append(
                f"review {costs.review_seconds_per_item:.1f} s per item = "
                f"${costs.review_cost_per_example:.3f}"
            )
        self.costs_label.setText(" · ".join(parts))


class ExportPanel(QGroupBox):
    """Format, train share and test slice of the exported training set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("5 · Training set", parent)
        self.format_combo = QComboBox()
        self.format_combo.addItems(list(EXPORT_FORMATS))
        self.split_spin = QDoubleSpinBox()
        self.split_spin.setRange(0.05, 1.0)
        self.split_spin.setSingleStep(0.05)
        self.split_spin.setValue(0.9)
        self.test_spin = QDoubleSpinBox()
        self.test_spin.setRange(0.0, 0.5)
        self.test_spin.setSingleStep(0.05)
        self.test_spin.setValue(0.1)
        self.export_button = QPushButton("Export training set…")
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("Train share", self.split_spin)
        form.addRow("Test slice", self.test_spin)
        form.addRow(self.export_button)
