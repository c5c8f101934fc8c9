"""The scenario's optional decision fields (owner, the ask, pilot plan, decision date)."""

from __future__ import annotations

import pytest
from domain_helpers import design_example
from pydantic import ValidationError

from app.domain.scenario import Decision, Scenario, describe_validation_error


def test_decision_fields_are_optional_and_round_trip() -> None:
    scenario = design_example()
    assert scenario.decision.empty
    filled = scenario.with_changes(
        decision={"owner": "CFO", "ask": "Approve the pilot", "pilot_plan": "", "decision_date": "2026-12-15"}
    )
    assert not filled.decision.empty
    assert Scenario.model_validate(filled.model_dump()) == filled


@pytest.mark.parametrize("bad", ["15/12/2026", "2026-12", "2026-02-30", "tomorrow"])
def test_a_decision_date_that_is_not_an_iso_day_is_named(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        design_example().with_changes(decision={"decision_date": bad})
    message = describe_validation_error(caught.value)
    assert message.startswith("decision.decision_date: must be a date written YYYY-MM-DD"), message
    assert Decision(decision_date=" ").decision_date == ""
