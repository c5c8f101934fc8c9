"""The main window: menus, the calculator and the extra views, the verdict strip, files and recovery.

File handling never loses work: opening a bad file shows a dialog naming the problem and leaves
the current scenario as it was; leaving a scenario with unsaved edits asks first; edits are
autosaved (debounced) to a recovery slot that is offered back after a crash.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.domain.rules import verdict_tone
from app.domain.scenario import ModelCost, OneTimeCosts, Scenario
from app.storage.autosave import AutosaveSlot, RecoveredScenario, leftover_slots
from app.storage.scenario_files import ScenarioFileError, load_scenario, read_scenario, save_scenario
from app.storage.settings import Settings
from app.ui.calculator import CalculatorView
from app.ui.decision_panel import tone_colour, verdict_strip_text
from app.ui.dialogs import Prompter, ShortcutsDialog
from app.ui.document import ScenarioDocument
from app.ui.memo_export import MemoExporter
from app.ui.risk import install_risk
from app.ui.settings_store import SettingsStore, shared_settings_store, use_shared_settings_store
from app.ui.theme import LIGHT, Theme, apply_theme
from app.ui.views import extra_views
from app.ui.welcome import WelcomePanel
from app.ui.widgets import ElidedLabel

logger = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 1500  # after the last edit
AUTOSAVE_INTERVAL_MS = 60_000  # and at least this often while there are unsaved edits
DEFAULT_PRESET = "support-ticket-triage"
STRIP_WIDTH = 560  # the verdict strip's width when the window has room for it


def fallback_scenario() -> Scenario:
    """The example of the file contract, used only when no preset can be loaded."""
    return Scenario(
        name="Untitled scenario",
        volume_per_month=10_000_000,
        horizon_months=24,
        large=ModelCost(
            input_tokens=2200, output_tokens=300, input_price_per_mtok=5.0, output_price_per_mtok=15.0
        ),
        small=ModelCost(
            input_tokens=250, output_tokens=300, input_price_per_mtok=0.3, output_price_per_mtok=1.2
        ),
        one_time=OneTimeCosts(data_curation=8000, training_runs=1500, eval_build=4000),
        monthly_ops=1200,
    )


def preset_infos() -> list[tuple[str, str]]:
    """(name, title) of each bundled preset; empty if the presets cannot be read."""
    try:
        from app.storage.presets import list_presets

        return [(info.name, info.title) for info in list_presets()]
    except Exception as exc:  # a broken install keeps the calculator usable
        logger.warning("presets unavailable: %s", exc)
        return []


def first_run_scenario() -> Scenario:
    """The scenario shown on first run: the default preset, else the first one, else the fallback."""
    names = [name for name, _ in preset_infos()]
    for name in ([DEFAULT_PRESET] if DEFAULT_PRESET in names else []) + names:
        try:
            from app.storage.presets import load_preset

            return load_preset(name)
        except Exception as exc:
            logger.warning("preset %s unavailable: %s", name, exc)
    return fallback_scenario()


class MainWindow(QMainWindow):
    """One scenario document, the calculator and the extra views, with File/Edit/Scenario/View/Help."""

    def __init__(
        self,
        settings: Settings | None = None,
        prompter: Prompter | None = None,
        scenario: Scenario | None = None,
        parent: QWidget | None = None,
        settings_store: SettingsStore | None = None,
    ) -> None:
        super().__init__(parent)
        # The app's one settings store: this window's views read and change the settings through it.
        if settings_store is None:
            settings_store = SettingsStore(settings) if settings is not None else shared_settings_store()
        self.settings_store = settings_store
        use_shared_settings_store(settings_store)
        self.prompter = prompter if prompter is not None else Prompter()
        self.document = ScenarioDocument(
            scenario if scenario is not None else first_run_scenario(), parent=self
        )
        self.theme: Theme = LIGHT
        self.compare_windows: list[QWidget] = []
        # Warning lines of the last opened file (a decisive cost left out, counted as $0).
        self.open_warnings: tuple[str, ...] = ()
        # Windows opened for the second and later recovered slots (kept so they stay open).
        self.recovered_windows: list[MainWindow] = []
        # This window's own recovery slot: another window's edits never overwrite it, and this
        # window's clean exit deletes only it.
        self.autosave_slot = AutosaveSlot()
        self.help_windows: list[QWidget] = []
        self.setWindowIcon(_app_icon())
        self.resize(1440, 900)

        self.calculator = CalculatorView(self.document)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.calculator, "Calculator")
        for title, view in extra_views(self.document):
            self.tabs.addTab(view, title)
        self.verdict_strip = ElidedLabel()
        self.verdict_strip.setObjectName("verdictStrip")
        self.verdict_strip.setAccessibleName("Verdict summary")
        # A fixed size: Qt then skips the re-layout a new text asks for, which in the tab corner
        # would repaint the whole tab page (every chart) a second time on each change. The width
        # follows the window (`_fit_strip`); a text too long for it ends in "…" with a tooltip.
        self.verdict_strip.setFixedSize(STRIP_WIDTH, 26)
        self.verdict_strip.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.verdict_strip.setAutoFillBackground(True)
        self._strip_tone = ("", "")
        self.welcome = WelcomePanel(preset_infos())
        self.welcome.preset_chosen.connect(self.open_preset)
        self.welcome.open_requested.connect(self.open_dialog)
        self.welcome.dismissed.connect(self.dismiss_welcome)
        self.welcome.setVisible(not self.settings.welcome_dismissed)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.welcome)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.path_label = QLabel()
        self.statusBar().addPermanentWidget(self.path_label)
        self.calculator.inputs.notice.connect(lambda message: self.statusBar().showMessage(message, 8000))

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_interval = QTimer(self)
        self._autosave_interval.setInterval(AUTOSAVE_INTERVAL_MS)
        self._autosave_interval.timeout.connect(self.autosave_now)
        self._autosave_interval.start()

        self._build_actions()
        self._build_menus()
        self.memo_exporter = MemoExporter(self)
        self._add_memo_button()
        self.risk = install_risk(self)
        self.document.changed.connect(self._on_changed)
        # Opening a preset or a file is the step the guide asks for: it has done its job.
        self.document.reloaded.connect(self.dismiss_welcome)
        self.document.dirty_changed.connect(lambda _dirty: self._update_title())
        self.document.path_changed.connect(lambda _path: self._update_title())
        self._on_changed(self.document.scenario, autosave=False)
        self._restore_geometry()
        self.apply_theme_choice(self.settings.theme, save=False)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._on_system_scheme_changed)

    # -- actions and menus -----------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        # Explicit keys: some platforms map no key to a standard one (Quit on Linux); Ctrl is Cmd on macOS.
        self.new_action = self._action(
            "&New", self.new_scenario, "Ctrl+N", "Start a new scenario from the default preset"
        )
        self.open_action = self._action("&Open…", self.open_dialog, "Ctrl+O", "Open a scenario file")
        self.save_action = self._action("&Save", self.save, "Ctrl+S", "Save the scenario")
        self.save_as_action = self._action("Save &As…", self.save_as, "Ctrl+Shift+S", "Save under a new name")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q", "Close the window")
        self.export_memo_action = self._action(
            "Export decision &memo…",
            lambda: self.memo_exporter.start(),
            "Ctrl+E",
            "Write the decision memo (PDF) of this scenario",
        )
        self.decision_action = self._action(
            "Decision &details…",
            lambda: self.memo_exporter.edit_decision(),
            tip="The owner, the ask, the pilot plan and the decision date the memo shows",
        )
        self.specialist_action = self._action(
            "S&pecialist model…",
            self.edit_specialist,
            tip="Ask the local GGUF or a specialist served at an OpenAI-compatible endpoint",
        )
        self.undo_action = self.document.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        goal = self.calculator.decision.goal_seek
        self.goal_volume_action = self._action(
            "Goal seek: &volume for break-even",
            lambda: goal.ask("volume"),
            "Ctrl+G",
            "What volume pays back in the goal-seek months?",
        )
        self.goal_price_action = self._action(
            "Goal seek: large-model &price for break-even",
            lambda: goal.ask("price"),
            "Ctrl+Shift+G",
            "What large-model price pays back in the goal-seek months?",
        )
        self.duplicate_action = self._action(
            "&Duplicate", self.duplicate, "Ctrl+D", "Continue in an unsaved copy of this scenario"
        )
        self.compare_file_action = self._action(
            "Compare with &file…",
            self.compare_with_file,
            "Ctrl+K",
            "Compare this scenario with a scenario file",
        )
        self.compare_saved_action = self._action(
            "Compare with &saved version",
            self.compare_with_saved,
            "Ctrl+Shift+K",
            "Compare the edits with the file on disk",
        )
        self.compare_preset_action = self._action(
            "Compare with p&reset…",
            self.compare_with_preset,
            "Ctrl+Alt+K",
            "Compare this scenario with a preset",
        )
        self.extras_action = self._action(
            "Show &extras",
            self._toggle_extras,
            "Ctrl+Shift+E",
            "Show or fold distillation, self-hosting, price decline, retraining",
        )
        self.tab_actions = []
        for index in range(self.tabs.count()):
            title = self.tabs.tabText(index)
            action = self._action(f"&{title}", partial(self.tabs.setCurrentIndex, index), f"Ctrl+{index + 1}")
            self.tab_actions.append(action)
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice, text, key in (
            ("system", "Follow the &system", "Ctrl+Shift+0"),
            ("light", "&Light", "Ctrl+Shift+L"),
            ("dark", "&Dark", "Ctrl+Shift+D"),
        ):
            action = self._action(text, partial(self.apply_theme_choice, choice), key)
            action.setCheckable(True)
            self.theme_group.addAction(action)
            self.theme_actions[choice] = action
        self.full_screen_action = self._action("&Full screen", self._toggle_full_screen, "F11")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        self.about_action = self._action("&About Specialist Studio", self.show_about)
        self.welcome_action = self._action(
            "&Getting started", self.show_welcome, tip="What to do first and what each view is for"
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addAction(self.export_memo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.goal_volume_action, self.goal_price_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.specialist_action)

        scenario_menu = bar.addMenu("&Scenario")
        self.presets_menu = scenario_menu.addMenu("&Presets")
        for index, (name, title) in enumerate(preset_infos()):
            action = self._action(
                title,
                partial(self.open_preset, name),
                f"Alt+{index + 1}" if index < 9 else None,
                f"Open the {title} preset",
            )
            self.presets_menu.addAction(action)
        scenario_menu.addAction(self.duplicate_action)
        scenario_menu.addAction(self.decision_action)
        scenario_menu.addSeparator()
        scenario_menu.addActions(
            [self.compare_file_action, self.compare_saved_action, self.compare_preset_action]
        )
        scenario_menu.addSeparator()
        scenario_menu.addAction(self.extras_action)

        view_menu = bar.addMenu("&View")
        view_menu.addActions(self.tab_actions)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("&Theme")
        theme_menu.addActions(list(self.theme_actions.values()))
        view_menu.addAction(self.full_screen_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.welcome_action, self.shortcuts_action, self.about_action])
        self._rebuild_recent_menu()

    def edit_specialist(self) -> QDialog:
        """Edit ▸ Specialist model…: the local GGUF or a served one, for the playground and the
        spot-check alike (imported here: start-up never pays for the OpenAI client)."""
        from app.inference.session import default_session
        from app.ui.specialist_settings import SpecialistSettingsDialog

        dialog = SpecialistSettingsDialog(self.settings_store, default_session().keys, self)
        self.specialist_dialog = dialog
        dialog.open()
        return dialog

    def _add_memo_button(self) -> None:
        """The verdict strip and, beside it, the memo button: the answer and the way to forward it."""
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.verdict_strip)
        self.memo_button = QToolButton()
        self.memo_button.setDefaultAction(self.export_memo_action)
        self.memo_button.setText("Export memo…")
        self.memo_button.setAccessibleName("Export decision memo")
        row.addWidget(self.memo_button)
        # Fixed like the strip inside it, so a new verdict text never re-lays out the tab bar.
        corner.setFixedSize(corner.sizeHint())
        self.strip_corner = corner
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = [path for path in self.settings.recent_files if path]
        for index, path in enumerate(recent):
            action = QAction(f"&{index + 1} {Path(path).name}", self.recent_menu)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, path=path: self.open_path(Path(path)))
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(recent))

    # -- document events ---------------------------------------------------------------------
    def _on_changed(self, _scenario: Scenario, autosave: bool = True) -> None:
        self.verdict_strip.setText(verdict_strip_text(self.document))
        self._paint_strip()
        self._update_title()
        if autosave:
            # Started on every change: while the undo stack is still pushing, `dirty` is not yet
            # true; the timer's slot checks it when it fires.
            self._autosave_timer.start()

    def _paint_strip(self) -> None:
        tone = verdict_tone(self.document.recommendation.verdict)
        if (tone, self.theme.name) == self._strip_tone:
            return  # palette changes re-polish the label: only when the tone or theme changes
        self._strip_tone = (tone, self.theme.name)
        # A style sheet of its own, not a palette: the label is styled by the application's sheet,
        # whose re-polish on a theme change put back the palette it first saw (light green
        # behind light text when the window opened in dark).
        colour = tone_colour(self.theme, tone)
        self.verdict_strip.setStyleSheet(
            f"QLabel#verdictStrip {{ background: {colour}; color: {self.theme.text}; }}"
        )

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — {APP_NAME}")
        self.setWindowModified(self.document.dirty)
        path = self.document.path
        state = " (unsaved changes)" if self.document.dirty else ""
        self.path_label.setText(f"{path if path is not None else 'not saved yet'}{state}")

    # -- autosave and recovery ---------------------------------------------------------------
    def autosave_now(self) -> bool:
        """Write this window's recovery slot when there is unsaved work; True when written."""
        if not self.document.dirty:
            return False
        try:
            self.autosave_slot.write(self.document.scenario, self.document.path)
        except OSError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc}", 8000)
            return False
        return True

    def offer_recovery(self) -> bool:
        """After a crash, offer back the work of each window that stopped with unsaved edits.

        The first one accepted replaces this window's scenario (when it has no unsaved edits of its
        own); each further one opens in a window of its own. True when anything was restored.
        """
        restored = False
        for recovered in leftover_slots():
            where = str(recovered.document_path) if recovered.document_path else "a scenario never saved"
            when = recovered.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
            description = f"“{recovered.scenario.name}” ({where}), autosaved {when}"
            try:
                if self.prompter.ask_recover(self, description):
                    target = self if not restored and not self.document.dirty else self._recovery_window()
                    target.adopt(recovered)
                    target.statusBar().showMessage(f"Recovered {description}; save to keep it", 10000)
                    restored = True
                else:
                    recovered.discard()
            finally:
                recovered.release()
        return restored

    def adopt(self, recovered: RecoveredScenario) -> None:
        """Take a recovered scenario in as unsaved work, moved into this window's own slot."""
        self.document.load(recovered.scenario, recovered.document_path, dirty=True)
        # Written to this window's slot before the old slot goes, so a crash now loses nothing.
        if self.autosave_now():
            recovered.discard()

    def _recovery_window(self) -> MainWindow:
        window = MainWindow(
            prompter=self.prompter, scenario=self.document.scenario, settings_store=self.settings_store
        )
        self.recovered_windows.append(window)
        window.show()
        return window

    # -- files -------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Before leaving the current scenario: True to go on (saved or discarded), False to stay."""
        if not self.document.dirty:
            return True
        answer = self.prompter.ask_save_changes(self, self.document.display_name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def start(self, path: Path | None) -> None:
        """Start-up: the given file, else the last scenario, else the default preset (already loaded)."""
        if path is not None:
            self.open_path(path, ask=False)
            return
        last = self.settings.last_scenario
        if self.settings.reopen_last_scenario and last and Path(last).is_file():
            self.open_path(Path(last), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open a scenario file; a bad file shows the problem and keeps the current work as it is."""
        if ask and not self.maybe_save():
            return False
        try:
            read = read_scenario(path)
        except ScenarioFileError as exc:
            self.prompter.show_error(self, "Could not open the scenario", str(exc))
            self.statusBar().showMessage(f"Not opened: {exc}", 10000)
            return False
        self.document.load(read.scenario, path.resolve())
        self._remember(path.resolve())
        self.open_warnings = read.warnings
        if read.warnings:
            # A cost left out of the file counts as $0 and can decide the verdict: say so, in words.
            self.prompter.show_error(self, "Opened with a warning", "\n".join(read.warnings))
            self.statusBar().showMessage(f"Opened {path} with a warning: {read.warnings[0]}", 15000)
        else:
            self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def open_dialog(self) -> bool:
        """File > Open."""
        if not self.maybe_save():
            return False
        directory = self.settings.last_directory or str(Path.home())
        path = self.prompter.ask_open_path(self, "Open a scenario", directory)
        return self.open_path(path, ask=False) if path is not None else False

    def open_preset(self, name: str) -> bool:
        """Scenario > Presets: start an unsaved scenario from a preset."""
        if not self.maybe_save():
            return False
        from app.storage.presets import load_preset

        try:
            scenario = load_preset(name)
        except Exception as exc:  # a broken preset file is shown, not raised
            self.prompter.show_error(self, "Could not open the preset", str(exc))
            return False
        self.document.load(scenario, None)
        self.statusBar().showMessage(f"Preset: {scenario.name}", 5000)
        return True

    def new_scenario(self) -> bool:
        """File > New: the default preset, unsaved, named 'Untitled scenario'."""
        if not self.maybe_save():
            return False
        self.document.load(first_run_scenario().with_changes(name="Untitled scenario", source=""), None)
        return True

    def duplicate(self) -> bool:
        """Scenario > Duplicate: go on in an unsaved copy (the original stays as saved)."""
        if not self.maybe_save():
            return False
        scenario = self.document.scenario
        name = f"{scenario.name} (copy)"[:200]
        self.document.load(scenario.with_changes(name=name), None, dirty=True)
        self.statusBar().showMessage(f"Now editing an unsaved copy: {name}", 6000)
        return True

    def save(self) -> bool:
        """File > Save (asks for a name the first time)."""
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        """File > Save As."""
        directory = Path(self.settings.last_directory or Path.home())
        suggested = self.document.path or directory / f"{_file_stem(self.document.scenario.name)}.json"
        path = self.prompter.ask_save_path(self, "Save the scenario", str(suggested))
        return self.save_to(path) if path is not None else False

    def save_to(self, path: Path) -> bool:
        """Write the scenario to `path`; a failure is shown and nothing is lost."""
        try:
            save_scenario(self.document.scenario, path)
        except ScenarioFileError as exc:
            self.prompter.show_error(self, "Could not save the scenario", str(exc))
            return False
        self.document.mark_saved(path.resolve())
        self._remember(path.resolve())
        self.autosave_slot.clear()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _remember(self, path: Path) -> None:
        recent = self.settings.with_recent_file(str(path))
        self._save_settings(
            recent_files=recent.recent_files,
            last_scenario=recent.last_scenario,
            last_directory=str(path.parent),
        )
        self._rebuild_recent_menu()

    @property
    def settings(self) -> Settings:
        """The settings as they are now (the store's: what any view changed is seen here at once)."""
        return self.settings_store.settings

    def _save_settings(self, **changes: Any) -> None:
        """Change the fields this window owns; only they are saved, on top of the file as it is now."""
        try:
            self.settings_store.update(**changes)
        except (OSError, ValueError) as exc:
            # Not written, but this session still follows the choice (theme, recent files).
            self.statusBar().showMessage(f"Settings not saved: {exc}", 8000)

    # -- compare -----------------------------------------------------------------------------
    def compare_with(self, other: Scenario, other_name: str) -> QWidget:
        """Open a comparison window: this scenario (A) against `other` (B)."""
        from app.ui.compare import CompareDialog

        dialog = CompareDialog(
            self.document.scenario, self.document.scenario.name, other, other_name, self, theme=self.theme
        )
        self.compare_windows = [window for window in self.compare_windows if window.isVisible()]
        self.compare_windows.append(dialog)
        dialog.show()
        return dialog

    def compare_with_file(self) -> QWidget | None:
        """Scenario > Compare with file."""
        directory = self.settings.last_directory or str(Path.home())
        path = self.prompter.ask_open_path(self, "Compare with which scenario?", directory)
        if path is None:
            return None
        try:
            other = load_scenario(path)
        except ScenarioFileError as exc:
            self.prompter.show_error(self, "Could not open the scenario to compare", str(exc))
            return None
        return self.compare_with(other, path.name)

    def compare_with_saved(self) -> QWidget | None:
        """Scenario > Compare with saved version: what the unsaved edits change."""
        if self.document.path is None:
            self.prompter.show_error(
                self, "Nothing saved yet", "This scenario has not been saved; there is no saved version."
            )
            return None
        try:
            saved = load_scenario(self.document.path)
        except ScenarioFileError as exc:
            self.prompter.show_error(self, "Could not read the saved version", str(exc))
            return None
        return self.compare_with(saved, f"{self.document.path.name} (saved)")

    def compare_with_preset(self) -> QWidget | None:
        """Scenario > Compare with preset."""
        presets = preset_infos()
        index = self.prompter.ask_choice(
            self, "Compare with a preset", "Preset:", [title for _, title in presets]
        )
        if index is None:
            return None
        from app.storage.presets import load_preset

        return self.compare_with(load_preset(presets[index][0]), presets[index][1])

    # -- view --------------------------------------------------------------------------------
    def apply_theme_choice(self, choice: str, save: bool = True) -> None:
        """View > Theme: 'system', 'light' or 'dark'."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.theme = apply_theme(app, choice)
        self.calculator.apply_theme(self.theme)
        self.risk.apply_theme(self.theme)
        self._paint_strip()
        action = self.theme_actions.get(choice, self.theme_actions["system"])
        action.setChecked(True)
        if save and choice != self.settings.theme and choice in ("system", "light", "dark"):
            self._save_settings(theme=choice)

    def _on_system_scheme_changed(self, _scheme: object) -> None:
        if self.settings.theme == "system":
            self.apply_theme_choice("system", save=False)

    def _toggle_extras(self) -> None:
        section = self.calculator.inputs.extras_section
        section.set_expanded(not section.expanded)

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def shortcut_lines(self) -> list[str]:
        """'Ctrl+S  Save' for every action with a shortcut."""
        lines = []
        for action in self.actions():
            keys = ", ".join(
                sequence.toString(QKeySequence.SequenceFormat.NativeText) for sequence in action.shortcuts()
            )
            if keys:
                lines.append(f"{keys}\t{action.text().replace('&', '').rstrip('…')}")
        return lines

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts: a non-modal table of keys and actions."""
        rows = [(keys, action) for keys, action in (line.split("\t", 1) for line in self.shortcut_lines())]
        dialog = ShortcutsDialog(rows, self)
        self.help_windows = [window for window in self.help_windows if window.isVisible()] + [dialog]
        dialog.show()
        return dialog

    def show_welcome(self) -> None:
        """Help > Getting started: the first-launch guide again."""
        self.welcome.setVisible(True)

    def dismiss_welcome(self) -> None:
        """Hide the first-launch guide and remember it (a preset or a file was opened, or Got it)."""
        if self.welcome.isHidden() and self.settings.welcome_dismissed:
            return
        self.welcome.setVisible(False)
        if not self.settings.welcome_dismissed:
            self._save_settings(welcome_dismissed=True)

    def show_about(self) -> None:
        """Help > About."""
        self.prompter.show_info(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nShould a narrow, high-volume LLM task move from a large "
            "frontier model to a small fine-tuned specialist? Move the inputs and watch the break-even, "
            "the rules and the verdict.",
        )

    # -- window state ------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Give the verdict strip the room right of the tabs, up to its full width."""
        super().resizeEvent(event)
        self._fit_strip()

    def _fit_strip(self) -> None:
        corner = getattr(self, "strip_corner", None)
        button = self.memo_button.sizeHint().width() + 4 if corner is not None else 0
        room = self.width() - self.tabs.tabBar().sizeHint().width() - button - 24
        width = max(160, min(STRIP_WIDTH, room))
        if width != self.verdict_strip.width():
            self.verdict_strip.setFixedWidth(width)
            if corner is not None:
                corner.setFixedSize(corner.sizeHint())

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode("ascii")))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Ask before losing unsaved changes; a clean exit empties the recovery slot."""
        if not self.maybe_save():
            event.ignore()
            return
        self._autosave_timer.stop()
        self._autosave_interval.stop()
        self.memo_exporter.shutdown()
        self.autosave_slot.close()
        self.risk.shutdown()
        geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        self._save_settings(window_geometry=geometry)
        # A closed window stops following the desktop's colour scheme: each follower restyles
        # the whole application, and a window kept alive after closing would do so for nothing.
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected (closed twice)
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_system_scheme_changed)
        event.accept()


def _file_stem(name: str) -> str:
    stem = (
        "".join(char if char.isalnum() or char in "-_ " else "_" for char in name).strip().replace(" ", "-")
    )
    return stem.lower() or "scenario"


def _app_icon() -> QIcon:
    try:
        from app.storage.resources import resource_path

        return QIcon(str(resource_path("icons", "specialist-studio.svg")))
    except Exception:
        return QIcon()
