"""The first-launch guide: what to do first and what each view is for.

Shown above the views until the user picks a preset, opens a file or closes it; Help > Getting
started brings it back. It only asks the window to act (signals); the window owns files and presets.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# What each view is for, in the order of the tabs.
VIEW_PURPOSES: tuple[tuple[str, str], ...] = (
    (
        "Calculator",
        "move the inputs (traffic, prices, one-time and running costs, quality) and watch the "
        "break-even, the six decision rules and the verdict follow.",
    ),
    (
        "Playground",
        "send one prompt to the local specialist and to a frontier model side by side: answers, "
        "tokens, speed and cost per request.",
    ),
    (
        "Spot-check",
        "score both models on a labelled set, so the accuracies in the verdict are measured, not guessed.",
    ),
)


def _wrapped(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class WelcomePanel(QFrame):
    """'Start here': pick a preset or open a file, and what the three views are for."""

    preset_chosen = Signal(str)  # preset name
    open_requested = Signal()
    dismissed = Signal()

    def __init__(self, presets: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panelCard")
        self.setAccessibleName("Getting started")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        title = _wrapped(
            "Start here: should this LLM task move to a small fine-tuned specialist?", "ruleTitle"
        )
        self.intro = _wrapped(
            "The calculator below shows an example. Pick a preset close to your task, or open a "
            "scenario file of your own; then change the numbers to yours."
        )
        actions = QHBoxLayout()
        self.preset_combo = QComboBox()
        self.preset_combo.setAccessibleName("Preset to start from")
        for name, preset_title in presets:
            self.preset_combo.addItem(preset_title, name)
        self.preset_button = QPushButton("Use this preset")
        self.preset_button.setEnabled(bool(presets))
        self.preset_button.clicked.connect(self._choose_preset)
        self.open_button = QPushButton("Open a scenario file…")
        self.open_button.setToolTip("Ctrl+O")
        self.open_button.clicked.connect(self.open_requested.emit)
        self.close_button = QPushButton("Got it")
        self.close_button.setToolTip("Hide this guide (Help ▸ Getting started shows it again)")
        self.close_button.clicked.connect(self.dismissed.emit)
        actions.addWidget(self.preset_combo, 1)
        actions.addWidget(self.preset_button)
        actions.addWidget(self.open_button)
        actions.addStretch(0)
        actions.addWidget(self.close_button)
        # The three views side by side: a guide that fits above the calculator on a small screen.
        views = QGridLayout()
        views.setHorizontalSpacing(16)
        views.setVerticalSpacing(0)
        self.view_labels: list[QLabel] = []
        for column, (view, purpose) in enumerate(VIEW_PURPOSES):
            text = _wrapped(f"<b>{view}</b>: {purpose}")
            views.addWidget(text, 0, column)
            views.setColumnStretch(column, 1)
            self.view_labels.append(text)
        layout.addWidget(title)
        layout.addWidget(self.intro)
        layout.addLayout(actions)
        layout.addLayout(views)

    def _choose_preset(self) -> None:
        name = self.preset_combo.currentData()
        if isinstance(name, str):
            self.preset_chosen.emit(name)
