"""The Playground view: one prompt, the specialist and a frontier API side by side.

The specialist is the one the settings name (Edit ▸ Specialist model…): the local GGUF chosen in the
model panel, or a specialist served at an OpenAI-compatible endpoint, streamed like the frontier.

Layout: a model panel (left) and a frontier panel (right) around the prompt box, two
streaming columns with their figures, and the session's history below. The model runs in a
child process (`LocalModelServer`); every slow call runs in a QThread worker and comes back
through signals, so the GUI thread only paints. The panels (`panels`), columns (`columns`),
history table (`history`) and workers (`workers`) live in their own modules; this view connects
them and owns the run in progress (`PendingRun`, typed, from `app.inference.playground`).
"""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.labels import check_labels
from app.inference.bundled_model import BUNDLED_MODEL_DISPLAY_NAME, bundled_model_path
from app.inference.gguf import GgufInfo, read_gguf_info
from app.inference.local_generator import LocalSpecialist, few_shot_request
from app.inference.local_server import LocalModelServer, gpu_offload_supported
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.playground import (
    PendingRun,
    RunSettings,
    SidePrices,
    SideRun,
    parse_examples,
)
from app.inference.session import (
    InferenceSession,
    ModelChoice,
    ServedEndpoint,
    default_session,
    model_display_name,
    served_model_name,
)
from app.inference.types import GenerationRequest, GenerationResult, PromptMode
from app.storage.settings import Settings
from app.ui.document import ScenarioDocument
from app.ui.playground.columns import AnswerColumn, figures_text
from app.ui.playground.history import HistoryPanel
from app.ui.playground.panels import FrontierPanel, ModelPanel
from app.ui.playground.workers import CallWorker, RunWorker, keep_alive
from app.ui.settings_store import SettingsStore, shared_settings_store

CRASH_POLL_MS = 500
SETTINGS_SAVE_DELAY_MS = 400  # one write after a burst of edits, not one per keystroke

# Re-exported: the panels, columns and helpers moved to their own modules.
__all__ = ["AnswerColumn", "FrontierPanel", "ModelPanel", "PlaygroundView", "figures_text", "parse_examples"]


def _section(saved: object, like: dict[str, object]) -> dict[str, object]:
    """The fields of a saved settings section that `like` names, to compare with what a panel shows."""
    return {name: getattr(saved, name) for name in like}


class PlaygroundView(QWidget):
    """The Playground tab: takes the scenario document so measurements can flow into it."""

    run_finished = Signal(object)  # PlaygroundRun

    def __init__(
        self,
        document: ScenarioDocument,
        parent: QWidget | None = None,
        session: InferenceSession | None = None,
        settings_store: SettingsStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        # The app's one settings store: this view saves its panels there and follows other views' changes.
        self.settings_store = settings_store if settings_store is not None else shared_settings_store()
        # The one owner of the model process, shared with the spot-check (and its frontier client).
        self.session = session if session is not None else default_session()
        self.keys = self.session.keys
        self.model_path: Path | None = None  # None = the bundled model
        self.model_info: GgufInfo | None = None
        self._workers: set[Any] = set()
        self._run_worker: RunWorker | None = None
        self._run_after_load = False
        # The run in progress (None between runs) and its local client, closed when it ends.
        self._pending: PendingRun | None = None
        self._run_local: LocalSpecialist | OpenAICompatibleGenerator | None = None
        self.setAcceptDrops(True)

        self.model_panel = ModelPanel()
        self.frontier_panel = FrontierPanel(self.session)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("One prompt for both models…")
        self.prompt.setMaximumHeight(110)
        self.run_button = QPushButton("Run both")
        self.run_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.local_column = AnswerColumn("Local specialist", with_restart=True)
        self.frontier_column = AnswerColumn("Frontier", with_restart=False)
        self.history_panel = HistoryPanel(document, self.frontier_panel.prices)
        self.message = QLabel("")
        self.message.setWordWrap(True)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.stop_button)
        run_row.addStretch(1)
        centre_layout.addWidget(self.prompt)
        centre_layout.addLayout(run_row)
        columns = QSplitter(Qt.Orientation.Horizontal)
        columns.addWidget(self.local_column)
        columns.addWidget(self.frontier_column)
        # Equal columns: the two answers are compared side by side, neither is the main one.
        columns.setStretchFactor(0, 1)
        columns.setStretchFactor(1, 1)
        columns.setSizes([1000, 1000])
        self.answer_columns = columns
        centre_layout.addWidget(columns, 3)
        centre_layout.addWidget(self.history_panel, 1)
        centre_layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.model_panel)
        splitter.addWidget(centre)
        splitter.addWidget(self.frontier_panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 800, 360])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.run_button.clicked.connect(self.run_both)
        self.stop_button.clicked.connect(self.stop)
        self.model_panel.open_button.clicked.connect(self._open_dialog)
        self.model_panel.bundled_button.clicked.connect(lambda: self.choose_model(None))
        self.model_panel.load_button.clicked.connect(lambda: self.load_model())
        self.local_column.restart_requested.connect(self.restart_model)
        self.history_panel.said.connect(self.message.setText)
        self._crash_timer = QTimer(self)
        self._crash_timer.setInterval(CRASH_POLL_MS)
        self._crash_timer.timeout.connect(self._check_crash)
        self._crash_timer.start()
        self.frontier_panel.endpoint_changed.connect(self._refresh_frontier_column)
        self.local_column.title.setText(f"<b>Local specialist</b> — {BUNDLED_MODEL_DISPLAY_NAME}")
        self._refresh_frontier_column()
        self._saved_mode: PromptMode | None = None  # None = follow the model's header
        # (file, mode) restored from the settings: applied when that file's header has been read.
        self._restoring_mode: tuple[Path, PromptMode] | None = None
        self._load_settings()
        self._watch_settings()
        self._show_specialist()
        self._start(CallWorker(gpu_offload_supported), self._gpu_known, lambda _m: None)
        application = QCoreApplication.instance()
        if application is not None:
            # The tab never gets a close event of its own: stop the model when the app quits.
            application.aboutToQuit.connect(self.shutdown)

    # -- workers ------------------------------------------------------------------------
    def _start(self, worker: Any, on_success: Any, on_failure: Any) -> None:
        keep_alive(worker)
        self._workers.add(worker)
        worker.succeeded.connect(on_success)
        worker.failed.connect(on_failure)
        worker.finished.connect(lambda: self._workers.discard(worker))
        worker.start()

    def _gpu_known(self, supported: object) -> None:
        self.model_panel.set_gpu_supported(bool(supported))

    def _refresh_frontier_column(self) -> None:
        """The frontier column names its model and, before any run, says why it would stay empty."""
        model = self.frontier_panel.model.text().strip()
        self.frontier_column.title.setText("<b>Frontier</b>" + (f" — {html.escape(model)}" if model else ""))
        self.frontier_column.set_empty_reason(self.frontier_panel.empty_reason())

    # -- settings -------------------------------------------------------------------------
    def _load_settings(self) -> None:
        """Bring the panels back as the user left them (the key is never among them)."""
        settings = self.settings_store.settings
        self.frontier_panel.restore(settings.frontier)
        local = settings.local_model
        self.model_panel.restore(local)
        self._saved_mode = local.prompt_mode
        if local.model_path and Path(local.model_path).is_file():
            if local.prompt_mode is not None:
                self._restoring_mode = (Path(local.model_path), local.prompt_mode)
            self.choose_model(Path(local.model_path))

    def _settings_changed(self, settings: Settings, fields: frozenset[str]) -> None:
        """Another view (or window) changed the endpoint or the model settings: show them here too."""
        if "frontier" in fields and self.frontier_panel.saved_fields() != _section(
            settings.frontier, self.frontier_panel.saved_fields()
        ):
            self.frontier_panel.restore(settings.frontier)
        if "local_model" in fields and self.model_panel.saved_fields() != _section(
            settings.local_model, self.model_panel.saved_fields()
        ):
            self.model_panel.restore(settings.local_model)
        if "specialist" in fields:
            self._show_specialist()

    # -- which specialist ---------------------------------------------------------------------
    @property
    def specialist_served(self) -> bool:
        """Whether the settings name a specialist served at an endpoint (else the local GGUF)."""
        return self.settings_store.settings.specialist.source == "endpoint"

    def served_endpoint(self) -> ServedEndpoint:
        """The served specialist the settings describe."""
        return ServedEndpoint.specialist_from_saved(self.settings_store.settings.specialist)

    def _show_specialist(self) -> None:
        """The specialist column names the specialist the settings name; the GGUF panel says when
        it is not the one asked."""
        if self.specialist_served:
            name = served_model_name(self.served_endpoint())
            self.local_column.title.setText(f"<b>Specialist (served)</b> — {html.escape(name)}")
            self.model_panel.state.setText(
                f"Not used: the specialist is served at {self.served_endpoint().host} "
                "(Edit ▸ Specialist model… switches back to this GGUF)."
            )
            return
        server = self.server
        info = server.info if server is not None and self.session.runs(self.model_choice()) else None
        name = model_display_name(self.model_path, info or self.model_info)
        self.local_column.title.setText(f"<b>Local specialist</b> — {html.escape(name)}")
        if self.model_panel.state.text().startswith("Not used"):
            self.model_panel.state.setText("Not loaded: loads on the first Run both, or with Load model.")

    def _watch_settings(self) -> None:
        """Any edit in either panel schedules one settings write (debounced)."""
        self._settings_timer = QTimer(self)
        self._settings_timer.setSingleShot(True)
        self._settings_timer.setInterval(SETTINGS_SAVE_DELAY_MS)
        self._settings_timer.timeout.connect(self._save_settings)
        self.model_panel.edited.connect(self._settings_timer.start)
        self.frontier_panel.edited.connect(self._settings_timer.start)
        self.model_panel.mode.currentIndexChanged.connect(self._mode_chosen)
        self.settings_store.changed.connect(self._settings_changed)

    def _mode_chosen(self) -> None:
        self._saved_mode = "chat" if self.model_panel.mode.currentData() == "chat" else "completion"
        self._settings_timer.start()

    def _save_settings(self) -> None:
        """Endpoint, model and local settings persist; the key never does."""
        try:
            # Only the playground's own fields, saved on top of the file as it is now.
            self.settings_store.update(
                frontier=self.frontier_panel.saved_fields(),
                local_model={
                    "model_path": str(self.model_path) if self.model_path else None,
                    "prompt_mode": self._saved_mode,
                    **self.model_panel.saved_fields(),
                },
            )
        except Exception as exc:
            self.message.setText(f"Settings not saved: {exc}")

    # -- model choice and loading ---------------------------------------------------------
    def choose_gguf_file(self) -> Path | None:
        """Ask for a GGUF file (tests replace this)."""
        name, _ = QFileDialog.getOpenFileName(
            self, "Open a GGUF model", "", "GGUF models (*.gguf);;All files (*)"
        )
        return Path(name) if name else None

    def _open_dialog(self) -> None:
        path = self.choose_gguf_file()
        if path is not None:
            self.choose_model(path)

    def choose_model(self, path: Path | None) -> None:
        """Select a model (None = bundled) and show its header; loading waits for 'Load model' or a run."""
        self.model_path = path
        self.model_info = None
        self.model_panel.model_label.setText(str(path) if path else BUNDLED_MODEL_DISPLAY_NAME)
        # The column names the chosen model before it loads (its header name replaces this on load).
        chosen = html.escape(path.name) if path else BUNDLED_MODEL_DISPLAY_NAME
        self.local_column.title.setText(f"<b>Local specialist</b> — {chosen}")
        self.model_panel.header.setText("Reading the header…")
        if path is None:
            return self._header_read_bundled()
        self._start(CallWorker(lambda: read_gguf_info(path)), self._header_read, self._header_failed)

    def _header_read_bundled(self) -> None:
        # The bundled model's own header, read like any other file's (assembled into the cache
        # first when this is its first use, in the worker).
        self.model_panel.header.setText("Reading the bundled model's header…")
        self._start(
            CallWorker(lambda: read_gguf_info(bundled_model_path())), self._bundled_read, self._header_failed
        )

    def _bundled_read(self, info: object) -> None:
        assert isinstance(info, GgufInfo)
        if self.model_path is None:  # still the bundled model (no file picked meanwhile)
            # The header only: the prompt mode stays the user's (the base model's header would
            # always say completion).
            self._show_header(info)

    def _show_header(self, info: GgufInfo) -> None:
        self.model_info = info
        self.model_panel.header.setStyleSheet("")  # a readable header: no longer the last file's error red
        self.model_panel.header.setText("\n".join(info.summary_lines()))

    def _header_read(self, info: object) -> None:
        assert isinstance(info, GgufInfo)
        if self.model_path != info.path:
            return  # the user picked another file meanwhile
        self._show_header(info)
        restoring, self._restoring_mode = self._restoring_mode, None
        if restoring is not None and restoring[0] == info.path:
            # Coming back from the settings: the mode the user chose last time wins over the header.
            mode: str = restoring[1]
        else:
            mode = "chat" if info.has_chat_template else "completion"
        self.model_panel.mode.setCurrentIndex(self.model_panel.mode.findData(mode))

    def _header_failed(self, message: str) -> None:
        self.model_panel.header.setText(message)
        self.model_panel.header.setStyleSheet("color: #c0392b;")
        self.model_info = None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.model_panel.header.setStyleSheet("")
            self.choose_model(Path(urls[0].toLocalFile()))
            event.acceptProposedAction()

    @property
    def server(self) -> LocalModelServer | None:
        """The session's model process (running or crashed), or None before any load."""
        return self.session.server

    def model_choice(self) -> ModelChoice:
        """The model file and llama.cpp settings chosen in the panel now."""
        return ModelChoice(self.model_path, self.model_panel.settings())

    def load_model(self, then_run: bool = False) -> None:
        """Have the session run the chosen model (started, or restarted with new settings) in a worker."""
        self._run_after_load = then_run
        session, choice = self.session, self.model_choice()
        self.model_panel.state.setText("Loading…")
        self.model_panel.load_button.setEnabled(False)
        self.local_column.restart_button.setVisible(False)
        self._start(CallWorker(lambda: session.ensure(choice)), self._loaded, self._load_failed)

    def restart_model(self) -> None:
        self.local_column.set_status("Restarting the model process…")
        self.load_model()

    def _loaded(self, server: object) -> None:
        assert isinstance(server, LocalModelServer)
        self.model_panel.set_gpu_supported(server.gpu_offload)  # what the running child reported
        name = model_display_name(self.model_path, server.info)
        self.local_column.title.setText(f"<b>Local specialist</b> — {html.escape(name)}")
        self.model_panel.state.setText(f"Loaded: {name} (pid {server.pid})")
        self.model_panel.load_button.setEnabled(True)
        self.local_column.set_status("")
        if self._run_after_load:
            self._run_after_load = False
            self._launch_run()

    def _load_failed(self, message: str) -> None:
        self.model_panel.state.setText(f"Not loaded: {message}")
        self.model_panel.load_button.setEnabled(True)
        self.local_column.set_status(message, problem=True)
        if self._run_after_load:
            self._run_after_load = False
            self._launch_run(local_failure=message)

    def _check_crash(self) -> None:
        """Say so as soon as the model process is gone, whoever ended it and whatever else showed it."""
        reason = self.session.crash_reason()
        if reason:
            if not self.local_column.restart_button.isVisible():
                self.local_column.set_status(reason, problem=True)
                self.local_column.restart_button.setVisible(True)
            # A run that failed on the crash showed the restart button already; the model line
            # must still stop saying "Loaded (pid N)" for a process that no longer exists.
            if self.model_panel.state.text() != reason:
                self.model_panel.state.setText(reason)
            return
        server = self.server
        state = self.model_panel.state.text()
        if state.startswith("Loaded") and (server is None or not server.is_running()):
            # Stopped on purpose elsewhere (not a crash), yet this line still named the process.
            self.model_panel.state.setText("Not loaded: the model process has stopped (Load starts it again)")

    # -- running ----------------------------------------------------------------------------
    def run_both(self) -> None:
        """'Run both': load the model first if needed, then stream both sides."""
        if self._run_worker is not None:
            return
        if not self.prompt.toPlainText().strip():
            self.message.setText("Type a prompt first.")
            return
        labels = self.model_panel.label_list()
        if labels:
            try:
                check_labels(labels)
            except ValueError as exc:
                # Said here, before a grammar built from it could reach the model process.
                self.message.setText(f"Labels: {exc}.")
                return
        self._save_settings()
        self.local_column.clear()
        self.frontier_column.clear()
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        if self.specialist_served:
            self._launch_run()  # nothing to load: the endpoint serves it
            return
        if not self.session.runs(self.model_choice()):
            # Nothing loaded, a crashed process, or another file / settings chosen since the last load.
            self.local_column.set_status("Loading the model…")
            self.load_model(then_run=True)
            return
        self._launch_run()

    def _launch_run(self, local_failure: str | None = None) -> None:
        panel = self.model_panel
        prompt = self.prompt.toPlainText()
        mode: PromptMode = "chat" if panel.mode.currentData() == "chat" else "completion"
        base = GenerationRequest(
            prompt=prompt,
            mode=mode,
            max_tokens=panel.max_tokens.value(),
            temperature=panel.temperature.value(),
            labels=panel.label_list(),
        )
        local: LocalSpecialist | OpenAICompatibleGenerator | None = None
        local_request = base
        # The file's name when it never loaded (the column title is rich text, not a name).
        local_name = self.model_path.name if self.model_path else BUNDLED_MODEL_DISPLAY_NAME
        local_empty = local_failure or "the local model is not loaded"
        examples = parse_examples(panel.examples.toPlainText())
        server = self.server
        if self.specialist_served:
            endpoint = self.served_endpoint()
            local_name = served_model_name(endpoint)
            local_empty = self.session.endpoint_empty_reason(endpoint) or ""
            if not local_empty:
                local = self.session.client(endpoint)
                # The same few-shot prompt the local model would get, built here for the endpoint.
                local_request = few_shot_request(base, examples)
                self.local_column.set_status("Waiting for the first token…", live=True)
        elif server is not None and local_failure is None:
            local_name = model_display_name(self.model_path, server.info)
            local = LocalSpecialist(server, examples=examples, display_name=local_name)
            self.local_column.set_status("Streaming…", live=True)
        frontier, frontier_empty = self.frontier_panel.generator()
        if frontier is None:
            self.frontier_column.set_status(frontier_empty or "", problem=False)
        else:
            self.frontier_column.set_status("Waiting for the first token…", live=True)
        scenario_small = self.document.scenario.small
        self._pending = PendingRun(
            prompt=prompt,
            local=SideRun(
                name=local_name,
                empty_reason=local_empty,
                prices=SidePrices(
                    scenario_small.input_price_per_mtok, scenario_small.output_price_per_mtok, "scenario"
                ),
            ),
            frontier=SideRun(
                name=frontier.display_name if frontier else self.frontier_panel.model.text(),
                empty_reason=frontier_empty,
                prices=self.frontier_panel.prices(),
            ),
            settings=RunSettings(
                mode=mode,
                max_tokens=base.max_tokens,
                temperature=base.temperature,
                labels=tuple(base.labels or ()),
                context_size=panel.context.value(),
                threads=panel.threads.value(),
                gpu_layers=panel.gpu_layers.value(),
            ),
            local_failed=local_failure is not None,
        )
        self._run_local = local
        worker = RunWorker(local, local_request, frontier, dataclasses.replace(base, mode="chat"))
        keep_alive(worker)
        worker.token.connect(self._token)
        worker.retry.connect(self._retry)
        worker.side_done.connect(self._side_done)
        worker.done.connect(self._done)
        self._run_worker = worker
        worker.start()

    def _token(self, side: str, text: str) -> None:
        column = self.local_column if side == "local" else self.frontier_column
        if column.live:  # a final status (an error, "Stopped.") is never overwritten by a late token
            column.set_status("Streaming…", live=True)
        column.append(text)

    def _side_done(self, side: str, result: object) -> None:
        """One side finished: its column shows its figures and final status now, not when the
        slower side ends (the local answer no longer reads "Streaming…" for the frontier's 25 s)."""
        pending = self._pending
        if pending is None or not isinstance(result, GenerationResult):
            return
        if side == "local":
            self._finish_side(self.local_column, pending.local.answered(result))
        else:
            self._finish_side(self.frontier_column, pending.frontier.answered(result))

    def _retry(self, side: str, seconds_left: float, reason: str) -> None:
        column = self.local_column if side == "local" else self.frontier_column
        column.set_status(f"Retrying in {seconds_left:.0f} s — {reason}", live=True)

    def _finish_side(self, column: AnswerColumn, side: SideRun, failed: bool = False) -> None:
        """Final figures and status; after a crash of the model process, its Restart button."""
        column.show_finished(side, failed)
        errored = side.result is not None and bool(side.result.error)
        if errored and column is self.local_column and self.session.crash_reason():
            self.local_column.restart_button.setVisible(True)

    def _done(self, local_result: object, frontier_result: object) -> None:
        pending = self._pending
        worker = self._run_worker
        self._run_worker = None
        self._pending = None
        if worker is not None:
            worker.wait()
        if self._run_local is not None:
            self._run_local.close()
            self._run_local = None
        assert pending is not None  # `_done` only follows `_launch_run`
        run = pending.finish(
            local_result if isinstance(local_result, GenerationResult) else None,
            frontier_result if isinstance(frontier_result, GenerationResult) else None,
        )
        self._finish_side(self.local_column, run.local, failed=pending.local_failed)
        self._finish_side(self.frontier_column, run.frontier)
        if run.local.result is not None or run.frontier.result is not None:
            self.history_panel.add_run(run)
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.run_finished.emit(run)

    def stop(self) -> None:
        """Cancel both sides; the worker returns within ~50 ms and `_done` tidies up."""
        if self._run_worker is not None:
            self._run_worker.cancel.set()
        self._run_after_load = False
        self.stop_button.setEnabled(False)

    # -- lifetime -------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the run, wait for workers and stop the model process (window closing, tests)."""
        self._crash_timer.stop()
        if self._settings_timer.isActive():
            self._settings_timer.stop()
            self._save_settings()
        if self._run_worker is not None:
            self._run_worker.cancel.set()
            self._run_worker.wait(5000)
        for worker in list(self._workers):
            worker.wait(15000)
        self.session.stop()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)
