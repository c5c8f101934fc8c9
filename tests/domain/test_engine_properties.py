"""Properties of the cost engine and the rules over the whole input space (hypothesis)."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest
from domain_helpers import PROPERTY_SETTINGS, scenario_dicts, scenarios
from hypothesis import assume, example, given
from hypothesis import strategies as st

from app.domain import costs, goal_seek, payback
from app.domain.report_data import calc_result
from app.domain.rules import evaluate
from app.domain.scenario import Scenario


def _months(value: float | None) -> float:
    return math.inf if value is None else value


def _assert_no_nan(value: object, where: str) -> None:
    if isinstance(value, float):
        assert not math.isnan(value), where
    elif isinstance(value, np.ndarray):
        assert not np.isnan(value).any(), where
    elif isinstance(value, dict):
        for key, item in value.items():
            _assert_no_nan(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _assert_no_nan(item, f"{where}[{index}]")


@PROPERTY_SETTINGS
@given(scenarios(self_hosting=False), st.floats(1.0, 100.0))
def test_break_even_never_rises_when_volume_rises(scenario: Scenario, factor: float) -> None:
    """Per-token prices: more traffic can only bring the payback closer (extras included)."""
    bigger = min(scenario.volume_per_month * factor, 1e12)
    before = _months(costs.summarize(scenario).break_even_months)
    after = _months(costs.summarize(scenario.with_changes(volume_per_month=bigger)).break_even_months)
    assert after <= before * (1 + 1e-9) + 1e-12


@PROPERTY_SETTINGS
@given(scenarios(), st.floats(1.0, 10.0))
def test_break_even_never_rises_when_the_large_price_rises(scenario: Scenario, factor: float) -> None:
    large = scenario.large
    assume(large.input_price_per_mtok * factor <= 10_000 and large.output_price_per_mtok * factor <= 10_000)
    dearer = large.model_copy(
        update={
            "input_price_per_mtok": large.input_price_per_mtok * factor,
            "output_price_per_mtok": large.output_price_per_mtok * factor,
        }
    )
    before = _months(costs.summarize(scenario).break_even_months)
    after = _months(costs.summarize(scenario.with_changes(large=dearer)).break_even_months)
    assert after <= before * (1 + 1e-9) + 1e-12


# Found by hypothesis: a subnormal large price made the price goal seek print "infx today's".
_VANISHING_PRICE = Scenario.model_validate(
    {
        "name": "vanishing price",
        "volume_per_month": 1.0,
        "horizon_months": 1,
        "monthly_ops": 1.0,
        "large": {
            "input_tokens": 1,
            "output_tokens": 0,
            "input_price_per_mtok": 2.2250738585e-313,
            "output_price_per_mtok": 0.0,
        },
        "small": {
            "input_tokens": 0,
            "output_tokens": 0,
            "input_price_per_mtok": 0.0,
            "output_price_per_mtok": 0.0,
        },
    }
)


@PROPERTY_SETTINGS
@given(scenarios())
@example(_VANISHING_PRICE)
def test_no_nan_anywhere(scenario: Scenario) -> None:
    summary = costs.summarize(scenario)
    for field in fields(summary):
        _assert_no_nan(getattr(summary, field.name), field.name)
    for field in fields(summary.breakdown):
        value = getattr(summary.breakdown, field.name)
        assert math.isfinite(value), field.name
    curves = costs.cumulative_curves(scenario)
    for name in ("months", "large_only", "specialist", "specialist_only"):
        assert np.isfinite(getattr(curves, name)).all(), name
    months = costs.break_even_vs_volume(scenario, costs.volume_range(scenario))
    assert not np.isnan(months).any()
    assert (months >= 0).all()
    for seek in (goal_seek.goal_seek_volume(scenario, 6), goal_seek.goal_seek_large_price(scenario, 6)):
        assert seek.value is None or math.isfinite(seek.value)
        assert "nan" not in seek.message.lower() and "inf" not in seek.message.lower(), seek.message
    recommendation = evaluate(scenario, summary)
    for rule in recommendation.rules:
        assert "nan" not in rule.reason.lower() and "inf" not in rule.reason.lower(), rule.reason
    assert "nan" not in recommendation.headline.lower()
    _assert_no_nan(calc_result(scenario, summary, recommendation), "calc_result")


@PROPERTY_SETTINGS
@given(scenario_dicts())
def test_cascade_never_cheaper_than_router(data: dict[str, object]) -> None:
    cascade = Scenario.model_validate({**data, "routing": {**data["routing"], "mode": "cascade"}})  # type: ignore[dict-item]
    router = Scenario.model_validate({**data, "routing": {**data["routing"], "mode": "router"}})  # type: ignore[dict-item]
    cascade_summary = costs.summarize(cascade)
    router_summary = costs.summarize(router)
    tolerance = 1e-12 * max(1.0, cascade_summary.specialist_cost_per_request)
    assert (
        cascade_summary.specialist_cost_per_request >= router_summary.specialist_cost_per_request - tolerance
    )
    assert cascade_summary.specialist_monthly >= router_summary.specialist_monthly * (1 - 1e-12)
    assert _months(cascade_summary.break_even_months) >= _months(router_summary.break_even_months) * (
        1 - 1e-9
    )


@PROPERTY_SETTINGS
@given(scenarios(extras=False))
def test_closed_form_and_curve_crossing_agree_without_extras(scenario: Scenario) -> None:
    closed = costs.break_even_closed_form(scenario)
    on_curves = costs.break_even_on_curves(scenario)
    if closed is None or closed > payback.DEFAULT_SEARCH_MONTHS * (1 + 1e-9):
        assert on_curves is None
    elif closed < payback.DEFAULT_SEARCH_MONTHS * (1 - 1e-9):
        assert on_curves == pytest.approx(closed, rel=1e-9, abs=1e-9)
    assert costs.summarize(scenario).break_even_months == closed


@PROPERTY_SETTINGS
@given(scenarios())
def test_from_the_break_even_to_the_horizon_the_specialist_stays_ahead_on_the_drawn_curves(
    scenario: Scenario,
) -> None:
    """From the break-even on it is ahead through the horizon; just before it, it is not.

    (It used to be the first crossing: "before the break-even the specialist is never ahead".
    With retraining or falling prices it may be ahead earlier and fall behind again; the payback
    is the month from which it stays ahead.)
    """
    months = costs.summarize(scenario).break_even_months
    assume(months is not None and months <= scenario.horizon_months)
    assert months is not None
    curves = costs.cumulative_curves(scenario, points_per_month=8)
    scale = max(1.0, float(curves.large_only.max()), float(curves.specialist.max()))
    after = curves.months > months + 1e-6
    assert (curves.large_only[after] >= curves.specialist[after] - 1e-9 * scale).all()
    assert curves.break_even_months == months


@PROPERTY_SETTINGS
@given(scenarios())
def test_break_even_vs_volume_agrees_with_the_summary(scenario: Scenario) -> None:
    months = costs.break_even_vs_volume(scenario, np.array([scenario.volume_per_month]))
    summary_months = _months(costs.summarize(scenario).break_even_months)
    if math.isinf(summary_months):
        assert math.isinf(months[0])
    else:
        assert months[0] == pytest.approx(summary_months, rel=1e-9, abs=1e-12)
