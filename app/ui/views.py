"""The extra views the main window hosts next to the calculator (Playground, Spot-check, Distillation).

Each view is a QWidget class taking `(document, parent=None)`. A view is listed in `EXTRA_VIEWS`
by module and class name and is imported and built only when its tab is first shown, so start-up
never pays for llama.cpp, the OpenAI client or the spot-check machinery. A view whose module is
not installed is left out; one that fails to build shows the error in its tab instead.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from app.ui.document import ScenarioDocument

# (tab title, module, class name), in tab order.
EXTRA_VIEWS: tuple[tuple[str, str, str], ...] = (
    ("Playground", "app.ui.playground.view", "PlaygroundView"),
    ("Spot-check", "app.ui.spotcheck.view", "SpotcheckView"),
    ("Distillation", "app.ui.distill.view", "DistillView"),
)


class LazyView(QWidget):
    """A tab page that builds its real view the first time it is shown."""

    def __init__(self, factory: Callable[[], QWidget], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._title = title
        self._view: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def view(self) -> QWidget | None:
        """The real view once built, else None."""
        return self._view

    def ensure_built(self) -> QWidget:
        """Build the real view now (idempotent); a failure is shown in the tab, not raised."""
        if self._view is None:
            try:
                self._view = self._factory()
            except Exception as exc:  # a broken optional view must not take the window down
                self._view = QLabel(f"The {self._title} view could not start: {exc}")
                self._view.setWordWrap(True)
            self._layout.addWidget(self._view)
        return self._view

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Build on first show."""
        self.ensure_built()
        super().showEvent(event)


def _factory(document: ScenarioDocument, module_name: str, class_name: str) -> Callable[[], QWidget]:
    def build() -> QWidget:
        module = importlib.import_module(module_name)
        view_class = getattr(module, class_name)
        widget = view_class(document)
        if not isinstance(widget, QWidget):
            raise TypeError(f"{module_name}.{class_name} is not a QWidget")
        return widget

    return build


def _module_exists(module_name: str) -> bool:
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:  # the parent package is missing
        return False


def extra_views(document: ScenarioDocument) -> list[tuple[str, QWidget]]:
    """The installed extra views as (tab title, widget) pairs; each builds itself on first show."""
    views: list[tuple[str, QWidget]] = []
    for title, module_name, class_name in EXTRA_VIEWS:
        if _module_exists(module_name):
            views.append((title, LazyView(_factory(document, module_name, class_name), title)))
    return views
