"""The main window's actions and menus: File, Edit, Scenario, View and Help, each action with a key
that works with the menu bar hidden, and the small slots only a menu calls."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDialog, QTabWidget, QWidget

from app import APP_NAME, __version__
from app.ui.calculator import CalculatorView
from app.ui.dialogs import ShortcutsDialog
from app.ui.memo_export import MemoExporter
from app.ui.window_files import ScenarioFiles, preset_infos

# An action as a row: attribute name, menu text, slot, key (None: none) and status tip ("": none).
_ActionRow = tuple[str, str, Callable[[], object], str | None, str]


class WindowMenus(ScenarioFiles):
    """Builds the main window's actions and menus (a part of `MainWindow`)."""

    new_action: QAction
    open_action: QAction
    save_action: QAction
    save_as_action: QAction
    quit_action: QAction
    export_memo_action: QAction
    decision_action: QAction
    specialist_action: QAction
    goal_volume_action: QAction
    goal_price_action: QAction
    duplicate_action: QAction
    compare_file_action: QAction
    compare_saved_action: QAction
    compare_preset_action: QAction
    extras_action: QAction
    full_screen_action: QAction
    shortcuts_action: QAction
    about_action: QAction
    welcome_action: QAction

    calculator: CalculatorView
    tabs: QTabWidget
    memo_exporter: MemoExporter
    help_windows: list[QWidget]

    if TYPE_CHECKING:  # the window's own slots, for the type checker

        def apply_theme_choice(self, choice: str, save: bool = True) -> None: ...

        def show_welcome(self) -> None: ...

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

    def _add_actions(self, rows: tuple[_ActionRow, ...]) -> None:
        """An action for each row, kept as the window's attribute of that row's name."""
        for name, text, slot, key, tip in rows:
            setattr(self, name, self._action(text, slot, key, tip))

    def _build_actions(self) -> None:
        # Explicit keys: some platforms map no key to a standard one (Quit on Linux); Ctrl is Cmd on macOS.
        # Each row: the attribute, the menu text, the slot, the key and the status tip, in the order
        # the shortcuts dialog lists them.
        goal = self.calculator.decision.goal_seek
        files: tuple[_ActionRow, ...] = (
            (
                "new_action",
                "&New",
                self.new_scenario,
                "Ctrl+N",
                "Start a new scenario from the default preset",
            ),
            ("open_action", "&Open…", self.open_dialog, "Ctrl+O", "Open a scenario file"),
            ("save_action", "&Save", self.save, "Ctrl+S", "Save the scenario"),
            ("save_as_action", "Save &As…", self.save_as, "Ctrl+Shift+S", "Save under a new name"),
            ("quit_action", "&Quit", self.close, "Ctrl+Q", "Close the window"),
            (
                "export_memo_action",
                "Export decision &memo…",
                lambda: self.memo_exporter.start(),  # made after the actions
                "Ctrl+E",
                "Write the decision memo (PDF) of this scenario",
            ),
            (
                "decision_action",
                "Decision &details…",
                lambda: self.memo_exporter.edit_decision(),
                None,
                "The owner, the ask, the pilot plan and the decision date the memo shows",
            ),
            (
                "specialist_action",
                "S&pecialist model…",
                self.edit_specialist,
                None,
                "Ask the local GGUF or a specialist served at an OpenAI-compatible endpoint",
            ),
        )
        self._add_actions(files)
        self.undo_action = self.document.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        scenario: tuple[_ActionRow, ...] = (
            (
                "goal_volume_action",
                "Goal seek: &volume for break-even",
                lambda: goal.ask("volume"),
                "Ctrl+G",
                "What volume pays back in the goal-seek months?",
            ),
            (
                "goal_price_action",
                "Goal seek: large-model &price for break-even",
                lambda: goal.ask("price"),
                "Ctrl+Shift+G",
                "What large-model price pays back in the goal-seek months?",
            ),
            (
                "duplicate_action",
                "&Duplicate",
                self.duplicate,
                "Ctrl+D",
                "Continue in an unsaved copy of this scenario",
            ),
            (
                "compare_file_action",
                "Compare with &file…",
                self.compare_with_file,
                "Ctrl+K",
                "Compare this scenario with a scenario file",
            ),
            (
                "compare_saved_action",
                "Compare with &saved version",
                self.compare_with_saved,
                "Ctrl+Shift+K",
                "Compare the edits with the file on disk",
            ),
            (
                "compare_preset_action",
                "Compare with p&reset…",
                self.compare_with_preset,
                "Ctrl+Alt+K",
                "Compare this scenario with a preset",
            ),
            (
                "extras_action",
                "Show &extras",
                self._toggle_extras,
                "Ctrl+Shift+E",
                "Show or fold distillation, self-hosting, price changes, retraining",
            ),
        )
        self._add_actions(scenario)
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
        help_rows: tuple[_ActionRow, ...] = (
            ("full_screen_action", "&Full screen", self._toggle_full_screen, "F11", ""),
            ("shortcuts_action", "&Keyboard shortcuts", self.show_shortcuts, "F1", ""),
            ("about_action", "&About Specialist Studio", self.show_about, None, ""),
            (
                "welcome_action",
                "&Getting started",
                self.show_welcome,
                None,
                "What to do first and what each view is for",
            ),
        )
        self._add_actions(help_rows)

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

    def show_about(self) -> None:
        """Help > About."""
        self.prompter.show_info(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nShould a narrow, high-volume LLM task move from a large "
            "frontier model to a small fine-tuned specialist? Move the inputs and watch the break-even, "
            "the rules and the verdict.",
        )
