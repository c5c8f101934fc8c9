"""The Spot-check view: both models over a test set, scored against ground truth.

Top: set picker, scorer, how many items, which frontier. Then progress (bar, ETA, cancel), the
summary strip (accuracy ± 95 % interval per model, agreement shown apart, the ood slice,
latency, cost, items needed) and the item table, filterable and graded from the keyboard.
The run itself is `app.inference.spotcheck.run_spotcheck` in a worker thread (`worker`). The
specialist is the one the settings name: the local model, in its own process that this view starts
on first use and stops when it closes, or a specialist served at an endpoint, asked in parallel.
The set-up rows are `setup_panel.SetupPanel`, the figures `summary_strip.SummaryStrip`; this view
connects them and owns the run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.distill import task_labels
from app.domain.evaluation import (
    ItemResult,
    PromptTemplate,
    ScorerSpec,
    SpotcheckSummary,
    TestSet,
    paired_comparison,
    routing_curve,
    score_output,
)
from app.domain.evidence import MeasurementReview, apply_review, routing_review, spotcheck_review
from app.domain.scenario import describe_validation_error
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.session import (
    InferenceSession,
    ModelChoice,
    ServedEndpoint,
    default_session,
    served_model_name,
    spotcheck_model_name,
)
from app.inference.spotcheck import (
    Progress,
    RunConfig,
    RunOutcome,
    ScenarioTerms,
    Side,
    SummaryTerms,
    unanswered_results,
)
from app.storage.resources import resource_path
from app.storage.settings import Settings
from app.storage.spotcheck_results import SpotcheckError, read_results, save_grades
from app.storage.spotcheck_runs import spotcheck_results_path
from app.storage.testsets import TestSetError, default_prompt_for, load_test_set
from app.ui.document import ScenarioDocument
from app.ui.lifetime import StopsWithWindow
from app.ui.review_dialog import MeasurementReviewDialog
from app.ui.settings_store import SettingsStore, shared_settings_store
from app.ui.specialist_settings import SpecialistSettingsDialog
from app.ui.spotcheck.items_model import FILTER_TITLES, ItemFilter, ItemsModel, ItemsTable
from app.ui.spotcheck.labels_panel import LabelsPanel
from app.ui.spotcheck.results_bar import (
    ResultsBar,
    describe_set,
    latest_results_file,
    served_error_warning,
)
from app.ui.spotcheck.routing_panel import RoutingPanel
from app.ui.spotcheck.setup_panel import RECORDED, SetupPanel
from app.ui.spotcheck.summary_strip import SummaryStrip
from app.ui.spotcheck.worker import Specialist, SpotcheckJob, SpotcheckRunThread, eta_text
from app.ui.widgets import wrapped_label


def bundled_sets() -> list[Path]:
    """The sample sets shipped in resources/spotcheck."""
    folder = resource_path("spotcheck")
    return sorted([*folder.glob("*.jsonl"), *folder.glob("*.csv")])


class SpotcheckView(QWidget):
    """Run both models over a set, read the results, grade by hand, push accuracies into the scenario."""

    run_finished = Signal(object)  # RunOutcome, or None when the run failed
    summary_changed = Signal(object)  # SpotcheckSummary

    def __init__(
        self,
        document: ScenarioDocument,
        parent: QWidget | None = None,
        settings: Settings | None = None,
        session: InferenceSession | None = None,
        settings_store: SettingsStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        # The one owner of the model process, shared with the playground.
        self.session = session if session is not None else default_session()
        # The app's one settings store (its own when given `settings`): the model and the endpoint
        # are read from it when a run starts, so a change made in the playground applies at once.
        if settings_store is None:
            settings_store = SettingsStore(settings) if settings is not None else shared_settings_store()
        self.settings_store = settings_store
        self.test_set: TestSet | None = None
        self.template: PromptTemplate | None = None
        self.outcome: RunOutcome | None = None
        self.review_dialog: MeasurementReviewDialog | None = None
        self.summary: SpotcheckSummary | None = None
        self.results_path: Path | None = None
        self._run_thread: SpotcheckRunThread | None = None
        # What the shown results' summary rests on (set, scorer, names, prices): a hand grade
        # re-summarises with it. None while a run goes on, or for results it cannot be known of.
        self._summary_terms: SummaryTerms | None = None
        # Stops the run (and a local model) when this view or the window around it closes.
        self._stops_with_window = StopsWithWindow(self, self.shutdown)
        self._build()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        sets = bundled_sets()
        if sets:
            self.load_set(sets[0])

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)

        setup = SetupPanel(bundled_sets(), self.settings.frontier, self.settings.specialist)
        self.settings_store.changed.connect(self._settings_changed)
        setup.set_chosen.connect(self.load_set)
        setup.open_requested.connect(self._open_set)
        setup.specialist_requested.connect(self.edit_specialist)
        self.specialist_dialog: SpecialistSettingsDialog | None = None
        self.setup = setup
        # The controls stay reachable from the view under their old names.
        self.set_combo, self.set_info = setup.set_combo, setup.set_info
        self.scorer_combo, self.scorer_option = setup.scorer_combo, setup.scorer_option
        self.limit_spin, self.local_check = setup.limit_spin, setup.local_check
        self.frontier_combo, self.concurrency_spin = setup.frontier_combo, setup.concurrency_spin
        self.fresh_check = setup.fresh_check
        layout.addWidget(setup)

        run_row = QHBoxLayout()
        self.run_button = QPushButton("Run spot-check")
        self.run_button.clicked.connect(self.start_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_run)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m items")
        self.eta_label = QLabel("")
        self.eta_label.setMinimumWidth(280)
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.eta_label)
        layout.addLayout(run_row)
        self.results_bar = ResultsBar()
        layout.addWidget(self.results_bar)
        self.errors_label = wrapped_label("", "Frontier errors")
        self.errors_label.setVisible(False)
        layout.addWidget(self.errors_label)
        # The latest back-off ("frontier: 429 Too Many Requests: backing off, 2 in flight now").
        self.backoff_label = wrapped_label("", "Back-off")
        self.backoff_label.setVisible(False)
        layout.addWidget(self.backoff_label)
        self.notes: list[str] = []

        strip = SummaryStrip()
        strip.margin_spin.valueChanged.connect(lambda _value: self._show_needed())
        strip.push_button.clicked.connect(self.push_into_scenario)
        self.strip = strip
        self.specialist_label, self.frontier_label = strip.specialist_label, strip.frontier_label
        self.agreement_label, self.tags_label = strip.agreement_label, strip.tags_label
        self.speed_label, self.margin_spin = strip.speed_label, strip.margin_spin
        self.needed_label, self.warnings_label = strip.needed_label, strip.warnings_label
        self.push_button, self.push_label = strip.push_button, strip.push_label
        layout.addWidget(strip)
        self.routing_panel = RoutingPanel()
        self.routing_panel.use_point_requested.connect(self.use_operating_point)
        layout.addWidget(self.routing_panel)

        items_page = QWidget()
        items_layout = QVBoxLayout(items_page)
        items_layout.setContentsMargins(0, 0, 0, 0)
        filter_row = QHBoxLayout()
        self.filter_combo = QComboBox()
        for mode, title in FILTER_TITLES.items():
            self.filter_combo.addItem(title, mode)
        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        self.grading_label = QLabel("")
        filter_row.addWidget(QLabel("Show"))
        filter_row.addWidget(self.filter_combo)
        filter_row.addStretch(1)
        filter_row.addWidget(self.grading_label)
        items_layout.addLayout(filter_row)
        self.items_model = ItemsModel(self)
        self.items_table = ItemsTable(self.items_model, self)
        self.items_table.grade_requested.connect(self.grade)
        self.items_table.grading_side_changed.connect(lambda _side: self._show_grading_side())
        items_layout.addWidget(self.items_table, 1)
        # The items, and what they add up to per expected label (accuracy, confusion matrices).
        self.labels_panel = LabelsPanel()
        self.results_tabs = QTabWidget()
        self.results_tabs.addTab(items_page, "Items")
        self.results_tabs.addTab(self.labels_panel, "By label")
        layout.addWidget(self.results_tabs, 1)
        self._show_grading_side()

    def _filter_changed(self) -> None:
        mode: ItemFilter = self.filter_combo.currentData()
        self.items_model.set_filter(mode)

    def _show_grading_side(self) -> None:
        self.grading_label.setText(
            f"Keys grade the {self.items_table.grading_side} answer: Y/+ right, N/- wrong, 0 clear, "
            "S/F switch side"
        )

    # -- the set and the scorer ----------------------------------------------------------------
    def _open_set(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a test set", "", "Test sets (*.jsonl *.csv)")
        if name:
            self.load_set(Path(name))

    def load_set(self, path: Path) -> bool:
        """Load a set (and its prompt template beside it); shows every problem on failure."""
        try:
            test_set = load_test_set(path)
            template = default_prompt_for(path) or PromptTemplate()
        except TestSetError as exc:
            self.setup.show_set_problems(path.name, exc.problems)
            return False
        self.test_set = test_set
        self.template = template
        self.setup.show_set(path, len(test_set.items), test_set.ood_count, template)
        # What the set holds, before anything runs: its size, labels and tags, and its items.
        self.set_info.setText(describe_set(test_set))
        self.items_model.set_results(unanswered_results(test_set))
        self._summary_terms = None
        self._clear_summary()
        self._show_errors("")
        self.results_path = None
        self.results_bar.show_path(None)
        self._reopen_last_results(test_set)
        # Before a run the bar counts the set, not a placeholder "0 / 1".
        self.progress.setRange(0, len(test_set.items))
        self.progress.setValue(0)
        return True

    def _reopen_last_results(self, test_set: TestSet) -> bool:
        """Show the newest results the window kept for this set (a run of an earlier session)."""
        path = latest_results_file(test_set)
        if path is None:
            return False
        try:
            kept = read_results(path)
        except SpotcheckError:
            return False  # a damaged file stays where it is; the next run starts afresh
        if kept.header.get("set_fingerprint") != test_set.fingerprint or not kept.items:
            return False
        order = {item.item_id: index for index, item in enumerate(test_set.items)}
        results = sorted(kept.items.values(), key=lambda result: order.get(result.item_id, len(order)))
        self.items_model.set_results(results)
        self._summary_terms = SummaryTerms.of_results(
            kept, test_set, ScenarioTerms.of(self.document.scenario)
        )
        self.results_path = path
        self.results_bar.show_path(path, reopened=True)
        if kept.summary is not None:
            self._show_summary(kept.summary)
        return True

    def _show_note(self, line: str) -> None:
        """Say a back-off as it happens (the latest one shown, all kept in `notes`); "" clears."""
        if line:
            self.notes.append(line)
        else:
            self.notes.clear()
        self.backoff_label.setText(f"Backing off: {line}" if line else "")
        self.backoff_label.setVisible(bool(line))

    def _show_errors(self, warning: str) -> None:
        self.errors_label.setText(warning)
        self.errors_label.setVisible(bool(warning))

    def scorer_spec(self) -> ScorerSpec:
        """The scorer chosen in the controls; raises ValueError with a readable reason."""
        return self.setup.scorer_spec()

    def task_labels(self) -> tuple[str, ...]:
        """The labels of the task shown (the template's, else a one-of scorer's); () for free text."""
        scorer = self._summary_terms.scorer if self._summary_terms is not None else None
        if scorer is None:
            try:
                scorer = self.scorer_spec()
            except ValueError:
                return tuple(self.template.labels) if self.template is not None else ()
        return task_labels(self.template or PromptTemplate(), scorer)

    # -- the local model -----------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The settings as they are now."""
        return self.settings_store.settings

    def _settings_changed(self, settings: Settings, fields: frozenset[str]) -> None:
        if "frontier" in fields:
            self.setup.show_frontier(settings.frontier)
        if "specialist" in fields:
            self.setup.show_specialist(settings.specialist)

    def edit_specialist(self) -> SpecialistSettingsDialog:
        """The same dialog as Edit ▸ Specialist model…, from the set-up row."""
        dialog = SpecialistSettingsDialog(self.settings_store, self.session.keys, self)
        self.specialist_dialog = dialog
        dialog.open()
        return dialog

    def model_choice(self) -> ModelChoice:
        """The GGUF and llama.cpp settings from the settings (None as path: the bundled Gemma)."""
        return ModelChoice.from_saved(self.settings.local_model)

    @property
    def specialist_served(self) -> bool:
        """Whether the settings name a specialist served at an endpoint (else the local model)."""
        return self.settings.specialist.source == "endpoint"

    def _specialist(self) -> tuple[Callable[[], Specialist], str, str]:
        """How the worker gets the specialist, its name, and what the run says meanwhile.

        Raises ValueError with one line when the settings' served specialist cannot be asked.
        """
        if self.specialist_served:
            endpoint = ServedEndpoint.specialist_from_saved(self.settings.specialist)
            problem = self.session.endpoint_empty_reason(endpoint)
            if problem is not None:
                raise ValueError(problem)
            session = self.session
            # Whole answers: a batch watches no tokens, and some servers cut a stream short when
            # the next parallel request arrives.
            return (
                lambda: session.client(endpoint, stream=False),
                served_model_name(endpoint),
                f"Asking {endpoint.host}…",
            )
        choice = self.model_choice()
        try:
            name = spotcheck_model_name(choice.resolved_path())
        except Exception as exc:  # the bundled model could not be assembled
            raise ValueError(f"Local model: {exc}") from exc
        session = self.session
        # On the worker thread: the session starts the model, or reuses the one already running.
        return (
            lambda: session.local_specialist(choice, display_name=name),
            name,
            "Starting the local model…",
        )

    def _frontier_generator(self) -> OpenAICompatibleGenerator | None:
        if not self.setup.live_frontier:
            return None
        return self.session.client(ServedEndpoint.from_saved(self.settings.frontier))

    # -- running -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._run_thread is not None and self._run_thread.isRunning()

    def start_run(self) -> bool:
        """Start a run in the worker thread; False (with the reason shown) when it cannot start."""
        if self.running or self.test_set is None or self.template is None:
            return False
        try:
            scorer = self.scorer_spec()
        except ValidationError as exc:
            # pydantic's text ends with a documentation link; show the field and the problem
            self.eta_label.setText(f"Scorer: {describe_validation_error(exc)}")
            return False
        except ValueError as exc:
            self.eta_label.setText(f"Scorer: {exc}")
            return False
        limit = self.limit_spin.value() or None
        test_set = self.test_set.limited(limit)
        terms = ScenarioTerms.of(self.document.scenario)
        config = RunConfig(
            prompt=self.template,
            scorer=scorer,
            concurrency=self.concurrency_spin.value(),
            prices=terms.prices,
            quality_bar=terms.quality_bar,
            specialist_concurrency=self.concurrency_spin.value() if self.specialist_served else 1,
        )
        use_specialist = self.local_check.isChecked()
        specialist: Callable[[], Specialist] | None = None
        specialist_name, getting = "not run", ""
        if use_specialist:
            try:
                specialist, specialist_name, getting = self._specialist()
            except ValueError as exc:
                self.eta_label.setText(str(exc))
                return False
        frontier = self._frontier_generator()
        frontier_name = frontier.display_name if frontier is not None else RECORDED
        self.results_path = spotcheck_results_path(test_set, scorer, specialist_name, frontier_name)
        if self.fresh_check.isChecked():
            self.results_path.unlink(missing_ok=True)
        self._summary_terms = None
        self.items_model.set_results(unanswered_results(test_set))
        self._clear_summary()
        self._show_errors("")
        self._show_note("")
        self.results_bar.show_path(self.results_path)
        self.progress.setRange(0, len(test_set.items))
        self.progress.setValue(0)
        job = SpotcheckJob(test_set, config, self.results_path, frontier)
        thread = SpotcheckRunThread(job, specialist, self, getting_specialist=getting)
        thread.progressed.connect(self._on_progress)
        thread.status.connect(self.eta_label.setText)
        thread.note.connect(self._show_note)
        thread.succeeded.connect(self._on_succeeded)
        thread.failed.connect(self._on_failed)
        self._run_thread = thread
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        thread.start()
        return True

    def cancel_run(self) -> None:
        """Stop after the requests in flight; what finished is kept and can be resumed."""
        if self._run_thread is not None:
            self._run_thread.cancel.set()
            self.eta_label.setText("Cancelling…")

    def _on_progress(self, progress: Progress) -> None:
        self.progress.setValue(progress.done)
        resumed = f" ({progress.resumed} resumed)" if progress.resumed else ""
        self.eta_label.setText(f"{progress.done}/{progress.total}{resumed} · {eta_text(progress.eta_s)}")
        if progress.last is not None:
            self.items_model.add_result(progress.last)
            if progress.last.frontier.error is not None or progress.last.specialist.error is not None:
                # Errors piling up mid-run are worth saying before the run ends.
                self._show_errors(self._error_warning(self.items_model.results))

    def _error_warning(self, results: list[ItemResult]) -> str:
        """Piled-up errors of the frontier and of a served specialist (the local one's are no
        rate limits)."""
        sides: tuple[Side, ...] = ("frontier", "specialist") if self.specialist_served else ("frontier",)
        return served_error_warning(results, self.concurrency_spin.value(), sides)

    def _finish_thread(self) -> None:
        if self._run_thread is not None:
            self._run_thread.wait()
            self._run_thread.deleteLater()
            self._run_thread = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _on_succeeded(self, outcome: RunOutcome) -> None:
        self._finish_thread()
        self.outcome = outcome
        self.items_model.set_results(list(outcome.results))
        self._summary_terms = outcome.terms
        self._show_summary(outcome.summary)
        self._show_errors(self._error_warning(list(outcome.results)))
        done = len(outcome.results)
        self.eta_label.setText(
            f"Stopped at {done}/{outcome.summary.set_items}: run again to resume"
            if outcome.cancelled
            else f"Done: {done} items"
        )
        self.run_finished.emit(outcome)

    def _on_failed(self, message: str) -> None:
        self._finish_thread()
        self.eta_label.setText(message)
        self.run_finished.emit(None)

    # -- results -------------------------------------------------------------------------------
    def _clear_summary(self) -> None:
        self.summary = None
        self.strip.clear()
        self.labels_panel.clear()

    def _show_summary(self, summary: SpotcheckSummary) -> None:
        self.summary = summary
        self.strip.show_summary(summary)
        self._show_needed()
        self._show_evidence()
        self.labels_panel.show_results(self.items_model.results, self.task_labels())
        self.summary_changed.emit(summary)

    def _show_evidence(self) -> None:
        """The paired verdict and the routing curve from the same per-item results."""
        results = self.items_model.results
        terms = ScenarioTerms.of(self.document.scenario)
        self.routing_panel.show_paired(paired_comparison(results))
        self.routing_panel.show_curve(routing_curve(results, terms.routing), terms.quality_bar)

    def use_operating_point(self) -> bool:
        """Review the chosen point's escalation rate and hybrid accuracy for the scenario."""
        point, curve, summary = self.routing_panel.point, self.routing_panel.curve_data, self.summary
        if point is None or curve is None or summary is None:
            return False
        review = routing_review(
            self.document.scenario,
            point,
            curve.n,
            f"spot-check {summary.set_name}",
            summary.specialist.name,
            summary.run_date,
        )
        dialog = MeasurementReviewDialog(review, self)
        dialog.applied.connect(lambda paths: self._apply_review(review, paths))
        self.review_dialog = dialog
        dialog.open()
        return True

    def _show_needed(self) -> None:
        self.strip.show_needed(self.summary, self.document.scenario.quality.quality_bar)

    def grade(self, row: int, grade: bool | None, side: str) -> None:
        """A human grade for one answer: rescored, summary recomputed, saved to the results file."""
        if self.running or row < 0 or row >= self.items_model.rowCount():
            return  # while a run goes on, its final results would overwrite the grade
        if side not in ("specialist", "frontier"):
            return
        position = self.items_model.position_of_row(row)
        result = self.items_model.result_at(row)
        terms = self._summary_terms
        if grade is None and terms is not None:
            # Clearing a grade gives the automatic score back.
            old = result.specialist if side == "specialist" else result.frontier
            score = score_output(old.output, result.expected, terms.scorer)
            updated = result.with_human_grade(side, score.correct)  # type: ignore[arg-type]
        else:
            updated = result.with_human_grade(side, grade)  # type: ignore[arg-type]
        self.items_model.replace(position, updated)
        if terms is None:
            return  # results whose terms are unknown: the summary waits for a run
        summary = terms.summarize(self.items_model.results)
        self._show_summary(summary)
        if self.results_path is not None and self.results_path.exists():
            save_grades(self.results_path, [updated], summary)

    # -- into the scenario ---------------------------------------------------------------------
    def push_into_scenario(self) -> bool:
        """Open the review of the measured accuracies; the ticked ones become the scenario's
        quality inputs with their provenance, as one undoable step. False with nothing to use."""
        summary = self.summary
        if summary is None or summary.specialist.accuracy.estimate is None:
            return False
        results = self.items_model.results
        review = spotcheck_review(
            self.document.scenario,
            summary,
            paired_comparison(results),
            specialist_is_base_model="base model" in summary.specialist.name,
        )
        dialog = MeasurementReviewDialog(review, self)
        dialog.applied.connect(lambda paths: self._apply_review(review, paths))
        self.review_dialog = dialog
        dialog.open()
        return True

    def _apply_review(self, review: MeasurementReview, paths: list[str]) -> None:
        if not paths:
            self.push_label.setText("Nothing ticked: the scenario is unchanged.")
            return
        scenario = apply_review(self.document.scenario, review, paths)
        self.document.set_scenario(scenario, review.undo_label)
        self.push_label.setText(f"Quality inputs now measured: {scenario.quality.measured_from}")

    # -- shutting down -------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel a run, wait for the worker, stop the model process (idempotent)."""
        if self._run_thread is not None:
            self._run_thread.cancel.set()
            self._run_thread.wait()
            self._finish_thread()
        self.session.stop()
