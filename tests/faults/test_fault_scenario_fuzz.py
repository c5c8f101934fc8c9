"""Fuzz of scenario files: whatever bytes a file holds, reading it gives a scenario or ONE line
naming the file and the problem, and `calc --json` prints valid JSON or that one line (exit 2).

Three sources of hostile files: raw bytes, valid scenarios with one field (at any depth) replaced
by an arbitrary JSON value, and JSON text nested or sized absurdly. The quick run is part of
every test run; the long one (2,000 cases per strategy) is marked slow.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.storage.presets import load_preset, preset_names
from app.storage.scenario_files import ScenarioFileError, load_scenario

SEEDS = [load_preset(name).model_dump(mode="json") for name in preset_names()]


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "\x00", "1e400", "NaN", "-0", "true", "10000000", "\ud800", "𝟙𝟘"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> bytes:
    document = json.loads(json.dumps(draw(st.sampled_from(SEEDS))))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        target = document
        for step in path[:-1]:
            target = target[step]
        if draw(st.booleans()) or not isinstance(target, dict):
            target[path[-1]] = draw(json_values)
        else:
            del target[path[-1]]
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")


absurd_json = st.one_of(
    st.integers(1, 100_000).map(lambda depth: ("[" * depth + "]" * depth).encode()),
    st.integers(1, 100_000).map(lambda depth: ('{"a":' * depth + "1" + "}" * depth).encode()),
    st.sampled_from(
        [b"", b"\xef\xbb\xbf", b"null", b"[]", b'"x"', b"1e999999", b'{"a": 1, "a": 2}', b"\x00" * 64]
    ),
)

hostile_files = st.one_of(st.binary(max_size=2000), mutated_scenarios(), absurd_json)


def _check_one(raw: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.json"
        path.write_bytes(raw)
        try:
            load_scenario(path)
        except ScenarioFileError as exc:
            message = str(exc)
            assert message.startswith(f"{path}: ") and "\n" not in message and "Traceback" not in message
        capsys.readouterr()
        code = main(["calc", str(path), "--json"])
        out, err = capsys.readouterr()
        if code == 0:
            json.loads(out)  # valid JSON, no Infinity or NaN
        else:
            assert code == 2, (code, err)
            assert out == "" and err.count("\n") == 1 and err.startswith("specialist-studio calc: "), err
        assert path.read_bytes() == raw  # reading never changes the file


@_settings(int(os.environ.get("SPECIALIST_STUDIO_FUZZ_EXAMPLES", "150")))
@given(hostile_files)
def test_any_scenario_file_loads_or_fails_in_one_line(capsys: pytest.CaptureFixture[str], raw: bytes) -> None:
    _check_one(raw, capsys)


@pytest.mark.slow
@_settings(2000)
@given(st.one_of(mutated_scenarios(), st.binary(max_size=5000), absurd_json))
def test_fuzz_2000_scenario_files(capsys: pytest.CaptureFixture[str], raw: bytes) -> None:
    _check_one(raw, capsys)
