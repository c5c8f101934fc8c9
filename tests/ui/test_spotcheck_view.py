"""The Spot-check view on real widgets: load, run, cancel, resume, grade with keys, push to the scenario."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from app.domain.evaluation import ItemResult, SideResult
from app.storage.presets import load_preset
from app.storage.resources import resource_path
from app.storage.settings import Settings
from app.storage.spotcheck_results import read_results
from app.ui.document import ScenarioDocument
from app.ui.spotcheck.results_bar import served_error_warning
from app.ui.spotcheck.view import SpotcheckView

pytestmark = pytest.mark.gui

LABELS = {"billing", "shipping", "technical", "account", "other"}


@pytest.fixture
def view(qtbot) -> Iterator[SpotcheckView]:
    document = ScenarioDocument(load_preset("support-ticket-triage"))
    widget = SpotcheckView(document, settings=Settings())
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    yield widget
    widget.shutdown()


def _run(qtbot, view: SpotcheckView, timeout_ms: int = 240_000) -> object:
    with qtbot.waitSignal(view.run_finished, timeout=timeout_ms) as blocker:
        assert view.start_run()
    return blocker.args[0]


def test_recorded_review_filter_and_keyboard_grades(qtbot, view: SpotcheckView) -> None:
    assert view.test_set is not None
    assert view.test_set.name == "support_triage"
    assert view.set_info.text().startswith("87 items · labels: ")
    assert "tags: ood 19" in view.set_info.text()
    assert view.scorer_spec().kind == "one_of"
    view.local_check.setChecked(False)
    outcome = _run(qtbot, view)
    assert outcome is not None
    summary = view.summary
    assert summary is not None
    assert (summary.frontier.accuracy.successes, summary.frontier.accuracy.total) == (80, 87)
    assert "80/87" in view.frontier_label.text()
    assert "not correctness" in view.agreement_label.text()
    assert "ood (19)" in view.tags_label.text()
    assert view.items_model.rowCount() == 87

    view.filter_combo.setCurrentIndex(view.filter_combo.findData("ood"))
    assert view.items_model.rowCount() == 19
    view.filter_combo.setCurrentIndex(view.filter_combo.findData("failures"))
    assert view.items_model.rowCount() == 7  # the seven recorded answers that differ from expected
    view.filter_combo.setCurrentIndex(view.filter_combo.findData("all"))

    # Keyboard grading: F picks the frontier column, N grades the current row down and moves on.
    table = view.items_table
    table.setFocus()
    table.setCurrentIndex(view.items_model.index(0, 1))
    qtbot.keyClick(table, Qt.Key.Key_F)
    assert table.grading_side == "frontier"
    assert "frontier answer" in view.grading_label.text()
    qtbot.keyClick(table, Qt.Key.Key_N)
    assert table.currentIndex().row() == 1
    assert view.summary is not None
    assert view.summary.frontier.accuracy.successes == 79
    assert view.items_model.result_at(0).frontier.detail == "graded down"
    qtbot.keyClick(table, Qt.Key.Key_Up)
    qtbot.keyClick(table, Qt.Key.Key_0)  # clearing gives the automatic score back
    assert view.summary.frontier.accuracy.successes == 80
    # The grades went into the results file too.
    assert view.results_path is not None
    assert "graded down" in view.results_path.read_text(encoding="utf-8")
    # Nothing measured for the specialist: nothing to push.
    assert not view.push_button.isEnabled()


def test_malformed_set_is_refused_with_the_problems(view: SpotcheckView, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"input": "fine"}\n{"expected": "x"}\n', encoding="utf-8")
    assert not view.load_set(bad)
    assert "line 2: input: required field is missing" in view.set_info.text()
    assert view.test_set is not None
    assert view.test_set.name == "support_triage"  # the loaded set stays


@pytest.mark.slow
def test_real_model_run_cancel_resume_grade_and_push(qtbot, view: SpotcheckView) -> None:
    view.limit_spin.setValue(3)
    first = _run(qtbot, view)
    assert first is not None
    assert [r.specialist.output in LABELS for r in view.items_model.results] == [True, True, True]
    assert view.summary is not None
    assert view.summary.specialist.accuracy.total == 3

    # The whole set: the first three are resumed, then cancel after a few more.
    view.limit_spin.setValue(0)

    view.progress.valueChanged.connect(lambda value: value >= 5 and view.cancel_run())
    with qtbot.waitSignal(view.run_finished, timeout=240_000) as blocker:
        assert view.start_run()
    outcome = blocker.args[0]
    assert outcome is not None
    assert outcome.cancelled
    assert outcome.resumed == 3
    assert 5 <= len(outcome.results) < 87
    assert "run again to resume" in view.eta_label.text()
    assert not view.running

    # Grade the specialist's first answer up with the keyboard.
    before = view.summary
    assert before is not None
    table = view.items_table
    table.setCurrentIndex(view.items_model.index(0, 1))
    first_correct = view.items_model.result_at(0).specialist.correct
    qtbot.keyClick(table, Qt.Key.Key_Y)
    after = view.summary
    assert after is not None
    assert after.specialist.accuracy.successes == before.specialist.accuracy.successes + (
        0 if first_correct else 1
    )

    # Into the scenario: measured, with the set's name and date, as one undoable step.
    assert view.push_button.isEnabled()
    untouched = view.document.scenario
    qtbot.mouseClick(view.push_button, Qt.MouseButton.LeftButton)
    dialog = view.review_dialog
    assert dialog is not None and dialog.isVisible()
    assert view.document.scenario == untouched  # nothing changes before the review is applied
    assert "base model that was never fine-tuned" in dialog.warnings_label.text()
    graded = after.specialist.accuracy.total
    assert graded >= 30 or f"Only {graded} graded items" in dialog.warnings_label.text()
    assert set(dialog.checked_paths()) >= {"quality.specialist_accuracy", "quality.large_accuracy"}
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    quality = view.document.scenario.quality
    evidence = view.document.scenario.evidence["quality.specialist_accuracy"]
    assert (evidence.successes, evidence.n) == (
        after.specialist.accuracy.successes,
        after.specialist.accuracy.total,
    )
    assert evidence.source == "spot-check support_triage" and evidence.measured_at == after.run_date
    assert quality.specialist_accuracy == pytest.approx(after.specialist.accuracy.estimate, abs=1e-4)
    assert quality.large_accuracy == pytest.approx(after.frontier.accuracy.estimate, abs=1e-4)
    assert quality.eval_exists is True
    assert quality.measured_from == f"spot-check support_triage {after.run_date}"
    # The measurement brings its own uncertainty: a beta range of k right of n replaces the guess.
    measured = view.document.scenario.ranges["quality.specialist_accuracy"]
    assert (measured.distribution, measured.successes, measured.trials) == (
        "beta",
        after.specialist.accuracy.successes,
        after.specialist.accuracy.total,
    )
    rule_six = next(rule for rule in view.document.recommendation.rules if rule.id == 6)
    assert rule_six.status != "unknown"  # an eval now exists
    view.document.undo_stack.undo()
    assert view.document.scenario.quality.measured_from == ""

    # The paired verdict and the routing curve, drawn from the same per-item results.
    panel = view.routing_panel
    assert f"Paired on {len(view.items_model.results)} items" in panel.paired_label.text()
    curve = panel.curve_data
    assert curve is not None and curve.points  # every local answer carries a confidence
    xs, ys = panel.curve.getData()
    assert list(xs) == [point.escalation_rate for point in curve.points]
    assert list(ys) == [point.accuracy for point in curve.points]
    panel.escalation_spin.setValue(50)  # a chosen escalation instead of the cheapest clearing the bar
    point = panel.point
    assert point is not None and panel.use_point_button.isEnabled()
    assert f"Operating point: escalate {point.escalation_rate:.0%}" in panel.figures_label.text()
    qtbot.mouseClick(panel.use_point_button, Qt.MouseButton.LeftButton)
    dialog = view.review_dialog
    assert dialog is not None and dialog.isVisible()
    assert "picked on the same items" in dialog.warnings_label.text()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    scenario = view.document.scenario
    assert scenario.routing.escalation_rate == pytest.approx(point.escalation_rate, abs=1e-4)
    assert scenario.quality.hybrid_accuracy == pytest.approx(point.accuracy, abs=1e-4)
    hybrid = scenario.evidence["quality.hybrid_accuracy"]
    assert (hybrid.successes, hybrid.n) == (point.correct, curve.n)
    view.document.undo_stack.undo()
    assert view.document.scenario.quality.hybrid_accuracy is None

    view.close()
    assert view.session.server is None  # the model process was stopped with the view


def test_resource_set_is_listed(view: SpotcheckView) -> None:
    assert view.set_combo.findData(str(resource_path("spotcheck", "support_triage.jsonl"))) >= 0


def test_the_window_hosts_the_view(qtbot, window) -> None:
    titles = [window.tabs.tabText(index) for index in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("Spot-check"))
    page = window.tabs.currentWidget()
    view = page.ensure_built()
    assert isinstance(view, SpotcheckView)
    view.local_check.setChecked(False)
    view.limit_spin.setValue(5)
    assert _run(qtbot, view) is not None
    assert view.items_model.rowCount() == 5


def test_fresh_view_counts_the_set_and_a_bad_regex_names_its_problem(view: SpotcheckView) -> None:
    # Before any run the bar reads "0 / 87 items", not a placeholder "0 / 1".
    assert (view.progress.value(), view.progress.maximum()) == (0, 87)
    assert view.progress.text() == "0 / 87 items"
    view.scorer_combo.setCurrentIndex(view.scorer_combo.findData("regex"))
    view.scorer_option.setText("(")
    assert not view.start_run()
    message = view.eta_label.text()
    assert message.startswith("Scorer: pattern: not a valid regular expression (missing )")
    assert "errors.pydantic.dev" not in message


def test_recorded_run_reads_dollars_and_cents_and_says_why_no_items_needed(
    qtbot, view: SpotcheckView
) -> None:
    view.local_check.setChecked(False)
    _run(qtbot, view)
    # The recorded frontier answers are priced from the preset: per million items in dollars and
    # cents (it read "$208.8506").
    import re

    per_million = re.search(r"\$([\d,]+\.\d+) per million", view.speed_label.text())
    assert per_million is not None and len(per_million.group(1).split(".")[1]) == 2, view.speed_label.text()
    assert view.margin_spin.text() == "5.0 points"
    assert view.specialist_label.text() == "not run: tick “Run the specialist” to measure it"
    assert "run the specialist" in view.needed_label.text()


def test_a_set_with_many_problems_says_the_first_and_keeps_the_window_narrow(
    view: SpotcheckView, tmp_path: Path
) -> None:
    bad = tmp_path / "many.jsonl"
    bad.write_text("\n".join(['{"id": "a"}', "nope", "[1]"] * 4) + "\n", encoding="utf-8")
    assert not view.load_set(bad)
    assert view.set_info.text() == (
        "Cannot load many.jsonl: line 1: input: required field is missing "
        "(and 11 more problems; hover for the list)"
    )
    assert len(view.set_info.toolTip().splitlines()) == 12
    # the message wraps rather than forcing a window wider than a laptop screen
    assert view.minimumSizeHint().width() < 1200
    assert view.test_set is not None and view.test_set.name == "support_triage"  # the loaded set stays


def test_items_needed_names_the_specialist_mid_sentence_in_lower_case(view: SpotcheckView) -> None:
    from app.domain.evaluation import ItemResult, SideResult

    results = [
        ItemResult(
            item_id=f"i{n}",
            input=f"ticket {n}",
            expected="billing",
            tags=(),
            specialist=SideResult(output="billing" if n else "other", correct=n != 0, latency_s=0.1),
            frontier=SideResult(output="billing", correct=True, latency_s=0.5),
            agree=n != 0,
        )
        for n in range(6)
    ]
    from app.domain.evaluation import ScorerSpec, summarize_results

    summary = summarize_results(
        results,
        set_name="s",
        run_date="2026-11-23",
        scorer=ScorerSpec(),
        specialist_name="local",
        frontier_name="frontier",
    )
    view._show_summary(summary)  # what a finished run or a grade ends in
    text = view.needed_label.text()
    assert "for the specialist, which straddles the 90% bar" in text
    assert "The specialist" not in text


def _set_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_set_is_shown_before_it_runs(view: SpotcheckView) -> None:
    rows = _set_rows(resource_path("spotcheck") / "support_triage.jsonl")
    # The labels and tags counted straight from the file, most common first.
    labels = Counter(str(row["expected"]) for row in rows)
    tags = Counter(tag for row in rows for tag in row.get("tags", []))  # type: ignore[attr-defined]
    text = view.set_info.text()
    assert text.startswith(f"{len(rows)} items · labels: ")
    for label, count in labels.items():
        assert f"{label} {count}" in text
    assert f"ood {tags['ood']}" in text
    # Every item is in the table before any run, with its expected label and no answer yet.
    assert view.items_model.rowCount() == len(rows)
    shown = view.items_model.results
    assert [result.item_id for result in shown] == [str(row["id"]) for row in rows]
    assert all(result.specialist.output == "" and result.frontier.output == "" for result in shown)
    assert shown[0].expected == rows[0]["expected"]


def test_results_are_kept_shown_with_their_folder_and_reopened(
    qtbot, view: SpotcheckView, monkeypatch: pytest.MonkeyPatch
) -> None:
    view.local_check.setChecked(False)
    view.limit_spin.setValue(5)
    assert _run(qtbot, view) is not None
    path = view.results_path
    assert path is not None and path.is_file()
    assert str(path) in view.results_bar.label.text() and view.results_bar.open_button.isEnabled()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    qtbot.mouseClick(view.results_bar.open_button, Qt.MouseButton.LeftButton)
    assert opened == [str(path.parent)]
    accuracy = view.summary.frontier.accuracy.successes if view.summary else None
    view.load_set(resource_path("spotcheck") / "support_triage.jsonl")
    # A later session (a new view) finds the last results of the set again.
    again = SpotcheckView(ScenarioDocument(load_preset("support-ticket-triage")), settings=Settings())
    qtbot.addWidget(again)
    try:
        assert again.results_path == path
        assert "Last results of this set" in again.results_bar.label.text()
        assert again.items_model.rowCount() == 5
        assert again.summary is not None and again.summary.frontier.accuracy.successes == accuracy
        assert again.push_label.text() == ""
        # Results found again are graded like fresh ones: the summary follows, the file keeps it.
        right = next(n for n, r in enumerate(again.items_model.results) if r.frontier.correct)
        again.grade(right, False, "frontier")
        assert again.summary.frontier.accuracy.successes == accuracy - 1
        assert again.summary.set_name == "support_triage" and again.summary.set_items == 5
        assert read_results(path).summary == again.summary
    finally:
        again.shutdown()


def test_loading_a_set_clears_the_last_runs_labels(qtbot, view: SpotcheckView, tmp_path: Path) -> None:
    view.local_check.setChecked(False)
    view.limit_spin.setValue(3)
    assert _run(qtbot, view) is not None
    # The note a push of accuracies leaves (a push needs the local model's accuracy; the note is
    # what matters here) belongs to these results: another set clears it with the figures.
    view.push_label.setText("Quality inputs now measured: support_triage, 3 items")
    other = tmp_path / "other_set.jsonl"
    other.write_bytes((resource_path("spotcheck") / "support_triage.jsonl").read_bytes())
    assert view.load_set(other)
    assert view.push_label.text() == "" and view.frontier_label.text() == "–"
    assert not view.errors_label.isVisible()


def _answered(error: str | None, source: str = "live", side: str = "frontier") -> ItemResult:
    none = SideResult(output="", correct=None, source="none")
    answer = SideResult(
        output="" if error else "billing", correct=None if error else True, error=error, source=source
    )  # type: ignore[arg-type]
    if side == "specialist":
        return ItemResult("1", "text", "billing", (), answer, none, None)
    return ItemResult("1", "text", "billing", (), none, answer, None)


def test_piled_up_errors_of_a_served_side_suggest_lowering_parallel() -> None:
    results = [_answered("429 Too Many Requests")] * 4 + [_answered(None)] * 6
    warning = served_error_warning(results, parallel=8)
    assert warning.startswith(
        "4 of 10 frontier requests failed (rate limits or timeouts?) even after backing off"
    )
    assert "lower Parallel (now 8)" in warning and warning.endswith("Failed answers count as wrong.")
    assert "one request at a time" in served_error_warning(results, parallel=1)
    # Two errors are not a pile; recorded answers are not requests.
    assert served_error_warning([_answered("timeout")] * 2 + [_answered(None)] * 8, 8) == ""
    assert served_error_warning([_answered("x", source="recorded")] * 5, 8) == ""
    # A served specialist's errors are named as its own, and only when the view asks about it.
    served = [_answered("503 Service Unavailable", side="specialist")] * 3
    assert served_error_warning(served, 4) == ""
    assert served_error_warning(served, 4, ("frontier", "specialist")).startswith(
        "3 of 3 specialist requests failed"
    )
