"""Presets: ready-made scenarios for common narrow tasks, shipped as scenario files.

Each preset is `resources/presets/<name>.json`, an ordinary scenario file (so `--show NAME`
output is valid input for `calc` and for the window). Its `description` is the one-line summary
and its `source` says where the numbers come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.scenario import Scenario
from app.storage.resources import ResourceNotFoundError, resource_path
from app.storage.scenario_files import load_scenario

PRESET_FOLDER = "presets"


class PresetNotFoundError(LookupError):
    """No preset by that name; `str()` names it and lists the ones that exist."""


@dataclass(frozen=True)
class PresetInfo:
    """What a preset picker shows: the name to ask for, the title, a one-line summary, the source."""

    name: str
    title: str
    summary: str
    source: str


def _preset_files() -> list[Path]:
    try:
        folder = resource_path(PRESET_FOLDER)
    except ResourceNotFoundError:
        return []
    return sorted(folder.glob("*.json"))


def preset_names() -> list[str]:
    """Names of the shipped presets, sorted."""
    return [path.stem for path in _preset_files()]


def list_presets() -> list[PresetInfo]:
    """Every shipped preset, sorted by name. A broken preset file raises `ScenarioFileError`."""
    infos = []
    for path in _preset_files():
        scenario = load_scenario(path)
        infos.append(
            PresetInfo(
                name=path.stem, title=scenario.name, summary=scenario.description, source=scenario.source
            )
        )
    return infos


def preset_path(name: str) -> Path:
    """The file of preset `name`; raises `PresetNotFoundError` listing the known names."""
    for path in _preset_files():
        if path.stem == name:
            return path
    known = ", ".join(preset_names()) or "none installed"
    raise PresetNotFoundError(f"no preset named {name!r} (known presets: {known})")


def load_preset(name: str) -> Scenario:
    """The validated scenario of preset `name` (see `preset_path` for the error)."""
    return load_scenario(preset_path(name))
