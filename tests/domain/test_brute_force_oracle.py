"""The engine against an independent brute-force simulation (tests/domain/brute_force.py).

Random scenarios with every extra on (retraining, frontier price decline, self-hosting,
distillation) are stepped a day at a time and compared with the engine's figures:

* `cumulative_savings_at_horizon` equals the simulated saving at the horizon;
* a break-even within the horizon means the specialist is ahead at the horizon, and ahead from
  the break-even on (the payback holds); a simulated saving clearly positive at the horizon means
  the engine reports a payback within it, clearly negative means it does not;
* the break-even sits where the simulated run of months that stays ahead begins;
* goal-seek answers plugged back in reach the target, and 0.1 % less does not;
* the rules: raising the specialist's accuracy never turns "specialize" into something else, and
  raising the volume never turns a scenario that pays back into "keep the large model".

The tolerances come from the simulation's own step (a day): a value can move by one step's bills
between grid points, and the midpoint rule errs by a few parts in a million. Each property runs
the suite's usual number of examples (200; about 1,400 scenarios over this file).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from brute_force import SEARCH_LIMIT_MONTHS, STEPS_PER_MONTH, Simulation, simulate
from domain_helpers import PROPERTY_SETTINGS, design_example, scenario_dicts, scenarios
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain import costs, goal_seek, pricing
from app.domain.rules import evaluate
from app.domain.scenario import Scenario

RELATIVE = 2e-5  # the midpoint rule's error on a 95 %-a-year decline, with room to spare


def _tolerance(simulation: Simulation) -> float:
    return RELATIVE * simulation.size_scale + 1e-6


def _with_extras() -> st.SearchStrategy[Scenario]:
    """Scenarios that exercise the extras: volumes where the answer is in play, horizons of years."""
    volume = st.floats(1e3, 1e9, allow_nan=False) | st.sampled_from([0.0, 1.0, 5e5, 1e7])
    return scenarios(volume=volume)


# --- the seed example and the two examples of the issue, by hand -------------------------------


def test_the_simulator_reproduces_the_design_example_by_hand() -> None:
    simulation = simulate(design_example(), 24)
    # 149,450 net a month for 24 months minus 13,500 one-time.
    assert simulation.savings_at(24) == pytest.approx(3_573_300, rel=1e-12)
    assert simulation.savings_at(0) == pytest.approx(-13_500)


def test_the_simulator_counts_a_retraining_on_the_horizon() -> None:
    simulation = simulate(design_example(retraining={"every_months": 3, "cost": 500_000}), 24)
    assert simulation.savings_at(24) == pytest.approx(-426_700, rel=1e-12)
    # Just before month 3 it is ahead; the retraining at month 3 puts it behind.
    assert simulation.savings[3 * STEPS_PER_MONTH - 1] > 0
    assert simulation.savings_at(3) < 0


# --- the engine against the simulation ----------------------------------------------------------


@PROPERTY_SETTINGS
@given(_with_extras())
def test_savings_at_the_horizon_match_the_simulation(scenario: Scenario) -> None:
    summary = costs.summarize(scenario)
    simulation = simulate(scenario, scenario.horizon_months)
    expected = simulation.savings_at(scenario.horizon_months)
    assert summary.cumulative_savings_at_horizon == pytest.approx(expected, abs=_tolerance(simulation))


@PROPERTY_SETTINGS
@given(_with_extras())
def test_a_payback_within_the_horizon_holds_to_the_horizon(scenario: Scenario) -> None:
    _check_the_payback_holds_to_the_horizon(scenario)


def _check_the_payback_holds_to_the_horizon(scenario: Scenario) -> None:
    summary = costs.summarize(scenario)
    horizon = scenario.horizon_months
    simulation = simulate(scenario, horizon)
    tolerance = _tolerance(simulation)
    at_horizon = simulation.savings_at(horizon)
    if summary.break_even_within_horizon:
        months = summary.break_even_months
        assert months is not None
        assert at_horizon > -tolerance
        # Ahead at every day from one step past the break-even to the horizon.
        later = simulation.months > months + 1.0 / STEPS_PER_MONTH
        assert (simulation.savings[later] > -tolerance - simulation.flow_scale).all()
    # And the other way round, wherever the simulation is clear about the sign.
    if at_horizon > tolerance:
        assert summary.break_even_within_horizon
    if at_horizon < -tolerance:
        assert not summary.break_even_within_horizon


@PROPERTY_SETTINGS
@given(_with_extras())
def test_the_break_even_is_where_the_simulated_run_that_stays_ahead_begins(scenario: Scenario) -> None:
    _check_the_run_that_stays_ahead(scenario)


def _check_the_run_that_stays_ahead(scenario: Scenario) -> None:
    horizon = scenario.horizon_months
    simulation = simulate(scenario, SEARCH_LIMIT_MONTHS)
    tolerance = _tolerance(simulation) + simulation.flow_scale
    months = costs.summarize(scenario).break_even_months
    savings = simulation.savings
    at_horizon, at_limit = simulation.savings_at(horizon), simulation.savings_at(SEARCH_LIMIT_MONTHS)
    # Skip the grazing cases the simulation cannot call either way.
    assume(abs(at_horizon) > tolerance)
    if at_horizon > 0:
        end = horizon
    else:
        assume(abs(at_limit) > tolerance)
        if at_limit < 0:
            # Behind through the search limit: no payback, except that without extras the exact
            # closed form stands even past the limit (a straight line that crosses later).
            closed_form = costs.summarize(scenario).break_even_method == "closed_form"
            assert months is None or (closed_form and months > SEARCH_LIMIT_MONTHS)
            return
        end = SEARCH_LIMIT_MONTHS
    if costs.summarize(scenario).break_even_method == "closed_form" and months is not None and months > end:
        return  # without extras the closed form stands even past the search limit
    assert months is not None
    window = savings[: end * STEPS_PER_MONTH + 1]
    grid = simulation.months[: end * STEPS_PER_MONTH + 1]
    # The run that stays ahead begins after the last day clearly behind and by the last day not
    # clearly ahead (one step of slack either side).
    behind = np.nonzero(window < -tolerance)[0]
    not_ahead = np.nonzero(window <= tolerance)[0]
    earliest = float(grid[behind[-1]]) - 1.0 / STEPS_PER_MONTH if behind.size else 0.0
    latest = float(grid[not_ahead[-1]]) + 1.0 / STEPS_PER_MONTH if not_ahead.size else 0.0
    assert earliest - 1e-9 <= months <= latest + 1e-9


# --- the specialist's own price drift -----------------------------------------------------------
#
# A falling specialist price makes the savings curve convex: a specialist dearer than the large
# model today falls further behind first, then catches up as its price drops. A search that
# assumes the curve bends only downwards starts where the curve still falls and stops there.


def _dearer_today_then_cheaper() -> st.SearchStrategy[Scenario]:
    """A specialist that costs more per request than the large model today, whose price falls."""

    def build(
        premium: float,
        drift: float,
        decline: float,
        volume: float,
        curation: float,
        ops: float,
        every: int,
        retraining: float,
        horizon: int,
    ) -> Scenario:
        # The design example's large model costs 0.0155 a request; the specialist `premium` times that.
        small_output_price = premium * 0.0155 * 1e6 / 300
        return design_example(
            volume_per_month=volume,
            horizon_months=horizon,
            small={
                "input_tokens": 0,
                "output_tokens": 300,
                "input_price_per_mtok": 0.0,
                "output_price_per_mtok": small_output_price,
            },
            one_time={"data_curation": curation},
            monthly_ops=ops,
            price_decline_per_year=decline,
            small_price_drift_per_year=drift,
            retraining={"every_months": every, "cost": retraining},
        )

    return st.builds(
        build,
        premium=st.floats(1.0, 3.0),
        drift=st.floats(-0.95, -0.3),
        decline=st.floats(0.0, 0.5) | st.just(0.0),
        volume=st.floats(1e4, 1e8),
        curation=st.floats(0.0, 1e6),
        ops=st.floats(0.0, 1e4),
        every=st.sampled_from([0, 3, 6, 12]),
        retraining=st.floats(0.0, 1e5),
        horizon=st.integers(6, 120),
    )


def _dip_then_recover(drift: float = -0.9) -> Scenario:
    """Large 0.0155 × 100,000 = $1,550 a month; the specialist $2,000 a month today, 90 % cheaper
    each year; $1,000 one-time, no operations. D'(t) = 1,550 - 2,000·0.1^(t/12): it falls behind
    for 1.33 months, then gains."""
    return design_example(
        volume_per_month=100_000,
        small={
            "input_tokens": 0,
            "output_tokens": 300,
            "input_price_per_mtok": 0.0,
            "output_price_per_mtok": 0.02 * 1e6 / 300,
        },
        one_time={"data_curation": 1000},
        monthly_ops=0,
        small_price_drift_per_year=drift,
    )


def test_a_specialist_that_falls_behind_before_its_price_drops_pays_back_where_it_catches_up() -> None:
    # By hand: D(t) = 1,550·t - 2,000·(1 - e^(-m·t)) / m - 1,000 with m = ln(10) / 12 a month.
    # D falls to its lowest at t = ln(2,000 / 1,550) / m = 1.3285 months, then rises through zero
    # once; bisect that root here, on the formula.
    m = math.log(10) / 12

    def saving(t: float) -> float:
        return 1550 * t - 2000 * (1 - math.exp(-m * t)) / m - 1000

    lo, hi = math.log(2000 / 1550) / m, 24.0
    assert saving(lo) < 0 < saving(hi)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if saving(mid) <= 0 else (lo, mid)
    summary = costs.summarize(_dip_then_recover())
    assert summary.net_monthly_savings == pytest.approx(-450)  # behind every month today
    assert summary.break_even_months == pytest.approx(hi, rel=1e-12)
    assert summary.cumulative_savings_at_horizon == pytest.approx(saving(24), rel=1e-12)
    simulation = simulate(_dip_then_recover(), 24)
    assert summary.cumulative_savings_at_horizon == pytest.approx(simulation.savings_at(24), rel=1e-5)


@PROPERTY_SETTINGS
@given(_dearer_today_then_cheaper())
def test_with_a_falling_specialist_price_the_payback_holds_to_the_horizon(scenario: Scenario) -> None:
    _check_the_payback_holds_to_the_horizon(scenario)


@PROPERTY_SETTINGS
@given(_dearer_today_then_cheaper())
def test_with_a_falling_specialist_price_the_break_even_is_where_the_simulation_stays_ahead(
    scenario: Scenario,
) -> None:
    _check_the_run_that_stays_ahead(scenario)


@PROPERTY_SETTINGS
@given(_with_extras(), st.floats(-0.95, 1.0))
def test_savings_at_the_horizon_match_the_simulation_for_any_drift(scenario: Scenario, drift: float) -> None:
    drifting = scenario.with_changes(small_price_drift_per_year=drift)
    simulation = simulate(drifting, drifting.horizon_months)
    expected = simulation.savings_at(drifting.horizon_months)
    summary = costs.summarize(drifting)
    assert summary.cumulative_savings_at_horizon == pytest.approx(expected, abs=_tolerance(simulation))


# --- goal seek, plugged back in -----------------------------------------------------------------


def _volume_months(scenario: Scenario, volume: float) -> float:
    months = costs.summarize(scenario.with_changes(volume_per_month=volume)).break_even_months
    return math.inf if months is None else months


@PROPERTY_SETTINGS
@given(_with_extras(), st.sampled_from([1.0, 3.0, 6.0, 12.0, 30.0]))
def test_goal_seek_volume_reaches_the_target_and_a_tenth_of_a_percent_less_does_not(
    scenario: Scenario, target: float
) -> None:
    seek = goal_seek.goal_seek_volume(scenario, target)
    # None: nothing pays back; 0: nothing to pay back (no fixed costs), so every volume above 0
    # pays back at once and there is no smallest one to plug back in.
    # (Answers below 1e-200 come from subnormal costs, where 0.1 % less rounds to the same sums.)
    assume(seek.value is not None and seek.value > 1e-200)
    assert seek.value is not None
    assert _volume_months(scenario, seek.value) <= target * (1 + 1e-9)
    assert _volume_months(scenario, seek.value * 0.999) > target


@PROPERTY_SETTINGS
@given(_with_extras(), st.sampled_from([1.0, 6.0, 24.0]))
def test_goal_seek_large_price_reaches_the_target_and_a_tenth_of_a_percent_less_does_not(
    scenario: Scenario, target: float
) -> None:
    large = scenario.large
    today = pricing.model_cost_per_request(large)
    assume(today > 1e-9)
    seek = goal_seek.goal_seek_large_price(scenario, target)
    assume(seek.value is not None and seek.value > 1e-200)  # see the volume test
    assert seek.value is not None

    def months_at(cost: float) -> float:
        factor = cost / today
        assume(
            large.input_price_per_mtok * factor <= 10_000 and large.output_price_per_mtok * factor <= 10_000
        )
        priced = large.model_copy(
            update={
                "input_price_per_mtok": large.input_price_per_mtok * factor,
                "output_price_per_mtok": large.output_price_per_mtok * factor,
            }
        )
        months = costs.summarize(scenario.with_changes(large=priced)).break_even_months
        return math.inf if months is None else months

    assert months_at(seek.value) <= target * (1 + 1e-7)
    assert months_at(seek.value * 0.999) > target


# --- the rules ----------------------------------------------------------------------------------


def _specialize_candidates(*, accuracy: bool = False) -> st.SearchStrategy[Scenario]:
    """Scenarios where an eval exists and the task is stable, so money and accuracy are in play.

    With `accuracy` False the specialist's accuracy is set to the bar (rule 1's quality holds).
    """
    data = scenario_dicts(self_hosting=False, volume=st.floats(1e3, 1e9, allow_nan=False))

    def proven(document: dict[str, Any]) -> dict[str, Any]:
        quality = dict(document["quality"])
        quality.update(eval_exists=True, task_change_months=1200.0)
        if not accuracy or quality["specialist_accuracy"] is None:
            quality["specialist_accuracy"] = quality["quality_bar"]
        return {**document, "quality": quality}

    return data.map(proven).map(Scenario.model_validate)


@PROPERTY_SETTINGS
@given(_specialize_candidates(accuracy=True), st.floats(0, 1))
def test_raising_the_specialists_accuracy_never_turns_specialize_into_something_else(
    scenario: Scenario, more: float
) -> None:
    recommendation = evaluate(scenario)
    assume(recommendation.verdict == "specialize")
    accuracy = scenario.quality.specialist_accuracy
    assert accuracy is not None or scenario.quality.hybrid_accuracy is not None
    better = min(1.0, (accuracy or 0.0) + more)
    raised = scenario.with_changes(
        quality=scenario.quality.model_copy(update={"specialist_accuracy": better})
    )
    assert evaluate(raised).verdict == "specialize"


@PROPERTY_SETTINGS
@given(
    st.one_of(_specialize_candidates(), scenarios(self_hosting=False)),
    st.floats(1.0, 1000.0),
)
def test_raising_the_volume_never_turns_a_paying_back_scenario_into_keep_large(
    scenario: Scenario, factor: float
) -> None:
    """Per-token prices only: with self-hosting a little more traffic can need one GPU more and
    really lose the payback (that is the GPU staircase, not a fault of the rules)."""
    summary = costs.summarize(scenario)
    recommendation = evaluate(scenario, summary)
    assume(summary.break_even_within_horizon and recommendation.verdict != "keep_large")
    bigger = scenario.with_changes(volume_per_month=min(scenario.volume_per_month * factor, 1e12))
    bigger_summary = costs.summarize(bigger)
    assert bigger_summary.break_even_within_horizon
    assert evaluate(bigger, bigger_summary).verdict != "keep_large"
