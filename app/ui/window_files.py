"""The main window's scenario files: open, save, presets, duplicate, compare, autosave and recovery.

File handling never loses work: opening a bad file shows a dialog naming the problem and leaves
the current scenario as it was; leaving a scenario with unsaved edits asks first; edits are
autosaved (debounced, by the window) to a recovery slot that is offered back after a crash.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from app.domain.scenario import ModelCost, OneTimeCosts, Scenario
from app.storage.autosave import AutosaveSlot, RecoveredScenario, leftover_slots
from app.storage.scenario_files import ScenarioFileError, load_scenario, read_scenario, save_scenario
from app.storage.settings import Settings
from app.ui.dialogs import Prompter
from app.ui.document import ScenarioDocument
from app.ui.settings_store import SettingsStore
from app.ui.theme import Theme

logger = logging.getLogger(__name__)

DEFAULT_PRESET = "support-ticket-triage"

# The parts of the main window are mixins of it; to the type checker they are main windows.
if TYPE_CHECKING:
    _WindowBase = QMainWindow
else:
    _WindowBase = object


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


class ScenarioFiles(_WindowBase):
    """The main window's file handling (a part of `MainWindow`, which provides what it declares)."""

    document: ScenarioDocument
    prompter: Prompter
    settings_store: SettingsStore
    theme: Theme
    autosave_slot: AutosaveSlot
    recent_menu: QMenu
    open_warnings: tuple[str, ...]
    compare_windows: list[QWidget]

    if TYPE_CHECKING:  # the window's own, for the type checker

        def _recovery_window(self) -> ScenarioFiles:
            """A new window for a further recovered scenario."""
            ...

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

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = [path for path in self.settings.recent_files if path]
        for index, path in enumerate(recent):
            action = QAction(f"&{index + 1} {Path(path).name}", self.recent_menu)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, path=path: self.open_path(Path(path)))
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(recent))

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


def _file_stem(name: str) -> str:
    stem = (
        "".join(char if char.isalnum() or char in "-_ " else "_" for char in name).strip().replace(" ", "-")
    )
    return stem.lower() or "scenario"
