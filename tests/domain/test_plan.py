"""The recommended plan's figures against sums worked by hand on the DESIGN example.

DESIGN example (see `design_example`): large 0.0155 $/request, specialist 0.000435 $/request,
10M requests/month, ops 1,200/month, one-time 13,500, horizon 24 months.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.domain.costs import summarize
from app.domain.plan import answer_goal_seek, max_paying_escalation, recommended_plan, round_up_significant
from app.domain.rules import evaluate
from tests.domain.domain_helpers import design_example

LARGE = 0.0155
SMALL = 0.000435
ONE_TIME = 13_500.0
OPS = 1_200.0


def _quality(specialist: float) -> dict[str, Any]:
    return {
        "specialist_accuracy": specialist,
        "large_accuracy": 0.97,
        "quality_bar": 0.9,
        "eval_exists": True,
        "task_change_months": 60,
    }


def test_rounding_up_keeps_three_significant_digits() -> None:
    assert round_up_significant(6_435_367) == 6_440_000
    assert round_up_significant(117_000.0) == 117_000  # already round: not bumped
    assert round_up_significant(116_993.03) == 117_000
    assert round_up_significant(0.0123456) == pytest.approx(0.0124)
    assert round_up_significant(9.15) == pytest.approx(9.15)


def test_specialize_quotes_the_swap_with_annual_and_horizon_totals() -> None:
    scenario = design_example(quality=_quality(0.95))
    plan = recommended_plan(scenario)
    assert plan.verdict == "specialize" and plan.kind == "swap" and plan.rejected is None
    assert plan.money is not None
    net = (LARGE - SMALL) * 10_000_000 - OPS  # 149,450
    assert plan.money.net_monthly_savings == pytest.approx(net)
    assert plan.money.annual_net_savings == pytest.approx(12 * net)
    assert plan.money.horizon_savings == pytest.approx(24 * net - ONE_TIME)  # 3,573,300
    assert plan.money.pays_back


def test_route_verdict_quotes_the_routed_plan_and_labels_the_swap_rejected() -> None:
    scenario = design_example(quality=_quality(0.80), routing={"escalation_rate": 0.2, "mode": "cascade"})
    assert evaluate(scenario).verdict == "keep_large_and_route"
    plan = recommended_plan(scenario)
    assert plan.kind == "routed" and plan.money is not None and plan.rejected is not None
    path = SMALL + 0.2 * LARGE  # cascade: every request hits the specialist, 20 % also the large model
    net = (LARGE - path) * 10_000_000 - OPS  # 118,450
    assert plan.money.cost_per_request == pytest.approx(path)
    assert plan.money.net_monthly_savings == pytest.approx(net)
    assert plan.money.horizon_savings == pytest.approx(24 * net - ONE_TIME)
    assert plan.rejected.net_monthly_savings == pytest.approx((LARGE - SMALL) * 10_000_000 - OPS)
    assert "Rejected" in plan.rejected_title and "20.0%" in plan.title


def test_a_measured_escalation_rate_prices_the_routed_plan() -> None:
    scenario = design_example(quality=_quality(0.80), routing={"escalation_rate": 0.2, "mode": "router"})
    plan = recommended_plan(scenario, escalation_rate=0.35)
    assert plan.money is not None and plan.escalation_rate == 0.35
    path = (1 - 0.35) * SMALL + 0.35 * LARGE  # router: the specialist sees only what is not escalated
    assert plan.money.net_monthly_savings == pytest.approx((LARGE - path) * 10_000_000 - OPS)


def test_route_without_a_rate_says_it_has_no_price_and_how_far_routing_can_go() -> None:
    scenario = design_example(quality=_quality(0.80))
    plan = recommended_plan(scenario)
    assert plan.kind == "routed" and plan.money is None and plan.rejected is not None
    # Pays back within 24 months while 24·net(r) >= 13,500 with net(r) = (L(1-r) - S)·1e7 - 1,200:
    # L(1-r) >= S + (13,500/24 + 1,200)/1e7  =>  r <= 1 - (S + 0.00017625) / L.
    ceiling = 1 - (SMALL + (ONE_TIME / 24 + OPS) / 1e7) / LARGE
    found = max_paying_escalation(scenario)
    assert found is not None and found == pytest.approx(ceiling, abs=1e-6)
    assert f"{ceiling * 100:.1f}%" in plan.note and "No escalation rate" in plan.note


def test_keep_large_says_what_it_would_take() -> None:
    scenario = design_example(volume_per_month=1_000, quality=_quality(0.95))
    assert evaluate(scenario).verdict == "keep_large"
    plan = recommended_plan(scenario)
    assert plan.kind == "keep" and plan.money is None
    volume, price = plan.would_take
    # Volume: 24·((L - S)·V - ops) = one-time  =>  V = (13,500/24 + 1,200) / (L - S) = 116,993.0
    exact_volume = (ONE_TIME / 24 + OPS) / (LARGE - SMALL)
    assert exact_volume == pytest.approx(116_993.03, abs=0.01)
    assert volume.volume_per_month == 117_000 and "117K requests/month" in volume.text
    assert "within 24 months" in volume.text
    # Price: 24·(x·V - S·V - ops) = one-time  =>  x = (13,500 + 24·(S·1,000 + 1,200)) / (24·1,000)
    per_request = (ONE_TIME + 24 * (SMALL * 1_000 + OPS)) / (24 * 1_000)
    factor = per_request / LARGE  # 113.74×: both large prices scale by it
    assert price.factor == pytest.approx(factor, rel=1e-6)
    assert price.input_price_per_mtok == 569 and price.output_price_per_mtok == 1_710
    assert "$569.00 in / $1,710.00 out per Mtok" in price.text and "per request" not in price.text


@pytest.mark.parametrize("question", ["volume", "price"])
def test_applying_an_answer_reaches_the_target(question: str) -> None:
    scenario = design_example(volume_per_month=50_000, quality=_quality(0.95))
    answer = answer_goal_seek(scenario, question, 6)  # type: ignore[arg-type]
    assert answer.found and answer.scenario is not None
    months = summarize(answer.scenario).break_even_months
    assert months is not None and months <= 6 + 1e-9
    # Rounded to three significant digits: the answer is within 0.1 % of the threshold (or exact).
    if question == "volume":
        exact = (ONE_TIME / 6 + OPS) / (LARGE - SMALL)
        assert answer.volume_per_month is not None
        assert exact <= answer.volume_per_month <= exact * 1.01
        assert "within 6 months" in answer.text


def test_one_month_reads_singular_and_an_impossible_target_says_so() -> None:
    scenario = design_example(volume_per_month=50_000, quality=_quality(0.95))
    assert "within 1 month " in answer_goal_seek(scenario, "volume", 1).text
    free = design_example(
        large={"input_tokens": 0, "output_tokens": 0, "input_price_per_mtok": 0, "output_price_per_mtok": 0}
    )
    answer = answer_goal_seek(free, "volume", 6)
    assert not answer.found and answer.text.startswith("No volume pays back within 6 months")
    assert not math.isnan(answer.target_months)


def test_an_answer_outside_a_preset_range_widens_the_range_and_applies() -> None:
    from app.domain.plan import with_values

    scenario = design_example(
        volume_per_month=1_000,
        quality=_quality(0.95),
        ranges={"volume_per_month": {"low": 500, "high": 2_000, "distribution": "triangular"}},
    )
    plan = recommended_plan(scenario)
    volume = plan.would_take[0]
    assert volume.found and volume.scenario is not None and volume.volume_per_month == 117_000
    widened = volume.scenario.ranges["volume_per_month"]
    assert (widened.low, widened.high) == (500, 117_000)  # the low end kept, the high end moved out
    lower = with_values(scenario, {"volume_per_month": 100})
    assert (lower.ranges["volume_per_month"].low, lower.ranges["volume_per_month"].high) == (100, 2_000)


def test_the_off_the_shelf_plan_is_priced_with_its_own_prompt_and_no_training() -> None:
    quality = {**_quality(0.95), "off_the_shelf_accuracy": 0.95}
    scenario = design_example(quality=quality, routing={"escalation_rate": 0.1, "mode": "cascade"})
    plan = recommended_plan(scenario)
    assert plan.verdict == "use_off_the_shelf" and plan.money is not None
    # Its own prompt: the large model's 2,200 / 300 tokens at the small model's $0.30 / $1.20 per Mtok
    # = 0.00102 $/request, no escalation; one-time without the 1,500 of training runs = 12,000.
    shelf = (2200 * 0.30 + 300 * 1.20) / 1e6
    net = (LARGE - shelf) * 10_000_000 - OPS  # 143,600
    assert plan.money.cost_per_request == pytest.approx(shelf)
    assert plan.money.one_time_cost == pytest.approx(12_000)
    assert plan.money.horizon_savings == pytest.approx(24 * net - 12_000)
