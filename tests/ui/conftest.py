"""Fixtures for the window tests: a real MainWindow on a real preset, with a prompter tests can answer."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.scenario import Scenario
from app.storage.presets import load_preset
from app.storage.settings import Settings
from app.ui.dialogs import Prompter, SaveAnswer
from app.ui.main_window import MainWindow
from app.ui.settings_store import use_shared_settings_store

PRESET = "support-ticket-triage"


class ScriptedPrompter(Prompter):
    """Answers the window's questions from attributes; errors still open a real (non-blocking) box."""

    def __init__(self) -> None:
        super().__init__()
        self.save_answer: SaveAnswer = "discard"
        self.recover_answer = True
        self.open_answer: Path | None = None
        self.save_path_answer: Path | None = None
        self.choice_answer: int | None = 0
        self.errors: list[tuple[str, str]] = []
        self.questions: list[str] = []

    def show_error(self, parent: QWidget, title: str, message: str) -> QMessageBox:
        self.errors.append((title, message))
        return super().show_error(parent, title, message)

    def ask_save_changes(self, parent: QWidget, name: str) -> SaveAnswer:
        self.questions.append(f"save changes to {name}")
        return self.save_answer

    def ask_recover(self, parent: QWidget, description: str) -> bool:
        self.questions.append(f"recover {description}")
        return self.recover_answer

    def ask_open_path(self, parent: QWidget, title: str, directory: str) -> Path | None:
        self.questions.append(title)
        return self.open_answer

    def ask_save_path(self, parent: QWidget, title: str, suggested: str) -> Path | None:
        self.questions.append(title)
        return self.save_path_answer

    def ask_choice(self, parent: QWidget, title: str, label: str, items: list[str]) -> int | None:
        self.questions.append(title)
        return self.choice_answer

    def show_info(self, parent: QWidget, title: str, message: str) -> None:
        self.questions.append(title)


@pytest.fixture(autouse=True)
def fresh_settings_store() -> Iterator[None]:
    """Each test's views read the settings of its own settings folder, not a store a window of an
    earlier test installed."""
    use_shared_settings_store(None)
    yield
    use_shared_settings_store(None)


@pytest.fixture
def prompter() -> ScriptedPrompter:
    return ScriptedPrompter()


@pytest.fixture
def preset() -> Scenario:
    return load_preset(PRESET)


@pytest.fixture
def make_window(qtbot) -> Callable[..., MainWindow]:
    """Build another window (a second run of the app, a restart) with its own scripted prompter."""

    def build(scenario: Scenario | None = None, settings: Settings | None = None) -> MainWindow:
        main = MainWindow(
            settings=settings if settings is not None else Settings(),
            prompter=ScriptedPrompter(),
            scenario=scenario if scenario is not None else load_preset(PRESET),
        )
        qtbot.addWidget(main)
        return main

    return build


@pytest.fixture
def window(qtbot, prompter: ScriptedPrompter, preset: Scenario) -> Iterator[MainWindow]:
    main = MainWindow(settings=Settings(), prompter=prompter, scenario=preset)
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    yield main
    for box in prompter.open_boxes:
        box.close()
    prompter.save_answer = "discard"  # teardown closes the window: never block on the question


@pytest.fixture(autouse=True)
def _collect_earlier_widgets() -> None:
    """Widgets of earlier tests left in reference cycles are collected here, on the GUI thread: the
    runs below allocate on worker threads, and a collection there would destroy them off the GUI
    thread ("QBasicTimer::start: Timers cannot be started from another thread")."""
    gc.collect()


@pytest.fixture(autouse=True)
def _light_risk_view(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every window runs the risk view's Monte Carlo in a worker; tests about other things need
    # its result, not 10,000 draws of it (tests/ui/test_risk.py sets its own draw count).
    monkeypatch.setattr("app.ui.risk.WINDOW_DRAWS", 500)
