"""Scenario files: every format version loads, saves are atomic, every error is one clear line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.domain.scenario import CURRENT_SCHEMA_VERSION, Scenario
from app.storage import scenario_files
from app.storage.scenario_files import (
    ScenarioFileError,
    load_scenario,
    migrate,
    save_scenario,
    scenario_from_text,
    scenario_to_text,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def _contract_document() -> dict[str, Any]:
    return json.loads((FIXTURES / "v1_minimal.json").read_text(encoding="utf-8"))


def _write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# --- every saved format version has a fixture, and it loads ---------------------------------


def test_there_is_a_fixture_for_every_format_version() -> None:
    versions = {json.loads(p.read_text(encoding="utf-8"))["schema_version"] for p in FIXTURES.glob("v*.json")}
    assert versions == set(range(1, CURRENT_SCHEMA_VERSION + 1))


def test_v1_minimal_fixture_loads_with_the_contract_values_and_defaults() -> None:
    scenario = load_scenario(FIXTURES / "v1_minimal.json")
    # Migrated: the scenario in memory is the current format (a save writes version 3).
    assert scenario.schema_version == CURRENT_SCHEMA_VERSION == 3
    assert scenario.volume_per_month == 10_000_000
    assert scenario.large.input_tokens == 2200
    assert scenario.large.output_price_per_mtok == 15.0
    assert scenario.small.input_price_per_mtok == 0.30
    assert scenario.one_time.data_curation == 8000
    assert scenario.monthly_ops == 1200
    assert scenario.routing.mode == "cascade"
    # Parts the contract leaves out take their defaults: extras off, quality unknown.
    assert not scenario.distillation.enabled
    assert not scenario.self_hosting.enabled
    assert scenario.quality.eval_exists is None


def test_v1_full_fixture_loads_every_extra() -> None:
    scenario = load_scenario(FIXTURES / "v1_full.json")
    assert scenario.routing.mode == "router"
    assert scenario.routing.escalation_rate == 0.08
    assert scenario.distillation.examples == 5000
    assert scenario.self_hosting.requests_per_second_per_gpu == 25.0
    assert scenario.retraining.every_months == 6
    assert scenario.price_decline_per_year == 0.3
    assert scenario.quality.specialist_accuracy == 0.93
    assert scenario.large.tokens_measured is True
    assert scenario.large.price_as_of == "2026-04-01"


def test_a_file_without_schema_version_is_read_as_version_1() -> None:
    document = _contract_document()
    del document["schema_version"]
    seen: list[int] = []
    original = scenario_files.MIGRATIONS[1]

    def spy(doc: dict[str, Any]) -> dict[str, Any]:
        seen.append(doc.get("schema_version", 1))
        return original(doc)

    scenario_files.MIGRATIONS[1] = spy
    try:
        scenario = scenario_from_text(json.dumps(document), "x.json")
    finally:
        scenario_files.MIGRATIONS[1] = original
    # Read as version 1 (its migration ran), then held as the current version.
    assert seen == [1]
    assert scenario.schema_version == CURRENT_SCHEMA_VERSION


def test_v2_full_fixture_loads_the_v2_fields() -> None:
    scenario = load_scenario(FIXTURES / "v2_full.json")
    assert scenario.schema_version == CURRENT_SCHEMA_VERSION
    assert scenario.small_price_drift_per_year == 0.0  # v2 priced the specialist flat
    assert scenario.quality.hybrid_accuracy == 0.94
    assert scenario.off_the_shelf.input_tokens == 1500
    assert scenario.off_the_shelf.output_tokens == 180
    assert scenario.off_the_shelf.input_price_per_mtok == 0.1
    assert scenario.off_the_shelf.output_price_per_mtok == 0.4
    distillation = scenario.distillation
    assert distillation.teacher_cost_per_example == 0.0123
    assert distillation.review_seconds_per_example == 45.0
    assert distillation.reviewer_hourly_rate == 40.0
    assert distillation.teacher_error_rate == 0.04
    assert distillation.measured_from.startswith("distillation tickets.jsonl")
    assert scenario.decision.owner == "Head of Support Operations"
    assert scenario.decision.decision_date == "2026-12-15"
    # Every v1 field keeps its meaning in v2.
    assert scenario.routing.escalation_rate == 0.08
    assert scenario.retraining.every_months == 6


def test_v3_full_fixture_loads_the_specialists_price_drift_and_its_range() -> None:
    scenario = load_scenario(FIXTURES / "v3_full.json")
    assert scenario.schema_version == CURRENT_SCHEMA_VERSION == 3
    assert scenario.small_price_drift_per_year == -0.2
    drift_range = scenario.ranges["small_price_drift_per_year"]
    assert drift_range.bounds() == (-0.4, 0.1)
    # The v3 fixture is the v2 fixture plus the drift: with the drift at 0 they are the same scenario.
    v2 = load_scenario(FIXTURES / "v2_full.json")
    flat = scenario.with_changes(small_price_drift_per_year=0.0, ranges={})
    assert flat.model_dump(exclude={"name", "description"}) == v2.model_dump(exclude={"name", "description"})


def test_a_v2_file_migrates_with_nothing_but_its_stamp_changed() -> None:
    """A v2 file has no drift: the migration leaves every field as written (the drift defaults to 0)."""
    document = json.loads((FIXTURES / "v2_full.json").read_text(encoding="utf-8"))
    migrated = scenario_files.migrate(document)
    assert migrated == {**document, "schema_version": CURRENT_SCHEMA_VERSION}
    assert "small_price_drift_per_year" not in migrated


def test_v1_files_load_with_the_v2_defaults() -> None:
    scenario = load_scenario(FIXTURES / "v1_full.json")
    assert scenario.quality.hybrid_accuracy is None
    assert scenario.off_the_shelf.input_tokens is None  # = the large model's prompt
    v2 = json.loads((FIXTURES / "v2_full.json").read_text(encoding="utf-8"))
    v1 = json.loads((FIXTURES / "v1_full.json").read_text(encoding="utf-8"))
    # The v2 fixture is the v1 fixture plus the v2 additions: the shared fields load alike.
    loaded_v2 = load_scenario(FIXTURES / "v2_full.json")
    for key in v1:
        if key not in ("schema_version", "name", "description", "quality", "distillation"):
            assert getattr(scenario, key) == getattr(loaded_v2, key), key
    # v2's distillation adds the measured fields; the typed ones are the same.
    for key in v1["distillation"]:
        assert getattr(scenario.distillation, key) == getattr(loaded_v2.distillation, key), key
    assert scenario.distillation.teacher_cost_per_example is None
    assert set(v2) - set(v1) == {"off_the_shelf", "decision"}
    assert scenario.decision.empty  # v1 files have no decision fields


@pytest.mark.parametrize(
    ("path", "value", "found"),
    [
        (("volume_per_month",), True, "true"),
        (("volume_per_month",), "10000000", "a string ('10000000')"),
        (("horizon_months",), False, "false"),
        (("large", "input_tokens"), "2200", "a string ('2200')"),
        (("large", "input_price_per_mtok"), [5], "a list"),
        (("one_time", "data_curation"), True, "true"),
        (("monthly_ops",), "1200", "a string ('1200')"),
        (("routing", "escalation_rate"), True, "true"),
        (("quality", "specialist_accuracy"), "0.9", "a string ('0.9')"),
        (("retraining", "every_months"), True, "true"),
    ],
)
def test_numeric_fields_take_only_json_numbers(
    tmp_path: Path, path: tuple[str, ...], value: object, found: str
) -> None:
    document = _contract_document()
    node = document
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    message = _error_for(_write_json(tmp_path / "s.json", document))
    assert message.endswith(f"{'.'.join(path)}: must be a JSON number, found {found}")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("path", "value", "found"),
    [
        (("quality", "eval_exists"), "yes", "a string ('yes')"),
        (("quality", "eval_exists"), 1, "the number 1"),
        (("distillation", "enabled"), "false", "a string ('false')"),
        (("large", "tokens_measured"), 0, "the number 0"),
    ],
)
def test_boolean_fields_take_only_true_or_false(
    tmp_path: Path, path: tuple[str, ...], value: object, found: str
) -> None:
    document = _contract_document()
    node = document
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    message = _error_for(_write_json(tmp_path / "s.json", document))
    assert message.endswith(f"{'.'.join(path)}: must be true or false, found {found}")


def test_a_fractional_whole_number_is_named(tmp_path: Path) -> None:
    document = _contract_document()
    document["horizon_months"] = 24.5
    assert _error_for(_write_json(tmp_path / "s.json", document)).endswith(
        "horizon_months: must be a whole number, found 24.5"
    )
    document["horizon_months"] = 24.0  # a whole number written as a float is still that number
    assert load_scenario(_write_json(tmp_path / "s.json", document)).horizon_months == 24


@pytest.mark.parametrize("left_out", [("one_time",), ("monthly_ops",), ("one_time", "monthly_ops")])
def test_a_file_without_a_decisive_cost_loads_with_a_warning_per_part(
    tmp_path: Path, left_out: tuple[str, ...]
) -> None:
    document = _contract_document()
    for key in left_out:
        del document[key]
    path = _write_json(tmp_path / "s.json", document)
    read = scenario_files.read_scenario(path)
    assert len(read.warnings) == len(left_out)
    for key, line in zip(left_out, read.warnings, strict=True):
        assert line.startswith(f"{path}: {key} is not in the file: ")
        assert "count as $0" in line
        assert "\n" not in line
    assert load_scenario(path) == read.scenario  # the plain loader still loads it


def test_a_complete_file_has_no_warning() -> None:
    assert scenario_files.read_scenario(FIXTURES / "v1_minimal.json").warnings == ()
    assert scenario_files.read_scenario(FIXTURES / "v2_full.json").warnings == ()


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "v1_minimal.json").read_bytes())
    assert load_scenario(path).name == "Contract example"


# --- round trip and atomic save ---------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["v1_minimal.json", "v1_full.json"])
def test_save_then_load_gives_the_same_scenario_and_the_same_text(tmp_path: Path, fixture: str) -> None:
    original = load_scenario(FIXTURES / fixture)
    path = tmp_path / "copy.json"
    save_scenario(original, path)
    reloaded = load_scenario(path)
    assert reloaded == original
    assert scenario_to_text(reloaded) == path.read_text(encoding="utf-8")


def test_saved_text_is_stable_json_with_every_contract_key(tmp_path: Path) -> None:
    scenario = load_scenario(FIXTURES / "v1_minimal.json")
    document = json.loads(scenario_to_text(scenario))
    for key in ("schema_version", "name", "volume_per_month", "horizon_months", "large", "small"):
        assert key in document
    assert set(document["one_time"]) >= {"data_curation", "training_runs", "eval_build"}
    assert document["routing"] == {"escalation_rate": 0.0, "mode": "cascade"}


def test_a_failed_write_leaves_the_old_file_intact_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scenario.json"
    old = load_scenario(FIXTURES / "v1_minimal.json")
    save_scenario(old, path)
    before = path.read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    new = old.with_changes(name="Changed")
    with pytest.raises(ScenarioFileError) as info:
        save_scenario(new, path)
    assert (
        str(info.value)
        == f"{path}: could not write the scenario (No space left on device); nothing was replaced"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.json"]


def test_a_failed_rename_leaves_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scenario.json"
    old = load_scenario(FIXTURES / "v1_minimal.json")
    save_scenario(old, path)
    before = path.read_bytes()

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(
        ScenarioFileError, match=r"could not write the scenario \(Permission denied\); nothing was replaced"
    ):
        save_scenario(old.with_changes(name="Changed"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.json"]


def test_saving_keeps_the_permissions_of_the_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    scenario = load_scenario(FIXTURES / "v1_minimal.json")
    save_scenario(scenario, path)
    path.chmod(0o640)
    save_scenario(scenario.with_changes(name="Again"), path)
    assert path.stat().st_mode & 0o777 == 0o640
    assert load_scenario(path).name == "Again"


def test_saving_onto_a_folder_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ScenarioFileError, match=r"is a folder; give the scenario a file name"):
        save_scenario(load_scenario(FIXTURES / "v1_minimal.json"), tmp_path)


# --- every error message shape: file, field or position, problem, on one line ---------------


def _error_for(path: Path) -> str:
    with pytest.raises(ScenarioFileError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


def test_missing_file(tmp_path: Path) -> None:
    assert _error_for(tmp_path / "scenario.json") == "file not found"


def test_a_folder(tmp_path: Path) -> None:
    assert _error_for(tmp_path) == "is a folder, not a scenario file"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text("  \n", encoding="utf-8")
    assert _error_for(path) == "file is empty (expected a JSON scenario object)"


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text('{\n  "name": "x",\n  "volume_per_month" 5\n}', encoding="utf-8")
    assert _error_for(path) == "line 3, column 22: invalid JSON (Expecting ':' delimiter)"


def test_invalid_json_missing_comma(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text('{"name": "x"\n "volume_per_month": 5}', encoding="utf-8")
    assert _error_for(path) == "line 2, column 2: invalid JSON (Expecting ',' delimiter)"


def test_wrong_type_names_the_field(tmp_path: Path) -> None:
    document = _contract_document()
    document["large"]["input_tokens"] = "lots"
    message = _error_for(_write_json(tmp_path / "scenario.json", document))
    # Strict since version 2: a string is never read as a number (it said "unable to parse string").
    assert message == "large.input_tokens: must be a JSON number, found a string ('lots')"


def test_negative_price_names_the_field(tmp_path: Path) -> None:
    document = _contract_document()
    document["large"]["input_price_per_mtok"] = -1
    message = _error_for(_write_json(tmp_path / "scenario.json", document))
    assert message == "large.input_price_per_mtok: Input should be greater than or equal to 0"


def test_rate_above_one_names_the_field(tmp_path: Path) -> None:
    document = _contract_document()
    document["routing"]["escalation_rate"] = 1.5
    message = _error_for(_write_json(tmp_path / "scenario.json", document))
    assert message == "routing.escalation_rate: Input should be less than or equal to 1"


def test_unknown_field_is_a_typo_not_ignored(tmp_path: Path) -> None:
    document = _contract_document()
    document["monthly_opps"] = 5
    message = _error_for(_write_json(tmp_path / "scenario.json", document))
    assert message == "monthly_opps: unknown field (typo?)"


def test_missing_required_field(tmp_path: Path) -> None:
    document = _contract_document()
    del document["volume_per_month"]
    message = _error_for(_write_json(tmp_path / "scenario.json", document))
    assert message == "volume_per_month: required field is missing"


def test_not_a_number_in_the_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(_contract_document()).replace("1200", "NaN"), encoding="utf-8")
    assert _error_for(path).startswith("monthly_ops: ")


def test_newer_schema_version(tmp_path: Path) -> None:
    document = _contract_document()
    document["schema_version"] = CURRENT_SCHEMA_VERSION + 1
    message = _error_for(_write_json(tmp_path / "scenario.json", document))
    assert message == (
        f"schema_version: {CURRENT_SCHEMA_VERSION + 1} is newer than this version of Specialist Studio "
        f"understands (up to {CURRENT_SCHEMA_VERSION}); update the app to open this file"
    )


@pytest.mark.parametrize(
    ("version", "problem"),
    [
        ("1", 'must be a whole number, found "1"'),
        (1.5, "must be a whole number, found 1.5"),
        (0, "must be 1 or more"),
    ],
)
def test_bad_schema_version(tmp_path: Path, version: object, problem: str) -> None:
    document = _contract_document()
    document["schema_version"] = version
    message = _error_for(_write_json(tmp_path / "scenario.json", document))
    assert message.startswith(f"schema_version: {problem}")


@pytest.mark.parametrize(("content", "found"), [([1, 2], "a list"), ("text", "a string"), (3, "a number")])
def test_top_level_not_an_object(tmp_path: Path, content: object, found: str) -> None:
    message = _error_for(_write_json(tmp_path / "scenario.json", content))
    assert message == f"top level must be a JSON object with the scenario fields, found {found}"


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    assert _error_for(path) == "byte 13: not UTF-8 text (is this a scenario JSON file?)"


def test_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text('{"monthly_ops": 1, "monthly_ops": 2}', encoding="utf-8")
    assert _error_for(path) == "invalid scenario (duplicate key 'monthly_ops')"


def test_unreadable_file(tmp_path: Path) -> None:
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("permissions are not enforced for this user")
    path = _write_json(tmp_path / "scenario.json", _contract_document())
    path.chmod(0)
    assert _error_for(path) == "cannot read the file (Permission denied)"


def test_absurdly_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scenario_files, "MAX_FILE_BYTES", 100)
    path = _write_json(tmp_path / "scenario.json", _contract_document())
    assert "too large for a scenario file" in _error_for(path)


def test_from_text_uses_the_given_source_name() -> None:
    with pytest.raises(ScenarioFileError) as info:
        scenario_from_text("[]", "preset support-ticket-triage")
    assert str(info.value).startswith("preset support-ticket-triage: top level must be")


# --- the migration hook -----------------------------------------------------------------------


def test_migrations_run_in_order_up_to_the_current_version() -> None:
    calls: list[int] = []

    def v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        document["volume"] = document.pop("volume_per_month")
        return document

    def v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
        calls.append(2)
        assert document["schema_version"] == 2  # the previous step's stamp is set for it
        document["volume_per_month"] = document.pop("volume") * 2
        return document

    migrated = migrate({"schema_version": 1, "volume_per_month": 5}, 3, {1: v1_to_v2, 2: v2_to_v3})
    assert calls == [1, 2]
    assert migrated == {"schema_version": 3, "volume_per_month": 10}


def test_a_missing_migration_step_is_named() -> None:
    with pytest.raises(ValueError, match="no migration from version 1 to 2"):
        migrate({"schema_version": 1}, 2, {})


def test_migration_does_not_change_the_callers_document() -> None:
    original = {"schema_version": 1, "a": 1}
    migrate(original, 2, {1: lambda d: {**d, "a": 2}})
    assert original == {"schema_version": 1, "a": 1}


def test_the_registry_covers_every_older_version() -> None:
    assert set(scenario_files.MIGRATIONS) == set(range(1, CURRENT_SCHEMA_VERSION))


def test_loaded_scenarios_are_the_domain_model() -> None:
    assert isinstance(load_scenario(FIXTURES / "v1_full.json"), Scenario)
