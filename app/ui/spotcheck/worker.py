"""The spot-check's worker thread: gets the specialist (starting the local model when that is the
one asked), then runs the whole set; back-off lines come out as they happen."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app.domain.evaluation import TestSet
from app.inference.local_generator import LocalSpecialist
from app.inference.openai_client import OpenAICompatibleGenerator
from app.inference.spotcheck import RunConfig, run_spotcheck
from app.storage.spotcheck_results import SpotcheckError

# The specialist a run asks: the local model's generator, or a served specialist's client.
Specialist = LocalSpecialist | OpenAICompatibleGenerator


def eta_text(seconds: float | None) -> str:
    """'about 40 s left' / 'about 2.5 min left', or 'estimating…' before the first item."""
    if seconds is None:
        return "estimating…"
    if seconds < 60:
        return f"about {seconds:.0f} s left"
    return f"about {seconds / 60:.1f} min left"


@dataclass(frozen=True)
class SpotcheckJob:
    """One run for the worker: the set, how to run and score it, where its results go, and the
    frontier client (None: the set's recorded answers), closed when the run ends."""

    test_set: TestSet
    config: RunConfig
    results_path: Path
    frontier: OpenAICompatibleGenerator | None


class SpotcheckRunThread(QThread):
    """Gets the specialist, then runs the spot-check; reports through signals."""

    progressed = Signal(object)  # Progress
    status = Signal(str)
    note = Signal(str)  # a back-off or a refused feature, as it happens
    succeeded = Signal(object)  # RunOutcome
    failed = Signal(str)

    def __init__(
        self,
        job: SpotcheckJob,
        specialist: Callable[[], Specialist] | None,
        parent: QObject | None = None,
        *,
        getting_specialist: str = "Starting the local model…",
    ) -> None:
        super().__init__(parent)
        self._job = job
        # Called on this thread (starting the local model's process takes seconds), saying so.
        self._specialist, self._getting_specialist = specialist, getting_specialist
        self.cancel = threading.Event()

    def run(self) -> None:
        """Worker thread body: never lets an exception escape into Qt."""
        specialist: Specialist | None = None
        try:
            if self._specialist is not None:
                self.status.emit(self._getting_specialist)
                specialist = self._specialist()
                if self.cancel.is_set():
                    self.failed.emit("Cancelled before the first item.")
                    return
            self.status.emit("Running…")
            job = self._job
            outcome = run_spotcheck(
                job.test_set,
                specialist,
                job.frontier,
                job.config,
                job.results_path,
                on_progress=self.progressed.emit,
                cancel=self.cancel,
                on_note=self.note.emit,
            )
            self.succeeded.emit(outcome)
        except SpotcheckError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the local model failing to start, a GGUF error: one line for the user
            self.failed.emit(f"{type(exc).__name__}: {exc}".splitlines()[0])
        finally:
            if specialist is not None:
                specialist.close()  # its HTTP client; a local model's process stays with the session
            if self._job.frontier is not None:
                self._job.frontier.close()
