"""The Spot-check view: both models over a test set, scored against ground truth.

Top: set picker, scorer, how many items, which frontier. Then progress (bar, ETA, cancel), the
summary strip (accuracy ± 95 % interval per model, agreement shown apart, the ood slice,
latency, cost, items needed) and the item table, filterable and graded from the keyboard.
The run itself is `app.inference.spotcheck.run_spotcheck` in a worker thread; the local model
lives in its own process that this view starts on first use and stops when it closes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.evaluation import (
    IN_DISTRIBUTION,
    OOD_TAG,
    SCORER_KINDS,
    SCORER_TITLES,
    ItemResult,
    ModelSummary,
    Prices,
    PromptTemplate,
    ScorerKind,
    ScorerSpec,
    SpotcheckSummary,
    TestSet,
    check_claim,
    sample_size_for_margin,
    score_output,
    summarize_results,
)
from app.domain.scenario import Scenario, describe_validation_error
from app.inference.spotcheck import (
    DEFAULT_CONCURRENCY,
    Progress,
    RunConfig,
    RunOutcome,
    SpotcheckError,
    run_spotcheck,
    save_grades,
)
from app.storage.paths import data_dir
from app.storage.resources import resource_path
from app.storage.settings import Settings, load_settings
from app.storage.testsets import TestSetError, default_prompt_for, load_test_set
from app.ui.document import ScenarioDocument
from app.ui.spotcheck.items_model import FILTER_TITLES, ItemFilter, ItemsModel, ItemsTable

AGREEMENT_NOTE = "agreement with the frontier model is not correctness"
RECORDED = "recorded"
LIVE = "live"


def bundled_sets() -> list[Path]:
    """The sample sets shipped in resources/spotcheck."""
    folder = resource_path("spotcheck")
    return sorted([*folder.glob("*.jsonl"), *folder.glob("*.csv")])


def _eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    if seconds < 60:
        return f"about {seconds:.0f} s left"
    return f"about {seconds / 60:.1f} min left"


class _RunThread(QThread):
    """Starts the local model if needed, then runs the spot-check; reports through signals."""

    progressed = Signal(object)  # Progress
    status = Signal(str)
    succeeded = Signal(object)  # RunOutcome
    failed = Signal(str)

    def __init__(
        self,
        view: SpotcheckView,
        test_set: TestSet,
        config: RunConfig,
        results_path: Path,
        use_local: bool,
        frontier: Any,
    ) -> None:
        super().__init__(view)
        self._view = view
        self._test_set = test_set
        self._config = config
        self._results_path = results_path
        self._use_local = use_local
        self._frontier = frontier
        self.cancel = threading.Event()

    def run(self) -> None:
        """Worker thread body: never lets an exception escape into Qt."""
        specialist = None
        try:
            if self._use_local:
                self.status.emit("Starting the local model…")
                specialist = self._view.local_specialist()
                if self.cancel.is_set():
                    self.failed.emit("Cancelled before the first item.")
                    return
            self.status.emit("Running…")
            outcome = run_spotcheck(
                self._test_set,
                specialist,
                self._frontier,
                self._config,
                self._results_path,
                on_progress=self.progressed.emit,
                cancel=self.cancel,
            )
            self.succeeded.emit(outcome)
        except SpotcheckError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the local model failing to start, a GGUF error: one line for the user
            self.failed.emit(f"{type(exc).__name__}: {exc}".splitlines()[0])
        finally:
            if self._frontier is not None:
                self._frontier.close()


class SpotcheckView(QWidget):
    """Run both models over a set, read the results, grade by hand, push accuracies into the scenario."""

    run_finished = Signal(object)  # RunOutcome, or None when the run failed
    summary_changed = Signal(object)  # SpotcheckSummary

    def __init__(
        self, document: ScenarioDocument, parent: QWidget | None = None, settings: Settings | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = settings if settings is not None else load_settings()
        self.test_set: TestSet | None = None
        self.template: PromptTemplate | None = None
        self.outcome: RunOutcome | None = None
        self.summary: SpotcheckSummary | None = None
        self.results_path: Path | None = None
        self._run_thread: _RunThread | None = None
        self._server: Any = None
        self._specialist: Any = None
        self._server_lock = threading.Lock()
        self._summary_args: dict[str, Any] = {}
        self._watched_window: QWidget | None = None
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

        top = QGridLayout()
        self.set_combo = QComboBox()
        for path in bundled_sets():
            self.set_combo.addItem(path.stem, str(path))
        self.set_combo.activated.connect(lambda _row: self.load_set(Path(self.set_combo.currentData())))
        open_button = QPushButton("Open set…")
        open_button.clicked.connect(self._open_set)
        self.set_info = QLabel("")
        self.set_info.setWordWrap(True)  # a long message wraps instead of widening the window
        top.addWidget(QLabel("Test set"), 0, 0)
        top.addWidget(self.set_combo, 0, 1)
        top.addWidget(open_button, 0, 2)
        top.addWidget(self.set_info, 0, 3, 1, 3)

        self.scorer_combo = QComboBox()
        for kind in SCORER_KINDS:
            self.scorer_combo.addItem(SCORER_TITLES[kind], kind)
        self.scorer_combo.currentIndexChanged.connect(self._scorer_kind_changed)
        self.scorer_option = QLineEdit()
        self.scorer_option.setPlaceholderText("labels, comma-separated")
        top.addWidget(QLabel("Scorer"), 1, 0)
        top.addWidget(self.scorer_combo, 1, 1)
        top.addWidget(self.scorer_option, 1, 2, 1, 2)

        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 100_000)
        self.limit_spin.setSpecialValueText("all")
        self.limit_spin.setToolTip("Run only the first N items (0 = all)")
        self.local_check = QCheckBox("Run the local model")
        self.local_check.setChecked(True)
        self.frontier_combo = QComboBox()
        self.frontier_combo.addItem("Frontier: recorded answers from the set (offline)", RECORDED)
        frontier = self.settings.frontier
        self.frontier_combo.addItem(f"Frontier: {frontier.model} at {frontier.base_url}", LIVE)
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, 64)
        self.concurrency_spin.setValue(DEFAULT_CONCURRENCY)
        self.concurrency_spin.setToolTip("Parallel requests to the frontier endpoint")
        self.fresh_check = QCheckBox("Start over")
        self.fresh_check.setToolTip("Discard earlier results of this set instead of resuming them")
        options = QHBoxLayout()
        options.addWidget(QLabel("Items"))
        options.addWidget(self.limit_spin)
        options.addWidget(self.local_check)
        options.addWidget(self.frontier_combo, 1)
        options.addWidget(QLabel("Parallel"))
        options.addWidget(self.concurrency_spin)
        options.addWidget(self.fresh_check)
        top.addLayout(options, 2, 0, 1, 6)
        layout.addLayout(top)

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

        strip = QFrame()
        strip.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(strip)
        self.specialist_label = QLabel("–")
        self.frontier_label = QLabel("–")
        self.agreement_label = QLabel("–")
        self.tags_label = QLabel("–")
        self.speed_label = QLabel("–")
        for label in (self.specialist_label, self.frontier_label, self.agreement_label):
            label.setWordWrap(True)
        # Never squeezed by the table below: multi-line rows must stay readable.
        strip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        form.addRow("Specialist accuracy", self.specialist_label)
        form.addRow("Frontier accuracy", self.frontier_label)
        form.addRow("Agreement", self.agreement_label)
        form.addRow("In-distribution vs ood", self.tags_label)
        form.addRow("Latency and cost", self.speed_label)
        needed_row = QHBoxLayout()
        self.margin_spin = QDoubleSpinBox()
        self.margin_spin.setRange(0.5, 25.0)
        self.margin_spin.setSingleStep(0.5)
        self.margin_spin.setDecimals(1)
        self.margin_spin.setValue(5.0)
        self.margin_spin.setSuffix(" points")
        self.margin_spin.valueChanged.connect(lambda _value: self._show_needed())
        self.needed_label = QLabel("–")
        self.needed_label.setWordWrap(True)
        needed_row.addWidget(QLabel("±"))
        needed_row.addWidget(self.margin_spin)
        needed_row.addWidget(self.needed_label, 1)
        form.addRow("How many items?", needed_row)
        self.warnings_label = QLabel("")
        self.warnings_label.setWordWrap(True)
        form.addRow("Warnings", self.warnings_label)
        push_row = QHBoxLayout()
        self.push_button = QPushButton("Use these accuracies in the scenario")
        self.push_button.setEnabled(False)
        self.push_button.clicked.connect(self.push_into_scenario)
        self.push_label = QLabel("")
        push_row.addWidget(self.push_button)
        push_row.addWidget(self.push_label, 1)
        form.addRow(push_row)
        layout.addWidget(strip)

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
        layout.addLayout(filter_row)

        self.items_model = ItemsModel(self)
        self.items_table = ItemsTable(self.items_model, self)
        self.items_table.grade_requested.connect(self.grade)
        self.items_table.grading_side_changed.connect(lambda _side: self._show_grading_side())
        layout.addWidget(self.items_table, 1)
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
            # One line in the bar (a long list would widen the whole window); all of them on hover.
            more = len(exc.problems) - 1
            self.set_info.setText(
                f"Cannot load {path.name}: {exc.problems[0]}"
                + (f" (and {more} more problems; hover for the list)" if more > 0 else "")
            )
            self.set_info.setToolTip("\n".join(exc.problems))
            return False
        self.test_set = test_set
        self.template = template
        if self.set_combo.findData(str(path)) < 0:
            self.set_combo.addItem(path.stem, str(path))
        self.set_combo.setCurrentIndex(self.set_combo.findData(str(path)))
        self.set_info.setText(f"{len(test_set.items)} items, {test_set.ood_count} tagged ood")
        self.set_info.setToolTip("")
        self.scorer_combo.setCurrentIndex(self.scorer_combo.findData(template.scorer.kind))
        self._fill_scorer_option(template.scorer)
        self.items_model.set_results([])
        self._clear_summary()
        # Before a run the bar counts the set, not a placeholder "0 / 1".
        self.progress.setRange(0, len(test_set.items))
        self.progress.setValue(0)
        return True

    def _fill_scorer_option(self, spec: ScorerSpec) -> None:
        if spec.kind == "one_of":
            self.scorer_option.setText(", ".join(spec.labels))
        elif spec.kind == "regex":
            self.scorer_option.setText(spec.pattern)
        elif spec.kind == "number":
            self.scorer_option.setText(f"{spec.tolerance:g}")
        elif spec.kind == "json_fields":
            self.scorer_option.setText(", ".join(spec.fields))
        else:
            self.scorer_option.setText("")

    def _scorer_kind_changed(self) -> None:
        kind: ScorerKind = self.scorer_combo.currentData()
        hints = {
            "one_of": "labels, comma-separated",
            "regex": "pattern (empty: each item's expected is the pattern)",
            "number": "tolerance, e.g. 0.01",
            "json_fields": "fields to compare, comma-separated (empty: all)",
        }
        self.scorer_option.setEnabled(kind in hints)
        self.scorer_option.setPlaceholderText(hints.get(kind, ""))
        if self.template is not None and kind == self.template.scorer.kind:
            self._fill_scorer_option(self.template.scorer)
        elif kind == "one_of" and self.template is not None and self.template.labels:
            self.scorer_option.setText(", ".join(self.template.labels))
        else:
            self.scorer_option.setText("")

    def scorer_spec(self) -> ScorerSpec:
        """The scorer chosen in the controls; raises ValueError with a readable reason."""
        kind: ScorerKind = self.scorer_combo.currentData()
        option = self.scorer_option.text().strip()
        parts = tuple(part.strip() for part in option.split(",") if part.strip())
        if kind == "one_of":
            return ScorerSpec(kind=kind, labels=parts)
        if kind == "regex":
            return ScorerSpec(kind=kind, pattern=option)
        if kind == "number":
            try:
                tolerance = float(option) if option else 0.0
            except ValueError as exc:
                raise ValueError(f"tolerance must be a number, got {option!r}") from exc
            return ScorerSpec(kind=kind, tolerance=tolerance)
        if kind == "json_fields":
            return ScorerSpec(kind=kind, fields=parts)
        return ScorerSpec(kind=kind)

    # -- the local model -----------------------------------------------------------------------
    def local_model_path(self) -> Path:
        """The GGUF from settings, else the bundled Gemma (assembled into the cache on first use)."""
        if self.settings.local_model.model_path:
            return Path(self.settings.local_model.model_path)
        from app.inference.bundled_model import bundled_model_path

        return bundled_model_path()

    def local_specialist(self) -> Any:
        """Start the model process once (called on the worker thread) and return its generator."""
        from app.inference.local_generator import LocalSpecialist
        from app.inference.local_server import LocalModelServer, LocalModelSettings

        with self._server_lock:
            if self._server is None:
                local = self.settings.local_model
                self._server = LocalModelServer(
                    self.local_model_path(),
                    LocalModelSettings(context_size=local.context_size, threads=local.threads or 0),
                )
            if not self._server.is_running():
                self._server.start()
            if self._specialist is None:
                self._specialist = LocalSpecialist(
                    self._server, display_name=f"{self._server.model_id} (local)"
                )
            return self._specialist

    def _frontier_generator(self) -> Any:
        if self.frontier_combo.currentData() != LIVE:
            return None
        from app.inference.endpoints import preset_by_name
        from app.inference.keys import default_key_store
        from app.inference.openai_client import OpenAICompatibleGenerator

        frontier = self.settings.frontier
        key = default_key_store().get(preset_by_name(frontier.preset)).key
        return OpenAICompatibleGenerator(
            frontier.base_url, frontier.model, key, read_timeout_s=frontier.timeout_seconds
        )

    # -- running -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._run_thread is not None and self._run_thread.isRunning()

    def _results_file(self, test_set: TestSet, scorer: ScorerSpec, specialist: str, frontier: str) -> Path:
        # One file per (set version, scorer, models): re-running resumes, changing any starts anew.
        key = json.dumps([test_set.fingerprint, scorer.model_dump(mode="json"), specialist, frontier])
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        folder = data_dir() / "spotcheck"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{test_set.name}-{digest}.jsonl"

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
        scenario = self.document.scenario
        prices = Prices(
            scenario.small.input_price_per_mtok,
            scenario.small.output_price_per_mtok,
            scenario.large.input_price_per_mtok,
            scenario.large.output_price_per_mtok,
        )
        config = RunConfig(
            prompt=self.template,
            scorer=scorer,
            concurrency=self.concurrency_spin.value(),
            prices=prices,
            quality_bar=scenario.quality.quality_bar,
        )
        use_local = self.local_check.isChecked()
        try:
            specialist_name = f"{self.local_model_path().stem} (local)" if use_local else "not run"
        except Exception as exc:  # the bundled model could not be assembled
            self.eta_label.setText(f"Local model: {exc}")
            return False
        frontier = self._frontier_generator()
        frontier_name = frontier.display_name if frontier is not None else RECORDED
        self.results_path = self._results_file(test_set, scorer, specialist_name, frontier_name)
        if self.fresh_check.isChecked():
            self.results_path.unlink(missing_ok=True)
        self._summary_args = {
            "set_name": test_set.name,
            "run_date": config.run_date,
            "scorer": scorer,
            "prices": prices,
            "set_items": len(test_set.items),
            "quality_bar": config.quality_bar,
        }
        self.items_model.set_results([])
        self._clear_summary()
        self.progress.setRange(0, len(test_set.items))
        self.progress.setValue(0)
        thread = _RunThread(self, test_set, config, self.results_path, use_local, frontier)
        thread.progressed.connect(self._on_progress)
        thread.status.connect(self.eta_label.setText)
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
        self.eta_label.setText(f"{progress.done}/{progress.total}{resumed} · {_eta_text(progress.eta_s)}")
        if progress.last is not None:
            self.items_model.add_result(progress.last)

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
        self._summary_args["specialist_name"] = outcome.summary.specialist.name
        self._summary_args["frontier_name"] = outcome.summary.frontier.name
        self._show_summary(outcome.summary)
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
        for label in (
            self.specialist_label,
            self.frontier_label,
            self.agreement_label,
            self.tags_label,
            self.speed_label,
            self.needed_label,
        ):
            label.setText("–")
        self.warnings_label.setText("")
        self.push_button.setEnabled(False)

    def _show_summary(self, summary: SpotcheckSummary) -> None:
        self.summary = summary
        specialist, frontier = summary.specialist, summary.frontier
        if specialist.name == "specialist (not run)" and specialist.accuracy.total == 0:
            # The row is already labelled "Specialist accuracy": say what to do, not "specialist (not run)".
            self.specialist_label.setText("not run: tick “Run the local model” to measure it")
        else:
            self.specialist_label.setText(
                f"{specialist.name}: {specialist.accuracy.describe()}{_errors(specialist.errors)}"
            )
        recorded = (
            " (recorded answers)" if frontier.source == RECORDED and RECORDED not in frontier.name else ""
        )
        self.frontier_label.setText(
            f"{frontier.name}{recorded}: {frontier.accuracy.describe()}{_errors(frontier.errors)}"
        )
        self.agreement_label.setText(f"{summary.agreement.describe()} — {AGREEMENT_NOTE}")
        parts = []
        for name in (IN_DISTRIBUTION, OOD_TAG):
            entry = summary.tag(name)
            if entry is not None and entry.items:
                parts.append(
                    f"{name} ({entry.items}): specialist {entry.specialist.describe()}, "
                    f"frontier {entry.frontier.describe()}"
                )
        self.tags_label.setText("\n".join(parts) or "–")
        self.speed_label.setText(
            "\n".join(
                _speed_and_cost(side, model)
                for side, model in (("Specialist", summary.specialist), ("Frontier", summary.frontier))
            )
        )
        self.warnings_label.setText("\n".join(f"• {line}" for line in summary.warnings))
        self._show_needed()
        self.push_button.setEnabled(summary.specialist.accuracy.estimate is not None)
        self.summary_changed.emit(summary)

    def _show_needed(self) -> None:
        summary = self.summary
        if summary is None:
            self.needed_label.setText("–")
            return
        if summary.specialist.accuracy.estimate is None:
            self.needed_label.setText("– (no graded specialist answers: run the local model to size the set)")
            return
        margin = self.margin_spin.value() / 100
        accuracy = summary.specialist.accuracy
        estimate = accuracy.estimate if accuracy.estimate is not None else 0.0
        needed = sample_size_for_margin(estimate, margin)
        text = (
            f"{needed} graded items for ±{margin * 100:g} points at the specialist's {estimate:.1%} "
            f"(normal approximation); this run has {accuracy.total}."
        )
        if accuracy.total < needed:
            text += " Too few to claim that precision."
        claim = check_claim(accuracy, self.document.scenario.quality.quality_bar, "the specialist")
        if claim.supported is None:
            text += f"\n{claim.message}"
        self.needed_label.setText(text)

    def grade(self, row: int, grade: bool | None, side: str) -> None:
        """A human grade for one answer: rescored, summary recomputed, saved to the results file."""
        if self.running or row < 0 or row >= self.items_model.rowCount():
            return  # while a run goes on, its final results would overwrite the grade
        if side not in ("specialist", "frontier"):
            return
        position = self.items_model.position_of_row(row)
        result = self.items_model.result_at(row)
        if grade is None and self._summary_args.get("scorer") is not None:
            # Clearing a grade gives the automatic score back.
            scorer: ScorerSpec = self._summary_args["scorer"]
            old = result.specialist if side == "specialist" else result.frontier
            score = score_output(old.output, result.expected, scorer)
            updated = result.with_human_grade(side, score.correct)  # type: ignore[arg-type]
        else:
            updated = result.with_human_grade(side, grade)  # type: ignore[arg-type]
        self.items_model.replace(position, updated)
        if not self._summary_args.get("specialist_name"):
            return  # grading while a run is still going: the summary comes at the end
        summary = summarize_results(self.items_model.results, **self._summary_args)
        self._show_summary(summary)
        if self.results_path is not None and self.results_path.exists():
            save_grades(self.results_path, [updated], summary)

    # -- into the scenario ---------------------------------------------------------------------
    def push_into_scenario(self) -> bool:
        """Measured accuracies become the scenario's quality inputs (one undoable step)."""
        summary = self.summary
        if summary is None or summary.specialist.accuracy.estimate is None:
            return False
        scenario: Scenario = self.document.scenario
        quality = scenario.quality.model_dump()
        quality["specialist_accuracy"] = round(summary.specialist.accuracy.estimate, 4)
        if summary.frontier.accuracy.estimate is not None:
            quality["large_accuracy"] = round(summary.frontier.accuracy.estimate, 4)
        quality["eval_exists"] = True
        quality["measured_from"] = summary.measured_from
        self.document.set_scenario(scenario.with_changes(quality=quality), "Use spot-check accuracies")
        self.push_label.setText(f"Quality inputs now measured: {summary.measured_from}")
        return True

    # -- shutting down -------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel a run, wait for the worker, stop the model process (idempotent)."""
        if self._run_thread is not None:
            self._run_thread.cancel.set()
            self._run_thread.wait()
            self._finish_thread()
        with self._server_lock:
            if self._specialist is not None:
                self._specialist.close()
                self._specialist = None
            if self._server is not None:
                self._server.stop()
                self._server = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Leave no thread or process behind."""
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Watch the top-level window: a tab gets no close event when its window closes."""
        window = self.window()
        if window is not self and window is not self._watched_window:
            window.installEventFilter(self)
            self._watched_window = window
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Stop the run and the model process when the window closes (they restart on the next run)."""
        if watched is self._watched_window and event.type() == QEvent.Type.Close and event.isAccepted():
            self.shutdown()
        return super().eventFilter(watched, event)


def _errors(count: int) -> str:
    return f" · {count} errors" if count else ""


def _speed_and_cost(side: str, model: ModelSummary) -> str:
    estimated = " (tokens estimated)" if model.tokens_estimated and model.cost_per_item is not None else ""
    return (
        f"{side}: p50 {_seconds(model.latency_p50_s)}, p95 {_seconds(model.latency_p95_s)} · "
        f"{_money(model.cost_per_item)} per item, "
        f"{_money(model.cost_per_million_items)} per million{estimated}"
    )


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _money(value: float | None) -> str:
    if value is None:
        return "n/a"
    # sub-cent figures need their digits; anything a cent or more reads as dollars and cents
    return f"${value:,.6f}" if value < 0.01 else f"${value:,.2f}"


ItemFilterName = ItemFilter
__all__ = ["ItemFilterName", "ItemResult", "SpotcheckView", "bundled_sets"]
