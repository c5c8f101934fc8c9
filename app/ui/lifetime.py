"""Work that must stop when its window closes, for views that live in a tab.

A view in a tab gets no close event of its own when the window around it closes, and a run left
going would keep its worker thread and its model process alive after the window is gone. Each such
view hands its `shutdown` to one `StopsWithWindow`, which calls it when the view itself is closed
and when the top-level window it is shown in closes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class StopsWithWindow(QObject):
    """Calls `stop()` when `view` closes, or the window `view` was last shown in closes."""

    def __init__(self, view: QWidget, stop: Callable[[], None]) -> None:
        super().__init__(view)
        self._view = view
        self._stop = stop
        self._window: QWidget | None = None
        view.installEventFilter(self)

    @property
    def window(self) -> QWidget | None:
        """The top-level window watched (None until the view is first shown inside one)."""
        return self._window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Watch the window the view is shown in; stop on the view's or the window's close."""
        kind = event.type()
        if watched is self._view and kind == QEvent.Type.Show:
            window = self._view.window()
            if window is not self._view and window is not self._window:
                window.installEventFilter(self)
                self._window = window
        elif kind == QEvent.Type.Close and event.isAccepted() and watched in (self._view, self._window):
            self._stop()
        return False  # the event goes on to the widget as usual
