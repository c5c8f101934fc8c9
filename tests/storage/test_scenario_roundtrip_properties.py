"""Property: any valid scenario survives save and load unchanged, whatever its text and numbers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.scenario import Scenario
from app.storage.atomic import json_text
from app.storage.autosave import AutosaveSlot
from app.storage.scenario_files import (
    ScenarioFileError,
    load_scenario,
    save_scenario,
    scenario_from_text,
    scenario_to_text,
)

CONTRACT = (Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "v1_minimal.json").read_text(
    encoding="utf-8"
)

# Any text a user can put in a name (hypothesis leaves out lone surrogates, which pydantic rejects).
free_text = st.text(max_size=40)
names = free_text.filter(lambda text: bool(text.strip()))
prices = st.floats(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False)
shares = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)
money = st.floats(min_value=0, max_value=1e10, allow_nan=False, allow_infinity=False)
tokens = st.integers(min_value=0, max_value=10_000_000)


def _model() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "name": free_text,
            "input_tokens": tokens,
            "output_tokens": tokens,
            "input_price_per_mtok": prices,
            "output_price_per_mtok": prices,
            "price_source": free_text,
        }
    )


scenarios = st.builds(
    Scenario.model_validate,
    st.fixed_dictionaries(
        {
            "name": names,
            "description": free_text,
            "volume_per_month": st.floats(min_value=0, max_value=1e12, allow_nan=False),
            "horizon_months": st.integers(min_value=1, max_value=120),
            "large": _model(),
            "small": _model(),
            "one_time": st.fixed_dictionaries(
                {"data_curation": money, "training_runs": money, "eval_build": money}
            ),
            "monthly_ops": money,
            "routing": st.fixed_dictionaries(
                {"escalation_rate": shares, "mode": st.sampled_from(["cascade", "router"])}
            ),
            "price_decline_per_year": st.floats(min_value=0, max_value=0.95),
            "quality": st.fixed_dictionaries(
                {"specialist_accuracy": st.none() | shares, "eval_exists": st.none() | st.booleans()}
            ),
        }
    ),
)


@settings(max_examples=60, deadline=None)
@given(scenarios)
def test_text_round_trip_is_exact(scenario: Scenario) -> None:
    text = scenario_to_text(scenario)
    again = scenario_from_text(text, "roundtrip.json")
    assert again == scenario
    assert scenario_to_text(again) == text


@settings(max_examples=25, deadline=None)
@given(scenarios)
def test_file_and_autosave_round_trip_is_exact(scenario: Scenario) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.json"
        save_scenario(scenario, path)
        assert load_scenario(path) == scenario
    slot = AutosaveSlot()
    slot.write(scenario, None)
    recovered = slot.read()
    slot.close()
    assert recovered is not None and recovered.scenario == scenario


def test_json_text_escapes_a_lone_surrogate_instead_of_failing() -> None:
    # Linux file names with undecodable bytes reach Python as lone surrogates (recent files).
    text = json_text({"recent_files": ["report \udcff.json"], "title": "Café"})
    text.encode("utf-8")
    assert json.loads(text) == {"recent_files": ["report \udcff.json"], "title": "Café"}
    assert "Café" in json_text({"title": "Café"})  # readable text stays readable


def test_a_lone_surrogate_in_a_scenario_file_is_a_clear_error() -> None:
    with pytest.raises(ScenarioFileError) as info:
        scenario_from_text(CONTRACT.replace('"Contract example"', '"bad \\ud800"'), "x.json")
    assert str(info.value).startswith("x.json: name: Input should be a valid string")


def test_saving_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    document = (
        Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "v1_minimal.json"
    ).read_text()
    scenario = scenario_from_text(document, "x.json")
    target = tmp_path / "real.json"
    save_scenario(scenario, target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    save_scenario(scenario.with_changes(name="Via the link"), link)
    assert link.is_symlink()
    assert load_scenario(target).name == "Via the link"
