"""The Distillation tab: load inputs, let the teacher label them, review by keyboard, read the
teacher's error rate, export the training set, and carry the measured costs into the scenario.

The labelled file (`<inputs>.labelled.jsonl` beside the inputs, or one opened directly) is the
single record of the work: labelling checkpoints into it, every review decision saves it (atomic
writes), and opening it again resumes both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.distill import (
    DEFAULT_MARGIN,
    LabelledItem,
    TeacherErrorReport,
    build_review_queue,
    distillation_costs,
    queue_order,
    task_labels,
    teacher_error_report,
)
from app.domain.distill_evidence import distillation_review
from app.domain.distill_export import EXPORT_FORMATS, SplitPlan, prepare_split, readme_text
from app.domain.evaluation import PromptTemplate, ScorerSpec, TestSet
from app.domain.evidence import MeasurementReview
from app.domain.evidence import apply_review as apply_measurement_review
from app.inference.distill import LabelConfig
from app.inference.endpoints import preset_for_url
from app.inference.session import InferenceSession, ModelChoice, ServedEndpoint, default_session
from app.inference.types import TextGenerator
from app.storage.distill_files import (
    DistillFileError,
    labelled_header,
    load_inputs,
    read_labelled,
    write_export,
    write_labelled,
)
from app.storage.settings import Settings, load_settings
from app.storage.testsets import TestSetError, default_prompt_for
from app.ui.distill.panels import CostsPanel, ExportPanel, ReadoutPanel
from app.ui.distill.review import ReviewPanel
from app.ui.distill.worker import LabelThread
from app.ui.document import ScenarioDocument
from app.ui.lifetime import StopsWithWindow
from app.ui.playground.workers import keep_alive
from app.ui.review_dialog import MeasurementReviewDialog

INPUT_FILTER = "Inputs (*.jsonl *.csv *.ndjson);;All files (*)"
LABELLED_FILTER = "Labelled files (*.jsonl);;All files (*)"
REVIEW_SEED = 0  # the same as `distill label`'s, so both draw the same review sample


class DistillPrompter:
    """The questions this tab asks; tests answer them by subclassing."""

    def open_path(self, parent: QWidget, title: str, file_filter: str) -> Path | None:
        """A file to open, or None."""
        path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
        return Path(path) if path else None

    def folder(self, parent: QWidget, title: str) -> Path | None:
        """A folder to write into, or None."""
        path = QFileDialog.getExistingDirectory(parent, title)
        return Path(path) if path else None

    def confirm(self, parent: QWidget, title: str, text: str) -> bool:
        """Yes/no before changing something of the user's."""
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes


class DistillView(QWidget):
    """Teacher labelling, human review and export, wired to the scenario document."""

    def __init__(
        self,
        document: ScenarioDocument,
        parent: QWidget | None = None,
        prompter: DistillPrompter | None = None,
        session: InferenceSession | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.prompter = prompter or DistillPrompter()
        self.session = session if session is not None else default_session()
        self.settings = settings if settings is not None else load_settings()
        self._used_local = False
        self.inputs: TestSet | None = None
        self.template = PromptTemplate()
        self.labelled_path: Path | None = None
        self.header: dict[str, Any] = {}
        self.report: TeacherErrorReport | None = None
        self._thread: LabelThread | None = None
        # Stops the run (and a local model) when this view or the window around it closes.
        self._stops_with_window = StopsWithWindow(self, self.shutdown)
        self.review_dialog: MeasurementReviewDialog | None = None

        # -- set-up ----------------------------------------------------------------------------
        self.load_button = QPushButton("Load inputs…")
        self.load_button.setToolTip(
            "Unlabelled inputs: .jsonl/.csv with an 'input' field, or playground history"
        )
        self.open_button = QPushButton("Open labelled file…")
        self.source_label = QLabel("No inputs loaded.")
        self.source_label.setWordWrap(True)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://api.openai.com/v1 or any OpenAI-compatible URL")
        self.url_edit.setAccessibleName("Teacher endpoint URL")
        self.model_edit = QLineEdit()
        self.model_edit.setPlaceholderText("model name")
        self.model_edit.setAccessibleName("Teacher model")
        self.key_env_edit = QLineEdit()
        self.key_env_edit.setPlaceholderText("variable holding the key (default: the endpoint's usual one)")
        self.labels_edit = QLineEdit()
        self.labels_edit.setPlaceholderText("labels, comma-separated (default: the inputs' prompt template)")
        self.local_check = QCheckBox("Ask the local specialist too (its disagreements go to review)")
        self.local_check.setToolTip(
            "Runs the playground's local model (the bundled Gemma unless you chose another)"
        )
        self.confidence_check = QCheckBox("Ask for the teacher's confidence (unsure answers go to review)")
        self.confidence_check.setToolTip(
            "Requests token log-probabilities; some endpoints refuse them, then leave this off"
        )
        self.url_edit.setText(self.settings.frontier.base_url)
        self.model_edit.setText(self.settings.frontier.model)
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, 64)
        self.concurrency_spin.setValue(4)
        self.label_button = QPushButton("Label with the teacher")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Labelling progress")
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Distillation status")

        setup = QGroupBox("1 · Teacher labelling")
        # Two fields a row: the review table below needs the height more than the set-up does.
        form = QGridLayout()
        for row, pairs in enumerate(
            (
                (("Endpoint", self.url_edit), ("Model", self.model_edit)),
                (("Key variable", self.key_env_edit), ("Labels", self.labels_edit)),
                (("Requests in flight", self.concurrency_spin), ("", self.local_check)),
                (("", self.confidence_check), ("", QWidget())),
            )
        ):
            for column, (title, widget) in enumerate(pairs):
                form.addWidget(QLabel(title), row, column * 2)
                form.addWidget(widget, row, column * 2 + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        files_row = QHBoxLayout()
        files_row.addWidget(self.load_button)
        files_row.addWidget(self.open_button)
        files_row.addWidget(self.source_label, 1)
        run_row = QHBoxLayout()
        run_row.addWidget(self.label_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        setup_layout = QVBoxLayout(setup)
        setup_layout.addLayout(files_row)
        setup_layout.addLayout(form)
        setup_layout.addLayout(run_row)
        setup_layout.addWidget(self.status_label)

        # -- review ----------------------------------------------------------------------------
        self.review = ReviewPanel()
        review_box = QGroupBox("2 · Review (random sample + every flagged item)")
        self.margin_spin = QDoubleSpinBox()
        self.margin_spin.setRange(1.0, 20.0)
        self.margin_spin.setDecimals(1)
        self.margin_spin.setSingleStep(1.0)
        self.margin_spin.setValue(DEFAULT_MARGIN * 100)
        self.margin_spin.setSuffix(" points")
        self.margin_spin.setAccessibleName("Margin the random sample is sized for")
        self.sample_label = QLabel("")
        margin_row = QHBoxLayout()
        margin_row.addWidget(QLabel("Sample sized to know the error rate within ±"))
        margin_row.addWidget(self.margin_spin)
        margin_row.addWidget(self.sample_label, 1)
        review_layout = QVBoxLayout(review_box)
        review_layout.addLayout(margin_row)
        review_layout.addWidget(self.review)

        # -- readout, costs, export ----------------------------------------------------------
        self.readout = ReadoutPanel()
        self.costs = CostsPanel()
        self.export = ExportPanel()
        # The widgets tests and callers reach for, under their old names.
        self.accuracy_label = self.readout.accuracy_label
        self.warning_label = self.readout.warning_label
        self.rate_spin = self.costs.rate_spin
        self.use_button = self.costs.use_button
        self.format_combo = self.export.format_combo
        self.split_spin = self.export.split_spin
        self.test_spin = self.export.test_spin
        self.export_button = self.export.export_button
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.readout, 1)
        side_layout.addWidget(self.costs)
        side_layout.addWidget(self.export)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(review_box)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(setup)
        layout.addWidget(splitter, 1)

        self.load_button.clicked.connect(self._choose_inputs)
        self.open_button.clicked.connect(self._choose_labelled)
        self.label_button.clicked.connect(self.start_labelling)
        self.cancel_button.clicked.connect(self.cancel_labelling)
        self.use_button.clicked.connect(self.use_in_scenario)
        self.export_button.clicked.connect(self._choose_export_folder)
        self.review.decided.connect(self._on_decided)
        self.margin_spin.valueChanged.connect(self._on_margin)
        self.review.message.connect(self.status_label.setText)
        self.rate_spin.valueChanged.connect(lambda _value: self._refresh_readout())
        document.changed.connect(lambda _scenario: self._refresh_readout())
        self._refresh_buttons()

    # -- files -----------------------------------------------------------------------------
    def _choose_inputs(self) -> None:
        path = self.prompter.open_path(self, "Load unlabelled inputs", INPUT_FILTER)
        if path is not None:
            self.load_inputs(path)

    def _choose_labelled(self) -> None:
        path = self.prompter.open_path(self, "Open a labelled file", LABELLED_FILTER)
        if path is not None:
            self.open_labelled(path)

    def load_inputs(self, path: Path) -> bool:
        """Load inputs; an earlier labelled file beside them is opened to resume."""
        try:
            inputs = load_inputs(path)
            template = default_prompt_for(path) or PromptTemplate()
        except (DistillFileError, TestSetError) as exc:
            self.status_label.setText(str(exc))
            return False
        self.inputs = inputs
        self.template = template
        self.labelled_path = path.with_name(f"{path.stem}.labelled.jsonl")
        labels = ", ".join(template.labels)
        self.source_label.setText(
            f"{path.name}: {len(inputs.items)} inputs · task: {template.task or 'free text'}"
            + (f" · labels: {labels}" if labels else "")
            + f" · labels go to {self.labelled_path.name}"
        )
        self.status_label.setText("")
        if self.labelled_path.exists():
            self.open_labelled(self.labelled_path, quiet=True)
        self._refresh_buttons()
        return True

    def open_labelled(self, path: Path, quiet: bool = False) -> bool:
        """Open a labelled file and its review queue (built now if it has none)."""
        try:
            labelled = read_labelled(path)
        except DistillFileError as exc:
            self.status_label.setText(str(exc))
            return False
        self.labelled_path = path
        self.header = labelled.header
        self.template = labelled.template
        self._show_queue(labelled.items)
        if not quiet:
            self.source_label.setText(f"{path.name}: {len(labelled.items)} labelled items")
        self._refresh_buttons()
        return True

    def _show_queue(self, items: list[LabelledItem]) -> None:
        scorer = self.template.scorer
        margin = self.margin_spin.value() / 100
        queued = build_review_queue(items, scorer, margin=margin, seed=REVIEW_SEED)
        unflagged = sum(1 for item in queued if item.labelled and item.queue in (None, "sample"))
        sampled = sum(1 for item in queued if item.queue == "sample")
        self.sample_label.setText(f"(95 %, Cochran): {sampled} of {unflagged} unflagged items")
        if queued != items and self.labelled_path is not None:
            self._save(queued)
        self.review.set_queue(queued, queue_order(queued, REVIEW_SEED), task_labels(self.template, scorer))
        self._refresh_readout()

    def _on_margin(self, _value: float) -> None:
        """A new margin resizes the sample; reviewed items keep their place and their decision."""
        if self.review.items and self._thread is None:
            self._show_queue(self.review.items)

    def _save(self, items: list[LabelledItem]) -> None:
        if self.labelled_path is None:
            return
        try:
            write_labelled(self.labelled_path, self.header, items)
        except DistillFileError as exc:
            self.status_label.setText(f"Not saved: {exc}")

    # -- labelling -------------------------------------------------------------------------
    def _template_for_run(self) -> PromptTemplate:
        text = self.labels_edit.text().strip()
        if not text:
            return self.template
        labels = tuple(dict.fromkeys(label.strip() for label in text.split(",") if label.strip()))
        return self.template.model_copy(
            update={"labels": labels, "scorer": ScorerSpec(kind="one_of", labels=labels)}
        )

    def _teacher(self) -> Any:
        url = self.url_edit.text().strip()
        endpoint = ServedEndpoint(url, self.model_edit.text().strip(), preset_for_url(url))
        client = self.session.client(endpoint.with_key_env(self.key_env_edit.text().strip() or None))
        client.stream = False  # whole answers carry token usage where streams may not
        return client

    def _local_specialist(self) -> Callable[[], TextGenerator] | None:
        if not self.local_check.isChecked():
            return None
        self._used_local = True
        session = self.session
        choice = ModelChoice.from_saved(self.settings.local_model)
        # Called on the worker thread: starting the model process takes seconds.
        return lambda: session.local_specialist(choice)

    def start_labelling(self) -> bool:
        """Ask the teacher about every input not yet labelled, in a worker thread."""
        if self._thread is not None:
            return False
        if self.inputs is None or self.labelled_path is None:
            self.status_label.setText("Load the inputs first (Load inputs…).")
            return False
        if not self.url_edit.text().strip() or not self.model_edit.text().strip():
            self.status_label.setText("Give the teacher's endpoint URL and model name.")
            return False
        template = self._template_for_run()
        done: dict[str, LabelledItem] = {}
        if self.labelled_path.exists():
            try:
                existing = read_labelled(self.labelled_path)
            except DistillFileError as exc:
                self.status_label.setText(str(exc))
                return False
            if existing.header.get("source_fingerprint") == self.inputs.fingerprint and existing.header.get(
                "prompt"
            ) == template.model_dump(mode="json"):
                done = {item.item_id: item for item in existing.items}
            elif not self.prompter.confirm(
                self,
                "Start over?",
                f"{self.labelled_path.name} holds labels for other inputs or another prompt. Replace it?",
            ):
                return False
        large = self.document.scenario.large
        config = LabelConfig(
            prompt=template,
            concurrency=self.concurrency_spin.value(),
            input_price_per_mtok=large.input_price_per_mtok,
            output_price_per_mtok=large.output_price_per_mtok,
            ask_confidence=self.confidence_check.isChecked(),
        )
        self.template = template
        self.header = labelled_header(
            self.inputs,
            template,
            self.model_edit.text().strip(),
            {
                "endpoint": self.url_edit.text().strip(),
                "prices": {
                    "input_per_mtok": large.input_price_per_mtok,
                    "output_per_mtok": large.output_price_per_mtok,
                },
            },
        )
        thread = LabelThread(
            self.inputs,
            self._teacher(),
            config,
            self.labelled_path,
            self.header,
            done,
            self._local_specialist(),
        )
        thread.status.connect(self.status_label.setText)
        thread.progressed.connect(self._on_progress)
        thread.succeeded.connect(self._on_labelled)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        keep_alive(thread)
        self._thread = thread
        self.progress.setRange(0, len(self.inputs.items))
        self.progress.setValue(len(done))
        self.status_label.setText("Labelling…")
        thread.start()
        self._refresh_buttons()
        return True

    def cancel_labelling(self) -> None:
        """Stop after the requests in flight; what finished is saved and resumes next time."""
        if self._thread is not None:
            self._thread.cancel.set()
            self.status_label.setText("Stopping after the requests in flight…")

    def _on_progress(self, progress: Any) -> None:
        self.progress.setValue(progress.done)
        failed = f" · {progress.errors} failed" if progress.errors else ""
        note = f" · {progress.note}" if progress.note else ""
        self.status_label.setText(
            f"Labelling: {progress.done} of {progress.total}{failed} · "
            f"teacher cost ${progress.cost_usd:.6f}{note}"
        )

    def _on_labelled(self, outcome: Any) -> None:
        failed = f"; {outcome.errors} failed (Label again to retry them)" if outcome.errors else ""
        stopped = "Stopped" if outcome.cancelled else "Done"
        self.status_label.setText(
            f"{stopped}: {sum(1 for item in outcome.items if item.labelled)} labelled{failed}. "
            "Review the queue below by keyboard."
        )
        self._show_queue(list(outcome.items))

    def _on_failed(self, message: str) -> None:
        self.status_label.setText(f"Labelling failed: {message}")

    def _on_thread_finished(self) -> None:
        self._thread = None
        self._refresh_buttons()

    @property
    def running(self) -> bool:
        """True while the teacher is labelling."""
        return self._thread is not None

    def _refresh_buttons(self) -> None:
        running = self._thread is not None
        self.label_button.setEnabled(not running and self.inputs is not None)
        self.cancel_button.setEnabled(running)
        self.load_button.setEnabled(not running)
        self.open_button.setEnabled(not running)
        has_items = bool(self.review.items)
        self.use_button.setEnabled(has_items and not running)
        self.export_button.setEnabled(has_items and not running)

    # -- review and readout ------------------------------------------------------------------
    def _on_decided(self, _index: int) -> None:
        self._save(self.review.items)
        self._refresh_readout()

    def _refresh_readout(self) -> None:
        items = self.review.items
        if not items:
            return
        bar = self.document.scenario.quality.quality_bar
        report = teacher_error_report(items, bar)
        self.report = report
        self.readout.show_report(report)
        self.costs.show_costs(distillation_costs(items, self.rate_spin.value()))
        self._refresh_buttons()

    # -- into the scenario ---------------------------------------------------------------------
    def use_in_scenario(self) -> MeasurementReviewDialog | None:
        """Open the measurement review: each distillation field before → after with the sample behind
        it; the ticked fields are applied as one undo step and keep their provenance (`evidence`)."""
        items = self.review.items
        if not items:
            return None
        costs = distillation_costs(items, self.rate_spin.value())
        report = teacher_error_report(items, self.document.scenario.quality.quality_bar)
        created = str(self.header.get("created", ""))[:10] or date.today().isoformat()
        teacher = str(self.header.get("teacher", ""))
        source = (
            f"distillation {self.header.get('source', '')} · teacher {teacher} · "
            f"{costs.labelled} labelled, {costs.reviewed} reviewed · {created}"
        )
        review = distillation_review(
            self.document.scenario, costs, report, source=source, teacher=teacher, measured_at=created
        )
        dialog = MeasurementReviewDialog(review, self)
        dialog.applied.connect(lambda paths: self._apply_measurements(review, paths, source))
        self.review_dialog = dialog
        dialog.open()
        return dialog

    def _apply_measurements(self, review: MeasurementReview, paths: list[str], source: str) -> None:
        if not paths:
            return
        scenario = apply_measurement_review(self.document.scenario, review, paths)
        self.document.set_scenario(scenario, review.undo_label)
        self.status_label.setText(f"Scenario's distillation inputs now measured: {source}")

    # -- export ----------------------------------------------------------------------------
    def _choose_export_folder(self) -> None:
        folder = self.prompter.folder(self, "Export the training set into")
        if folder is not None:
            self.export_to(folder)

    def export_to(self, folder: Path) -> bool:
        """Write train/validation/test and README.txt into `folder`."""
        items = self.review.items
        split = prepare_split(items, SplitPlan(self.split_spin.value(), self.test_spin.value()))
        if not split.train:
            self.status_label.setText("Nothing to export yet: no item has a usable answer.")
            return False
        export_format = EXPORT_FORMATS[self.format_combo.currentIndex()]
        system = self.template.frontier.system
        readme = readme_text(
            split,
            export_format=export_format,
            source=str(self.header.get("source", "")),
            teacher=str(self.header.get("teacher", "")),
            created=date.today().isoformat(),
            seed=13,
            train_share=self.split_spin.value(),
            test_share=self.test_spin.value(),
            system=system,
        )
        try:
            write_export(folder, split, export_format, system, readme, self.template)
        except DistillFileError as exc:
            self.status_label.setText(f"Export failed: {exc}")
            return False
        self.status_label.setText(
            f"Exported {len(split.train)} train, {len(split.validation)} validation and "
            f"{len(split.test)} test "
            f"examples ({export_format}) to {folder}"
        )
        return True

    # -- shutting down -------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop a labelling run and wait for its thread (idempotent)."""
        if self._thread is not None:
            self._thread.cancel.set()
            self._thread.wait()
            self._thread = None
        if self._used_local:
            self.session.stop()
            self._used_local = False
