"""The playground's two settings panels: the local GGUF model (left) and the frontier endpoint (right)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.inference.bundled_model import BUNDLED_MODEL_DISPLAY_NAME
from app.inference.endpoints import ENDPOINT_PRESETS, EndpointPreset, preset_by_name
from app.inference.keys import keyring_usable
from app.inference.local_server import LlamaLoadOptions, describe_gpu_offload
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.playground import SidePrices
from app.inference.session import InferenceSession, ServedEndpoint
from app.storage.settings import FrontierSettings
from app.storage.settings import LocalModelSettings as SavedLocalModel


class ModelPanel(QGroupBox):
    """Which GGUF, what its header says, and how llama.cpp should run it."""

    edited = Signal()  # a field that is saved in the settings changed (not the prompt mode)

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
        for box in (self.context, self.threads, self.gpu_layers, self.max_tokens):
            box.valueChanged.connect(self.edited)
        self.temperature.valueChanged.connect(self.edited)
        self.examples.textChanged.connect(self.edited)
        self.labels.textChanged.connect(self.edited)

    def restore(self, local: SavedLocalModel) -> None:
        """Show the saved llama.cpp and prompt settings (the model file is the view's to choose)."""
        self.context.setValue(local.context_size)
        self.threads.setValue(local.threads or 0)
        self.gpu_layers.setValue(local.gpu_layers)
        self.temperature.setValue(local.temperature)
        self.max_tokens.setValue(local.max_tokens)
        self.examples.setPlainText(local.few_shot_examples)
        self.labels.setText(local.labels)
        if local.prompt_mode is not None:
            self.mode.setCurrentIndex(self.mode.findData(local.prompt_mode))

    def saved_fields(self) -> dict[str, object]:
        """This panel's part of the `local_model` settings (the model file and mode are the view's)."""
        return {
            "context_size": self.context.value(),
            "threads": self.threads.value() or None,
            "gpu_layers": self.gpu_layers.value(),
            "temperature": self.temperature.value(),
            "max_tokens": self.max_tokens.value(),
            "few_shot_examples": self.examples.toPlainText(),
            "labels": self.labels.text(),
        }

    def set_gpu_supported(self, supported: bool) -> None:
        """Record what this llama.cpp build can do and say it under "GPU layers"."""
        self.gpu_supported = supported
        self.refresh_gpu_note()

    def refresh_gpu_note(self) -> None:
        """Whether offload is on: the build's ability and the layers asked for, in one line."""
        if self.gpu_supported is None:
            return
        self.gpu_note.setText(describe_gpu_offload(self.gpu_supported, self.gpu_layers.value()))

    def settings(self) -> LlamaLoadOptions:
        return LlamaLoadOptions(
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
    edited = Signal()  # a field that is saved in the settings changed

    def __init__(self, session: InferenceSession, parent: QWidget | None = None) -> None:
        super().__init__("Frontier (OpenAI-compatible)", parent)
        self.session = session
        self.keys = session.keys
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
        for spin in (self.timeout, self.input_price, self.output_price):
            spin.valueChanged.connect(self.edited)
        for line in (self.base_url, self.model):
            line.textChanged.connect(self.edited)
        self.preset.currentIndexChanged.connect(self.edited)

    def restore(self, front: FrontierSettings) -> None:
        """Show the saved endpoint, model, timeout and typed prices (the key is never saved)."""
        self.select_preset(front.preset)
        if front.base_url:
            self.base_url.setText(front.base_url)
        self.model.setText(front.model)
        self.timeout.setValue(front.timeout_seconds)
        self._model_changed()
        if front.input_price_per_mtok is not None and front.output_price_per_mtok is not None:
            # Typed prices come back as typed (and stay marked custom), not as the catalog's.
            self.input_price.setValue(front.input_price_per_mtok)
            self.output_price.setValue(front.output_price_per_mtok)
        self.refresh_key_state()

    def saved_fields(self) -> dict[str, object]:
        """The `frontier` settings as shown; prices only when typed (None: the catalog supplies them)."""
        typed = self.price_source.text() == "custom"
        return {
            "preset": self.current_preset().name,
            "base_url": self.base_url.text().strip(),
            "model": self.model.text().strip(),
            "api_key_env": self.current_preset().key_env or "",
            "timeout_seconds": self.timeout.value(),
            "input_price_per_mtok": self.input_price.value() if typed else None,
            "output_price_per_mtok": self.output_price.value() if typed else None,
        }

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
        """SidePrices follow the catalog when it lists the model; otherwise they are typed in."""
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

    def prices(self) -> SidePrices:
        return SidePrices(self.input_price.value(), self.output_price.value(), self.price_source.text())

    def endpoint(self) -> ServedEndpoint:
        """The endpoint as configured in the panel now."""
        return ServedEndpoint(
            self.base_url.text().strip(),
            self.model.text().strip(),
            self.current_preset(),
            self.timeout.value(),
        )

    def empty_reason(self) -> str | None:
        """Why the frontier column will stay empty with these settings, or None when it can run."""
        return self.session.endpoint_empty_reason(self.endpoint())

    def generator(self) -> tuple[OpenAICompatibleGenerator | None, str | None]:
        """A client for the configured endpoint, or None and the reason the column stays empty."""
        reason = self.empty_reason()
        if reason is not None:
            return None, reason
        return self.session.client(self.endpoint()), None
