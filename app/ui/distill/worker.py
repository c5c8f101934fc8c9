"""The labelling worker: runs `run_labelling` off the GUI thread and checkpoints each item to disk."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from app.domain.distill import LabelledItem
from app.domain.evaluation import TestSet
from app.inference.distill import LabelConfig, run_labelling
from app.inference.types import TextGenerator
from app.storage.distill_files import Checkpoint, DistillFileError


class LabelThread(QThread):
    """Asks the teacher about every input not yet labelled; reports through signals only."""

    progressed = Signal(object)  # LabelProgress
    succeeded = Signal(object)  # LabelOutcome
    failed = Signal(str)
    status = Signal(str)

    def __init__(
        self,
        inputs: TestSet,
        teacher: TextGenerator,
        config: LabelConfig,
        output: Path,
        header: dict[str, Any],
        done: dict[str, LabelledItem],
        local_specialist: Callable[[], TextGenerator] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self._inputs = inputs
        self._teacher = teacher
        self._config = config
        self._checkpoint = Checkpoint(output, header, list(done.values()))
        self._done = done
        # Called on this thread: starting the local model process takes seconds.
        self._local_specialist = local_specialist

    def run(self) -> None:
        """Worker thread body: never lets an exception escape into Qt."""
        specialist: TextGenerator | None = None
        try:
            self._checkpoint.flush()
            if self._local_specialist is not None:
                self.status.emit("Starting the local model…")
                specialist = self._local_specialist()
            outcome = run_labelling(
                self._inputs.items,
                self._teacher,
                self._config,
                done=self._done,
                specialist=specialist,
                on_item=self._checkpoint.add,
                on_progress=self.progressed.emit,
                cancel=self.cancel,
            )
            self._checkpoint.flush()
            self.succeeded.emit(outcome)
        except DistillFileError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # one line for the user, never a traceback into Qt
            self.failed.emit(f"{type(exc).__name__}: {exc}".splitlines()[0])
        finally:
            for generator in (specialist, self._teacher):
                close = getattr(generator, "close", None)
                if close is not None:
                    close()
