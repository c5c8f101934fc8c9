"""Crash-recovery slot: the scenario being edited, the document it belongs to, and when.

The window writes it after edits (debounced) and clears it on a clean save or exit; at the next
start a remaining slot means the app stopped with unsaved work, and the user is offered it back.
Written atomically, so a crash during the write leaves the previous slot readable.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from app.domain.scenario import Scenario
from app.storage.atomic import atomic_write_text, json_text
from app.storage.paths import autosave_path
from app.storage.scenario_files import ScenarioFileError, scenario_from_text

AUTOSAVE_FORMAT_VERSION = 1

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveredScenario:
    """What the autosave slot held: the scenario, its document's path (None = never saved), the time."""

    scenario: Scenario
    document_path: Path | None
    saved_at: datetime


def write_autosave(scenario: Scenario, document_path: Path | None) -> None:
    """Store `scenario` in the slot, replacing what was there (atomic). Raises `OSError` on failure."""
    record = {
        "autosave_version": AUTOSAVE_FORMAT_VERSION,
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "document_path": None if document_path is None else str(document_path),
        "scenario": scenario.model_dump(mode="json"),
    }
    atomic_write_text(autosave_path(), json_text(record))


def _set_aside(path: Path, problem: str) -> None:
    # Keep an unreadable slot for a human to look at instead of deleting it, and stop offering it.
    aside = path.with_name(path.name + ".unreadable")
    logger.warning("autosave slot %s is unreadable (%s); moved to %s", path, problem, aside)
    try:
        path.replace(aside)
    except OSError:
        logger.warning("could not move the unreadable autosave slot %s aside", path)


def read_autosave() -> RecoveredScenario | None:
    """The slot's content, or None when it is empty. An unreadable slot is set aside and logged."""
    path = autosave_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
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
    return RecoveredScenario(scenario=scenario, document_path=document_path, saved_at=saved_at)


def clear_autosave() -> None:
    """Empty the slot (after a save or a clean exit); no error when it is already empty."""
    autosave_path().unlink(missing_ok=True)
