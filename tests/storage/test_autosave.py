"""Crash-recovery slots: one per window, each offered back after a crash, each cleared only by its window.

The crash tests use real processes killed with SIGKILL: the OS drops their slot locks, which is
what tells a leftover slot from one whose window still runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.storage.autosave import AutosaveSlot, leftover_slots, slots_dir
from app.storage.paths import autosave_path
from app.storage.scenario_files import load_scenario

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
ROOT = Path(__file__).resolve().parents[2]
needs_flock = pytest.mark.skipif(os.name != "posix", reason="slot locks are POSIX flock")


def test_no_slots_means_nothing_to_offer() -> None:
    assert leftover_slots() == []


def test_write_read_clear(tmp_path: Path) -> None:
    scenario = load_scenario(FIXTURES / "v1_full.json")
    document = tmp_path / "my scenario.json"
    slot = AutosaveSlot()
    before = datetime.now(timezone.utc).replace(microsecond=0)
    slot.write(scenario, document)
    recovered = slot.read()
    assert recovered is not None
    assert recovered.scenario == scenario
    assert recovered.document_path == document
    assert before <= recovered.saved_at <= datetime.now(timezone.utc)
    slot.clear()
    assert slot.read() is None
    slot.clear()  # clearing an empty slot is not an error
    slot.close()


@needs_flock
def test_a_running_windows_slot_is_not_offered_and_a_crashed_ones_is() -> None:
    running = AutosaveSlot()
    running.write(load_scenario(FIXTURES / "v1_minimal.json"), None)
    assert leftover_slots() == []  # its window still holds the lock
    running.abandon()  # what a crash does to the lock
    offered = leftover_slots()
    assert [item.scenario.name for item in offered] == [load_scenario(FIXTURES / "v1_minimal.json").name]
    assert leftover_slots() == []  # claimed while being offered: nobody else offers it too
    offered[0].discard()
    assert leftover_slots() == [] and list(slots_dir().iterdir()) == []


def test_a_clean_exit_deletes_only_its_own_slot() -> None:
    scenario = load_scenario(FIXTURES / "v1_minimal.json")
    first, second = AutosaveSlot(), AutosaveSlot()
    first.write(scenario.with_changes(name="A"), None)
    second.write(scenario.with_changes(name="B"), None)
    assert first.path != second.path
    second.close()
    recovered = first.read()
    assert recovered is not None and recovered.scenario.name == "A"
    assert not second.path.exists()
    first.close()


def test_a_newer_write_replaces_the_windows_slot_only() -> None:
    scenario = load_scenario(FIXTURES / "v1_minimal.json")
    slot = AutosaveSlot()
    slot.write(scenario, None)
    slot.write(scenario.with_changes(name="Second"), None)
    recovered = slot.read()
    assert recovered is not None and recovered.scenario.name == "Second"
    assert sorted(p.suffix for p in slots_dir().iterdir()) == [".json", ".lock"]  # no temporary file
    slot.close()


def test_the_single_slot_of_earlier_versions_is_offered() -> None:
    scenario = load_scenario(FIXTURES / "v1_minimal.json")
    record = {
        "autosave_version": 1,
        "saved_at": "2026-11-23T10:00:00+00:00",
        "document_path": None,
        "scenario": scenario.model_dump(mode="json"),
    }
    autosave_path().write_text(json.dumps(record), encoding="utf-8")
    (offered,) = leftover_slots()
    assert offered.scenario == scenario and offered.document_path is None
    offered.discard()
    assert not autosave_path().exists()


def _orphan(text: str) -> Path:
    path = slots_dir() / "12345-deadbeef.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_corrupt_slot_is_set_aside_not_deleted() -> None:
    path = _orphan('{"autosave_version": 1, "saved_at": "2026-11-23T10:00:00+00:00", "scen')
    assert leftover_slots() == []
    aside = path.with_name(path.name + ".unreadable")
    assert aside.read_text(encoding="utf-8").startswith('{"autosave_version": 1')
    assert not path.exists()


def test_a_slot_with_an_invalid_scenario_is_set_aside() -> None:
    record = {
        "autosave_version": 1,
        "saved_at": "2026-11-23T10:00:00+00:00",
        "document_path": None,
        "scenario": {"volume_per_month": -5},
    }
    path = _orphan(json.dumps(record))
    assert leftover_slots() == []
    assert path.with_name(path.name + ".unreadable").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_in_place_of_a_slot_is_set_aside_without_blocking() -> None:
    path = slots_dir() / "12345-deadbeef.json"
    os.mkfifo(path)
    assert leftover_slots() == []  # returns at once instead of waiting for a writer
    assert path.with_name(path.name + ".unreadable").exists()


# A window's autosave in a real process: write its slot, say so, then wait to be killed.
_EDITOR = textwrap.dedent(
    """
    import sys, time
    from app.storage.autosave import AutosaveSlot
    from app.storage.scenario_files import load_scenario
    slot = AutosaveSlot()
    slot.write(load_scenario(sys.argv[1]).with_changes(name=sys.argv[2]), None)
    print("written", flush=True)
    time.sleep(120)
    """
)


@needs_flock
def test_two_windows_killed_at_once_both_come_back() -> None:
    """Two copies of the app edit, both are SIGKILLed: each one's work is offered, none is lost."""
    editors = [
        subprocess.Popen(
            [sys.executable, "-c", _EDITOR, str(FIXTURES / "v1_minimal.json"), name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("Edits in window A", "Edits in window B")
    ]
    try:
        for editor in editors:
            assert editor.stdout is not None and editor.stdout.readline().strip() == "written"
        assert leftover_slots() == []  # both still running: nothing to recover yet
    finally:
        for editor in editors:
            editor.send_signal(signal.SIGKILL)
            editor.wait(timeout=30)
            assert editor.stdout is not None
            editor.stdout.close()
    offered = leftover_slots()
    assert sorted(item.scenario.name for item in offered) == ["Edits in window A", "Edits in window B"]
    for item in offered:
        item.discard()
