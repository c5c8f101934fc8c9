"""Monte Carlo, tornado and value of information, against an independent simulation written here.

The oracle is a plain-Python loop over its own draws (the `random` module, not numpy) with the cost
formula written out by hand (DESIGN §1, no extras): large/specialist per request from tokens and
prices, net = (large - path)·V - ops, break-even = one_time / net when net > 0, savings at the
horizon = net·H - one_time. Probabilities must agree within sampling error of both runs.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest
from domain_helpers import design_example

from app.domain import (
    drivers,
    monte_carlo,
    probability_seek,
    range_defaults,
    uncertainty,
    value_of_information,
)
from app.domain.costs import summarize, summarize_draw
from app.domain.scenario import Scenario

HORIZON = 24
# Near the volume threshold of the worked example (break-even 24.0 months at 117k/month).
RANGES: dict[str, Any] = {
    "volume_per_month": {"low": 80_000, "high": 200_000, "distribution": "triangular"},
    "monthly_ops": {"low": 800, "high": 1600, "distribution": "uniform"},
    "one_time.data_curation": {"low": 6_000, "high": 14_000, "distribution": "pert"},
}


def near_threshold(**changes: Any) -> Scenario:
    return design_example(volume_per_month=117_000, ranges=RANGES, **changes)


def oracle_outcomes(draws: int, seed: int) -> tuple[list[float], list[float]]:
    """(break-even months, savings at the horizon) per draw, by hand."""
    rand = random.Random(seed)
    large = (2200 * 5.0 + 300 * 15.0) / 1e6
    small = (250 * 0.30 + 300 * 1.20) / 1e6
    months, savings = [], []
    for _ in range(draws):
        volume = rand.triangular(80_000, 200_000, 117_000)
        ops = rand.uniform(800, 1600)
        # beta-PERT on [6000, 14000] with mode 8000: Beta(1 + 4·0.25, 1 + 4·0.75).
        curation = 6_000 + 8_000 * rand.betavariate(2.0, 4.0)
        one_time = curation + 1_500 + 4_000
        net = (large - small) * volume - ops
        months.append(one_time / net if net > 0 else math.inf)
        savings.append(net * HORIZON - one_time)
    return months, savings


@pytest.fixture(scope="module")
def result() -> uncertainty.UncertaintyResult:
    found = uncertainty.analyse(near_threshold(), draws=4_000, seed=7)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def oracle() -> tuple[list[float], list[float]]:
    return oracle_outcomes(40_000, seed=99)


def _close(p: float, q: float, n_p: int, n_q: int) -> bool:
    spread = math.sqrt(max(p * (1 - p), 1e-4) / n_p + max(q * (1 - q), 1e-4) / n_q)
    return abs(p - q) < 4.5 * spread


def test_probability_of_payback_matches_the_independent_simulation(
    result: uncertainty.UncertaintyResult, oracle: tuple[list[float], list[float]]
) -> None:
    months, _ = oracle
    expected = sum(m <= HORIZON for m in months) / len(months)
    assert 0.2 < expected < 0.8  # the test is only sharp where the answer is uncertain
    assert _close(result.p_payback_within_horizon, expected, result.draws, len(months))


def test_percentiles_sit_at_their_share_of_the_independent_draws(
    result: uncertainty.UncertaintyResult, oracle: tuple[list[float], list[float]]
) -> None:
    months, savings = oracle
    for share, value in zip((0.1, 0.5, 0.9), result.savings_percentiles, strict=True):
        below = sum(s <= value for s in savings) / len(savings)
        assert _close(below, share, len(savings), result.draws), (share, value, below)
    for share, value in zip((0.1, 0.5, 0.9), result.break_even_percentiles, strict=True):
        if value is None:
            below = sum(math.isfinite(m) for m in months) / len(months)
            assert below <= share + 0.03
            continue
        below = sum(m <= value for m in months) / len(months)
        assert _close(below, share, len(months), result.draws), (share, value, below)


def test_the_engine_over_draws_gives_each_draws_own_scalar_figures() -> None:
    scenario = near_threshold()
    inputs = monte_carlo.sample_inputs(scenario, 25, seed=3)
    figures = monte_carlo.engine_over_draws(scenario, inputs)
    for index in range(25):
        drawn = monte_carlo.scenario_with(scenario, monte_carlo.draw_values(scenario, inputs, index))
        summary = summarize(drawn)
        expected = math.inf if summary.break_even_months is None else summary.break_even_months
        assert figures.break_even_months[index] == expected
        assert figures.net_monthly_savings[index] == summary.net_monthly_savings


def test_seeded_runs_are_reproducible_and_seeds_differ() -> None:
    scenario = near_threshold()
    first = uncertainty.analyse(scenario, draws=300, seed=5)
    again = uncertainty.analyse(scenario, draws=300, seed=5)
    other = uncertainty.analyse(scenario, draws=300, seed=6)
    assert first is not None and again is not None and other is not None
    assert np.array_equal(first.figures.savings_at_horizon, again.figures.savings_at_horizon)
    assert first.p_payback_within_horizon == again.p_payback_within_horizon
    assert not np.array_equal(first.figures.savings_at_horizon, other.figures.savings_at_horizon)


def test_adding_a_range_leaves_the_other_fields_draws_alone() -> None:
    scenario = near_threshold()
    more = scenario.with_changes(ranges={**RANGES, "one_time.eval_build": {"low": 3000, "high": 6000}})
    before = monte_carlo.sample_inputs(scenario, 50, seed=1)
    after = monte_carlo.sample_inputs(more, 50, seed=1)
    for path, values in before.items():
        assert np.array_equal(values, after[path])


def test_whole_number_fields_draw_whole_numbers() -> None:
    scenario = design_example(ranges={"large.input_tokens": {"low": 1000, "high": 3001}})
    values = monte_carlo.sample_inputs(scenario, 200, seed=2)["large.input_tokens"]
    assert np.all(values == np.rint(values)) and values.min() >= 1000 and values.max() <= 3001


def test_no_ranges_means_nothing_to_show() -> None:
    assert uncertainty.analyse(design_example()) is None


def test_tornado_order_matches_the_swings_worked_by_hand() -> None:
    large = (2200 * 5.0 + 300 * 15.0) / 1e6
    small = (250 * 0.30 + 300 * 1.20) / 1e6

    def savings(volume: float = 117_000, ops: float = 1200, curation: float = 8000) -> float:
        return ((large - small) * volume - ops) * HORIZON - (curation + 5_500)

    expected = {
        "volume_per_month": (savings(volume=80_000), savings(volume=200_000)),
        "monthly_ops": (savings(ops=800), savings(ops=1600)),
        "one_time.data_curation": (savings(curation=6000), savings(curation=14000)),
    }
    bars = drivers.tornado(near_threshold())
    order = sorted(expected, key=lambda path: -abs(expected[path][1] - expected[path][0]))
    assert [bar.field for bar in bars] == order
    for bar in bars:
        assert bar.savings_at_low == pytest.approx(expected[bar.field][0])
        assert bar.savings_at_high == pytest.approx(expected[bar.field][1])
    # Volume's low end never pays back within 24 months: break-even there is later than the high's.
    volume = bars[0]
    assert volume.break_even_at_low is not None and volume.break_even_at_high is not None
    assert volume.break_even_at_low > HORIZON > volume.break_even_at_high


# -- value of information ------------------------------------------------------------------------


def test_evpi_of_a_linear_value_in_a_uniform_driver_matches_the_integral() -> None:
    # value = a·X + b with X ~ U(lo, hi): E[max(v, 0)] = a·(hi - r)^2 / (2·(hi - lo)), r = -b/a.
    lo, hi, a, b = 0.0, 10.0, 3.0, -12.0
    x = np.random.default_rng(4).uniform(lo, hi, 400_000)
    values = a * x + b
    root = -b / a
    exact = a * (hi - root) ** 2 / (2 * (hi - lo)) - max(a * (lo + hi) / 2 + b, 0.0)
    assert value_of_information.evpi(values) == pytest.approx(exact, rel=0.01)
    # One driver explains everything: its EVPPI is the EVPI (binning loses a little).
    assert value_of_information.evppi_binned(x, values) == pytest.approx(exact, rel=0.03)
    # A driver the value does not depend on is worth nothing to know.
    noise = np.random.default_rng(8).uniform(0, 1, x.size)
    assert value_of_information.evppi_binned(noise, values) < 0.05 * exact


def test_sample_information_matches_the_conjugate_preposterior() -> None:
    """Accuracy ~ Beta(a, b); specializing is worth GAIN if accuracy >= bar, else -LOSS.

    The exact EVSI of n more items: k ~ beta-binomial(n, a, b), posterior Beta(a + k, b + n - k),
    P(accuracy >= bar | k) by numerical integration of the posterior density here.
    """
    a, b, bar, gain, loss, n = 19, 3, 0.86, 50_000.0, 30_000.0, 40

    def tail_above(alpha: float, beta: float) -> float:
        steps = 4000
        h = (1 - bar) / steps
        log_norm = math.lgamma(alpha + beta) - math.lgamma(alpha) - math.lgamma(beta)
        total = 0.0
        for i in range(steps + 1):
            x = min(bar + i * h, 1 - 1e-15)
            density = math.exp(log_norm + (alpha - 1) * math.log(x) + (beta - 1) * math.log1p(-x))
            total += (1 if i in (0, steps) else (4 if i % 2 else 2)) * density
        return total * h / 3

    prior_above = tail_above(a, b)
    prior_value = gain * prior_above - loss * (1 - prior_above)
    expected = 0.0
    for k in range(n + 1):
        log_pmf = (
            math.lgamma(n + 1)
            - math.lgamma(k + 1)
            - math.lgamma(n - k + 1)
            + math.lgamma(k + a)
            + math.lgamma(n - k + b)
            - math.lgamma(n + a + b)
            + math.lgamma(a + b)
            - math.lgamma(a)
            - math.lgamma(b)
        )
        above = tail_above(a + k, b + n - k)
        expected += math.exp(log_pmf) * max(gain * above - loss * (1 - above), 0.0)
    exact = expected - max(prior_value, 0.0)
    assert exact > 1000  # a case where more evidence is worth something

    accuracy = np.random.default_rng(11).beta(a, b, 20_000)
    values = np.where(accuracy >= bar, gain, -loss)
    found = value_of_information.sample_information_value(accuracy, values, n)
    assert found == pytest.approx(exact, rel=0.08)
    assert found <= value_of_information.evpi(values) + 1e-6


def test_accuracy_below_the_bar_costs_the_build_in_the_decision_value() -> None:
    scenario = design_example(
        quality={"specialist_accuracy": 0.9, "quality_bar": 0.9, "eval_exists": True},
        ranges={"quality.specialist_accuracy": {"low": 0.8, "high": 0.95, "distribution": "uniform"}},
    )
    result = uncertainty.analyse(scenario, draws=2_000, seed=1)
    assert result is not None
    clears = result.p_accuracy_clears_bar
    assert clears is not None and _close(clears, 1 / 3, 2_000, 10**9)
    # Savings do not depend on accuracy; knowing it is worth what a miss would cost (the build).
    assert result.evpi == pytest.approx(result.evppi["quality.specialist_accuracy"], rel=0.05)
    assert result.evpi > 0
    info = result.sample_information
    assert info is not None  # 1/3 clear the bar: not proven yet
    assert all(0 <= value <= result.evpi * 1.05 for value in info.evsi)


def test_verdict_probabilities_add_up_and_follow_the_rules() -> None:
    scenario = near_threshold(
        quality={
            "specialist_accuracy": 0.95,
            "quality_bar": 0.9,
            "eval_exists": True,
            "task_change_months": 120,
        }
    )
    result = uncertainty.analyse(scenario, draws=600, seed=2)
    assert result is not None
    assert sum(result.verdict_probabilities.values()) == pytest.approx(1.0)
    # Within the horizon it specializes, beyond it keeps the large model (rule 4).
    assert set(result.verdict_probabilities) <= {"specialize", "keep_large"}
    assert result.verdict_probabilities.get("specialize", 0.0) == pytest.approx(
        result.p_payback_within_horizon, abs=0.08
    )


def test_default_ranges_are_labelled_assumptions_and_load() -> None:
    scenario = design_example(quality={"specialist_accuracy": 0.93}, routing={"escalation_rate": 0.1})
    ranges = range_defaults.default_ranges(scenario)
    assert {
        "volume_per_month",
        "monthly_ops",
        "quality.specialist_accuracy",
        "routing.escalation_rate",
    } <= set(ranges)
    assert all(rng.note.startswith("assumption") for rng in ranges.values())
    # Prices are published figures: no default range on them.
    assert not any("price" in path for path in ranges)
    loaded = scenario.with_changes(ranges={path: rng.model_dump() for path, rng in ranges.items()})
    assert loaded.ranges == ranges


def test_volume_for_probability_reaches_the_target_above_todays_volume() -> None:
    scenario = near_threshold()
    answer = probability_seek.volume_for_probability(scenario, 0.8, draws=300, seed=4)
    assert answer.value is not None and answer.probability is not None
    assert answer.probability >= 0.8
    assert answer.value > 117_000  # today's chance is below 80 %
    # By hand, on independent draws: volume keeps its relative spread around the answer.
    rand = random.Random(21)
    scale = answer.value / 117_000
    margin = (2200 * 5.0 + 300 * 15.0) / 1e6 - (250 * 0.30 + 300 * 1.20) / 1e6
    hits = 0
    for _ in range(20_000):
        volume = rand.triangular(80_000, 200_000, 117_000) * scale
        net = margin * volume - rand.uniform(800, 1600)
        one_time = 6_000 + 8_000 * rand.betavariate(2.0, 4.0) + 5_500
        hits += net > 0 and one_time / net <= HORIZON
    assert abs(hits / 20_000 - 0.8) < 0.08  # 300 engine draws: the answer carries their noise
    assert "80%" in answer.message
    assert probability_seek.volume_for_probability(scenario, 1.5).value is None


# -- the vectorised pass is the scalar engine, draw by draw --------------------------------------


def _random_scenario(rand: random.Random) -> Scenario:
    """A scenario with random extras on, and ranges on a random subset of its inputs."""
    volume = 10 ** rand.uniform(3, 8)
    data: dict[str, Any] = {
        "name": "random",
        "volume_per_month": volume,
        "horizon_months": rand.choice([6, 12, 24, 36]),
        "large": {
            "input_tokens": rand.randint(100, 4000),
            "output_tokens": rand.randint(10, 800),
            "input_price_per_mtok": rand.uniform(0.5, 15),
            "output_price_per_mtok": rand.uniform(1, 60),
        },
        "small": {
            "input_tokens": rand.randint(50, 1000),
            "output_tokens": rand.randint(10, 800),
            "input_price_per_mtok": rand.uniform(0.05, 1),
            "output_price_per_mtok": rand.uniform(0.1, 4),
        },
        "one_time": {"data_curation": rand.uniform(0, 50_000), "training_runs": rand.uniform(0, 9_000)},
        "monthly_ops": rand.uniform(0, 5_000),
        "routing": {"escalation_rate": rand.uniform(0, 0.4), "mode": rand.choice(["cascade", "router"])},
        "distillation": {
            "enabled": rand.random() < 0.5,
            "examples": rand.randint(0, 20_000),
            "human_review_share": rand.uniform(0, 1),
            "review_cost_per_example": rand.uniform(0, 3),
        },
        "self_hosting": {
            "enabled": rand.random() < 0.3,
            "gpu_price_per_hour": rand.uniform(0.5, 4),
            "requests_per_second_per_gpu": rand.uniform(1, 200),
            "min_gpus": rand.randint(0, 3),
        },
        "price_decline_per_year": rand.choice([0.0, rand.uniform(0, 0.6)]),
        "retraining": {"every_months": rand.choice([0, 1, 3, 6]), "cost": rand.uniform(0, 20_000)},
        "discount_rate_per_year": rand.choice([0.0, 0.08]),
        "small_price_drift_per_year": rand.choice([0.0, rand.uniform(-0.9, 0.6)]),
    }
    base = Scenario.model_validate(data)
    candidates = [
        ("volume_per_month", volume, 0.3, 1.0e12),
        ("large.input_tokens", base.large.input_tokens, 0.3, 1e7),
        ("small.output_price_per_mtok", base.small.output_price_per_mtok, 0.4, 1e4),
        ("monthly_ops", base.monthly_ops, 0.5, 1e10),
        ("one_time.data_curation", base.one_time.data_curation, 0.5, 1e10),
        ("routing.escalation_rate", base.routing.escalation_rate, 0.5, 1.0),
        ("self_hosting.requests_per_second_per_gpu", base.self_hosting.requests_per_second_per_gpu, 0.5, 1e6),
        ("distillation.examples", base.distillation.examples, 0.5, 1e8),
        ("price_decline_per_year", base.price_decline_per_year, 0.5, 0.95),
        ("retraining.cost", base.retraining.cost, 0.5, 1e10),
    ]
    chosen = rand.sample(candidates, rand.randint(1, 5))
    ranges = {
        path: {
            "low": value * (1 - spread),
            "high": min(value * (1 + spread), top),
            "distribution": rand.choice(["triangular", "uniform", "pert"]),
        }
        for path, value, spread, top in chosen
    }
    if rand.random() < 0.5:
        # The specialist's drift takes either sign: a range around it in points, not in shares.
        drift = base.small_price_drift_per_year
        ranges["small_price_drift_per_year"] = {
            "low": max(-0.95, drift - 0.3),
            "high": min(1.0, drift + 0.3),
            "distribution": rand.choice(["triangular", "uniform", "pert"]),
        }
    return base.with_changes(ranges=ranges)


def test_every_draw_of_the_vectorised_pass_equals_the_scalar_engine() -> None:
    rand = random.Random(2026)
    compared = 0
    for case in range(40):
        scenario = _random_scenario(rand)
        inputs = monte_carlo.sample_inputs(scenario, 12, seed=case)
        figures = monte_carlo.engine_over_draws(scenario, inputs)
        for index in range(12):
            drawn = monte_carlo.scenario_with(scenario, monte_carlo.draw_values(scenario, inputs, index))
            drawn = Scenario.model_validate(drawn.model_dump())  # a real, validated scenario
            summary = summarize(drawn)
            months = math.inf if summary.break_even_months is None else summary.break_even_months
            savings, npv = monte_carlo.horizon_figures(drawn)
            assert figures.break_even_months[index] == months, (case, index)
            # The verdicts' summaries take this figure instead of searching again: the same summary.
            assert summarize_draw(drawn, figures.break_even_months[index]) == summary, (case, index)
            assert figures.net_monthly_savings[index] == summary.net_monthly_savings, (case, index)
            assert figures.one_time_cost[index] == summary.one_time_cost, (case, index)
            assert figures.savings_at_horizon[index] == savings, (case, index)
            assert figures.npv_at_horizon[index] == npv, (case, index)
            compared += 1
    assert compared == 480


def test_a_measured_accuracy_brings_its_beta_range_into_the_draws() -> None:
    rng = range_defaults.evidence_range(45, 50, "spot-check demo 2026-12-01")
    assert (rng.distribution, rng.successes, rng.trials) == ("beta", 45, 50)
    assert rng.note == "measured: spot-check demo 2026-12-01"
    scenario = design_example(
        quality={"specialist_accuracy": 0.9, "quality_bar": 0.85, "eval_exists": True},
        ranges={"quality.specialist_accuracy": rng.model_dump()},
    )
    result = uncertainty.analyse(scenario, draws=20_000, seed=3)
    assert result is not None and result.p_accuracy_clears_bar is not None
    # P(Beta(46, 6) >= 0.85), by the exact binomial-tail identity used nowhere in the code:
    # I_x(a, b) = P(Binomial(a + b - 1, x) >= a) for whole a, b.
    x, a, n = 0.85, 46, 51
    below = sum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(a, n + 1))
    assert _close(result.p_accuracy_clears_bar, 1 - below, 20_000, 10**9)


def test_a_ranged_specialist_price_drift_moves_the_payback_as_an_independent_simulation_says() -> None:
    """The drift alone is ranged (uniform -60 %..+20 % a year); no decline, no retraining.

    By hand, with a = 0.0155·V the large spend a month, s the specialist's own spend a month today
    and p the drift: D(H) = a·H - s·12·((1 + p)^(H/12) - 1) / ln(1 + p) - ops·H - one_time, and it
    pays back within the horizon exactly when D(H) > 0 (ahead at the horizon is ahead to stay).
    """
    small = {
        "input_tokens": 0,
        "output_tokens": 300,
        "input_price_per_mtok": 0.0,
        "output_price_per_mtok": 40.0,
    }
    scenario = design_example(
        volume_per_month=400_000,
        small=small,
        small_price_drift_per_year=-0.2,
        ranges={"small_price_drift_per_year": {"low": -0.6, "high": 0.2, "distribution": "uniform"}},
    )
    result = uncertainty.analyse(scenario, draws=4_000, seed=11)
    assert result is not None and result.fields == ("small_price_drift_per_year",)
    a, s = 0.0155 * 400_000, 300 * 40.0 / 1e6 * 400_000
    rand = random.Random(5)
    paying = 0
    trials = 40_000
    for _ in range(trials):
        p = rand.uniform(-0.6, 0.2)
        spend = 12 * ((1 + p) ** (HORIZON / 12) - 1) / math.log1p(p) if p != 0 else HORIZON
        paying += a * HORIZON - s * spend - 1200 * HORIZON - 13_500 > 0
    expected = paying / trials
    assert 0.2 < expected < 0.8  # sharp only where the answer is uncertain
    assert _close(result.p_payback_within_horizon, expected, result.draws, trials)
