"""The paired verdict and the measured routing curve, under the spot-check's summary strip.

The chart draws hybrid accuracy against the share of items sent to the frontier (RouteLLM's
presentation), with the specialist alone, the frontier alone and the oracle as reference
marks. The user picks an operating point (the cheapest whose interval clears the bar, or a
chosen escalation rate) and sends its escalation rate and hybrid accuracy to the review dialog.
Items are created once; `show` only calls `setData` (views subscribe, charts update).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.evaluation import PairedComparison, RoutingCurve, RoutingPoint, operating_point
from app.ui.widgets import wrapped_label


class RoutingPanel(QWidget):
    """Paired comparison line, routing chart and the operating-point picker."""

    use_point_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.paired_label = wrapped_label("Paired comparison: run a spot-check with both models.")
        layout.addWidget(self.paired_label)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(160)
        self.plot.setLabel("bottom", "share of items sent to the frontier")
        self.plot.setLabel("left", "hybrid accuracy")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.curve = pg.PlotDataItem(name="hybrid", pen=pg.mkPen("#2563eb", width=2))
        self.band = pg.PlotDataItem(pen=pg.mkPen("#93c5fd", width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.band_high = pg.PlotDataItem(
            pen=pg.mkPen("#93c5fd", width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        )
        self.references = pg.ScatterPlotItem(size=9)
        self.chosen = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("#16a34a"))
        for item in (self.band, self.band_high, self.curve, self.references, self.chosen):
            self.plot.addItem(item)
        layout.addWidget(self.plot)
        row = QHBoxLayout()
        self.figures_label = wrapped_label()
        row.addWidget(self.figures_label, 1)
        row.addWidget(QLabel("Escalate"))
        self.escalation_spin = QDoubleSpinBox()
        self.escalation_spin.setRange(-1, 100)
        self.escalation_spin.setSpecialValueText("cheapest that clears the bar")
        self.escalation_spin.setValue(-1)
        self.escalation_spin.setSuffix(" %")
        self.escalation_spin.valueChanged.connect(lambda _value: self._pick())
        row.addWidget(self.escalation_spin)
        self.use_point_button = QPushButton("Use this operating point…")
        self.use_point_button.setEnabled(False)
        self.use_point_button.clicked.connect(self.use_point_requested.emit)
        row.addWidget(self.use_point_button)
        layout.addLayout(row)
        self.curve_data: RoutingCurve | None = None
        self.bar: float | None = None
        self.point: RoutingPoint | None = None

    def show_paired(self, paired: PairedComparison) -> None:
        """The 2×2 counts, McNemar and the non-inferiority verdict in one paragraph."""
        if not paired.n:
            self.paired_label.setText("Paired comparison: no item was graded on both sides.")
            return
        p = "n/a" if paired.mcnemar_p is None else f"{paired.mcnemar_p:.3g}"
        self.paired_label.setText(
            f"Paired on {paired.n} items: both right {paired.both_right}, only the specialist "
            f"{paired.specialist_only}, only the frontier {paired.frontier_only}, both wrong "
            f"{paired.both_wrong} ({paired.both_wrong_same_answer} with the same answer); exact McNemar "
            f"p = {p}. {paired.describe()}"
        )

    def show_curve(self, curve: RoutingCurve, bar: float) -> None:
        """Draw the sweep and its reference marks; pick the operating point again."""
        self.curve_data, self.bar = curve, bar
        points = curve.points
        xs = [point.escalation_rate for point in points]
        self.curve.setData(xs, [point.accuracy for point in points])
        self.band.setData(xs, [point.accuracy_low for point in points])
        self.band_high.setData(xs, [point.accuracy_high for point in points])
        marks = []
        if curve.specialist_accuracy is not None and curve.frontier_accuracy is not None:
            marks = [
                {"pos": (0.0, curve.specialist_accuracy), "brush": pg.mkBrush("#f97316")},
                {"pos": (1.0, curve.frontier_accuracy), "brush": pg.mkBrush("#7c3aed")},
            ]
            if curve.oracle_accuracy is not None and curve.oracle_escalation_rate is not None:
                marks.append(
                    {
                        "pos": (curve.oracle_escalation_rate, curve.oracle_accuracy),
                        "brush": pg.mkBrush("#6b7280"),
                    }
                )
        self.references.setData(marks)
        if not points:
            self.figures_label.setText(
                "No routing curve: the specialist's answers carry no confidence (no log-probabilities)."
            )
        self._pick()

    def _pick(self) -> None:
        curve = self.curve_data
        if curve is None or not curve.points:
            self.point = None
            self.chosen.setData([])
            self.use_point_button.setEnabled(False)
            return
        wanted = self.escalation_spin.value()
        self.point = operating_point(
            curve, bar=self.bar, escalation_rate=None if wanted < 0 else wanted / 100
        )
        share = "n/a" if curve.cpt80 is None else f"{curve.cpt80:.0%}"
        apgr = "n/a" if curve.apgr is None else f"{curve.apgr:.2f}"
        summary = f"CPT80 {share} · APGR {apgr}."
        if self.point is None:
            self.chosen.setData([])
            bar = "the bar" if self.bar is None else f"the {self.bar:.0%} bar"
            self.figures_label.setText(f"{summary} No point's 95 % interval clears {bar} on these items.")
            self.use_point_button.setEnabled(False)
            return
        point = self.point
        self.chosen.setData([point.escalation_rate], [point.accuracy])
        cost = "" if point.cost_per_1k is None else f", ${point.cost_per_1k:,.2f} per 1,000 requests"
        ood = "" if point.ood_caught is None else f", {point.ood_caught:.0%} of ood items caught"
        self.figures_label.setText(
            f"{summary} Operating point: escalate {point.escalation_rate:.0%} → hybrid "
            f"{point.accuracy:.1%} (95 % {point.accuracy_low:.1%}–{point.accuracy_high:.1%}){ood}{cost}."
        )
        self.use_point_button.setEnabled(True)
