"""Compare this scenario with another: the verdict and headline figures first, then the rules in the
main view's words, then every input; Δ reads "this scenario vs the other" and names its direction,
and a chart lays both scenarios' cumulative curves over each other."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.costs import CostCurves, cumulative_curves, summarize
from app.domain.fields import FIELDS, ScenarioField
from app.domain.formatting import format_money, format_months, format_number, format_share
from app.domain.plan import plan_money
from app.domain.rules import evaluate
from app.domain.scenario import Scenario
from app.ui.document import get_field
from app.ui.formatting import format_plain
from app.ui.plot_parts import CompactAxis
from app.ui.theme import LIGHT, STATUS_WORDS, Theme

DELTA_HEADER = "This scenario vs the other"


@dataclass(frozen=True)
class CompareRow:
    """One line of the comparison; `section` rows are headings with no values.

    `a` is this scenario (the one open in the window), `b` the other; `delta` says how this one
    differs from the other, with the direction in words ("$12.5K more", "2.1 months sooner").
    """

    label: str
    a: str = ""
    b: str = ""
    delta: str = ""
    changed: bool = False
    section: bool = False


def _spec_text(spec: ScenarioField, value: float | None) -> str:
    if value is None:
        return "unknown"
    shown = value * spec.scale
    if spec.unit == "usd":
        return format_money(shown)
    if spec.unit == "price":
        return format_money(shown, "price")
    if spec.unit == "percent":
        return f"{format_plain(shown, 2)} %"
    if spec.unit in {"count", "examples"}:
        return format_number(shown, 4)
    return f"{format_plain(shown, 3)} {spec.suffix}"


def _relative(this: float, other: float) -> str:
    return f" ({(this - other) / abs(other):+.0%})" if other not in (0.0,) and math.isfinite(other) else ""


def delta_text(
    this: float | None,
    other: float | None,
    kind: str = "number",
    words: tuple[str, str] = ("more", "less"),
) -> str:
    """How `this` differs from `other`, with the direction named: "$12.5K more (+25%)",
    "3M higher", "2.1 months sooner"; "" when equal, "changed" when one side is unknown."""
    if this is None or other is None:
        return "" if this == other else "changed"
    difference = this - other
    if difference == 0:
        return ""
    up, down = words
    word = up if difference > 0 else down
    magnitude = abs(difference)
    if kind == "money":
        body = format_money(magnitude, "compact")
    elif kind == "per_request":
        body = format_money(magnitude, "per_request")
    elif kind == "price":
        body = format_money(magnitude, "price")
    elif kind == "points":
        return f"{magnitude * 100:.1f} points {word}"
    elif kind == "months":
        return f"{format_months(magnitude)} {word}"
    else:
        body = format_number(magnitude, 3)
    return f"{body} {word}{_relative(this, other)}"


def _months_delta(this: float | None, other: float | None) -> str:
    if this == other:
        return ""
    if this is None:
        return "never pays back here"
    if other is None:
        return "pays back here, not there"
    return delta_text(this, other, "months", ("later", "sooner"))


def _status(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def comparison_rows(a: Scenario, b: Scenario) -> list[CompareRow]:
    """This scenario (`a`) against the other (`b`): verdict and headline figures, rules, inputs."""
    summary_a, summary_b = summarize(a), summarize(b)
    verdict_a, verdict_b = evaluate(a, summary_a), evaluate(b, summary_b)
    money_a, money_b = plan_money(a, summary_a), plan_money(b, summary_b)
    rows = [
        CompareRow("Verdict and headline", section=True),
        CompareRow(
            "Verdict", verdict_a.label, verdict_b.label, changed=verdict_a.verdict != verdict_b.verdict
        ),
        CompareRow(
            "Break-even",
            format_months(summary_a.break_even_months),
            format_months(summary_b.break_even_months),
            _months_delta(summary_a.break_even_months, summary_b.break_even_months),
            changed=summary_a.break_even_months != summary_b.break_even_months,
        ),
    ]
    money_rows = (
        ("Net savings per month", summary_a.net_monthly_savings, summary_b.net_monthly_savings),
        ("Net savings a year", money_a.annual_net_savings, money_b.annual_net_savings),
        (
            f"Savings over the horizon ({a.horizon_months} vs {b.horizon_months} months)",
            money_a.horizon_savings,
            money_b.horizon_savings,
        ),
        ("One-time cost", summary_a.one_time_cost, summary_b.one_time_cost),
        ("Gross savings per month", summary_a.monthly_savings, summary_b.monthly_savings),
    )
    for label, value_a, value_b in money_rows:
        rows.append(
            CompareRow(
                label,
                format_money(value_a, "figure"),
                format_money(value_b, "figure"),
                delta_text(value_a, value_b, "money"),
                changed=value_a != value_b,
            )
        )
    per_1k = (
        ("Large model, per 1k requests", summary_a.large_cost_per_request, summary_b.large_cost_per_request),
        (
            "Specialist path, per 1k requests",
            summary_a.specialist_cost_per_request,
            summary_b.specialist_cost_per_request,
        ),
    )
    for label, value_a, value_b in per_1k:
        rows.append(
            CompareRow(
                label,
                format_money(value_a * 1000, "per_request"),
                format_money(value_b * 1000, "per_request"),
                delta_text(value_a * 1000, value_b * 1000, "per_request", ("dearer", "cheaper")),
                changed=value_a != value_b,
            )
        )
    ratio_a, ratio_b = summary_a.cost_ratio, summary_b.cost_ratio
    rows.append(
        CompareRow(
            "Large ÷ specialist cost per request",
            "n/a" if ratio_a is None else f"{ratio_a:.3g}×",
            "n/a" if ratio_b is None else f"{ratio_b:.3g}×",
            delta_text(ratio_a, ratio_b, "number", ("higher", "lower")),
            changed=ratio_a != ratio_b,
        )
    )

    rows.append(CompareRow("Decision rules", section=True))
    for rule_a, rule_b in zip(verdict_a.rules, verdict_b.rules, strict=True):
        rows.append(
            CompareRow(
                f"Rule {rule_a.id}: {rule_a.title}",
                _status(rule_a.status),
                _status(rule_b.status),
                changed=rule_a.status != rule_b.status,
            )
        )

    rows += [CompareRow("Inputs", section=True), CompareRow("Name", a.name, b.name, changed=a.name != b.name)]
    for spec in FIELDS:
        value_a, value_b = get_field(a, spec.path), get_field(b, spec.path)
        kind = {"usd": "money", "price": "price", "percent": "points"}.get(spec.unit, "number")
        rows.append(
            CompareRow(
                spec.qualified_label,
                _spec_text(spec, value_a),
                _spec_text(spec, value_b),
                delta_text(value_a, value_b, kind, ("higher", "lower")),
                changed=value_a != value_b,
            )
        )
    for label, path in (
        ("Large model", ("large", "name")),
        ("Specialist", ("small", "name")),
        ("Routing mode", ("routing", "mode")),
        ("Eval exists", ("quality", "eval_exists")),
        ("Distillation", ("distillation", "enabled")),
        ("Self-hosting", ("self_hosting", "enabled")),
    ):
        value_a, value_b = get_field(a, path), get_field(b, path)
        rows.append(CompareRow(label, _plain(value_a), _plain(value_b), changed=value_a != value_b))
    return rows


def _plain(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_share(value)
    return str(value)


class CompareChart(pg.PlotWidget):  # type: ignore[misc]
    """Both scenarios' cumulative curves over each other: solid for this one, dashed for the other."""

    def __init__(self, this_name: str, other_name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, axisItems={"left": CompactAxis("left", money=True), "bottom": CompactAxis("bottom")}
        )
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMinimumHeight(200)
        self.setAccessibleName("Cumulative cost of both scenarios")
        self.setLabel("bottom", "months")
        self.setLabel("left", "cumulative cost (USD)")
        self.legend = self.addLegend(offset=(10, 10))
        self.curves: dict[str, pg.PlotCurveItem] = {}
        for key, name in (
            ("this_large", f"This ({this_name}): large model only"),
            ("this_specialist", f"This ({this_name}): specialist path"),
            ("other_large", f"Other ({other_name}): large model only"),
            ("other_specialist", f"Other ({other_name}): specialist path"),
        ):
            item = pg.PlotCurveItem(name=name, antialias=True)
            self.addItem(item)
            self.curves[key] = item
        self.apply_theme(LIGHT)

    def apply_theme(self, theme: Theme) -> None:
        """Colours: the large model and the specialist path keep their main-view colours."""
        self.setBackground(theme.panel)
        for key, colour in (("large", theme.large), ("specialist", theme.specialist)):
            self.curves[f"this_{key}"].setPen(pg.mkPen(colour, width=2.5))
            self.curves[f"other_{key}"].setPen(pg.mkPen(colour, width=2.0, style=Qt.PenStyle.DashLine))
        self.legend.setLabelTextColor(theme.text)

    def show_curves(self, this: CostCurves, other: CostCurves) -> None:
        """Draw both scenarios' curves; the range covers the longer horizon."""
        for prefix, curves in (("this", this), ("other", other)):
            self.curves[f"{prefix}_large"].setData(curves.months, curves.large_only)
            self.curves[f"{prefix}_specialist"].setData(curves.months, curves.specialist)
        top = max(float(max(c.large_only.max(), c.specialist.max())) for c in (this, other))
        share = min(0.45, (float(self.legend.boundingRect().height()) + 14.0) / max(1.0, self.height()))
        self.setXRange(0, float(max(this.months[-1], other.months[-1])), padding=0.02)
        self.setYRange(0, max(top, 1.0) * 1.04 / (1.0 - share), padding=0)


class CompareDialog(QDialog):
    """A non-modal window: the comparison table (changed rows in bold) over the curves of both."""

    def __init__(
        self,
        a: Scenario,
        a_name: str,
        b: Scenario,
        b_name: str,
        parent: QWidget | None = None,
        theme: Theme = LIGHT,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare: {a_name} vs {b_name}")
        self.resize(900, 820)
        self.rows = comparison_rows(a, b)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"This scenario: {a_name}. The other: {b_name}. The last column says how this scenario "
            "differs from the other. Changed lines are bold."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(self.rows), 4)
        self.table.setAccessibleName("Scenario comparison")
        self.table.setHorizontalHeaderLabels(["", f"This: {a_name}", f"Other: {b_name}", DELTA_HEADER])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        # Full rule titles and long input names wrap instead of ending in "…".
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        bold = QFont()
        bold.setBold(True)
        for index, row in enumerate(self.rows):
            for column, text in enumerate((row.label, row.a, row.b, row.delta)):
                item = QTableWidgetItem(text)
                if row.section or row.changed:
                    item.setFont(bold)
                item.setToolTip(text)
                self.table.setItem(index, column, item)
        self.table.resizeRowsToContents()
        header.sectionResized.connect(lambda *_args: self.table.resizeRowsToContents())
        self.chart = CompareChart(a_name, b_name)
        self.chart.apply_theme(theme)
        self.chart.show_curves(cumulative_curves(a), cumulative_curves(b))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
