"""The open scenario as the one model every view subscribes to, with undo/redo of every edit.

Views never change each other: an input widget asks the document for a new scenario, the document
pushes one undoable command and emits `changed`; the cost summary, the cumulative curves and the
recommendation are computed at most once per change, when a view first asks, and every chart and
table redraws from those.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.domain.costs import CostCurves, CostSummary, cumulative_curves, summarize
from app.domain.plan import PlanFigures, recommended_plan, with_values
from app.domain.rules import Recommendation, evaluate
from app.domain.scenario import Scenario

# Edits of the same field closer together than this merge into one undo step (a slider drag,
# holding an arrow key), so undo goes back to where the drag started.
MERGE_WINDOW_S = 1.0
_MERGE_ID = 4242

FieldPath = tuple[str, ...]


def get_field(scenario: Scenario, path: FieldPath) -> Any:
    """The value at a dotted field path such as ("large", "input_price_per_mtok")."""
    value: Any = scenario
    for part in path:
        value = getattr(value, part)
    return value


def with_field(scenario: Scenario, path: FieldPath, value: Any) -> Scenario:
    """A validated copy of `scenario` with the field at `path` replaced (raises ValidationError).

    Goes through the domain's one field setter, so a typed value outside the field's range widens
    that range (the range is an assumption around the value, not a limit on what may be typed).
    """
    return with_values(scenario, {".".join(path): value})


class _SetScenarioCommand(QUndoCommand):
    """Replace the whole scenario; undo puts the previous one back."""

    def __init__(
        self,
        document: ScenarioDocument,
        old: Scenario,
        new: Scenario,
        description: str,
        merge_key: str | None,
    ) -> None:
        super().__init__(description)
        self._document = document
        self.old = old
        self.new = new
        self.merge_key = merge_key
        self.created = time.monotonic()

    def id(self) -> int:
        """Only commands that carry a merge key take part in merging."""
        return _MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt override)
        """Fold a quick follow-up edit of the same field into this command."""
        if not isinstance(other, _SetScenarioCommand) or other.merge_key != self.merge_key:
            return False
        if other.created - self.created > MERGE_WINDOW_S:
            return False
        self.new = other.new
        self.created = other.created
        return True

    def redo(self) -> None:
        """Apply the new scenario."""
        self._document._apply(self.new)

    def undo(self) -> None:
        """Restore the previous scenario."""
        self._document._apply(self.old)


class ScenarioDocument(QObject):
    """The scenario being edited, where it lives on disk, and whether it has unsaved changes."""

    changed = Signal(object)  # the new Scenario
    path_changed = Signal(object)  # Path | None
    dirty_changed = Signal(bool)
    reloaded = Signal()  # a different scenario was loaded (file, preset, recovery): views may reset

    def __init__(self, scenario: Scenario, path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scenario = scenario
        self._path = path
        self._summary: CostSummary | None = None
        self._curves: CostCurves | None = None
        self._recommendation: Recommendation | None = None
        self._plan: PlanFigures | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)

    def _on_clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    # -- state -----------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The current scenario."""
        return self._scenario

    @property
    def path(self) -> Path | None:
        """The file the scenario was loaded from or saved to; None for a new one."""
        return self._path

    @property
    def dirty(self) -> bool:
        """True when there are edits since the last save or load."""
        return not self.undo_stack.isClean()

    @property
    def summary(self) -> CostSummary:
        """The cost summary of the current scenario, computed once per change."""
        if self._summary is None:
            self._summary = summarize(self._scenario)
        return self._summary

    @property
    def curves(self) -> CostCurves:
        """The cumulative cost curves of the current scenario, computed once per change.

        Built from `summary`, so its break-even is not searched for a second time.
        """
        if self._curves is None:
            self._curves = cumulative_curves(self._scenario, summary=self.summary)
        return self._curves

    @property
    def recommendation(self) -> Recommendation:
        """The decision rules and verdict of the current scenario, computed once per change."""
        if self._recommendation is None:
            self._recommendation = evaluate(self._scenario, self.summary)
        return self._recommendation

    @property
    def plan(self) -> PlanFigures:
        """The figures of the plan the verdict recommends, computed once per change."""
        if self._plan is None:
            self._plan = recommended_plan(self._scenario, self.summary, self.recommendation)
        return self._plan

    @property
    def display_name(self) -> str:
        """File name when saved, else the scenario's name."""
        return self._path.name if self._path is not None else self._scenario.name

    # -- edits -----------------------------------------------------------------------------
    def set_scenario(self, new: Scenario, description: str, merge_key: str | None = None) -> None:
        """Replace the scenario as one undoable step (merged with the previous one for a drag)."""
        if new == self._scenario:
            return
        self.undo_stack.push(_SetScenarioCommand(self, self._scenario, new, description, merge_key))

    def set_field(self, path: FieldPath, value: Any, description: str, merge_key: str | None = None) -> None:
        """Set one field (validated) as an undoable step; raises ValidationError on a bad value."""
        self.set_scenario(with_field(self._scenario, path, value), description, merge_key)

    def load(self, scenario: Scenario, path: Path | None, dirty: bool = False) -> None:
        """Start over with a scenario from a file, a preset or a recovery: history is cleared."""
        self.undo_stack.clear()
        self._path = path
        self.path_changed.emit(path)
        self.reloaded.emit()
        self._apply(scenario)
        if dirty:
            # A recovered or duplicated scenario is unsaved work: an unclean stack says so.
            self.undo_stack.resetClean()
            self.dirty_changed.emit(True)
        else:
            self.undo_stack.setClean()
            self.dirty_changed.emit(False)

    def mark_saved(self, path: Path) -> None:
        """Record a successful save to `path`."""
        if path != self._path:
            self._path = path
            self.path_changed.emit(path)
        self.undo_stack.setClean()

    def _apply(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._summary = None
        self._curves = None
        self._recommendation = None
        self._plan = None
        self.changed.emit(scenario)
