"""Background work for the playground, reporting to the GUI thread through signals only.

Each worker is a QThread running one plain function from `app.inference`; the GUI thread
never waits on the model, the network or the disk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from app.inference.local_generator import LocalSpecialist
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.playground import run_both
from app.inference.types import GenerationRequest, GenerationResult

# Running workers are held here, not by their view: a QThread destroyed while it runs aborts
# the process, and a view can be deleted (window closed) while a model is still loading.
_LIVE: set[QThread] = set()


def keep_alive(worker: QThread) -> None:
    """Hold a reference to `worker` until its thread has finished."""
    _LIVE.add(worker)
    worker.finished.connect(lambda: _LIVE.discard(worker))


def wait_for_all(timeout_ms: int = 15000) -> None:
    """Wait for every running playground worker (app shutdown, tests)."""
    for worker in list(_LIVE):
        worker.wait(timeout_ms)


class CallWorker(QThread):
    """Runs `function()` once; emits `succeeded(result)` or `failed(one line)`."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, function: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._function = function

    def run(self) -> None:
        """Worker thread: call the function, report the outcome."""
        try:
            result = self._function()
        except Exception as exc:  # every failure becomes one line in the panel
            self.failed.emit(" ".join(str(exc).split()) or type(exc).__name__)
        else:
            self.succeeded.emit(result)


class RunWorker(QThread):
    """Streams one prompt on both sides at once; tokens and retry countdowns arrive as signals."""

    token = Signal(str, str)  # side ("local" | "frontier"), text
    retry = Signal(str, float, str)  # side, seconds left, reason
    side_done = Signal(str, object)  # side, its GenerationResult: that column can finish now
    done = Signal(object, object)  # GenerationResult | None for local, for frontier

    def __init__(
        self,
        local: LocalSpecialist | OpenAICompatibleGenerator | None,
        local_request: GenerationRequest,
        frontier: OpenAICompatibleGenerator | None,
        frontier_request: GenerationRequest,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self._local = local
        self._local_request = local_request
        self._frontier = frontier
        self._frontier_request = frontier_request
        if frontier is not None:
            frontier.on_retry = lambda left, why: self.retry.emit("frontier", left, why)
        if isinstance(local, OpenAICompatibleGenerator):  # a served specialist retries too
            local.on_retry = lambda left, why: self.retry.emit("local", left, why)

    def run(self) -> None:
        """Worker thread: both sides, then one `done`."""
        local_result: GenerationResult | None
        frontier_result: GenerationResult | None
        local_result, frontier_result = run_both(
            self._local,
            self._local_request,
            self._frontier,
            self._frontier_request,
            on_local_token=lambda text: self.token.emit("local", text),
            on_frontier_token=lambda text: self.token.emit("frontier", text),
            cancel=self.cancel,
            on_side_done=lambda side, result: self.side_done.emit(side, result),
        )
        if self._frontier is not None:
            self._frontier.close()
        self.done.emit(local_result, frontier_result)
