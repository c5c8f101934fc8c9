"""Scenario files: JSON on disk <-> validated `Scenario`, with format migrations.

Every problem becomes a `ScenarioFileError` whose text is ONE line naming the file, the field
(or line and column) and the problem, e.g.
`scenario.json: large.input_price_per_mtok: Input should be greater than or equal to 0`.
The CLI prints it verbatim and the window shows it in a dialog; no traceback reaches a user.

Format versions: `schema_version` in the file says which format it is written in. Older files
are brought up to date by `MIGRATIONS[v]` (version v -> v + 1) in order; a file newer than this
app gets a clear error instead of a guess. A file without `schema_version` is read as version 1,
the first published format, so hand-written files and outside tools may leave it out.

Version 2 added optional fields only (`off_the_shelf`, `quality.hybrid_accuracy`), and so did
version 3 (`small_price_drift_per_year`), so each step is a re-stamp. What changed for every
version alike: numeric fields take only JSON numbers and boolean fields only `true`/`false` (a
quoted number or a `true` volume is an error naming the field), and a file that leaves out
`one_time` or `monthly_ops` loads with a warning line (`read_scenario`), because those forgotten
costs are what decide a switch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.domain.scenario import (
    CURRENT_SCHEMA_VERSION,
    Scenario,
    describe_validation_error,
    missing_cost_warnings,
)
from app.storage.atomic import atomic_write_text, json_text
from app.storage.regular_files import FileRefusedError, read_regular_bytes

JsonObject = dict[str, Any]


# MIGRATIONS[v] turns a version-v document into a version-(v + 1) document. Add an entry (and a
# fixture file under tests/fixtures/scenarios/) whenever CURRENT_SCHEMA_VERSION goes up.
def _v1_to_v2(document: JsonObject) -> JsonObject:
    """Version 1 -> 2: every v1 field keeps its name and meaning; v2 only adds optional ones.

    (Stricter reading of numbers and booleans applies to every version and is not a migration:
    a v1 file that wrote `"volume_per_month": "10000000"` was wrong then too.)
    """
    return document


def _v2_to_v3(document: JsonObject) -> JsonObject:
    """Version 2 -> 3: every v2 field keeps its name and meaning; v3 adds the specialist's own price
    drift (`small_price_drift_per_year`), which a v2 file leaves at 0 (flat, as v2 priced it)."""
    return document


MIGRATIONS: dict[int, Callable[[JsonObject], JsonObject]] = {1: _v1_to_v2, 2: _v2_to_v3}

# A scenario file is a few kilobytes; refuse to read something absurd (a wrong file picked).
MAX_FILE_BYTES = 5_000_000


class ScenarioFileError(Exception):
    """A scenario file could not be read, parsed, migrated, validated or written.

    `str(error)` is one line: `<file>: <field or position>: <problem>`.
    """

    def __init__(self, source_name: str, problem: str) -> None:
        self.source_name = source_name
        # A field name from the file may hold a line break or other control character (found by
        # fuzzing): shown escaped, so the message stays one line and says what is there.
        self.problem = _visible(problem)
        super().__init__(f"{_visible(source_name)}: {self.problem}")


def _visible(text: str) -> str:
    """`text` with control characters written as escapes (`\\n`, `\\x00`)."""
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def _type_name(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> JsonObject:
    # json.loads keeps the last of two equal keys silently; a duplicated price is a real mistake.
    result: JsonObject = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _file_version(data: Mapping[str, Any]) -> int:
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"schema_version: must be a whole number, found {json.dumps(version)}")
    if version < 1:
        raise ValueError(f"schema_version: must be 1 or more, found {version}")
    return version


def migrate(
    data: JsonObject,
    current_version: int = CURRENT_SCHEMA_VERSION,
    migrations: Mapping[int, Callable[[JsonObject], JsonObject]] | None = None,
) -> JsonObject:
    """Bring a parsed scenario document up to `current_version` (raises `ValueError` naming the problem).

    Each step gets a copy and must return a document whose `schema_version` is one higher; the
    step's own version stamp is set here so a migration cannot forget it.
    """
    registry = MIGRATIONS if migrations is None else migrations
    version = _file_version(data)
    if version > current_version:
        raise ValueError(
            f"schema_version: {version} is newer than this version of Specialist Studio understands "
            f"(up to {current_version}); update the app to open this file"
        )
    document = dict(data)
    while version < current_version:
        step = registry.get(version)
        if step is None:
            raise ValueError(f"schema_version: no migration from version {version} to {version + 1}")
        document = step(dict(document))
        version += 1
        document["schema_version"] = version
    document.setdefault("schema_version", current_version)
    return document


@dataclass(frozen=True)
class ScenarioRead:
    """A scenario read from a file, and the warning lines its reader must show (one line each)."""

    scenario: Scenario
    warnings: tuple[str, ...] = ()


def scenario_from_text(text: str, source_name: str) -> Scenario:
    """Parse, migrate and validate scenario JSON; `source_name` names it in error messages."""
    return read_scenario_text_checked(text, source_name).scenario


def read_scenario_text_checked(text: str, source_name: str) -> ScenarioRead:
    """`scenario_from_text` plus the warnings: each line is `<source>: <field> is not in the file: ...`."""
    if not text.strip():
        raise ScenarioFileError(source_name, "file is empty (expected a JSON scenario object)")
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ScenarioFileError(
            source_name, f"line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"
        ) from None
    except ValueError as exc:  # duplicate key from the hook
        raise ScenarioFileError(source_name, f"invalid scenario ({exc})") from None
    except RecursionError:
        raise ScenarioFileError(source_name, "invalid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ScenarioFileError(
            source_name, f"top level must be a JSON object with the scenario fields, found {_type_name(data)}"
        )
    try:
        document = migrate(data)
    except ValueError as exc:
        raise ScenarioFileError(source_name, str(exc)) from None
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        raise ScenarioFileError(source_name, describe_validation_error(exc)) from None
    warnings = tuple(f"{source_name}: {line}" for line in missing_cost_warnings(data))
    return ScenarioRead(scenario, warnings)


def scenario_to_text(scenario: Scenario) -> str:
    """The scenario as the JSON text of a scenario file (every field written, stable key order)."""
    return json_text(scenario.model_dump(mode="json"))


def read_scenario_text(path: Path) -> str:
    """The file's text (UTF-8, a leading BOM tolerated) or a `ScenarioFileError` naming the problem.

    Only a regular file of at most `MAX_FILE_BYTES` is read: a named pipe would block forever and
    `/dev/zero` would never end (symbolic links are followed; a loop is reported as one).
    """
    try:
        raw = read_regular_bytes(path, "a scenario file", MAX_FILE_BYTES)
    except FileRefusedError as exc:
        raise ScenarioFileError(str(path), exc.problem) from None
    try:
        # utf-8-sig: editors on Windows like to prepend a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(
            str(path), f"byte {exc.start}: not UTF-8 text (is this a scenario JSON file?)"
        ) from None


def load_scenario(path: Path | str) -> Scenario:
    """Read a scenario file, apply migrations and validate it; raises `ScenarioFileError`."""
    return read_scenario(path).scenario


def read_scenario(path: Path | str) -> ScenarioRead:
    """`load_scenario` plus the warning lines to show (a decisive cost left out of the file)."""
    file_path = Path(path)
    return read_scenario_text_checked(read_scenario_text(file_path), str(file_path))


def save_scenario(scenario: Scenario, path: Path | str) -> None:
    """Write the scenario atomically: a failed save leaves the previous file as it was."""
    file_path = Path(path)
    try:
        atomic_write_text(file_path, scenario_to_text(scenario), what="the scenario")
    except FileRefusedError as exc:
        raise ScenarioFileError(str(file_path), exc.problem) from None
