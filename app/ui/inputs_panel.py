"""The inputs panel: every number of the scenario as a slider + exact-entry box, grouped as people think.

Groups: Traffic, Large model, Specialist, One-time costs, Operations, Routing, Quality and task,
then the extras (distillation, self-hosting, price changes, retraining), folded by default.
Each widget only asks the document for a change; it redraws when the document says so.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.fields import FIELDS, fields_in
from app.domain.scenario import ModelCost, Scenario, describe_validation_error
from app.ui.document import FieldPath, ScenarioDocument, get_field
from app.ui.widgets import CollapsibleSection, FieldSpec, NumberField, WrappedText


def _specs(group: str) -> list[FieldSpec]:
    """The group's inputs from the field catalogue (`app.domain.fields`), as the widgets take them."""
    return [FieldSpec.of(entry) for entry in fields_in(group)]


TRAFFIC = _specs("Traffic")
LARGE = _specs("Large model")
SMALL = _specs("Specialist")
ONE_TIME = _specs("One-time costs")
OPERATIONS = _specs("Operations")
ROUTING = _specs("Routing")
QUALITY = _specs("Quality and task")
DISTILLATION = _specs("Distillation")
SELF_HOSTING = _specs("Self-hosting")
PRICE_CHANGES = _specs("Price changes")
RETRAINING = _specs("Retraining")

_PRICE_FIELDS = ("input_price_per_mtok", "output_price_per_mtok")

ALL_FIELD_SPECS: tuple[FieldSpec, ...] = tuple(FieldSpec.of(entry) for entry in FIELDS)


class InputsPanel(QScrollArea):
    """All scenario inputs; edits go to the document as undoable steps."""

    notice = Signal(str)  # one-line messages for the status bar (clamped values, refused edits)

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.fields: dict[str, NumberField] = {}
        # Each number's caption, so a measured field can be marked (and its evidence shown).
        self.field_labels: dict[str, QLabel] = {}
        self.sections: dict[str, CollapsibleSection] = {}
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Narrow enough for a 1024-pixel window to leave the charts room; the rows still fit.
        self.setMinimumWidth(320)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        content = QWidget()
        self._layout = QVBoxLayout(content)
        self._layout.setContentsMargins(8, 6, 8, 6)
        self._layout.setSpacing(4)

        self.notice_label = QLabel()
        self.notice_label.setObjectName("noticeBar")
        self.notice_label.setWordWrap(True)
        self.notice_label.setVisible(False)
        self.notice_label.setAccessibleName("Input notice")
        self._layout.addWidget(self.notice_label)
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(8000)
        self._notice_timer.timeout.connect(lambda: self.notice_label.setVisible(False))

        # Scenario name
        name_form = self._form()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Scenario name")
        self.name_edit.setToolTip("The scenario's name, shown in the title bar, the comparison and the memo")
        self.name_edit.editingFinished.connect(self._on_name_edited)
        name_form.layout().addRow("Scenario", self.name_edit)  # type: ignore[union-attr]
        # Text that sets its own height: a word-wrapped QLabel in a form row kept the height of
        # the previous preset's note and ran over the Scenario row after a preset switch.
        self.source_note = WrappedText("sourceNote")
        self.source_note.setAccessibleName("Where the scenario's numbers come from")
        name_form.layout().addRow(self.source_note)  # type: ignore[union-attr]
        self._layout.addWidget(name_form)

        self._add_section("Traffic", TRAFFIC)
        from app.ui.model_picker import ModelPicker  # local: keeps the catalog out of import time

        self.large_picker = ModelPicker(document, "large", ("frontier",))
        self.small_picker = ModelPicker(document, "small", ("small", "fine_tuned"))
        self.large_picker.notice.connect(self.show_notice)
        self.small_picker.notice.connect(self.show_notice)
        self._add_section("Large model", LARGE, header=self.large_picker)
        self._add_section("Specialist", SMALL, header=self.small_picker)
        self._add_section("One-time costs", ONE_TIME)
        self._add_section("Operations", OPERATIONS)

        self.mode_combo = QComboBox()
        self.mode_combo.addItem("Cascade: specialist first, escalate the rest", "cascade")
        self.mode_combo.addItem("Router: pick one model up front", "router")
        self.mode_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode_combo.setMinimumContentsLength(16)
        self.mode_combo.setAccessibleName("Routing mode")
        self.mode_combo.setToolTip(
            "Feeds the specialist path's cost: cascade pays the specialist on every request plus the large "
            "model on escalations; router pays one or the other"
        )
        self.mode_combo.activated.connect(self._on_mode_chosen)
        self._add_section("Routing", ROUTING, extra_rows=[("Mode", self.mode_combo)])

        self.eval_combo = QComboBox()
        for text, data in (("Unknown", None), ("Yes, an eval exists", True), ("No eval yet", False)):
            self.eval_combo.addItem(text, data)
        self.eval_combo.setAccessibleName("Eval exists")
        self.eval_combo.setToolTip(
            "Rule 6: without an eval that can prove the match, a switch is an unproven downgrade"
        )
        self.eval_combo.activated.connect(self._on_eval_chosen)
        self.measured_note = WrappedText("sourceNote")
        self._add_section(
            "Quality and task",
            QUALITY,
            extra_rows=[("Eval exists", self.eval_combo), ("", self.measured_note)],
        )

        self.distillation_check = self._bool_check(
            "Distil: the large model labels the data",
            ("distillation", "enabled"),
            "adds teacher labelling and human review to the one-time cost",
        )
        self.self_hosting_check = self._bool_check(
            "Self-host on rented GPUs",
            ("self_hosting", "enabled"),
            "replaces the specialist's per-token prices with GPU hours",
        )
        extras = QWidget()
        extras_layout = QVBoxLayout(extras)
        extras_layout.setContentsMargins(10, 0, 0, 0)
        for title, specs, check in (
            ("Distillation", DISTILLATION, self.distillation_check),
            ("Self-hosting", SELF_HOSTING, self.self_hosting_check),
            ("Price changes", PRICE_CHANGES, None),
            ("Retraining", RETRAINING, None),
        ):
            extras_layout.addWidget(self._section_body(title, specs, header=check, titled=True))
        self.extras_section = CollapsibleSection("Extras", extras, expanded=False)
        self.extras_section.header.setToolTip(
            "Distillation, self-hosting, price changes (frontier and specialist), retraining"
        )
        self.sections["Extras"] = self.extras_section
        self._layout.addWidget(self.extras_section)
        self._layout.addStretch(1)
        self.setWidget(content)

        document.changed.connect(self.refresh)
        self.refresh(document.scenario)

    # -- building ----------------------------------------------------------------------------
    def _form(self) -> QWidget:
        holder = QWidget()
        form = QFormLayout(holder)
        form.setContentsMargins(4, 0, 0, 4)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return holder

    def _section_body(
        self,
        title: str,
        specs: list[FieldSpec],
        header: QWidget | None = None,
        extra_rows: list[tuple[str, QWidget]] | None = None,
        titled: bool = False,
    ) -> QWidget:
        holder = self._form()
        form = holder.layout()
        assert isinstance(form, QFormLayout)
        if titled:
            caption = QLabel(title)
            caption.setObjectName("ruleTitle")
            form.addRow(caption)
        if header is not None:
            form.addRow(header)
        for spec in specs:
            field = NumberField(spec)
            field.edited.connect(
                lambda value, merge_key, spec=spec: self._on_number_edited(spec, value, merge_key)
            )
            field.notice.connect(self.show_notice)
            self.fields[spec.key] = field
            label = QLabel(spec.label)
            label.setToolTip(f"Feeds: {spec.feeds}")
            label.setBuddy(field.entry)
            self.field_labels[spec.key] = label
            form.addRow(label, field)
        for label_text, widget in extra_rows or []:
            form.addRow(label_text, widget) if label_text else form.addRow(widget)
        return holder

    def _add_section(self, title: str, specs: list[FieldSpec], **body: Any) -> None:
        """A collapsible section whose body is `_section_body`'s (its options pass through)."""
        section = CollapsibleSection(title, self._section_body(title, specs, **body))
        self.sections[title] = section
        self._layout.addWidget(section)

    def _bool_check(self, text: str, path: FieldPath, feeds: str) -> QCheckBox:
        check = QCheckBox(text)
        check.setAccessibleName(text)
        check.setToolTip(f"Feeds: {feeds}")
        check.toggled.connect(
            lambda checked: self._set(
                path, checked, f"{'Enable' if checked else 'Disable'} {path[0].replace('_', ' ')}"
            )
        )
        return check

    # -- edits -> document -------------------------------------------------------------------
    def _set(self, path: FieldPath, value: Any, description: str, merge_key: str | None = None) -> None:
        try:
            self._document.set_field(path, value, description, merge_key)
        except ValidationError as exc:
            # The widgets clamp to the model's bounds, so this is a rule across fields; say which.
            self.show_notice(f"Not applied: {describe_validation_error(exc)}")
            self.refresh(self._document.scenario)

    def _on_number_edited(self, spec: FieldSpec, value: float | None, merge_key: str) -> None:
        description = f"Change {spec.label.lower()}"
        side = spec.path[0]
        if spec.path[-1] in _PRICE_FIELDS and side in ("large", "small"):
            # A typed price is no longer the catalog's: drop the source so it is not claimed.
            cost = getattr(self._document.scenario, side)
            changed = cost.model_copy(update={spec.path[-1]: value, "price_source": "", "price_as_of": ""})
            try:
                new = self._document.scenario.with_changes(
                    **{side: ModelCost.model_validate(changed.model_dump())}
                )
            except ValidationError as exc:
                self.show_notice(f"Not applied: {describe_validation_error(exc)}")
                self.refresh(self._document.scenario)
                return
            self._document.set_scenario(new, description, merge_key or None)
            return
        self._set(spec.path, value, description, merge_key or None)

    def _on_name_edited(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.show_notice("Scenario name: must not be empty; kept the previous name")
            self.name_edit.setText(self._document.scenario.name)
            return
        if name != self._document.scenario.name:
            self._set(("name",), name, "Rename scenario")

    def _on_mode_chosen(self, index: int) -> None:
        self._set(("routing", "mode"), self.mode_combo.itemData(index), "Change routing mode")

    def _on_eval_chosen(self, index: int) -> None:
        self._set(("quality", "eval_exists"), self.eval_combo.itemData(index), "Change eval exists")

    def show_notice(self, message: str) -> None:
        """Show a one-line message above the inputs (and in the status bar, via `notice`)."""
        self.notice_label.setText(message)
        self.notice_label.setVisible(True)
        self._notice_timer.start()
        self.notice.emit(message)

    # -- document -> widgets -----------------------------------------------------------------
    def refresh(self, scenario: Scenario) -> None:
        """Show the scenario's values (signals blocked: showing is not editing)."""
        for field in self.fields.values():
            field.set_value(get_field(scenario, field.spec.path))
            self._mark_measured(field.spec, scenario)
        if not self.name_edit.hasFocus() and self.name_edit.text() != scenario.name:
            self.name_edit.setText(scenario.name)
        source = scenario.source or scenario.description
        self.source_note.setText(source)
        self.source_note.setVisible(bool(source))
        _select_data(self.mode_combo, scenario.routing.mode)
        _select_data(self.eval_combo, scenario.quality.eval_exists)
        measured = scenario.quality.measured_from
        self.measured_note.setText(f"Accuracies measured: {measured}" if measured else "")
        self.measured_note.setVisible(bool(measured))
        for check, enabled in (
            (self.distillation_check, scenario.distillation.enabled),
            (self.self_hosting_check, scenario.self_hosting.enabled),
        ):
            if check.isChecked() != enabled:
                check.blockSignals(True)
                check.setChecked(enabled)
                check.blockSignals(False)
        for field in (*(self.fields[s.key] for s in DISTILLATION),):
            field.setEnabled(scenario.distillation.enabled)
        for field in (*(self.fields[s.key] for s in SELF_HOSTING),):
            field.setEnabled(scenario.self_hosting.enabled)

    def _mark_measured(self, spec: FieldSpec, scenario: Scenario) -> None:
        """A measured field says so (a '(measured)' caption, its sample in the tooltip); a typed
        one is an assumption and reads plainly."""
        label = self.field_labels.get(spec.key)
        if label is None:
            return
        evidence = scenario.evidence.get(".".join(spec.path))
        if evidence is None:
            text, tip = spec.label, f"Feeds: {spec.feeds}"
        else:
            counts = (
                f"{evidence.successes}/{evidence.n}"
                if evidence.successes is not None
                else f"n = {evidence.n}"
            )
            text = f"{spec.label} (measured)"
            tip = (
                f"Measured: {counts} · {evidence.source} · {evidence.model} · {evidence.measured_at}\n"
                f"Feeds: {spec.feeds}"
            )
        # Only what changed: every refresh runs on each drag step, and each new tooltip or
        # property is an event for every one of the thirty labels.
        label.setText(text)
        if label.toolTip() != tip:
            label.setToolTip(tip)
        if label.property("measured") != (evidence is not None):
            label.setProperty("measured", evidence is not None)


def _select_data(combo: QComboBox, data: object) -> None:
    for index in range(combo.count()):
        if combo.itemData(index) == data:
            if combo.currentIndex() != index:
                combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(False)
            return
