"""Tornado and spider: each ranged input alone across its range, against oracles written here.

Straight curves are checked against the hand formula of DESIGN §1 (savings at the horizon =
((large - path)·volume - ops)·H - one-time); bent ones (a falling frontier price, the specialist's
own drift, retraining) against the independent day-by-day simulation in brute_force.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from brute_force import simulate
from domain_helpers import design_example

from app.domain import drivers
from app.domain.scenario import Scenario

LARGE = (2200 * 5.0 + 300 * 15.0) / 1e6
SMALL = (250 * 0.30 + 300 * 1.20) / 1e6
ONE_TIME = 8_000 + 1_500 + 4_000
RANGES: dict[str, Any] = {
    "volume_per_month": {"low": 80_000, "high": 200_000, "distribution": "triangular"},
    "monthly_ops": {"low": 800, "high": 1_600, "distribution": "uniform"},
    "one_time.data_curation": {"low": 6_000, "high": 14_000, "distribution": "pert"},
}


def _by_hand(volume: float = 117_000, ops: float = 1_200, curation: float = 8_000) -> float:
    return ((LARGE - SMALL) * volume - ops) * 24 - (ONE_TIME - 8_000 + curation)


def _even(low: float, high: float, count: int) -> list[float]:
    return [low + index * (high - low) / (count - 1) for index in range(count)]


def test_each_spider_point_is_the_hand_formula_at_that_value_with_the_others_as_typed() -> None:
    sweep = drivers.sweep(design_example(volume_per_month=117_000, ranges=RANGES))
    lines = {line.field: line for line in sweep.spider}
    assert set(lines) == set(RANGES)
    for field, keyword in (
        ("volume_per_month", "volume"),
        ("monthly_ops", "ops"),
        ("one_time.data_curation", "curation"),
    ):
        line = lines[field]
        expected_values = _even(RANGES[field]["low"], RANGES[field]["high"], drivers.SPIDER_POINTS)
        assert [point.value for point in line.points] == pytest.approx(expected_values)
        for point, value in zip(line.points, expected_values, strict=True):
            # abs: near zero the sum of terms of ~$40,000 keeps only its rounding.
            assert point.savings_at_horizon == pytest.approx(
                _by_hand(**{keyword: value}), rel=1e-12, abs=1e-6
            )


def test_the_tornado_is_the_spiders_two_ends_in_the_order_of_their_swings() -> None:
    sweep = drivers.sweep(design_example(volume_per_month=117_000, ranges=RANGES))
    # By hand: volume moves savings by (L - S)·120,000·24 = $43,386; ops by 800·24 = $19,200;
    # curation by $8,000. Widest first, and the spider follows the same order.
    assert [bar.field for bar in sweep.tornado] == [
        "volume_per_month",
        "monthly_ops",
        "one_time.data_curation",
    ]
    assert [line.field for line in sweep.spider] == [bar.field for bar in sweep.tornado]
    assert sweep.tornado[0].swing == pytest.approx((LARGE - SMALL) * 120_000 * 24, rel=1e-12)
    for bar, line in zip(sweep.tornado, sweep.spider, strict=True):
        assert (bar.savings_at_low, bar.savings_at_high) == (
            line.points[0].savings_at_horizon,
            line.points[-1].savings_at_horizon,
        )
    # The two-point sweep is the tornado on its own, to the last bit.
    assert drivers.tornado(design_example(volume_per_month=117_000, ranges=RANGES)) == sweep.tornado


def test_whole_number_inputs_step_in_whole_numbers() -> None:
    scenario = design_example(ranges={"large.input_tokens": {"low": 1_000, "high": 3_001}})
    (line,) = drivers.sweep(scenario, points=5).spider
    assert [point.value for point in line.points] == [1_000, 1_500, 2_000, 2_501, 3_001]
    for point in line.points:
        large = (point.value * 5.0 + 300 * 15.0) / 1e6
        expected = ((large - SMALL) * 10_000_000 - 1_200) * 24 - ONE_TIME
        assert point.savings_at_horizon == pytest.approx(expected, rel=1e-12)


def test_bent_curves_follow_the_day_by_day_simulation_at_every_spider_point() -> None:
    """A falling frontier price, the specialist's own price rising or falling and a retraining every
    quarter: no hand formula, so each point's scenario is simulated a day at a time."""
    ranges = {
        "small_price_drift_per_year": {"low": -0.8, "high": 0.6, "distribution": "uniform"},
        "price_decline_per_year": {"low": 0.0, "high": 0.6, "distribution": "triangular"},
        "retraining.cost": {"low": 0.0, "high": 60_000, "distribution": "pert"},
    }
    scenario = design_example(
        volume_per_month=400_000,
        small={
            "input_tokens": 250,
            "output_tokens": 300,
            "input_price_per_mtok": 4.0,
            "output_price_per_mtok": 20.0,
        },
        price_decline_per_year=0.3,
        small_price_drift_per_year=-0.2,
        retraining={"every_months": 3, "cost": 20_000},
        ranges=ranges,
    )
    sweep = drivers.sweep(scenario)
    for line in sweep.spider:
        for point in line.points:
            head, _, rest = line.field.partition(".")
            value = (
                {head: {**getattr(scenario, head).model_dump(), rest: point.value}}
                if rest
                else {head: point.value}
            )
            moved = Scenario.model_validate({**scenario.model_dump(), **value, "ranges": {}})
            simulated = simulate(moved, 24).savings_at(24)
            assert point.savings_at_horizon == pytest.approx(simulated, rel=2e-5, abs=1.0), (
                line.field,
                point,
            )


def test_no_ranges_no_drivers_and_a_sweep_needs_its_two_ends() -> None:
    empty = drivers.sweep(design_example())
    assert (empty.tornado, empty.spider) == ((), ())
    with pytest.raises(ValueError, match="at least its two ends"):
        drivers.sweep(design_example(volume_per_month=117_000, ranges=RANGES), points=1)
