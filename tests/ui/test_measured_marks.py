"""The window marks measured inputs and shows the sample they rest on; typed ones read plainly."""

from __future__ import annotations

from app.domain.scenario import Evidence
from app.ui.main_window import MainWindow


def test_measured_fields_are_marked_and_undo_unmarks_them(qtbot, window: MainWindow) -> None:
    inputs = window.calculator.inputs
    key = next(
        key for key, field in inputs.fields.items() if field.spec.path == ("quality", "specialist_accuracy")
    )
    label = inputs.field_labels[key]
    assert "(measured)" not in label.text()
    document = window.document
    scenario = document.scenario
    measured = scenario.model_copy(
        update={
            "evidence": {
                "quality.specialist_accuracy": Evidence(
                    value=0.8,
                    n=50,
                    successes=40,
                    source="spot-check demo",
                    model="m",
                    measured_at="2026-12-02",
                )
            }
        }
    )
    document.set_scenario(measured, "Use spot-check accuracies")
    assert label.text().endswith("(measured)")
    assert "Measured: 40/50 · spot-check demo · m · 2026-12-02" in label.toolTip()
    document.undo_stack.undo()
    assert "(measured)" not in label.text()
