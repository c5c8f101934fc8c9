"""Compare two scenarios side by side: every input and the results, with the differences."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.costs import summarize
from app.domain.fields import FIELDS, ScenarioField
from app.domain.formatting import format_money, format_months, format_number
from app.domain.rules import evaluate
from app.domain.scenario import Scenario
from app.ui.document import get_field
from app.ui.formatting import format_plain


@dataclass(frozen=True)
class CompareRow:
    """One line of the comparison; `section` rows are headings with no values."""

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
        return f"${format_plain(shown, 6)}"
    if spec.unit == "percent":
        return f"{format_plain(shown, 2)} %"
    if spec.unit in {"count", "examples"}:
        return format_number(shown, 4)
    return f"{format_plain(shown, 3)} {spec.suffix}"


def _delta(a: float | None, b: float | None, money: bool = False, percent_scale: float = 1.0) -> str:
    if a is None or b is None:
        return "" if a == b else "changed"
    difference = (b - a) * percent_scale
    if difference == 0:
        return ""
    sign = "+" if difference > 0 else "-"
    magnitude = abs(difference)
    body = format_money(magnitude) if money else format_number(magnitude, 3)
    relative = f" ({(b - a) / abs(a):+.0%})" if a not in (0, None) else ""
    return f"{sign}{body}{relative}"


def comparison_rows(a: Scenario, b: Scenario) -> list[CompareRow]:
    """Inputs then results for scenarios A and B; Δ is B minus A."""
    rows = [CompareRow("Inputs", section=True), CompareRow("Name", a.name, b.name, changed=a.name != b.name)]
    for spec in FIELDS:
        value_a, value_b = get_field(a, spec.path), get_field(b, spec.path)
        rows.append(
            CompareRow(
                f"{spec.path[0].replace('_', ' ').capitalize()}: {spec.label}"
                if len(spec.path) > 1
                else spec.label,
                _spec_text(spec, value_a),
                _spec_text(spec, value_b),
                _delta(value_a, value_b, money=spec.unit == "usd", percent_scale=spec.scale),
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
        rows.append(CompareRow(label, str(value_a), str(value_b), changed=value_a != value_b))

    summary_a, summary_b = summarize(a), summarize(b)
    verdict_a, verdict_b = evaluate(a, summary_a), evaluate(b, summary_b)
    rows.append(CompareRow("Results", section=True))
    money_results = (
        ("Large model cost per request", summary_a.large_cost_per_request, summary_b.large_cost_per_request),
        (
            "Specialist path cost per request",
            summary_a.specialist_cost_per_request,
            summary_b.specialist_cost_per_request,
        ),
        ("Gross savings per month", summary_a.monthly_savings, summary_b.monthly_savings),
        ("Net savings per month", summary_a.net_monthly_savings, summary_b.net_monthly_savings),
        ("One-time cost", summary_a.one_time_cost, summary_b.one_time_cost),
    )
    for label, value_a, value_b in money_results:
        rows.append(
            CompareRow(
                label,
                format_money(value_a),
                format_money(value_b),
                _delta(value_a, value_b, money=True),
                changed=value_a != value_b,
            )
        )
    ratio_a, ratio_b = summary_a.cost_ratio, summary_b.cost_ratio
    rows.append(
        CompareRow(
            "Large ÷ specialist cost per request",
            "n/a" if ratio_a is None else f"{ratio_a:.3g}x",
            "n/a" if ratio_b is None else f"{ratio_b:.3g}x",
            _delta(ratio_a, ratio_b),
            changed=ratio_a != ratio_b,
        )
    )
    months_a, months_b = summary_a.break_even_months, summary_b.break_even_months
    months_delta = (
        ""
        if months_a == months_b
        else (
            f"{months_b - months_a:+.1f} mo" if months_a is not None and months_b is not None else "changed"
        )
    )
    rows.append(
        CompareRow(
            "Break-even",
            format_months(months_a),
            format_months(months_b),
            months_delta,
            changed=months_a != months_b,
        )
    )
    rows.append(
        CompareRow(
            "Verdict", verdict_a.label, verdict_b.label, changed=verdict_a.verdict != verdict_b.verdict
        )
    )
    for rule_a, rule_b in zip(verdict_a.rules, verdict_b.rules, strict=True):
        rows.append(
            CompareRow(
                f"Rule {rule_a.id}: {rule_a.title}",
                rule_a.status,
                rule_b.status,
                changed=rule_a.status != rule_b.status,
            )
        )
    return rows


class CompareDialog(QDialog):
    """A non-modal window with the comparison table (changed rows in bold)."""

    def __init__(
        self, a: Scenario, a_name: str, b: Scenario, b_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare: {a_name} vs {b_name}")
        self.resize(820, 720)
        self.rows = comparison_rows(a, b)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"A = {a_name}    B = {b_name}    Δ = B − A. Changed lines are bold."))
        self.table = QTableWidget(len(self.rows), 4)
        self.table.setAccessibleName("Scenario comparison")
        self.table.setHorizontalHeaderLabels(["", f"A: {a_name}", f"B: {b_name}", "Δ (B − A)"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
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
                self.table.setItem(index, column, item)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
