"""The spot-check view's "By label" tab (accuracy per expected label, a confusion matrix per model)
and the items table's confidence column, checked against counts made here from the per-item results.

The specialist is served by the fault server's `label-logprobs` endpoint (always "billing", with
log-probabilities billing −0.9, shipping −0.5); the frontier is the demo set's recorded answers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QTableWidget
from support.fault_server import FaultServer

from app.domain.evaluation import ItemResult
from app.storage.presets import load_preset
from app.storage.settings import Settings, SpecialistSettings
from app.ui.document import ScenarioDocument
from app.ui.spotcheck.items_model import COLUMNS, CONFIDENCE_COLUMN
from app.ui.spotcheck.view import SpotcheckView

pytestmark = pytest.mark.gui


LABELS = ("billing", "shipping", "technical", "account", "other")


@pytest.fixture
def view(qtbot, fault_server: FaultServer) -> Iterator[SpotcheckView]:
    settings = Settings(
        specialist=SpecialistSettings(
            source="endpoint", base_url=fault_server.url("label-logprobs"), model="fault-model"
        )
    )
    widget = SpotcheckView(ScenarioDocument(load_preset("support-ticket-triage")), settings=settings)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    yield widget
    widget.shutdown()


def _run(qtbot, view: SpotcheckView) -> None:
    with qtbot.waitSignal(view.run_finished, timeout=120_000) as blocker:
        assert view.start_run()
    assert blocker.args[0] is not None


def _answered(text: str) -> str:
    """The label an answer names, read the way a person would ("Billing." is billing)."""
    word = text.strip().strip(".!").lower()
    return word if word in LABELS else "(no label)"


def _cells(table: QTableWidget) -> list[list[str]]:
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def test_by_label_tab_shows_what_the_items_add_up_to_for_both_models(qtbot, view: SpotcheckView) -> None:
    _run(qtbot, view)
    results: list[ItemResult] = view.items_model.results
    assert len(results) == 87
    panel = view.labels_panel
    view.results_tabs.setCurrentWidget(panel)

    # Accuracy per expected label, counted here from the per-item grades (an error is wrong).
    expected_rows = []
    for label in LABELS:
        items = [r for r in results if r.expected == label]
        if not items:
            continue
        right = {
            side: sum(1 for r in items if getattr(r, side).error is None and getattr(r, side).correct)
            for side in ("specialist", "frontier")
        }
        expected_rows.append(
            [
                label,
                str(len(items)),
                f"{right['specialist']}/{len(items)}",
                f"{right['frontier']}/{len(items)}",
            ]
        )
    shown = [[row[0], row[1], row[2], row[4]] for row in _cells(panel.accuracy_table)]
    assert shown == expected_rows
    assert sum(int(row[1]) for row in shown) == sum(1 for r in results if r.expected in LABELS)
    # The specialist always says "billing": all billing items right, every other label wrong.
    assert all(row[2] == (f"{row[1]}/{row[1]}" if row[0] == "billing" else f"0/{row[1]}") for row in shown)

    # Each model's confusion matrix: expected label (rows) × what it answered (columns).
    for side in ("specialist", "frontier"):
        matrix = panel.matrices[side]
        columns = [matrix.horizontalHeaderItem(c).text() for c in range(matrix.columnCount())]
        rows = [matrix.verticalHeaderItem(r).text() for r in range(matrix.rowCount())]
        assert columns == [*LABELS, "(no label)"] and rows == list(LABELS)
        counted = Counter(
            (r.expected, _answered(getattr(r, side).output)) for r in results if r.expected in LABELS
        )
        for row, expected in enumerate(rows):
            for column, answered in enumerate(columns):
                assert matrix.item(row, column).text() == str(counted[(expected, answered)]), (
                    side,
                    expected,
                    answered,
                )
    specialist = panel.matrices["specialist"]
    assert all(specialist.item(row, 0).text() != "0" for row in range(specialist.rowCount()))

    # A grade by hand moves the numbers at once.
    first_billing = next(n for n, r in enumerate(results) if r.expected == "billing")
    view.grade(first_billing, False, "specialist")
    billing = next(row for row in _cells(panel.accuracy_table) if row[0] == "billing")
    assert billing[2] == f"{int(billing[1]) - 1}/{billing[1]}"


def test_the_items_table_shows_each_answers_confidence_as_a_share(qtbot, view: SpotcheckView) -> None:
    assert COLUMNS[CONFIDENCE_COLUMN] == "Confidence"
    view.limit_spin.setValue(6)
    _run(qtbot, view)
    model = view.items_model
    # billing's share of the probability between the two labels the endpoint sent.
    share = math.exp(-0.9) / (math.exp(-0.9) + math.exp(-0.5))
    shown = {model.index(row, CONFIDENCE_COLUMN).data() for row in range(model.rowCount())}
    assert shown == {f"{share * 100:.1f}%"}
    assert all(result.specialist.confidence == pytest.approx(share) for result in model.results)

    # Without the specialist there is no confidence: the column stays blank.
    view.local_check.setChecked(False)
    view.fresh_check.setChecked(True)
    _run(qtbot, view)
    assert {model.index(row, CONFIDENCE_COLUMN).data() for row in range(model.rowCount())} == {""}
