"""Scenario ▸ Decision details…: the owner, the ask, the pilot plan and the decision date.

They go on the memo's page one and are saved with the scenario (its optional `decision` part), so
the next memo of the same scenario asks for the same decision. Applying them is one undo step;
Cancel changes nothing. Reachable from the Scenario menu and from the memo export's options.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QWidget,
)

from app.domain.scenario import Decision
from app.ui.dialog_parts import form_dialog, text_field
from app.ui.document import ScenarioDocument

INTRO = (
    "What the memo asks for, shown on its first page and saved with the scenario. Leave a field empty "
    "to leave it out."
)
# Decision in a week when no date was set: the dialog offers it once "Decide by" is ticked.
DEFAULT_DAYS_AHEAD = 7


class DecisionFieldsDialog(QDialog):
    """Edit the scenario's decision fields; OK applies them to the document as one undo step."""

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        decision = document.scenario.decision
        layout, form = form_dialog(self, "Decision details", "decisionFieldsDialog", INTRO)
        self.ask_edit = text_field(decision.ask, 1000, "e.g. Approve $21.5K and a four-week pilot")
        form.addRow("The &ask:", self.ask_edit)
        self.owner_edit = text_field(decision.owner, 200, "who owns the decision")
        form.addRow("&Owner:", self.owner_edit)
        self.date_check = QCheckBox("Decide &by")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        chosen = date.fromisoformat(decision.decision_date) if decision.decision_date else None
        shown = chosen or date.fromordinal(date.today().toordinal() + DEFAULT_DAYS_AHEAD)
        self.date_edit.setDate(QDate(shown.year, shown.month, shown.day))
        self.date_check.setChecked(chosen is not None)
        self.date_edit.setEnabled(chosen is not None)
        self.date_check.toggled.connect(self.date_edit.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self.date_check)
        row.addWidget(self.date_edit, 1)
        form.addRow("Date:", row)
        self.pilot_edit = QPlainTextEdit(decision.pilot_plan)
        self.pilot_edit.setPlaceholderText("how the switch is tried before it is made, and when it stops")
        self.pilot_edit.setFixedHeight(80)
        form.addRow("&Pilot plan:", self.pilot_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def decision(self) -> Decision:
        """The fields as typed (pilot plan cut to the scenario's limit rather than refused)."""
        when = ""
        if self.date_check.isChecked():
            picked = self.date_edit.date()
            when = date(picked.year(), picked.month(), picked.day()).isoformat()
        return Decision(
            owner=self.owner_edit.text().strip(),
            ask=self.ask_edit.text().strip(),
            pilot_plan=self.pilot_edit.toPlainText().strip()[:2000],
            decision_date=when,
        )

    def accept(self) -> None:
        """Apply the fields to the scenario (one undo step), unless nothing changed."""
        decision = self.decision()
        if decision != self.document.scenario.decision:
            self.document.set_scenario(
                self.document.scenario.with_changes(decision=decision), "Edit the decision details"
            )
        super().accept()
