"""The six decision rules, their reasons and the verdict precedence."""

from __future__ import annotations

from typing import Any

import pytest
from domain_helpers import design_example

from app.domain.rules import RULE_TITLES, VERDICT_LABELS, evaluate

PROVEN = {"specialist_accuracy": 0.93, "eval_exists": True, "task_change_months": 12, "quality_bar": 0.9}


def _statuses(**changes: Any) -> dict[int, str]:
    return {rule.id: rule.status for rule in evaluate(design_example(**changes)).rules}


def test_rules_come_in_order_with_titles() -> None:
    recommendation = evaluate(design_example())
    assert [rule.id for rule in recommendation.rules] == [1, 2, 3, 4, 5, 6]
    assert [rule.title for rule in recommendation.rules] == [RULE_TITLES[i] for i in range(1, 7)]
    # Nothing about quality is typed: several inputs are open, and the label does not pretend
    # that an eval is the one thing missing.
    assert recommendation.verdict == "needs_eval"
    assert recommendation.label == "Fill in what is missing first"


def test_specialize_when_volume_stability_and_quality_hold() -> None:
    recommendation = evaluate(design_example(quality=PROVEN, routing={"escalation_rate": 0.05}))
    assert recommendation.verdict == "specialize"
    assert recommendation.deciding_rule == 1
    assert recommendation.rule(1).status == "pass"
    # 13,500 / 141,700 net (0.05 escalation: 150,650 - 7,750 - 1,200) = 0.095 months = 2.9 days.
    assert "2.9 days" in recommendation.rule(1).reason
    assert "93.0% meets the 90.0% bar" in recommendation.rule(1).reason
    assert "escalation path" in recommendation.headline
    assert "out-of-distribution" in recommendation.headline
    assert "5.0% of traffic escalated" in recommendation.headline


def test_rule_4_quotes_the_break_even_and_horizon() -> None:
    # 100,000/month: 13,500 / 306.5 = 44.05 months, beyond 24.
    recommendation = evaluate(design_example(volume_per_month=100_000, quality=PROVEN))
    rule = recommendation.rule(4)
    assert rule.status == "pass"
    assert "Break-even 44.0 months is beyond the 24-month horizon at 100.0K requests/month" in rule.reason
    assert "$13,500 one-time" in rule.reason and "$306 net savings per month" in rule.reason
    assert recommendation.verdict == "keep_large"
    assert recommendation.deciding_rule == 4


def test_rule_4_within_horizon_fails() -> None:
    # 1M/month: 13,500 / 13,865 = 0.97 months.
    rule = evaluate(design_example(volume_per_month=1_000_000)).rule(4)
    assert rule.status == "fail"
    assert "Break-even 1.0 month is within the 24-month horizon at 1.0M requests/month" in rule.reason


def test_never_paying_back_names_the_net_savings() -> None:
    # 50,000/month: net = 753.25 - 1,200 = -446.75.
    rule = evaluate(design_example(volume_per_month=50_000)).rule(4)
    assert rule.status == "pass"
    assert "never pays back" in rule.reason and "-$447" in rule.reason


def test_rule_5_task_changes_faster_than_payback() -> None:
    # 400,000/month: net = 0.015065·4e5 - 1,200 = 4,826 -> 13,500 / 4,826 = 2.8 months > 1 month.
    quality = {**PROVEN, "task_change_months": 1}
    recommendation = evaluate(design_example(volume_per_month=400_000, quality=quality))
    assert recommendation.rule(5).status == "pass"
    assert "1.0 month" in recommendation.rule(5).reason and "2.8 months" in recommendation.rule(5).reason
    assert recommendation.verdict == "keep_large"
    assert recommendation.deciding_rule == 5
    assert recommendation.rule(1).status == "fail"


def test_rule_5_unknown_without_a_change_interval() -> None:
    assert _statuses()[5] == "unknown"


def test_rule_3_fine_tuned_misses_the_bar() -> None:
    quality = {**PROVEN, "specialist_accuracy": 0.8, "large_accuracy": 0.95}
    recommendation = evaluate(design_example(quality=quality))
    assert recommendation.verdict == "keep_large_and_route"
    assert recommendation.deciding_rule == 3
    assert "80.0% misses the 90.0% bar" in recommendation.rule(3).reason
    assert "95.0%" in recommendation.rule(3).reason


def test_rule_2_off_the_shelf_meets_the_bar() -> None:
    quality = {**PROVEN, "off_the_shelf_accuracy": 0.92}
    recommendation = evaluate(design_example(quality=quality))
    assert recommendation.verdict == "use_off_the_shelf"
    assert recommendation.deciding_rule == 2
    # Priced with its own prompt (since format 2; it used the specialist's short one, $0.000435):
    # the large model's 2,200 / 300 tokens at the small model's $0.30 / $1.20 per Mtok
    # = (660 + 360) / 1e6 = $0.00102 per request, against $0.0155 for the large model: quoted per
    # 1,000 requests like the cost chart, $1.02 against $15.50.
    reason = recommendation.rule(2).reason
    assert "$1.02 per 1k requests against $15.50 per 1k for the large model" in reason


def test_rule_2_prices_the_off_the_shelf_model_with_its_own_prompt_fields() -> None:
    quality = {**PROVEN, "off_the_shelf_accuracy": 0.95}
    shelf = {
        "input_tokens": 1000,
        "output_tokens": 100,
        "input_price_per_mtok": 1.0,
        "output_price_per_mtok": 2.0,
    }
    recommendation = evaluate(design_example(quality=quality, off_the_shelf=shelf))
    # (1000·1 + 100·2) / 1e6 = $0.0012 per request = $1.20 per 1,000 requests.
    assert "$1.20 per 1k requests" in recommendation.rule(2).reason
    assert recommendation.rule(2).status == "pass"


def test_rule_2_fails_when_off_the_shelf_is_not_cheaper() -> None:
    quality = {**PROVEN, "off_the_shelf_accuracy": 0.95}
    # Its own prompt at its own price: (4000·4 + 300·1.20) / 1e6 = $0.01636, dearer than $0.0155
    # (quoted per 1,000 requests: $16.36 against $15.50).
    # (The old version of this test escalated everything; escalation belongs to the specialist's
    # path, not to an off-the-shelf model that meets the bar on its own.)
    shelf = {"input_tokens": 4000, "input_price_per_mtok": 4.0}
    recommendation = evaluate(design_example(quality=quality, off_the_shelf=shelf))
    assert recommendation.rule(2).status == "fail"
    assert "$16.36 per 1k requests against $15.50" in recommendation.rule(2).reason
    assert recommendation.verdict != "use_off_the_shelf"


def test_rule_6_no_eval_beats_everything() -> None:
    quality = {**PROVEN, "eval_exists": False, "off_the_shelf_accuracy": 0.99}
    recommendation = evaluate(design_example(quality=quality))
    assert recommendation.verdict == "needs_eval"
    assert recommendation.deciding_rule == 6
    assert recommendation.rule(6).status == "pass"
    assert recommendation.rule(1).status == "fail"


def test_off_the_shelf_comes_before_low_volume() -> None:
    quality = {**PROVEN, "off_the_shelf_accuracy": 0.95}
    recommendation = evaluate(design_example(volume_per_month=10_000, quality=quality))
    assert recommendation.rule(4).status == "pass"
    assert recommendation.verdict == "use_off_the_shelf"


def test_low_volume_comes_before_the_quality_rules() -> None:
    quality = {**PROVEN, "specialist_accuracy": 0.5, "task_change_months": 0.5}
    recommendation = evaluate(design_example(volume_per_month=100_000, quality=quality))
    assert recommendation.rule(3).status == "pass" and recommendation.rule(5).status == "pass"
    assert recommendation.deciding_rule == 4


def test_unknown_quality_asks_for_measurements() -> None:
    recommendation = evaluate(design_example())
    assert recommendation.verdict == "needs_eval"
    assert recommendation.deciding_rule == 6  # the eval's existence is not stated
    assert recommendation.rule(1).status == "unknown"
    assert recommendation.rule(2).status == "unknown"
    assert recommendation.rule(3).status == "unknown"
    assert recommendation.rule(6).status == "unknown"
    assert "measure the fine-tuned specialist's accuracy" in recommendation.headline


def test_unmeasured_specialist_with_an_eval_is_decided_by_rule_1() -> None:
    recommendation = evaluate(design_example(quality={"eval_exists": True}))
    assert recommendation.verdict == "needs_eval"
    assert recommendation.deciding_rule == 1
    assert "confirm an eval exists" not in recommendation.headline


@pytest.mark.parametrize(
    ("examples", "phrase"),
    [(50, "Only 50 training examples"), (200, "clears the ~100 minimum"), (800, "500+ preferred: met")],
)
def test_rule_of_thumb_on_training_examples(examples: int, phrase: str) -> None:
    distillation = {"enabled": True, "examples": examples}
    recommendation = evaluate(design_example(quality=PROVEN, distillation=distillation))
    assert phrase in recommendation.rule(1).reason


def test_a_given_summary_is_used_as_is() -> None:
    from app.domain.costs import summarize

    scenario = design_example(quality=PROVEN)
    assert evaluate(scenario, summarize(scenario)) == evaluate(scenario)


def test_rule_4_says_when_the_curves_decide() -> None:
    # 100,000/month with prices falling 90 %/year never pays back (see the cost engine tests),
    # although net savings today are positive ($306.50 a month).
    recommendation = evaluate(design_example(volume_per_month=100_000, price_decline_per_year=0.9))
    rule = recommendation.rule(4)
    assert rule.status == "pass"
    # Worded for the payback that holds (it used to say "the curves do not cross"): how far behind
    # it is at the horizon, and that the curves decide where it stays ahead.
    assert "behind at month 24, everything included, and never gets ahead to stay" in rule.reason
    assert "Found on the cost curves (frontier prices falling 90.0% a year)" in rule.reason
    assert recommendation.verdict == "keep_large" or recommendation.deciding_rule in {2, 6}


def test_rule_4_quotes_retraining_when_it_bends_the_curves() -> None:
    # 1M/month: net 13,865/month; $1,000 every 12 months barely moves the 0.97-month break-even.
    rule = evaluate(
        design_example(volume_per_month=1_000_000, retraining={"every_months": 12, "cost": 1000})
    ).rule(4)
    assert rule.status == "fail"
    assert "retraining $1,000 every 12 months" in rule.reason
    assert "1.0 month is within the 24-month horizon" in rule.reason


def test_never_paying_back_quotes_each_number_once_and_blames_no_task_change() -> None:
    # 50,000/month: net = 753.25 - 1,200 = -446.75, so the 13,500 one-time never comes back.
    recommendation = evaluate(design_example(volume_per_month=50_000, quality=PROVEN))
    rule_4 = recommendation.rule(4).reason
    assert rule_4.count("-$447") == 1
    assert rule_4.endswith("so the $13,500 one-time cost never comes back.")
    assert ")(" not in rule_4.replace(" ", "") and ") (" not in rule_4
    rule_1 = recommendation.rule(1)
    assert rule_1.status == "fail"
    # a 12-month task cycle is not "faster" than a payback that never comes
    assert "faster than the payback" not in rule_1.reason
    assert "the task changes every 12.0 months" in rule_1.reason
    assert rule_1.reason.endswith("Fails on: no payback within the horizon.")
    assert recommendation.verdict == "keep_large" and recommendation.deciding_rule == 4


def test_the_verdict_label_is_the_verdicts_own_words_where_no_input_is_missing() -> None:
    for quality in (PROVEN, {**PROVEN, "eval_exists": False}, {**PROVEN, "specialist_accuracy": 0.5}):
        recommendation = evaluate(design_example(quality=quality))
        assert recommendation.label == VERDICT_LABELS[recommendation.verdict]
    no_eval = evaluate(design_example(quality={**PROVEN, "eval_exists": False}))
    assert (no_eval.verdict, no_eval.label) == ("needs_eval", "Build an eval first")


@pytest.mark.parametrize(
    ("missing", "label", "step"),
    [
        (
            {"task_change_months": None},
            "State how often the task changes first",
            "Before deciding, state how often the task changes (labels, formats, policy).",
        ),
        (
            {"specialist_accuracy": None},
            "Measure the accuracy first",
            "Before deciding, measure the fine-tuned specialist's accuracy against the 90.0% bar.",
        ),
        (
            {"eval_exists": None},
            "Confirm an eval exists first",
            "Before deciding, confirm an eval exists that compares the two models.",
        ),
    ],
)
def test_a_verdict_held_by_one_missing_input_names_that_input_not_an_eval(
    missing: dict[str, Any], label: str, step: str
) -> None:
    """An eval exists (or may) and one input is open: "Build an eval first" would send the
    reader to build what they already have."""
    recommendation = evaluate(design_example(quality={**PROVEN, **missing}))
    assert recommendation.verdict == "needs_eval"
    assert recommendation.label == label
    assert recommendation.headline.startswith(step)
    assert "Build an eval" not in recommendation.headline


def test_a_verdict_held_by_a_measurement_not_proven_yet_asks_for_more_items() -> None:
    # 45 of 50 right: 90 % observed, its interval straddles the 90 % bar.
    quality = {**PROVEN, "specialist_accuracy": 0.9}
    evidence = {"quality.specialist_accuracy": {"value": 0.9, "n": 50, "successes": 45}}
    recommendation = evaluate(design_example(quality=quality, evidence=evidence))
    assert recommendation.verdict == "needs_eval"
    assert recommendation.label == "Grade more items first"
    assert recommendation.headline.startswith(
        "Before deciding, grade more items: the specialist accuracy is not proven either side "
        "of the 90.0% bar."
    )


def test_needs_eval_headlines_read_once_and_say_what_is_at_stake() -> None:
    # 1M/month: break-even 13,500 / 13,865 = 0.97 months (see test_rule_4_within_horizon_fails).
    unmeasured = evaluate(
        design_example(volume_per_month=1_000_000, quality={**PROVEN, "specialist_accuracy": None})
    )
    assert unmeasured.verdict == "needs_eval"
    assert unmeasured.headline.startswith(
        "Before deciding, measure the fine-tuned specialist's accuracy against the 90.0% bar."
    )
    assert "measure before deciding" not in unmeasured.headline.lower()
    no_eval = evaluate(design_example(volume_per_month=1_000_000, quality={**PROVEN, "eval_exists": False}))
    assert no_eval.verdict == "needs_eval" and no_eval.deciding_rule == 6
    assert no_eval.headline == (
        "Build an eval first: without one the specialist would be an unproven downgrade. "
        "Break-even 1.0 month is within the 24-month horizon at 1.0M requests/month."
    )


# --- the rules as the seed table means them -----------------------------------------------------


def test_low_volume_decides_before_build_an_eval_first() -> None:
    # 100,000/month never pays back within 24 months (44 months): an eval for it is money wasted.
    quality = {**PROVEN, "eval_exists": False}
    recommendation = evaluate(design_example(volume_per_month=100_000, quality=quality))
    assert recommendation.rule(6).status == "pass"
    assert recommendation.rule(4).status == "pass"
    assert recommendation.verdict == "keep_large"
    assert recommendation.deciding_rule == 4


def test_rule_3_holds_when_the_large_model_reaches_the_bar_the_specialist_misses() -> None:
    quality = {**PROVEN, "specialist_accuracy": 0.85, "large_accuracy": 0.95}
    recommendation = evaluate(design_example(quality=quality))
    assert recommendation.rule(3).status == "pass"
    assert "misses the 90.0% bar the large model reaches (95.0%)" in recommendation.rule(3).reason
    assert recommendation.verdict == "keep_large_and_route"


def test_rule_3_does_not_hold_when_both_miss_the_bar_and_the_specialist_does_as_well() -> None:
    # Both miss the 90 % bar; the specialist does better than the large model: keeping the large
    # model buys no quality, so cost decides (here it pays back in 2.7 days: specialize).
    quality = {**PROVEN, "specialist_accuracy": 0.88, "large_accuracy": 0.86}
    recommendation = evaluate(design_example(quality=quality))
    assert recommendation.rule(3).status == "fail"
    assert "quality is no reason to keep paying for the large model" in recommendation.rule(3).reason
    assert recommendation.rule(1).status == "pass"
    assert recommendation.verdict == "specialize"


def test_rule_3_holds_when_both_miss_but_the_large_model_does_better() -> None:
    quality = {**PROVEN, "specialist_accuracy": 0.80, "large_accuracy": 0.87}
    recommendation = evaluate(design_example(quality=quality))
    assert recommendation.rule(3).status == "pass"
    assert "does better (87.0%)" in recommendation.rule(3).reason
    assert recommendation.verdict == "keep_large_and_route"


def test_rule_3_without_the_large_models_accuracy_judges_against_the_bar() -> None:
    quality = {**PROVEN, "specialist_accuracy": 0.85}
    recommendation = evaluate(design_example(quality=quality))
    assert recommendation.rule(3).status == "pass"
    assert "the large model's accuracy is not known" in recommendation.rule(3).reason


def test_with_escalation_the_rules_judge_the_hybrids_accuracy_where_measured() -> None:
    # The specialist alone misses (85 %), the hybrid with 10 % escalated reaches 93 %.
    quality = {**PROVEN, "specialist_accuracy": 0.85, "hybrid_accuracy": 0.93, "large_accuracy": 0.95}
    routed = evaluate(design_example(quality=quality, routing={"escalation_rate": 0.1}))
    assert routed.rule(3).status == "fail"
    assert "Hybrid accuracy (specialist + escalation) 93.0% meets the 90.0% bar" in routed.rule(3).reason
    assert routed.rule(1).status == "pass"
    assert routed.verdict == "specialize"
    # Without escalation there is no hybrid: the specialist alone is judged.
    alone = evaluate(design_example(quality=quality))
    assert alone.rule(3).status == "pass"
    assert alone.verdict == "keep_large_and_route"
    # Escalation on but no hybrid measured: the specialist alone, and the reason says so.
    unmeasured = {**quality, "hybrid_accuracy": None}
    guessed = evaluate(design_example(quality=unmeasured, routing={"escalation_rate": 0.1}))
    assert guessed.rule(3).status == "pass"
    assert "hybrid's accuracy is not measured" in guessed.rule(3).reason


def test_an_unknown_task_change_interval_is_unknown_not_stable() -> None:
    quality = {**PROVEN, "task_change_months": None}
    recommendation = evaluate(design_example(quality=quality))
    rule_1 = recommendation.rule(1)
    assert rule_1.status == "unknown"
    assert rule_1.needs == ("how often the task changes",)
    assert "assumed stable" not in rule_1.reason
    assert recommendation.verdict == "needs_eval"
    assert recommendation.deciding_rule == 1
    assert "state how often the task changes" in recommendation.headline
    assert recommendation.rule(5).status == "unknown"
    assert recommendation.rule(5).needs == ("how often the task changes",)


def test_each_rule_result_carries_what_it_leads_to_and_what_it_needs() -> None:
    leads = {1: "specialize", 2: "use_off_the_shelf", 3: "keep_large_and_route", 4: "keep_large"}
    leads |= {5: "keep_large", 6: "needs_eval"}
    unknown = evaluate(design_example())  # no quality inputs at all
    known = evaluate(design_example(quality={**PROVEN, "off_the_shelf_accuracy": 0.5}))
    for recommendation in (unknown, known):
        for rule in recommendation.rules:
            assert rule.leads_to == leads[rule.id]
            assert bool(rule.needs) == (rule.status == "unknown"), rule
    needs = {rule.id: rule.needs for rule in unknown.rules}
    assert needs[1] == (
        "the fine-tuned specialist's accuracy",
        "whether an eval exists",
        "how often the task changes",
    )
    assert needs[2] == ("the off-the-shelf model's accuracy",)
    assert needs[3] == ("the fine-tuned specialist's accuracy",)
    assert needs[4] == ()
    assert needs[5] == ("how often the task changes",)
    assert needs[6] == ("whether an eval exists",)


def test_every_verdict_has_a_tone_next_to_it() -> None:
    from app.domain.rules import VERDICT_TONES, verdict_tone

    assert set(VERDICT_TONES) == set(VERDICT_LABELS)
    assert verdict_tone("specialize") == "good"
    assert verdict_tone("keep_large") == "bad"
    assert verdict_tone("keep_large_and_route") == "caution"
    assert verdict_tone("needs_eval") == "neutral"
    assert verdict_tone("no such verdict") == "neutral"


def test_headlines_with_extras_quote_the_horizon_total() -> None:
    # Retraining $20,000 every 6 months: 149,450·24 - 13,500 - 4·20,000 = 3,493,300 at month 24.
    recommendation = evaluate(design_example(quality=PROVEN, retraining={"every_months": 6, "cost": 20_000}))
    assert recommendation.verdict == "specialize"
    assert "saves $3,493,300 over 24 months everything included" in recommendation.headline
    # Without extras the monthly figure is the whole story.
    plain = evaluate(design_example(quality=PROVEN))
    assert "saves $149,450 a month net" in plain.headline
