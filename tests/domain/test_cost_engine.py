"""The cost engine against figures worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from domain_helpers import design_example

from app.domain import costs, economics, goal_seek, pricing
from app.domain.scenario import ModelCost, Scenario

# (2200·5 + 300·15)/1e6 = 0.0155 and (250·0.30 + 300·1.20)/1e6 = 0.000435, see design_example.
LARGE = 0.0155
SMALL = 0.000435
FREE_SMALL = {"input_tokens": 10, "output_tokens": 10, "input_price_per_mtok": 0, "output_price_per_mtok": 0}


def test_model_cost_per_request_is_tokens_times_prices_per_million() -> None:
    model = ModelCost(
        input_tokens=2200, output_tokens=300, input_price_per_mtok=5.0, output_price_per_mtok=15.0
    )
    assert pricing.model_cost_per_request(model) == pytest.approx(0.0155)


def test_a_routed_request_prices_the_escalated_share_by_mode() -> None:
    # Cascade at 20 %: the specialist answers everything, 20 % also go to the large model:
    # 0.000435 + 0.2·0.0155 = 0.003535. Router: 0.8·0.000435 + 0.2·0.0155 = 0.003448.
    assert pricing.routed_request_cost(SMALL, LARGE, 0.2, "cascade") == pytest.approx(0.003535)
    assert pricing.routed_request_cost(SMALL, LARGE, 0.2, "router") == pytest.approx(0.003448)
    # Nothing escalated is the specialist alone, everything escalated a router's large model.
    assert pricing.routed_request_cost(SMALL, LARGE, 0.0, "router") == pytest.approx(SMALL)
    assert pricing.routed_request_cost(SMALL, LARGE, 1.0, "router") == pytest.approx(LARGE)


def test_design_example_summary() -> None:
    summary = costs.summarize(design_example())
    assert summary.large_cost_per_request == pytest.approx(LARGE)
    assert summary.small_cost_per_request == pytest.approx(SMALL)
    assert summary.specialist_cost_per_request == pytest.approx(SMALL)
    assert summary.cost_ratio == pytest.approx(0.0155 / 0.000435)  # 35.63x
    assert summary.large_monthly == pytest.approx(155_000)  # 0.0155 · 1e7
    assert summary.specialist_monthly == pytest.approx(4_350)  # 0.000435 · 1e7
    assert summary.monthly_savings == pytest.approx(150_650)
    assert summary.net_monthly_savings == pytest.approx(149_450)  # 150,650 - 1,200 ops
    assert summary.one_time_cost == pytest.approx(13_500)
    assert summary.break_even_months == pytest.approx(13_500 / 149_450)  # 0.0903 months
    assert summary.break_even_within_horizon
    assert summary.break_even_method == "closed_form"
    assert not summary.extras_active
    # Breakdown: large 0.011 input + 0.0045 output; small 0.000075 input + 0.00036 output.
    assert summary.breakdown.large_input == pytest.approx(0.011)
    assert summary.breakdown.large_output == pytest.approx(0.0045)
    assert summary.breakdown.small_input == pytest.approx(0.000075)
    assert summary.breakdown.small_output == pytest.approx(0.00036)
    assert summary.breakdown.specialist_total == pytest.approx(summary.specialist_cost_per_request)


def test_cascade_escalation_adds_the_large_share() -> None:
    # path = 0.000435 + 0.1·0.0155 = 0.001985; gross = (0.0155 - 0.001985)·1e7 = 135,150
    summary = costs.summarize(design_example(routing={"escalation_rate": 0.1, "mode": "cascade"}))
    assert summary.specialist_cost_per_request == pytest.approx(0.001985)
    assert summary.monthly_savings == pytest.approx(135_150)
    assert summary.breakdown.escalation == pytest.approx(0.00155)


def test_router_sends_only_the_rest_to_the_specialist() -> None:
    # path = 0.9·0.000435 + 0.1·0.0155 = 0.0003915 + 0.00155 = 0.0019415; gross = 135,585
    summary = costs.summarize(design_example(routing={"escalation_rate": 0.1, "mode": "router"}))
    assert summary.specialist_cost_per_request == pytest.approx(0.0019415)
    assert summary.monthly_savings == pytest.approx(135_585)
    assert summary.breakdown.small_input == pytest.approx(0.9 * 0.000075)
    assert summary.breakdown.specialist_total == pytest.approx(0.0019415)


def test_distillation_adds_teacher_labelling_and_human_review() -> None:
    # teacher = 2,000 examples · 0.0155 = 31; review = 2,000 · 0.25 · $2 = 1,000; total 13,500 + 1,031
    summary = costs.summarize(
        design_example(
            distillation={
                "enabled": True,
                "examples": 2000,
                "human_review_share": 0.25,
                "review_cost_per_example": 2.0,
            }
        )
    )
    assert summary.one_time_breakdown["teacher_labeling"] == pytest.approx(31)
    assert summary.one_time_breakdown["human_review"] == pytest.approx(1000)
    assert summary.one_time_cost == pytest.approx(14_531)
    assert summary.break_even_months == pytest.approx(14_531 / 149_450)


def test_distillation_switched_off_costs_nothing() -> None:
    summary = costs.summarize(
        design_example(distillation={"enabled": False, "examples": 2000, "review_cost_per_example": 2.0})
    )
    assert summary.one_time_cost == pytest.approx(13_500)


def test_self_hosting_bills_whole_gpus() -> None:
    # One GPU serves 20 rps · 730 h · 3600 s = 52,560,000 requests a month.
    # 10M/month -> 1 GPU · $2/h · 730 h = $1,460/month -> $0.000146 per request.
    hosted = {"enabled": True, "gpu_price_per_hour": 2.0, "requests_per_second_per_gpu": 20.0, "min_gpus": 1}
    summary = costs.summarize(design_example(self_hosting=hosted))
    assert summary.specialist_monthly == pytest.approx(1_460)
    assert summary.small_cost_per_request == pytest.approx(0.000146)
    assert summary.breakdown.self_hosting == pytest.approx(0.000146)
    assert summary.breakdown.small_input == 0
    assert summary.extras_active
    # Straight lines still: the closed form stays exact. net = 155,000 - 1,460 - 1,200 = 152,340.
    assert summary.break_even_method == "closed_form"
    assert summary.break_even_months == pytest.approx(13_500 / 152_340)
    # 100M/month -> ceil(100M / 52.56M) = 2 GPUs = $2,920/month.
    big = costs.summarize(design_example(self_hosting=hosted, volume_per_month=100_000_000))
    assert big.specialist_monthly == pytest.approx(2_920)
    # No traffic: the GPU floor is still billed, so savings are negative and it never pays back.
    idle = costs.summarize(design_example(self_hosting={**hosted, "min_gpus": 3}, volume_per_month=0))
    assert idle.specialist_monthly == pytest.approx(3 * 1_460)
    assert idle.monthly_savings == pytest.approx(-4_380)
    assert idle.break_even_months is None
    # Per request at zero traffic: a fully used GPU, $2 / (20 · 3600) = $0.0000278.
    assert idle.small_cost_per_request == pytest.approx(2.0 / 72_000)


def test_no_payback_when_savings_do_not_cover_ops() -> None:
    # 50,000/month: gross = 0.015065 · 50,000 = 753.25 < 1,200 ops -> never.
    summary = costs.summarize(design_example(volume_per_month=50_000))
    assert summary.net_monthly_savings == pytest.approx(-446.75)
    assert summary.break_even_months is None
    assert not summary.break_even_within_horizon
    assert costs.break_even_closed_form(design_example(volume_per_month=50_000)) is None


def test_zero_one_time_pays_back_at_once() -> None:
    summary = costs.summarize(design_example(one_time={}))
    assert summary.break_even_months == 0.0
    assert costs.break_even_on_curves(design_example(one_time={})) == pytest.approx(0.0, abs=1e-12)


def test_cost_ratio_is_none_when_the_path_is_free() -> None:
    free_small = {
        "input_tokens": 10,
        "output_tokens": 10,
        "input_price_per_mtok": 0,
        "output_price_per_mtok": 0,
    }
    assert costs.summarize(design_example(small=free_small)).cost_ratio is None


def test_retraining_steps_move_the_break_even() -> None:
    # 100,000/month: net = 0.015065 · 1e5 - 1,200 = 306.5 -> closed form 13,500 / 306.5 = 44.05 months.
    # Retraining $1,000 every 12 months: the crossing needs 306.5·t = 13,500 + 1,000·floor(t/12).
    # It first gets ahead in [48, 60) at t = 17,500 / 306.5 = 57.10, but the retraining at 60
    # puts it behind again: 306.5·60 = 18,390 < 13,500 + 5,000. It gets ahead to stay in
    # [60, 72) at t = 18,500 / 306.5 = 60.36 (each 12-month cycle then saves 3,678 > 1,000).
    # Changed on purpose: the break-even used to be the first crossing (57.10); it is now the
    # month from which the specialist stays ahead (here past the 24-month horizon, so through the
    # search limit).
    scenario = design_example(volume_per_month=100_000, retraining={"every_months": 12, "cost": 1000})
    summary = costs.summarize(scenario)
    assert summary.break_even_method == "curves"
    assert summary.break_even_months == pytest.approx(18_500 / 306.5, rel=1e-9)
    assert costs.break_even_closed_form(scenario) == pytest.approx(13_500 / 306.5)
    # At the horizon: 306.5·24 - 13,500 - 2·1,000 = -8,144.
    assert summary.cumulative_savings_at_horizon == pytest.approx(-8_144.0, rel=1e-12)


def test_seed_example_with_retraining_every_3_months_never_pays_back() -> None:
    # Net 149,450 a month, retraining $500,000 every 3 months: each cycle saves 448,350 and
    # costs 500,000, so after getting ahead in 2.7 days it falls further behind with every cycle.
    # At 24 months: 149,450·24 - 13,500 - 8·500,000 = -426,700 (the retraining at month 24 counts).
    scenario = design_example(retraining={"every_months": 3, "cost": 500_000})
    summary = costs.summarize(scenario)
    assert summary.break_even_months is None
    assert not summary.break_even_within_horizon
    assert summary.cumulative_savings_at_horizon == pytest.approx(-426_700.0, rel=1e-12)


def test_a_payback_that_is_undone_before_the_horizon_moves_past_it() -> None:
    # 1M/month: net = 15,065 - 1,200 = 13,865. Retraining $60,000 every 6 months, horizon 12.
    # Ahead at 13,500/13,865 = 0.97 months; at 6: 83,190 - 13,500 - 60,000 = 9,690 > 0 (ahead);
    # at 12: 166,380 - 13,500 - 120,000 = 32,880 > 0. It stays ahead: break-even 0.974 months.
    kept = design_example(
        volume_per_month=1_000_000, horizon_months=12, retraining={"every_months": 6, "cost": 60_000}
    )
    assert costs.summarize(kept).break_even_months == pytest.approx(13_500 / 13_865, rel=1e-9)
    # Retraining $75,000: at 6: 83,190 - 88,500 = -5,310 (behind again); it gets ahead to stay
    # at t = 88,500 / 13,865 = 6.383 months; at 12: 166,380 - 163,500 = 2,880 > 0.
    undone = design_example(
        volume_per_month=1_000_000, horizon_months=12, retraining={"every_months": 6, "cost": 75_000}
    )
    summary = costs.summarize(undone)
    assert summary.break_even_months == pytest.approx(88_500 / 13_865, rel=1e-9)
    assert summary.break_even_within_horizon
    assert summary.cumulative_savings_at_horizon == pytest.approx(2_880.0, rel=1e-9)


def test_retraining_that_outruns_the_savings_never_pays_back() -> None:
    # Savings per 12-month cycle: 306.5 · 12 = 3,678 < $4,000 retraining: the gap only grows.
    scenario = design_example(volume_per_month=100_000, retraining={"every_months": 12, "cost": 4000})
    assert costs.summarize(scenario).break_even_months is None


def test_price_decline_is_integrated_exactly() -> None:
    # d = 50 %/year: price factor 0.5^(t/12) = exp(-λt), λ = ln 2 / 12.
    # Large spend over 12 months = 155,000 · (1 - 0.5) / λ = 155,000 · 6 / ln 2 = 1,341,706.
    scenario = design_example(price_decline_per_year=0.5)
    curves = costs.cumulative_curves(scenario)
    assert curves.months[-1] == 24
    assert curves.large_only[48] == pytest.approx(155_000 * 6 / math.log(2))  # index 48 = month 12
    # 24 months: 155,000 · (1 - 0.25) / λ = 155,000 · 9 / ln 2.
    assert curves.large_only[-1] == pytest.approx(155_000 * 9 / math.log(2))


def test_price_decline_break_even_matches_its_own_closed_form() -> None:
    # With no specialist running cost (free small model, no ops) the crossing solves
    # a·(1 - e^(-λt))/λ = c  =>  t = -ln(1 - λc/a)/λ, a = 155,000, c = 13,500, λ = ln 2 / 12.
    free_small = {
        "input_tokens": 10,
        "output_tokens": 10,
        "input_price_per_mtok": 0,
        "output_price_per_mtok": 0,
    }
    scenario = design_example(price_decline_per_year=0.5, small=free_small, monthly_ops=0)
    rate = math.log(2) / 12
    expected = -math.log(1 - rate * 13_500 / 155_000) / rate  # 0.08732 months
    assert costs.summarize(scenario).break_even_months == pytest.approx(expected, rel=1e-9)


def test_steep_price_decline_can_mean_never() -> None:
    # 100,000/month with prices falling 90 %/year: the closed form would say 44 months, but the
    # large model's cumulative spend is capped at 1,550/λ (λ = ln 10 / 12), about 8,078 in all,
    # while the specialist costs 13,500 up front: the curves never cross.
    scenario = design_example(volume_per_month=100_000, price_decline_per_year=0.9)
    assert costs.break_even_closed_form(scenario) == pytest.approx(13_500 / 306.5)
    assert costs.summarize(scenario).break_even_months is None


def test_cumulative_curves_by_hand() -> None:
    # Months 0..24 in quarter steps; large(t) = 155,000·t; specialist(t) = 13,500 + 5,550·t.
    curves = costs.cumulative_curves(design_example(routing={"escalation_rate": 0.0, "mode": "cascade"}))
    assert curves.months.shape == (97,)
    assert curves.months[1] == 0.25
    assert curves.large_only[4] == pytest.approx(155_000)
    assert curves.specialist[4] == pytest.approx(13_500 + 5_550)
    assert np.array_equal(curves.specialist, curves.specialist_only)
    assert curves.break_even_months == pytest.approx(13_500 / 149_450)
    assert curves.break_even_cost == pytest.approx(155_000 * 13_500 / 149_450)


def test_specialist_only_curve_drops_the_escalation() -> None:
    # r = 0.2 cascade: path monthly = 4,350 + 0.2·155,000 = 35,350; alone 4,350.
    curves = costs.cumulative_curves(design_example(routing={"escalation_rate": 0.2, "mode": "cascade"}), 1)
    assert curves.specialist[1] == pytest.approx(13_500 + 35_350 + 1_200)
    assert curves.specialist_only[1] == pytest.approx(13_500 + 4_350 + 1_200)


def test_retraining_steps_on_the_curve() -> None:
    # Every 6 months $5,000: specialist(6) = 13,500 + 5,550·6 + 5,000 = 51,800; just before, no step.
    curves = costs.cumulative_curves(design_example(retraining={"every_months": 6, "cost": 5000}))
    assert curves.specialist[24] == pytest.approx(51_800)  # index 24 = month 6
    assert curves.specialist[23] == pytest.approx(13_500 + 5_550 * 5.75)
    assert curves.specialist[-1] == pytest.approx(13_500 + 5_550 * 24 + 4 * 5_000)


def test_curves_mark_no_point_beyond_the_horizon() -> None:
    # 100,000/month pays back at 44 months, beyond the 24-month horizon.
    curves = costs.cumulative_curves(design_example(volume_per_month=100_000))
    assert curves.break_even_months is None and curves.break_even_cost is None


def test_curves_reject_a_zero_resolution() -> None:
    with pytest.raises(ValueError, match="points_per_month"):
        costs.cumulative_curves(design_example(), 0)


def test_break_even_vs_volume_by_hand() -> None:
    # months = 13,500 / (0.015065·V - 1,200): V = 1e6 -> 13,500 / 13,865 = 0.97367; V = 50,000 -> never.
    months = costs.break_even_vs_volume(design_example(), np.array([50_000.0, 1e6, 1e7]))
    assert months[0] == np.inf
    assert months[1] == pytest.approx(13_500 / 13_865)
    assert months[2] == pytest.approx(13_500 / 149_450)


def test_break_even_vs_volume_with_extras_matches_each_scenario() -> None:
    scenario = design_example(price_decline_per_year=0.3, retraining={"every_months": 3, "cost": 2000})
    volumes = costs.volume_range(scenario, 20)
    months = costs.break_even_vs_volume(scenario, volumes)
    for volume, month in zip(volumes, months, strict=True):
        single = costs.break_even_on_curves(
            design_example(
                volume_per_month=float(volume),
                price_decline_per_year=0.3,
                retraining={"every_months": 3, "cost": 2000},
            )
        )
        assert (single is None and month == np.inf) or month == pytest.approx(single, rel=1e-9)


def test_break_even_vs_volume_rejects_negative_volumes() -> None:
    with pytest.raises(ValueError, match="volumes"):
        costs.break_even_vs_volume(design_example(), np.array([-1.0]))


def test_volume_range_spans_the_scenario() -> None:
    volumes = costs.volume_range(design_example(), 61)
    assert volumes[0] == pytest.approx(1e4)  # 1e7 / 1000
    assert volumes[-1] == pytest.approx(1e9)  # 1e7 · 100
    assert np.all(np.diff(volumes) > 0)
    assert costs.volume_range(design_example(volume_per_month=0))[0] == pytest.approx(1e3)


def test_goal_seek_volume_closed_form() -> None:
    # Break-even 6 months: V = (13,500/6 + 1,200) / 0.015065 = 3,450 / 0.015065 = 229,007.6
    seek = goal_seek.goal_seek_volume(design_example(), 6)
    assert seek.value == pytest.approx(3_450 / 0.015065)
    assert "229,008 requests/month" in seek.message
    assert costs.summarize(design_example(volume_per_month=seek.value)).break_even_months == pytest.approx(6)


def test_goal_seek_volume_on_curves_lands_on_the_boundary() -> None:
    extras = {"price_decline_per_year": 0.4, "retraining": {"every_months": 4, "cost": 3000}}
    seek = goal_seek.goal_seek_volume(design_example(**extras), 6)
    assert seek.value is not None
    at = costs.summarize(design_example(volume_per_month=seek.value, **extras)).break_even_months
    below = costs.summarize(design_example(volume_per_month=seek.value * 0.999, **extras)).break_even_months
    assert at is not None and at <= 6 + 1e-9
    assert below is None or below > 6


def test_goal_seek_volume_finds_a_narrow_gpu_step_window() -> None:
    # Self-hosted on one GPU at $118,690 a month (162.59 $/h · 730 h) that serves 7.9M requests a
    # month. Payback in 6 months needs (0.0155·V - 118,690 - 1,200)·6 >= 13,500, i.e.
    # V >= (118,690 + 1,200 + 2,250) / 0.0155 = 7,880,000: a window of 7.88M..7.9M before a second
    # GPU is needed. A coarse volume grid stepped over it (and answered 61.5M); the GPU steps are
    # now searched exactly.
    hosting = {
        "enabled": True,
        "gpu_price_per_hour": 118_690 / 730,
        "requests_per_second_per_gpu": 7.9e6 / economics.SECONDS_PER_MONTH,
        "min_gpus": 1,
    }
    scenario = design_example(self_hosting=hosting)
    seek = goal_seek.goal_seek_volume(scenario, 6)
    assert seek.value == pytest.approx(7_880_000, rel=1e-9)
    reached = costs.summarize(scenario.with_changes(volume_per_month=seek.value)).break_even_months
    assert reached is not None and reached <= 6 * (1 + 1e-9)
    short = costs.summarize(scenario.with_changes(volume_per_month=seek.value * 0.999)).break_even_months
    assert short is None or short > 6
    # Just past the window a second GPU is paid: no payback in 6 months there.
    past = costs.summarize(scenario.with_changes(volume_per_month=7.95e6)).break_even_months
    assert past is None or past > 6


def test_goal_seek_volume_says_why_when_impossible() -> None:
    # The specialist path costs more than the large model: no volume ever pays back.
    seek = goal_seek.goal_seek_volume(design_example(routing={"escalation_rate": 1.0, "mode": "cascade"}), 6)
    assert seek.value is None
    assert "No volume pays back within 6 months" in seek.message
    assert goal_seek.goal_seek_volume(design_example(), 0).value is None


def test_goal_seek_large_price_closed_form() -> None:
    # x = (13,500 + 6·(4,350 + 1,200)) / (6·1e7) = 46,800 / 6e7 = 0.00078 per request, 0.0503x today's.
    seek = goal_seek.goal_seek_large_price(design_example(), 6)
    assert seek.value == pytest.approx(0.00078)
    assert "0.0503x" in seek.message
    factor = 0.00078 / LARGE
    scaled = design_example(
        large={
            "input_tokens": 2200,
            "output_tokens": 300,
            "input_price_per_mtok": 5.0 * factor,
            "output_price_per_mtok": 15.0 * factor,
        }
    )
    assert costs.summarize(scaled).break_even_months == pytest.approx(6)


def test_goal_seek_large_price_on_curves() -> None:
    extras = {"price_decline_per_year": 0.2, "volume_per_month": 100_000}
    seek = goal_seek.goal_seek_large_price(design_example(**extras), 12)
    assert seek.value is not None
    factor = seek.value / LARGE
    scaled = design_example(
        large={
            "input_tokens": 2200,
            "output_tokens": 300,
            "input_price_per_mtok": 5.0 * factor,
            "output_price_per_mtok": 15.0 * factor,
        },
        **extras,
    )
    assert costs.summarize(scaled).break_even_months == pytest.approx(12, rel=1e-6)


def test_a_goal_seek_price_with_nothing_to_recover_still_works_typed_back_as_token_prices() -> None:
    """Found by the property test: nothing one-time, so the answer is where the net saving turns
    positive. Typed back as a factor on the token prices it rounds a few times; it must still pay
    back (it landed an ulp short and read "never")."""
    scenario = Scenario.model_validate(
        {
            "name": "edge",
            "volume_per_month": 826213423.8344753,
            "horizon_months": 1,
            "large": {
                "input_tokens": 9,
                "output_tokens": 0,
                "input_price_per_mtok": 1.0,
                "output_price_per_mtok": 0.0,
            },
            "small": {
                "input_tokens": 0,
                "output_tokens": 0,
                "input_price_per_mtok": 0.0,
                "output_price_per_mtok": 0.0,
            },
            "monthly_ops": 29.125,
        }
    )
    seek = goal_seek.goal_seek_large_price(scenario, 1.0)
    assert seek.value == pytest.approx(29.125 / 826213423.8344753, rel=1e-12)
    factor = seek.value / pricing.model_cost_per_request(scenario.large)
    typed = scenario.large.model_copy(update={"input_price_per_mtok": factor})
    months = costs.summarize(scenario.with_changes(large=typed)).break_even_months
    assert months is not None and months <= 1.0


def test_goal_seek_large_price_impossible_when_everything_escalates() -> None:
    seek = goal_seek.goal_seek_large_price(
        design_example(routing={"escalation_rate": 1.0, "mode": "router"}), 6
    )
    assert seek.value is None
    assert "No large-model price" in seek.message


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"routing": {"escalation_rate": 0.2, "mode": "router"}},
        {"retraining": {"every_months": 6, "cost": 5000}, "price_decline_per_year": 0.3},
        {"volume_per_month": 100_000},  # pays back beyond the horizon: no marked point
    ],
)
def test_curves_from_a_given_summary_are_identical(changes: dict[str, object]) -> None:
    scenario = design_example(**changes)
    fresh = costs.cumulative_curves(scenario)
    reused = costs.cumulative_curves(scenario, summary=costs.summarize(scenario))
    for name in ("months", "large_only", "specialist", "specialist_only"):
        assert np.array_equal(getattr(fresh, name), getattr(reused, name)), name
    assert reused.break_even_months == fresh.break_even_months
    assert reused.break_even_cost == fresh.break_even_cost


def test_curves_refuse_the_summary_of_another_scenario() -> None:
    other = costs.summarize(design_example(volume_per_month=100_000))
    with pytest.raises(ValueError, match="summary does not belong"):
        costs.cumulative_curves(design_example(), summary=other)
