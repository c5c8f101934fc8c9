"""Bad scenario data is refused with a message that names the field and the problem."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from domain_helpers import design_example
from pydantic import ValidationError

from app.domain.scenario import Scenario, describe_validation_error


def _message(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    return describe_validation_error(caught.value)


def _valid() -> dict[str, Any]:
    return design_example().model_dump()


def test_negative_price_names_the_field() -> None:
    data = _valid()
    data["large"]["input_price_per_mtok"] = -1
    assert _message(data) == "large.input_price_per_mtok: Input should be greater than or equal to 0"


def test_negative_volume_names_the_field() -> None:
    data = {**_valid(), "volume_per_month": -5}
    assert _message(data).startswith("volume_per_month: ")


def test_rate_above_one_names_the_field() -> None:
    data = _valid()
    data["routing"]["escalation_rate"] = 1.5
    assert _message(data) == "routing.escalation_rate: Input should be less than or equal to 1"


@pytest.mark.parametrize(
    ("drift", "message"),
    [
        (-0.96, "small_price_drift_per_year: Input should be greater than or equal to -0.95"),
        (1.01, "small_price_drift_per_year: Input should be less than or equal to 1"),
        (True, "small_price_drift_per_year: must be a JSON number, found true"),
    ],
)
def test_the_specialists_price_drift_is_signed_and_bounded(drift: object, message: str) -> None:
    # Cheaper by at most 95 % a year (like the frontier's decline), dearer by at most double.
    assert _message({**_valid(), "small_price_drift_per_year": drift}) == message
    for fine in (-0.95, -0.3, 0.0, 0.25, 1.0):
        assert Scenario.model_validate({**_valid(), "small_price_drift_per_year": fine})


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    data = _valid()
    data["small"]["output_price_per_mtok"] = bad
    message = _message(data)
    assert message.startswith("small.output_price_per_mtok: ")
    assert "finite" in message


def test_nan_from_a_json_file_is_refused() -> None:
    text = json.dumps(_valid()).replace('"monthly_ops": 1200.0', '"monthly_ops": NaN')
    assert "NaN" in text
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate_json(text)
    assert describe_validation_error(caught.value).startswith("monthly_ops: ")


def test_unknown_key_is_a_typo() -> None:
    data = {**_valid(), "volume_per_mnth": 10}
    assert _message(data) == "volume_per_mnth: unknown field (typo?)"


def test_missing_contract_field() -> None:
    data = _valid()
    del data["large"]["output_tokens"]
    assert _message(data) == "large.output_tokens: required field is missing"


def test_absurd_volume_is_caught() -> None:
    data = {**_valid(), "volume_per_month": 1e15}
    assert _message(data).startswith("volume_per_month: Input should be less than or equal to")


def test_every_problem_is_listed() -> None:
    data = _valid()
    data["routing"]["escalation_rate"] = -0.1
    data["one_time"]["data_curation"] = -1
    message = _message(data)
    assert "routing.escalation_rate" in message and "one_time.data_curation" in message


def test_quality_rates_are_shares() -> None:
    data = {**_valid(), "quality": {"specialist_accuracy": 93}}
    assert _message(data).startswith("quality.specialist_accuracy: ")


def test_the_design_example_round_trips_through_json() -> None:
    scenario = design_example()
    assert Scenario.model_validate_json(scenario.model_dump_json()) == scenario
