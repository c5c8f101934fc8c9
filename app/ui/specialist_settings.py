"""Edit ▸ Specialist model…: which specialist the playground and the spot-check ask.

Either the local GGUF (chosen and tuned in the playground's model panel) or a specialist served at
an OpenAI-compatible endpoint: a fine-tuned model at a provider, or one served by vLLM, TGI or
llama.cpp's server. The choice is the settings' `specialist` section, changed through the app's
one settings store, so both views follow it at once. The key itself never goes into the settings:
it comes from the environment variable named here, or is typed once and kept in the keyring (or in
memory for this session when there is none).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.inference.keys import KeyStore, keyring_usable
from app.inference.session import ServedEndpoint
from app.storage.settings import SpecialistSettings
from app.ui.settings_store import SettingsStore
from app.ui.widgets import wrapped_label


def describe_specialist(saved: SpecialistSettings) -> str:
    """One line naming the specialist the views will ask, for their headers."""
    if saved.source == "endpoint":
        endpoint = ServedEndpoint.specialist_from_saved(saved)
        return f"Specialist: {saved.model or '(no model name)'} served at {endpoint.host or '(no URL)'}"
    return "Specialist: the local GGUF model"


class SpecialistSettingsDialog(QDialog):
    """Local GGUF or an OpenAI-compatible endpoint (base URL, model, key variable, grammar)."""

    def __init__(self, store: SettingsStore, keys: KeyStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Specialist model")
        self.store = store
        self.keys = keys
        saved = store.settings.specialist
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The playground and the spot-check ask this specialist. A served one (a fine-tuned model at a "
            "provider, vLLM, TGI, llama.cpp's server) runs the spot-check in parallel and backs off when "
            "the endpoint is busy."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.local_radio = QRadioButton("Local GGUF (the model chosen in the playground)")
        self.endpoint_radio = QRadioButton("OpenAI-compatible endpoint")
        self.source_group = QButtonGroup(self)
        self.source_group.addButton(self.local_radio)
        self.source_group.addButton(self.endpoint_radio)
        layout.addWidget(self.local_radio)
        layout.addWidget(self.endpoint_radio)

        self.endpoint_box = QWidget()
        form = QFormLayout(self.endpoint_box)
        self.base_url = QLineEdit(saved.base_url)
        self.base_url.setPlaceholderText("http://127.0.0.1:8080/v1")
        self.model = QLineEdit(saved.model)
        self.model.setPlaceholderText("the model's name at the endpoint")
        self.key_env = QLineEdit(saved.api_key_env)
        self.key_state = wrapped_label()
        self.key_button = QPushButton("Set API key…")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_state, 1)
        key_row.addWidget(self.key_button)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1.0, 3600.0)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(saved.timeout_seconds)
        self.grammar = QCheckBox(
            "Send labels as a grammar (llama.cpp's servers take one; providers refuse it)"
        )
        self.grammar.setChecked(saved.label_grammar)
        form.addRow("Base URL", self.base_url)
        form.addRow("Model", self.model)
        form.addRow("Key variable", self.key_env)
        form.addRow("API key", key_row)
        form.addRow("Read timeout", self.timeout)
        form.addRow(self.grammar)
        layout.addWidget(self.endpoint_box)
        self.problem = wrapped_label()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)

        (self.endpoint_radio if saved.source == "endpoint" else self.local_radio).setChecked(True)
        self.endpoint_radio.toggled.connect(self._source_changed)
        for line in (self.base_url, self.key_env):
            line.textChanged.connect(self.refresh_key_state)
        self.key_button.clicked.connect(self.ask_key)
        self._source_changed()

    def endpoint(self) -> ServedEndpoint:
        """The served specialist as the fields describe it now."""
        return ServedEndpoint.specialist(
            self.base_url.text().strip(),
            self.model.text().strip(),
            self.key_env.text().strip() or None,
            self.timeout.value(),
            self.grammar.isChecked(),
        )

    def _source_changed(self) -> None:
        self.endpoint_box.setEnabled(self.endpoint_radio.isChecked())
        self.refresh_key_state()

    def refresh_key_state(self) -> None:
        """Where the key will come from (its variable, the keyring, memory) or that there is none."""
        preset = self.endpoint().preset
        self.key_env.setPlaceholderText(preset.key_env or "")
        self.key_state.setText(self.keys.get(preset).detail)

    def ask_key(self) -> None:
        """The key typed once: kept in the keyring (or memory), never in the settings or a log."""
        where = (
            "the system keyring" if keyring_usable() else "memory for this session (no system keyring here)"
        )
        key, accepted = QInputDialog.getText(
            self,
            "API key for the specialist endpoint",
            f"Key (kept in {where}; never written to files or logs):",
            QLineEdit.EchoMode.Password,
        )
        if accepted and key.strip():
            self.set_key(key)

    def set_key(self, key: str) -> None:
        """Keep `key` for this endpoint's preset (apart from the frontier's)."""
        self.key_state.setText(self.keys.set(self.endpoint().preset, key).detail)

    def save(self) -> None:
        """Apply the choice through the settings store; an endpoint needs a URL and a model name."""
        served = self.endpoint_radio.isChecked()
        url, model = self.base_url.text().strip(), self.model.text().strip()
        if served and not url.lower().startswith(("http://", "https://")):
            self.problem.setText("The base URL must start with http:// or https://.")
            return
        if served and not model:
            self.problem.setText("Give the model's name at the endpoint.")
            return
        try:
            self.store.update(
                specialist={
                    "source": "endpoint" if served else "local",
                    "base_url": url,
                    "model": model,
                    "api_key_env": self.key_env.text().strip(),
                    "timeout_seconds": self.timeout.value(),
                    "label_grammar": self.grammar.isChecked(),
                }
            )
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        except OSError as exc:
            # The choice holds for this session (the store took it); only remembering it failed.
            self.problem.setText(f"Applied for this session, but not saved for next time: {exc}")
            return
        self.accept()
