"""Settings round-trip, survive bad or newer files, and never hold an API key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.storage.paths import settings_path
from app.storage.settings import (
    MAX_RECENT_FILES,
    SETTINGS_VERSION,
    Settings,
    SpecialistSettings,
    load_settings,
    merged_settings,
    save_settings,
    update_settings,
)

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_when_there_is_no_file() -> None:
    assert load_settings() == Settings()


def test_round_trip() -> None:
    settings = Settings(theme="dark").with_recent_file("/data/a.json")
    frontier = settings.frontier.model_copy(update={"model": "gpt-4.1", "timeout_seconds": 30.0})
    settings = settings.model_copy(update={"frontier": frontier})
    save_settings(settings)
    assert load_settings() == settings


def test_recent_files_most_recent_first_without_duplicates_and_capped() -> None:
    settings = Settings()
    for index in range(MAX_RECENT_FILES + 3):
        settings = settings.with_recent_file(f"/f{index}.json")
    settings = settings.with_recent_file("/f5.json")
    assert settings.recent_files[0] == "/f5.json"
    assert len(settings.recent_files) == MAX_RECENT_FILES
    assert len(set(settings.recent_files)) == MAX_RECENT_FILES
    assert settings.last_scenario == "/f5.json"


def test_an_api_key_in_the_file_is_dropped_and_never_written_back() -> None:
    settings_path().write_text(
        json.dumps({"theme": "light", "api_key": "sk-secret", "frontier": {"api_key": "sk-secret2"}}),
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.theme == "light"
    save_settings(settings)
    assert "sk-secret" not in settings_path().read_text(encoding="utf-8")


def test_one_bad_value_keeps_the_rest() -> None:
    settings_path().write_text(json.dumps({"theme": "purple", "recent_files": ["/a.json"]}), encoding="utf-8")
    settings = load_settings()
    assert settings.theme == "system"
    assert settings.recent_files == ("/a.json",)


def test_an_unreadable_file_gives_defaults() -> None:
    settings_path().write_text("{not json", encoding="utf-8")
    assert load_settings() == Settings()
    settings_path().write_text("[1, 2]", encoding="utf-8")
    assert load_settings() == Settings()


def test_keys_from_a_newer_version_are_ignored() -> None:
    settings_path().write_text(json.dumps({"theme": "dark", "a_future_option": True}), encoding="utf-8")
    assert load_settings().theme == "dark"


def test_two_updates_of_different_fields_both_survive() -> None:
    # Two writers that each loaded the settings before either saved.
    update_settings(theme="dark")
    update_settings(local_model={"gpu_layers": 4, "labels": "a, b"}, frontier={"model": "m-1"})
    update_settings(window_geometry="AAAA")
    saved = load_settings()
    assert saved.theme == "dark" and saved.window_geometry == "AAAA"
    assert saved.local_model.gpu_layers == 4 and saved.local_model.labels == "a, b"
    assert saved.frontier.model == "m-1"
    # A section given in part keeps its other saved fields.
    assert saved.local_model.context_size == Settings().local_model.context_size
    update_settings(local_model={"context_size": 512})
    assert load_settings().local_model.gpu_layers == 4


def test_an_update_keeps_fields_the_file_gained_since_it_was_read() -> None:
    update_settings(theme="light")
    stale = load_settings()
    update_settings(frontier={"base_url": "http://127.0.0.1:9/v1"})
    returned = update_settings(recent_files=stale.with_recent_file("/x.json").recent_files)
    assert returned == load_settings()
    assert returned.frontier.base_url == "http://127.0.0.1:9/v1" and returned.recent_files == ("/x.json",)


def test_a_refused_update_names_the_field_and_writes_nothing() -> None:
    update_settings(theme="dark")
    before = settings_path().read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"local_model\.context_size"):
        update_settings(local_model={"context_size": 1})
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        update_settings(colour="red")
    assert settings_path().read_text(encoding="utf-8") == before


# A copy of the app changing its own field of the settings, round after round, as fast as it can.
# Each round first checks that its previous value is still there: a save by the other copy built
# from a stale read would have put back an older value (a lost update).
_SETTINGS_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from app.storage.settings import load_settings, update_settings
    side, rounds, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.001)
    lost = 0
    for i in range(rounds):
        settings = load_settings()
        mine = settings.frontier.model if side == "a" else settings.local_model.few_shot_examples
        if i and mine != f"{side}{i - 1}":
            lost += 1
        if side == "a":
            update_settings(frontier={"model": f"a{i}"})
        else:
            update_settings(local_model={"few_shot_examples": f"b{i}"})
    print(lost)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="the cross-process lock is POSIX flock")
def test_two_processes_saving_settings_lose_no_update(tmp_path: Path) -> None:
    rounds = 200
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _SETTINGS_WRITER, side, str(rounds), str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for side in ("a", "b")
    ]
    go.touch()  # both start at once
    outputs = [writer.communicate(timeout=300) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], outputs
    assert [out.strip() for out, _ in outputs] == ["0", "0"], outputs
    final = load_settings()
    assert final.frontier.model == f"a{rounds - 1}"
    assert final.local_model.few_shot_examples == f"b{rounds - 1}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_the_settings_file_gives_defaults_at_once() -> None:
    os.mkfifo(settings_path())
    assert load_settings() == Settings()  # without waiting for a writer that never comes


SETTINGS_FIXTURES = Path(__file__).parent.parent / "fixtures" / "settings"


def test_every_settings_version_has_a_fixture_file() -> None:
    # A version bump needs a fixture of the new version (and keeps the old ones loading).
    for version in range(1, SETTINGS_VERSION + 1):
        for kind in ("full", "minimal"):
            assert (SETTINGS_FIXTURES / f"v{version}_{kind}.json").is_file(), f"v{version}_{kind}.json"


def _check_v1_fields(settings: Settings) -> None:
    """The fields a version-1 file already had, as the full fixtures write them."""
    assert settings.theme == "dark" and not settings.reopen_last_scenario
    assert settings.recent_files == ("/scenarios/triage.json", "/scenarios/review.json")
    assert (settings.last_scenario, settings.last_directory) == ("/scenarios/triage.json", "/scenarios")
    assert settings.window_geometry == "AdnQywADAAAAAAAA"
    front = settings.frontier
    assert (front.preset, front.base_url, front.model) == (
        "custom",
        "http://127.0.0.1:8000/v1",
        "served-model",
    )
    assert (front.timeout_seconds, front.input_price_per_mtok, front.output_price_per_mtok) == (
        30.0,
        2.5,
        10.0,
    )
    local = settings.local_model
    assert local.model_path == "/models/specialist-q4.gguf"
    assert (local.context_size, local.threads, local.gpu_layers, local.max_tokens) == (4096, 3, 12, 99)
    assert local.temperature == 0.7 and local.prompt_mode == "chat"
    assert local.few_shot_examples == "great => positive\nawful => negative"
    assert local.labels == "positive, negative"
    assert settings.memo.model_dump() == {
        "last_directory": "/memos",
        "page_size": "Letter",
        "author": "A. Reviewer",
    }


def test_v1_full_fixture_loads_every_field_as_written() -> None:
    settings_path().write_bytes((SETTINGS_FIXTURES / "v1_full.json").read_bytes())
    settings = load_settings()
    _check_v1_fields(settings)
    # Version 1 knew only the local specialist: the file loads with it, stamped as this version.
    assert settings.specialist == SpecialistSettings() and settings.specialist.source == "local"
    assert settings.settings_version == SETTINGS_VERSION
    # Every other field of the file was read: none of them is left at its default.
    defaults = Settings()
    for name in Settings.model_fields:
        if name not in ("settings_version", "specialist"):
            assert getattr(settings, name) != getattr(defaults, name), name


def test_v2_full_fixture_loads_every_field_as_written() -> None:
    settings_path().write_bytes((SETTINGS_FIXTURES / "v2_full.json").read_bytes())
    settings = load_settings()
    _check_v1_fields(settings)
    assert settings.specialist.model_dump() == {
        "source": "endpoint",
        "base_url": "http://127.0.0.1:8080/v1",
        "model": "triage-ft",
        "api_key_env": "TRIAGE_SPECIALIST_KEY",
        "timeout_seconds": 45.0,
        "label_grammar": True,
    }
    defaults = Settings()
    for name in Settings.model_fields:
        assert getattr(settings, name) != getattr(defaults, name) or name == "settings_version", name
    for name in SpecialistSettings.model_fields:
        assert getattr(settings.specialist, name) != getattr(defaults.specialist, name), name


@pytest.mark.parametrize("version", range(1, SETTINGS_VERSION + 1))
def test_minimal_fixtures_give_the_defaults(version: int) -> None:
    settings_path().write_bytes((SETTINGS_FIXTURES / f"v{version}_minimal.json").read_bytes())
    assert load_settings() == Settings()


def test_a_newer_files_version_is_kept_and_its_unknown_sections_ignored() -> None:
    settings_path().write_text(
        json.dumps({"settings_version": SETTINGS_VERSION + 1, "theme": "light", "hologram": {"on": True}}),
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.theme == "light" and settings.settings_version == SETTINGS_VERSION + 1


def test_merged_settings_changes_only_the_named_fields_without_writing() -> None:
    base = Settings(theme="dark")
    merged = merged_settings(base, {"local_model": {"gpu_layers": 6}, "last_directory": "/x"})
    assert merged.theme == "dark" and merged.last_directory == "/x"
    assert merged.local_model.gpu_layers == 6
    assert merged.local_model.context_size == base.local_model.context_size
    assert not settings_path().exists()
    with pytest.raises(ValueError, match=r"^settings: local_model\.gpu_layers: "):
        merged_settings(base, {"local_model": {"gpu_layers": -3}})
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        merged_settings(base, {"colour": "red"})
