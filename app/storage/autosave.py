"""Crash-recovery slots, one per window: the scenario being edited, its document, and when.

Each window owns a slot (`autosave/<id>.json` in the data folder) and writes it after edits
(debounced); a clean save or exit of that window deletes that slot only. While a window lives it
holds an exclusive lock on its slot's `<id>.lock` file; the OS drops the lock when the process
ends, however it ends. So at the next start a slot whose lock can be taken belongs to a window
that stopped with unsaved work, and each such slot is offered back; the slots of windows still
running (another copy of the app) are left alone. Taking the lock also claims the slot, so two
copies starting at once never offer the same work twice.
Written through the one atomic write, so a crash during a write leaves the previous slot readable.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from app.domain.scenario import Scenario
from app.storage.atomic import atomic_write_text, json_text
from app.storage.paths import autosave_path, data_dir
from app.storage.regular_files import FileRefusedError, read_regular_bytes
from app.storage.scenario_files import MAX_FILE_BYTES, ScenarioFileError, scenario_from_text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: slots are not locked, every leftover is offered
    fcntl = None  # type: ignore[assignment]

AUTOSAVE_FORMAT_VERSION = 1
SLOTS_FOLDER = "autosave"

logger = logging.getLogger(__name__)


def slots_dir() -> Path:
    """The folder holding one slot per window (created if missing)."""
    folder = data_dir() / SLOTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _try_lock(lock_path: Path) -> int | None:
    """An open descriptor holding `lock_path`'s exclusive lock, or None when someone holds it."""
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    if fcntl is None:
        return descriptor
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


@dataclass
class RecoveredScenario:
    """What a leftover slot held: the scenario, its document's path (None = never saved), the time.

    The slot stays claimed (locked) until `discard` or `release`, so no other window offers it.
    """

    scenario: Scenario
    document_path: Path | None
    saved_at: datetime
    slot_path: Path
    _lock: int | None = field(default=None, repr=False)

    def discard(self) -> None:
        """Delete the slot (taken back into a window, or declined)."""
        self.slot_path.unlink(missing_ok=True)
        lock_path = self.slot_path.with_suffix(".lock")
        if self._lock is not None:
            lock_path.unlink(missing_ok=True)
        self.release()

    def release(self) -> None:
        """Let go of the claim without deleting the slot (it is offered again next time)."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock)
            self._lock = None


class AutosaveSlot:
    """One window's recovery slot, locked for as long as this object is open."""

    def __init__(self) -> None:
        folder = slots_dir()
        while True:
            slot_id = f"{os.getpid()}-{secrets.token_hex(4)}"
            self.path = folder / f"{slot_id}.json"
            self.lock_path = self.path.with_suffix(".lock")
            if not self.lock_path.exists():
                break
        self._lock = _try_lock(self.lock_path)

    def write(self, scenario: Scenario, document_path: Path | None) -> None:
        """Store `scenario` in this window's slot (atomic). Raises `OSError` on failure."""
        record = {
            "autosave_version": AUTOSAVE_FORMAT_VERSION,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "document_path": None if document_path is None else str(document_path),
            "scenario": scenario.model_dump(mode="json"),
        }
        atomic_write_text(self.path, json_text(record), what="the autosave slot")

    def read(self) -> RecoveredScenario | None:
        """What this window's slot holds now (None when empty)."""
        return _read_slot(self.path, None)

    def clear(self) -> None:
        """Empty this window's slot (after a save); no error when it is already empty."""
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        """A clean exit: delete this slot and its lock, and only those."""
        self.clear()
        if self._lock is not None:
            self.lock_path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                os.close(self._lock)
            self._lock = None

    def abandon(self) -> None:
        """Let go of the lock but keep the slot, as a crash would (for tests of recovery)."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock)
            self._lock = None


def leftover_slots() -> list[RecoveredScenario]:
    """Every slot left by a window that stopped with unsaved work, oldest first, each claimed.

    The single slot of earlier versions (`autosave.json`) is offered too. Unreadable slots are set
    aside (renamed `*.unreadable`, never deleted) and logged; lock files left without a slot are
    removed.
    """
    found: list[RecoveredScenario] = []
    legacy = autosave_path()
    if legacy.exists():
        recovered = _read_slot(legacy, None)
        if recovered is not None:
            found.append(recovered)
    folder = slots_dir()
    for lock_path in sorted(folder.glob("*.lock")):
        slot_path = lock_path.with_suffix(".json")
        if slot_path.exists():
            continue
        descriptor = _try_lock(lock_path)
        if descriptor is not None:  # its window ended without unsaved work: tidy up
            lock_path.unlink(missing_ok=True)
            os.close(descriptor)
    for slot_path in sorted(folder.glob("*.json")):
        descriptor = _try_lock(slot_path.with_suffix(".lock"))
        if descriptor is None:
            continue  # its window is still running
        recovered = _read_slot(slot_path, descriptor)
        if recovered is None:
            os.close(descriptor)
            continue
        found.append(recovered)
    return sorted(found, key=lambda item: item.saved_at.timestamp())


def _set_aside(path: Path, problem: str) -> None:
    # Keep an unreadable slot for a human to look at instead of deleting it, and stop offering it.
    aside = path.with_name(path.name + ".unreadable")
    logger.warning("autosave slot %s is unreadable (%s); moved to %s", path, problem, aside)
    try:
        path.replace(aside)
    except OSError:
        logger.warning("could not move the unreadable autosave slot %s aside", path)


def _read_slot(path: Path, lock: int | None) -> RecoveredScenario | None:
    """A slot's content, or None when it is empty. An unreadable slot is set aside and logged."""
    try:
        text = read_regular_bytes(path, "an autosave slot", MAX_FILE_BYTES).decode("utf-8")
    except FileRefusedError as exc:
        if exc.errno == errno.ENOENT:  # nothing there
            return None
        _set_aside(path, exc.problem)
        return None
    except UnicodeDecodeError as exc:
        _set_aside(path, str(exc))
        return None
    try:
        record = json.loads(text)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        if record.get("autosave_version") != AUTOSAVE_FORMAT_VERSION:
            raise ValueError(f"unknown autosave_version {record.get('autosave_version')!r}")
        saved_at = datetime.fromisoformat(str(record["saved_at"]))
        raw_path = record.get("document_path")
        document_path = None if raw_path in (None, "") else Path(str(raw_path))
        scenario = scenario_from_text(json.dumps(record["scenario"]), f"{path.name} (autosave)")
    except (ValueError, KeyError, TypeError, ScenarioFileError) as exc:
        _set_aside(path, str(exc))
        return None
    return RecoveredScenario(
        scenario=scenario, document_path=document_path, saved_at=saved_at, slot_path=path, _lock=lock
    )
