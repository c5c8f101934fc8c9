"""The crash-recovery slot keeps the scenario, its document path and the time; bad slots are set aside."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from app.storage.autosave import clear_autosave, read_autosave, write_autosave
from app.storage.paths import autosave_path
from app.storage.scenario_files import load_scenario

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def test_empty_slot_reads_as_none() -> None:
    assert read_autosave() is None


def test_write_read_clear(tmp_path: Path) -> None:
    scenario = load_scenario(FIXTURES / "v1_full.json")
    document = tmp_path / "my scenario.json"
    before = datetime.now(timezone.utc).replace(microsecond=0)
    write_autosave(scenario, document)
    recovered = read_autosave()
    assert recovered is not None
    assert recovered.scenario == scenario
    assert recovered.document_path == document
    assert before <= recovered.saved_at <= datetime.now(timezone.utc)
    clear_autosave()
    assert read_autosave() is None
    clear_autosave()  # clearing an empty slot is not an error


def test_an_unsaved_document_has_no_path() -> None:
    write_autosave(load_scenario(FIXTURES / "v1_minimal.json"), None)
    recovered = read_autosave()
    assert recovered is not None and recovered.document_path is None


def test_a_newer_write_replaces_the_slot() -> None:
    scenario = load_scenario(FIXTURES / "v1_minimal.json")
    write_autosave(scenario, None)
    write_autosave(scenario.with_changes(name="Second"), None)
    recovered = read_autosave()
    assert recovered is not None and recovered.scenario.name == "Second"
    assert [p.name for p in autosave_path().parent.iterdir()] == ["autosave.json"]


def test_a_corrupt_slot_is_set_aside_not_deleted() -> None:
    path = autosave_path()
    truncated = '{"autosave_version": 1, "saved_at": "2026-11-23T10:00:00+00:00", "scen'
    path.write_text(truncated, encoding="utf-8")
    assert read_autosave() is None
    aside = path.with_name("autosave.json.unreadable")
    assert aside.read_text(encoding="utf-8").startswith('{"autosave_version": 1')
    assert not path.exists()


def test_a_slot_with_an_invalid_scenario_is_set_aside() -> None:
    record = {
        "autosave_version": 1,
        "saved_at": "2026-11-23T10:00:00+00:00",
        "document_path": None,
        "scenario": {"volume_per_month": -5},
    }
    autosave_path().write_text(json.dumps(record), encoding="utf-8")
    assert read_autosave() is None
    assert autosave_path().with_name("autosave.json.unreadable").exists()
