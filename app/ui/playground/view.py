"""The Playground view: one prompt, the local GGUF specialist and a frontier API side by side.

Layout: a model panel (left) and a frontier panel (right) around the prompt box, two
streaming columns with their figures, and the session's history below. The model runs in a
child process (`LocalModelServer`); every slow call runs in a QThread worker and comes back
through signals, so the GUI thread only paints.
"""

from __future__ import annotations

import dataclasses
import html
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.inference.bundled_model import BUNDLED_MODEL_DISPLAY_NAME, bundled_model_path
from app.inference.endpoints import ENDPOINT_PRESETS, EndpointPreset, preset_by_name
from app.inference.gguf import GgufInfo, read_gguf_info
from app.inference.keys import KeyStore, default_key_store, keyring_usable
from app.inference.local_generator import LocalSpecialist
from app.inference.local_server import (
    LocalModelServer,
    LocalModelSettings,
    describe_gpu_offload,
    gpu_offload_supported,
)
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.playground import PlaygroundRun, Prices, SideRun, apply_measurements, export_jsonl
from app.inference.pricing import format_cost
from app.inference.types import GenerationRequest, GenerationResult, PromptMode
from app.ui.document import ScenarioDocument
from app.ui.playground.workers import CallWorker, RunWorker, keep_alive

CRASH_POLL_MS = 500
SETTINGS_SAVE_DELAY_MS = 400  # one write after a burst of edits, not one per keystroke


def parse_examples(text: str) -> list[tuple[str, str]]:
    """Few-shot examples typed one per line as `input => output`; other lines are ignored."""
    examples = []
    for line in text.splitlines():
        if "=>" in line:
            given, expected = line.split("=>", 1)
            if given.strip() and expected.strip():
                examples.append((given.strip(), expected.strip()))
    return examples


def _no_cost(result: GenerationResult) -> str:
    # A refused request is not billed; otherwise there was no price to multiply by.
    return "not billed" if result.error and not result.output_tokens else "no price"


def figures_text(side: SideRun) -> str:
    """'TTFT 80 ms · 52.1 tok/s · 1.20 s · in 12 / out 40 · $0.0001' for a column."""
    result = side.result
    if result is None:
        return ""
    counted = " (counted)" if result.tokens_counted else ""
    tokens = (
        f"tokens in {result.input_tokens if result.input_tokens is not None else '–'} / "
        f"out {result.output_tokens if result.output_tokens is not None else '–'}{counted}"
    )
    cost = side.cost_usd
    cost_text = f"cost {format_cost(cost)}" if cost is not None else _no_cost(result)
    latency = f"latency {result.total_s:.2f} s"
    if result.time_to_first_token_s is None:
        # Nothing streamed (an error, or an empty answer): no first token and no speed to show.
        return f"no tokens streamed · {latency} · {tokens} · {cost_text}"
    ttft = f"TTFT {result.time_to_first_token_s * 1000:.0f} ms"
    per_second = result.tokens_per_second
    # Whole numbers from 100 up: a decimal on "13632.8 tok/s" is noise.
    speed = f"{per_second:.{0 if per_second >= 100 else 1}f} tok/s" if per_second else "– tok/s"
    return f"{ttft} · {speed} · {latency} · {tokens} · {cost_text}"


class AnswerColumn(QWidget):
    """One streaming column: title, live text, figures, status line (and Restart for the local side)."""

    restart_requested = Signal()

    def __init__(self, title: str, with_restart: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.title = QLabel(f"<b>{title}</b>")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlaceholderText("The answer streams here.")
        self.figures = QLabel("")
        # Wrapped: one long unwrapped line would force the column, and the window, wider.
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.restart_button = QPushButton("Restart model")
        self.restart_button.setVisible(False)
        self.restart_button.clicked.connect(self.restart_requested)
        # Room for wrapped figures and status reserved up front, so both columns' answer boxes keep
        # the same height (and their figures line up) whatever each column's status says.
        line = self.fontMetrics().lineSpacing()
        # A long model name wraps (two lines kept in both columns) instead of widening its column.
        self.title.setWordWrap(True)
        self.title.setMinimumHeight(2 * line)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.figures.setMinimumHeight(3 * line)
        self.status.setMinimumHeight(3 * line)
        for label in (self.figures, self.status):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for widget in (self.title, self.text, self.figures, self.status):
            layout.addWidget(widget)
        # Both columns hold the button's room (the frontier's is never shown), so the answer boxes
        # stay level when the local model crashes and its Restart button appears.
        policy = self.restart_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.restart_button.setSizePolicy(policy)
        layout.addWidget(self.restart_button)
        self.restart_button.setEnabled(with_restart)

    def set_empty_reason(self, reason: str | None) -> None:
        """What the empty answer box says: why this column will stay empty, or where text will go."""
        self.text.setPlaceholderText(reason or "The answer streams here.")

    def clear(self) -> None:
        self.text.clear()
        self.figures.setText("")
        self.status.setText("")

    def append(self, piece: str) -> None:
        cursor = self.text.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)

    def set_status(self, message: str, problem: bool = False) -> None:
        self.status.setText(message)
        self.status.setStyleSheet("color: #c0392b;" if problem else "")


class ModelPanel(QGroupBox):
    """Which GGUF, what its header says, and how llama.cpp should run it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Local specialist (GGUF)", parent)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)  # rows stay together at the top instead of spreading out
        self.model_label = QLabel(BUNDLED_MODEL_DISPLAY_NAME)
        self.model_label.setWordWrap(True)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open GGUF…")
        self.bundled_button = QPushButton("Bundled model")
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.bundled_button)
        self.header = QLabel("Drop a .gguf file here or open one; its header is shown before loading.")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.context = QSpinBox()
        self.context.setRange(256, 131072)
        self.context.setSingleStep(256)
        self.context.setValue(2048)
        self.context.setSuffix(" tokens")
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("auto")
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(0, 1000)
        self.gpu_note = QLabel("GPU offload: checking this llama.cpp build…")
        self.gpu_note.setWordWrap(True)
        # None until the build has been asked (in a worker: importing llama.cpp takes a moment).
        self.gpu_supported: bool | None = None
        self.gpu_layers.valueChanged.connect(self.refresh_gpu_note)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 32768)
        self.max_tokens.setValue(128)
        self.mode = QComboBox()
        self.mode.addItem("Completion + few-shot (base models)", "completion")
        self.mode.addItem("Chat template", "chat")
        self.examples = QPlainTextEdit()
        self.examples.setPlaceholderText("Few-shot examples, one per line:  input => output")
        self.examples.setMaximumHeight(70)
        self.labels = QLineEdit()
        self.labels.setPlaceholderText("optional: positive, negative, neutral")
        self.load_button = QPushButton("Load model")
        self.state = QLabel("Not loaded: loads on the first Run both, or with Load model.")
        self.state.setWordWrap(True)
        form.addRow(self.model_label)
        form.addRow(buttons)
        form.addRow(self.header)
        form.addRow("Context size", self.context)
        form.addRow("Threads", self.threads)
        form.addRow("GPU layers", self.gpu_layers)
        form.addRow("", self.gpu_note)
        form.addRow("Temperature", self.temperature)
        form.addRow("Max tokens", self.max_tokens)
        form.addRow("Prompt mode", self.mode)
        form.addRow("Examples", self.examples)
        form.addRow("Labels", self.labels)
        form.addRow(self.load_button)
        form.addRow(self.state)

    def set_gpu_supported(self, supported: bool) -> None:
        """Record what this llama.cpp build can do and say it under "GPU layers"."""
        self.gpu_supported = supported
        self.refresh_gpu_note()

    def refresh_gpu_note(self) -> None:
        """Whether offload is on: the build's ability and the layers asked for, in one line."""
        if self.gpu_supported is None:
            return
        self.gpu_note.setText(describe_gpu_offload(self.gpu_supported, self.gpu_layers.value()))

    def settings(self) -> LocalModelSettings:
        return LocalModelSettings(
            context_size=self.context.value(),
            threads=self.threads.value(),
            gpu_layers=self.gpu_layers.value(),
        )

    def label_list(self) -> tuple[str, ...] | None:
        labels = tuple(part.strip() for part in self.labels.text().split(",") if part.strip())
        return labels or None


class FrontierPanel(QGroupBox):
    """Which OpenAI-compatible endpoint, which model, its key (keyring/memory) and prices."""

    endpoint_changed = Signal()  # preset, base URL, model or key: whether a run can reach it may differ

    def __init__(self, keys: KeyStore, parent: QWidget | None = None) -> None:
        super().__init__("Frontier (OpenAI-compatible)", parent)
        self.keys = keys
        form = QFormLayout(self)
        self.preset = QComboBox()
        for preset in ENDPOINT_PRESETS:
            self.preset.addItem(preset.title, preset.name)
        self.base_url = QLineEdit()
        self.model = QLineEdit()
        self.key_state = QLabel("")
        self.key_state.setWordWrap(True)
        self.key_button = QPushButton("Set API key…")
        self.input_price = QDoubleSpinBox()
        self.output_price = QDoubleSpinBox()
        for box in (self.input_price, self.output_price):
            box.setRange(0.0, 10000.0)
            box.setDecimals(3)
            box.setSuffix(" $/Mtok")
        self.price_source = QLabel("custom")
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1.0, 600.0)
        self.timeout.setDecimals(0)  # whole seconds: "60.00 s" read as false precision
        self.timeout.setValue(60.0)
        self.timeout.setSuffix(" s")
        form.addRow("Endpoint", self.preset)
        form.addRow("Base URL", self.base_url)
        form.addRow("Model", self.model)
        form.addRow("API key", self.key_state)
        form.addRow(self.key_button)
        form.addRow("Input price", self.input_price)
        form.addRow("Output price", self.output_price)
        form.addRow("", self.price_source)
        form.addRow("Read timeout", self.timeout)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.model.textChanged.connect(self._model_changed)
        self._pricing_from_catalog = False
        for box in (self.input_price, self.output_price):
            box.valueChanged.connect(self._price_typed)
        self.key_button.clicked.connect(self.ask_key)
        self.base_url.textChanged.connect(self.endpoint_changed)
        self.model.textChanged.connect(self.endpoint_changed)
        self._preset_changed()

    def current_preset(self) -> EndpointPreset:
        return preset_by_name(str(self.preset.currentData()))

    def select_preset(self, name: str) -> None:
        index = self.preset.findData(name)
        self.preset.setCurrentIndex(max(index, 0))

    def _preset_changed(self) -> None:
        preset = self.current_preset()
        self.base_url.setText(preset.base_url)
        self.base_url.setReadOnly(bool(preset.base_url) and preset.name in ("openai", "openrouter"))
        if preset.example_model and not self.model.text():
            self.model.setText(preset.example_model)
        self._model_changed()
        self.refresh_key_state()

    def _model_changed(self) -> None:
        """Prices follow the catalog when it lists the model; otherwise they are typed in."""
        try:
            from app.storage.catalog import load_catalog

            entries = load_catalog()
        except Exception:
            entries = []
        name = self.model.text().strip()
        for entry in entries:
            if entry.id in (name, name.rsplit("/", 1)[-1]):
                self._pricing_from_catalog = True
                try:
                    self.input_price.setValue(entry.input_price_per_mtok)
                    self.output_price.setValue(entry.output_price_per_mtok)
                finally:
                    self._pricing_from_catalog = False
                self.price_source.setText(f"catalog {entry.id} ({entry.as_of})")
                return
        self.price_source.setText("custom")

    def _price_typed(self) -> None:
        """A price the user changed is theirs: the catalog no longer vouches for it."""
        if not self._pricing_from_catalog:
            self.price_source.setText("custom")

    def refresh_key_state(self) -> None:
        self.key_state.setText(self.keys.get(self.current_preset()).detail)
        self.endpoint_changed.emit()

    def ask_key(self) -> None:
        """The settings dialog for the key: typed once, kept in the keyring (or memory), never in files."""
        preset = self.current_preset()
        where = (
            "the system keyring" if keyring_usable() else "memory for this session (no system keyring here)"
        )
        key, accepted = QInputDialog.getText(
            self,
            f"API key for {preset.title}",
            f"Key (kept in {where}; never written to files or logs):",
            QLineEdit.EchoMode.Password,
        )
        if accepted and key.strip():
            self.set_key(key)

    def set_key(self, key: str) -> None:
        stored = self.keys.set(self.current_preset(), key)
        self.key_state.setText(stored.detail)
        self.endpoint_changed.emit()

    def prices(self) -> Prices:
        return Prices(self.input_price.value(), self.output_price.value(), self.price_source.text())

    def empty_reason(self) -> str | None:
        """Why the frontier column will stay empty with these settings, or None when it can run."""
        preset = self.current_preset()
        if not self.base_url.text().strip():
            return "No frontier endpoint: choose a preset or type a base URL."
        if not self.model.text().strip():
            return "No frontier model name given."
        key = self.keys.get(preset)
        if preset.needs_key and not key.key:
            return f"No API key for {preset.title}: {key.detail.removeprefix('no key: ')}."
        return None

    def generator(self) -> tuple[OpenAICompatibleGenerator | None, str | None]:
        """A client for the configured endpoint, or None and the reason the column stays empty."""
        reason = self.empty_reason()
        if reason is not None:
            return None, reason
        url = self.base_url.text().strip()
        model = self.model.text().strip()
        key = self.keys.get(self.current_preset())
        generator = OpenAICompatibleGenerator(
            url, model, key.key, read_timeout_s=self.timeout.value(), display_name=model
        )
        return generator, None


class PlaygroundView(QWidget):
    """The Playground tab: takes the scenario document so measurements can flow into it."""

    run_finished = Signal(object)  # PlaygroundRun

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.keys = default_key_store()
        self.history: list[PlaygroundRun] = []
        self.server: LocalModelServer | None = None
        self.model_path: Path | None = None  # None = the bundled model
        self.model_info: GgufInfo | None = None
        self._workers: set[Any] = set()
        self._run_worker: RunWorker | None = None
        self._run_after_load = False
        self._run_started = 0.0
        # (model file, settings) of the running process and of the load in progress.
        self._loaded_choice: tuple[Path | None, LocalModelSettings] | None = None
        self._pending_choice: tuple[Path | None, LocalModelSettings] | None = None
        self._pending: dict[str, Any] = {}
        self.setAcceptDrops(True)

        self.model_panel = ModelPanel()
        self.frontier_panel = FrontierPanel(self.keys)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("One prompt for both models…")
        self.prompt.setMaximumHeight(110)
        self.run_button = QPushButton("Run both")
        self.run_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.local_column = AnswerColumn("Local specialist", with_restart=True)
        self.frontier_column = AnswerColumn("Frontier", with_restart=False)
        self.history_table = QTableWidget(0, 4)
        self.history_table.setHorizontalHeaderLabels(["Time", "Prompt", "Local", "Frontier"])
        self.history_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.export_button = QPushButton("Export history (JSONL)…")
        self.use_button = QPushButton("Use in scenario")
        self.use_button.setToolTip(
            "Averaged measured tokens and prices into the scenario's large and small models"
        )
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
        history_row = QHBoxLayout()
        history_row.addWidget(QLabel("<b>History</b>"))
        history_row.addStretch(1)
        history_row.addWidget(self.use_button)
        history_row.addWidget(self.export_button)
        centre_layout.addLayout(history_row)
        centre_layout.addWidget(self.history_table, 1)
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
        self.export_button.clicked.connect(self._export_dialog)
        self.use_button.clicked.connect(self.use_in_scenario)
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
        try:
            from app.storage.settings import load_settings

            settings = load_settings()
        except Exception:
            return
        front = settings.frontier
        self.frontier_panel.select_preset(front.preset)
        if front.base_url:
            self.frontier_panel.base_url.setText(front.base_url)
        self.frontier_panel.model.setText(front.model)
        self.frontier_panel.timeout.setValue(front.timeout_seconds)
        self.frontier_panel._model_changed()
        if front.input_price_per_mtok is not None and front.output_price_per_mtok is not None:
            # Typed prices come back as typed (and stay marked custom), not as the catalog's.
            self.frontier_panel.input_price.setValue(front.input_price_per_mtok)
            self.frontier_panel.output_price.setValue(front.output_price_per_mtok)
        self.frontier_panel.refresh_key_state()
        local = settings.local_model
        panel = self.model_panel
        panel.context.setValue(local.context_size)
        panel.threads.setValue(local.threads or 0)
        panel.gpu_layers.setValue(local.gpu_layers)
        panel.temperature.setValue(local.temperature)
        panel.max_tokens.setValue(local.max_tokens)
        panel.examples.setPlainText(local.few_shot_examples)
        panel.labels.setText(local.labels)
        self._saved_mode = local.prompt_mode
        if local.prompt_mode is not None:
            panel.mode.setCurrentIndex(panel.mode.findData(local.prompt_mode))
        if local.model_path and Path(local.model_path).is_file():
            if local.prompt_mode is not None:
                self._restoring_mode = (Path(local.model_path), local.prompt_mode)
            self.choose_model(Path(local.model_path))

    def _watch_settings(self) -> None:
        """Any edit in either panel schedules one settings write (debounced)."""
        self._settings_timer = QTimer(self)
        self._settings_timer.setSingleShot(True)
        self._settings_timer.setInterval(SETTINGS_SAVE_DELAY_MS)
        self._settings_timer.timeout.connect(self._save_settings)
        panel, front = self.model_panel, self.frontier_panel
        for box in (panel.context, panel.threads, panel.gpu_layers, panel.max_tokens):
            box.valueChanged.connect(self._settings_timer.start)
        for spin in (panel.temperature, front.timeout, front.input_price, front.output_price):
            spin.valueChanged.connect(self._settings_timer.start)
        panel.mode.currentIndexChanged.connect(self._mode_chosen)
        panel.examples.textChanged.connect(self._settings_timer.start)
        for line in (panel.labels, front.base_url, front.model):
            line.textChanged.connect(self._settings_timer.start)
        front.preset.currentIndexChanged.connect(self._settings_timer.start)

    def _typed_prices(self) -> dict[str, float | None]:
        """The frontier prices when the user typed them; None when the catalog supplies them."""
        typed = self.frontier_panel.price_source.text() == "custom"
        panel = self.frontier_panel
        return {
            "input_price_per_mtok": panel.input_price.value() if typed else None,
            "output_price_per_mtok": panel.output_price.value() if typed else None,
        }

    def _mode_chosen(self) -> None:
        self._saved_mode = "chat" if self.model_panel.mode.currentData() == "chat" else "completion"
        self._settings_timer.start()

    def _save_settings(self) -> None:
        """Endpoint, model and local settings persist; the key never does."""
        try:
            from app.storage.settings import update_settings

            panel = self.model_panel
            # Only the playground's own sections, written on top of the file as it is now.
            update_settings(
                frontier={
                    "preset": self.frontier_panel.current_preset().name,
                    "base_url": self.frontier_panel.base_url.text().strip(),
                    "model": self.frontier_panel.model.text().strip(),
                    "api_key_env": self.frontier_panel.current_preset().key_env or "",
                    "timeout_seconds": self.frontier_panel.timeout.value(),
                    **self._typed_prices(),
                },
                local_model={
                    "model_path": str(self.model_path) if self.model_path else None,
                    "context_size": panel.context.value(),
                    "threads": panel.threads.value() or None,
                    "gpu_layers": panel.gpu_layers.value(),
                    "temperature": panel.temperature.value(),
                    "max_tokens": panel.max_tokens.value(),
                    "prompt_mode": self._saved_mode,
                    "few_shot_examples": panel.examples.toPlainText(),
                    "labels": panel.labels.text(),
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
        self.model_panel.header.setText(
            "Gemma 3 270M base model, Q4_K_M, no chat template (use completion + few-shot). "
            "Assembled into the cache on first load."
        )

    def _header_read(self, info: object) -> None:
        assert isinstance(info, GgufInfo)
        if self.model_path != info.path:
            return  # the user picked another file meanwhile
        self.model_info = info
        self.model_panel.header.setStyleSheet("")  # a readable header: no longer the last file's error red
        self.model_panel.header.setText("\n".join(info.summary_lines()))
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

    def load_model(self, then_run: bool = False) -> None:
        """Start (or restart with new settings) the model process in a worker."""
        self._run_after_load = then_run
        if self.server is not None:
            old = self.server
            self.server = None
            self._start(CallWorker(old.stop), lambda _r: None, lambda _m: None)
        settings = self.model_panel.settings()
        chosen = self.model_path
        self._pending_choice = (chosen, settings)

        def start() -> LocalModelServer:
            path = chosen if chosen is not None else bundled_model_path()
            server = LocalModelServer(path, settings, model_id=path.stem)
            server.start()
            return server

        self.model_panel.state.setText("Loading…")
        self.model_panel.load_button.setEnabled(False)
        self.local_column.restart_button.setVisible(False)
        self._start(CallWorker(start), self._loaded, self._load_failed)

    def restart_model(self) -> None:
        self.local_column.set_status("Restarting the model process…")
        self.load_model()

    def _wanted_choice(self) -> tuple[Path | None, LocalModelSettings]:
        return self.model_path, self.model_panel.settings()

    def _loaded(self, server: object) -> None:
        assert isinstance(server, LocalModelServer)
        self.server = server
        self._loaded_choice = self._pending_choice
        self.model_panel.set_gpu_supported(server.gpu_offload)  # what the running child reported
        info = server.info
        name = (
            BUNDLED_MODEL_DISPLAY_NAME
            if self.model_path is None
            else (info.name if info else server.model_id)
        )
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
        if self.server is None:
            return
        reason = self.server.crash_reason()
        if reason and not self.local_column.restart_button.isVisible():
            self.local_column.set_status(reason, problem=True)
            self.local_column.restart_button.setVisible(True)
            self.model_panel.state.setText(reason)

    # -- running ----------------------------------------------------------------------------
    def run_both(self) -> None:
        """'Run both': load the model first if needed, then stream both sides."""
        if self._run_worker is not None:
            return
        if not self.prompt.toPlainText().strip():
            self.message.setText("Type a prompt first.")
            return
        self._save_settings()
        self.local_column.clear()
        self.frontier_column.clear()
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        if self.server is None or self.server.crash_reason() or self._loaded_choice != self._wanted_choice():
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
        local: LocalSpecialist | None = None
        # The file's name when it never loaded (the column title is rich text, not a name).
        local_name = self.model_path.name if self.model_path else BUNDLED_MODEL_DISPLAY_NAME
        if self.server is not None and local_failure is None:
            local = LocalSpecialist(self.server, examples=parse_examples(panel.examples.toPlainText()))
            local_name = local.display_name
            self.local_column.set_status("Streaming…")
        frontier, frontier_empty = self.frontier_panel.generator()
        if frontier is None:
            self.frontier_column.set_status(frontier_empty or "", problem=False)
        else:
            self.frontier_column.set_status("Waiting for the first token…")
        self._pending = {
            "prompt": prompt,
            "local_name": local_name if self.model_path else BUNDLED_MODEL_DISPLAY_NAME,
            "local_failure": local_failure,
            "frontier_name": frontier.display_name if frontier else self.frontier_panel.model.text(),
            "frontier_empty": frontier_empty,
            "frontier_prices": self.frontier_panel.prices(),
            "settings": {
                "mode": mode,
                "max_tokens": base.max_tokens,
                "temperature": base.temperature,
                "labels": list(base.labels or ()),
                "context_size": panel.context.value(),
                "threads": panel.threads.value(),
                "gpu_layers": panel.gpu_layers.value(),
            },
            "local_client": local,
        }
        worker = RunWorker(local, base, frontier, dataclasses.replace(base, mode="chat"))
        keep_alive(worker)
        worker.token.connect(self._token)
        worker.retry.connect(self._retry)
        worker.done.connect(self._done)
        self._run_worker = worker
        self._run_started = time.perf_counter()
        worker.start()

    def _token(self, side: str, text: str) -> None:
        column = self.local_column if side == "local" else self.frontier_column
        if column.status.text() in (
            "Streaming…",
            "Waiting for the first token…",
        ) or column.status.text().startswith("Retrying"):
            column.set_status("Streaming…")
        column.append(text)

    def _retry(self, side: str, seconds_left: float, reason: str) -> None:
        column = self.local_column if side == "local" else self.frontier_column
        column.set_status(f"Retrying in {seconds_left:.0f} s — {reason}")

    def _finish_side(self, column: AnswerColumn, side: SideRun, failed: bool = False) -> None:
        """Final figures and status; `failed` marks an empty side that broke (red), not one left out."""
        result = side.result
        if result is None:
            column.set_status(side.empty_reason or "", problem=failed)
            return
        column.figures.setText(figures_text(side))
        if result.cancelled:
            column.set_status("Stopped.")
        elif result.error:
            column.set_status(result.error, problem=True)
            if self.server is not None and self.server.crash_reason() and column is self.local_column:
                self.local_column.restart_button.setVisible(True)
        elif not result.text.strip():
            column.set_status(
                "Done: the model returned no text"
                + (f" (finish reason: {result.finish_reason})." if result.finish_reason else ".")
            )
        elif result.finish_reason == "length":
            column.set_status(f"Done: stopped at the Max tokens limit ({result.output_tokens} tokens).")
        else:
            # "stop" is the ordinary end; any other reason (content filter, tool call) is worth naming.
            other = result.finish_reason not in (None, "stop")
            column.set_status("Done" + (f" (finish reason: {result.finish_reason})" if other else "") + ".")

    def _done(self, local_result: object, frontier_result: object) -> None:
        pending = self._pending
        worker = self._run_worker
        self._run_worker = None
        if worker is not None:
            worker.wait()
        client = pending.get("local_client")
        if isinstance(client, LocalSpecialist):
            client.close()
        local_side = SideRun(
            name=pending["local_name"],
            result=local_result if isinstance(local_result, GenerationResult) else None,
            empty_reason=pending["local_failure"]
            or (None if local_result else "the local model is not loaded"),
            prices=Prices(
                self.document.scenario.small.input_price_per_mtok,
                self.document.scenario.small.output_price_per_mtok,
                "scenario",
            ),
        )
        frontier_side = SideRun(
            name=pending["frontier_name"],
            result=frontier_result if isinstance(frontier_result, GenerationResult) else None,
            empty_reason=pending["frontier_empty"],
            prices=pending["frontier_prices"],
        )
        self._finish_side(self.local_column, local_side, failed=bool(pending["local_failure"]))
        self._finish_side(self.frontier_column, frontier_side)
        run = PlaygroundRun(
            prompt=pending["prompt"], local=local_side, frontier=frontier_side, settings=pending["settings"]
        )
        if local_side.result is not None or frontier_side.result is not None:
            self._add_history(run)
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.run_finished.emit(run)

    def stop(self) -> None:
        """Cancel both sides; the worker returns within ~50 ms and `_done` tidies up."""
        if self._run_worker is not None:
            self._run_worker.cancel.set()
        self._run_after_load = False
        self.stop_button.setEnabled(False)

    # -- history ------------------------------------------------------------------------------
    def _add_history(self, run: PlaygroundRun) -> None:
        self.history.append(run)
        row = self.history_table.rowCount()
        self.history_table.insertRow(row)

        def summary(side: SideRun) -> str:
            result = side.result
            if result is None:
                return f"not run: {side.empty_reason}" if side.empty_reason else "—"
            if result.error:
                return "error: " + result.error
            if result.cancelled:
                return "stopped"
            speed = f" {result.tokens_per_second:.0f} tok/s" if result.tokens_per_second else ""
            return f"{result.output_tokens} tokens{speed} · {result.text.strip()[:60] or '(no text)'}"

        for column, text in enumerate(
            (run.timestamp[11:19], run.prompt.strip()[:80], summary(run.local), summary(run.frontier))
        ):
            self.history_table.setItem(row, column, QTableWidgetItem(text))

    def choose_export_path(self) -> Path | None:
        """Ask where to export the history (tests replace this)."""
        name, _ = QFileDialog.getSaveFileName(
            self, "Export history", "playground-history.jsonl", "JSON Lines (*.jsonl)"
        )
        return Path(name) if name else None

    def _export_dialog(self) -> None:
        if not self.history:
            self.message.setText("Nothing to export yet: run a prompt first.")
            return
        path = self.choose_export_path()
        if path is not None:
            self.export_history(path)

    def export_history(self, path: Path) -> None:
        try:
            export_jsonl(self.history, path)
        except OSError as exc:
            self.message.setText(f"Could not export to {path}: {exc.strerror or exc}")
            return
        self.message.setText(f"Exported {len(self.history)} runs to {path}.")

    def use_in_scenario(self) -> None:
        """Averaged measured tokens (and the frontier's prices) into the scenario's large/small models."""
        try:
            scenario, said = apply_measurements(
                self.document.scenario, self.history, None, self.frontier_panel.prices()
            )
        except ValueError as exc:
            self.message.setText(str(exc).capitalize() + ".")
            return
        self.document.set_scenario(scenario, "Use playground measurements")
        self.message.setText(said + " — marked as measured.")

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
        if self.server is not None:
            self.server.stop()
            self.server = None

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)
