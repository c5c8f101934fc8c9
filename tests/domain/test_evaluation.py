"""Spot-check scorers and statistics against values worked out by hand (the arithmetic is in comments)."""

from __future__ import annotations

import math

import pytest

from app.domain.evaluation import (
    IN_DISTRIBUTION,
    OOD_TAG,
    ItemResult,
    Prices,
    PromptTemplate,
    ScorerSpec,
    SideResult,
    check_claim,
    first_number,
    margin_for_sample,
    normalise,
    outputs_agree,
    percentile,
    sample_size_for_margin,
    score_output,
    summarize_results,
    summary_from_json,
    wilson_interval,
)

LABELS = ("billing", "shipping", "technical", "account", "other")
ONE_OF = ScorerSpec(kind="one_of", labels=LABELS)


# --- scorers ----------------------------------------------------------------------------------


def test_normalise_folds_case_and_collapses_whitespace() -> None:
    assert normalise("  Hello\t  WORLD \n") == "hello world"


@pytest.mark.parametrize(
    ("output", "expected", "correct"),
    [
        ("Paris", "paris", True),
        ("  the   Eiffel\nTower ", "The Eiffel Tower", True),
        ("Paris.", "Paris", False),  # exact means exact apart from case and whitespace
        ("Lyon", "Paris", False),
    ],
)
def test_exact_scorer(output: str, expected: str, correct: bool) -> None:
    assert score_output(output, expected, ScorerSpec(kind="exact")).correct is correct


def test_exact_without_expected_is_not_graded() -> None:
    score = score_output("anything", None, ScorerSpec(kind="exact"))
    assert score.correct is None
    assert score.detail == "no expected value"


@pytest.mark.parametrize(
    ("output", "correct", "detail"),
    [
        ("billing", True, "match"),
        (" Billing. ", True, "match"),  # frontier models add case and a full stop
        ("`shipping`", False, "label shipping instead of billing"),
        ("refund please", False, "not one of the labels: 'refund please'"),
    ],
)
def test_one_of_scorer(output: str, correct: bool, detail: str) -> None:
    score = score_output(output, "billing", ONE_OF)
    assert (score.correct, score.detail) == (correct, detail)


def test_one_of_needs_labels() -> None:
    with pytest.raises(ValueError, match="needs a list of labels"):
        ScorerSpec(kind="one_of")


def test_regex_scorer_uses_its_pattern_or_the_expected_value() -> None:
    fixed = ScorerSpec(kind="regex", pattern=r"^\d{5}$")
    assert score_output(" 75001 ", None, fixed).correct is True
    assert score_output("750011", None, fixed).correct is False
    per_item = ScorerSpec(kind="regex")
    assert score_output("Order #A-1234 shipped", r"A-\d{4}", per_item).correct is True
    assert score_output("anything", None, per_item).correct is None
    assert score_output("x", "(", per_item).correct is None  # a broken per-item pattern is not a failure


def test_regex_pattern_is_checked_when_the_scorer_is_made() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        ScorerSpec(kind="regex", pattern="([a-z]")


def test_json_scorer_validity_and_fields() -> None:
    spec = ScorerSpec(kind="json_fields", tolerance=0.01)
    expected = '{"intent": "refund", "amount": 12.5, "urgent": true}'
    assert (
        score_output('{"intent": "Refund", "amount": 12.501, "urgent": true}', expected, spec).correct is True
    )
    wrong = score_output('{"intent": "refund", "amount": 13, "urgent": false}', expected, spec)
    assert (wrong.correct, wrong.detail) == (False, "1/3 fields match; wrong: amount, urgent")
    fenced = '```json\n{"intent": "refund", "amount": 12.5, "urgent": true}\n```'
    assert score_output(fenced, expected, spec).correct is True
    broken = score_output('{"intent": "refund",', expected, spec)
    assert broken.correct is False
    assert broken.detail.startswith("not valid JSON")
    # No expected value: validity alone.
    assert score_output("[1, 2]", None, spec).correct is True
    assert score_output("[1, 2]", expected, spec).detail == "valid JSON but not an object"


def test_json_scorer_compares_only_the_named_fields() -> None:
    spec = ScorerSpec(kind="json_fields", fields=("intent",))
    score = score_output('{"intent": "refund", "amount": 99}', '{"intent": "refund", "amount": 12}', spec)
    assert (score.correct, score.detail) == (True, "1/1 fields match")


@pytest.mark.parametrize(
    ("output", "expected", "tolerance", "relative", "correct"),
    [
        ("The total is 1,204.50 USD", "1204.5", 0.0, False, True),
        ("42", "41", 0.5, False, False),
        ("42", "41", 1.0, False, True),  # |42 - 41| = 1 <= 1
        ("105", "100", 0.05, True, True),  # 5 % of 100 = 5
        ("106", "100", 0.05, True, False),
        ("no number here", "3", 1.0, False, False),
        ("0.3", "0.1", 0.0, False, False),
    ],
)
def test_number_scorer(output: str, expected: str, tolerance: float, relative: bool, correct: bool) -> None:
    spec = ScorerSpec(kind="number", tolerance=tolerance, relative=relative)
    assert score_output(output, expected, spec).correct is correct


def test_number_scorer_float_noise_is_not_a_miss() -> None:
    assert score_output(str(0.1 + 0.2), "0.3", ScorerSpec(kind="number")).correct is True


def test_first_number() -> None:
    assert first_number("about -3.5e2 units") == -350.0
    assert first_number("1,000,000 requests") == 1_000_000.0
    assert first_number("none") is None


def test_human_scorer_takes_the_grade() -> None:
    spec = ScorerSpec(kind="human")
    assert score_output("x", "y", spec).correct is None
    assert score_output("x", "y", spec, human=True).correct is True
    assert score_output("x", None, spec, human=False).correct is False


def test_agreement_uses_the_scorers_idea_of_same() -> None:
    assert outputs_agree("Billing.", "billing", ONE_OF)
    assert not outputs_agree("billing", "account", ONE_OF)
    assert outputs_agree("about 10.001", "10", ScorerSpec(kind="number", tolerance=0.01))
    assert outputs_agree('{"a": 1, "b": 2}', '{"b": 2, "a": 1}', ScorerSpec(kind="json_fields"))


def test_prompt_template_needs_the_placeholder_and_renders_braces_safely() -> None:
    template = PromptTemplate()
    assert template.specialist.render("{weird} input") == "Input: {weird} input\nOutput:"
    with pytest.raises(ValueError, match="must contain"):
        PromptTemplate.model_validate({"frontier": {"template": "no placeholder"}})


# --- statistics -------------------------------------------------------------------------------


def test_wilson_interval_8_of_10() -> None:
    # p = 0.8, n = 10, z = 1.959964, z² = 3.841459
    # denominator = 1 + z²/n = 1.3841459
    # centre = (p + z²/(2n)) / denominator = (0.8 + 0.1920729) / 1.3841459 = 0.7167401
    # half = z·sqrt(p(1-p)/n + z²/(4n²)) / denominator
    #      = 1.959964·sqrt(0.016 + 0.0096036) / 1.3841459 = 1.959964·0.1600114 / 1.3841459 = 0.2265777
    # → 0.4901625 … 0.9433178
    interval = wilson_interval(8, 10)
    assert interval.estimate == 0.8
    assert interval.low == pytest.approx(0.4901625, abs=1e-6)
    assert interval.high == pytest.approx(0.9433178, abs=1e-6)
    assert interval.describe() == "80.0 % (95 % CI 49.0–94.3 %, 8/10)"


def test_wilson_interval_at_the_edges() -> None:
    # 0/10: centre = half = (z²/20)/(1 + z²/10) = 0.1920729/1.3841459 = 0.1387664 → 0 … 0.2775328
    none = wilson_interval(0, 10)
    assert (none.low, none.high) == (0.0, pytest.approx(0.2775328, abs=1e-6))
    # 10/10 mirrors it: 0.7224672 … 1 (exactly 1, not 0.9999999999999999)
    every = wilson_interval(10, 10)
    assert every.low == pytest.approx(0.7224672, abs=1e-6)
    assert every.high == 1.0


def test_wilson_interval_41_of_50() -> None:
    # p = 0.82, n = 50: denominator = 1.0768292, centre = (0.82 + 0.0384146)/1.0768292 = 0.7971687
    # half = 1.959964·sqrt(0.0029520 + 0.0003841)/1.0768292 = 1.959964·0.0577585/1.0768292 = 0.1051293
    interval = wilson_interval(41, 50)
    assert interval.low == pytest.approx(0.6920395, abs=1e-6)
    assert interval.high == pytest.approx(0.9022981, abs=1e-6)


def test_wilson_interval_with_nothing_graded_and_bad_counts() -> None:
    empty = wilson_interval(0, 0)
    assert (empty.estimate, empty.low, empty.high) == (None, None, None)
    assert empty.describe() == "n/a (0 graded)"
    with pytest.raises(ValueError, match="successes <= total"):
        wilson_interval(3, 2)


def test_sample_size_for_margin_normal_approximation() -> None:
    # n = z²·p(1-p)/m²: 3.841459·0.09/0.0025 = 138.29 → 139
    assert sample_size_for_margin(0.9, 0.05) == 139
    # 3.841459·0.25/0.0009 = 1067.07 → 1068 (the textbook ±3 points at 50 %)
    assert sample_size_for_margin(0.5, 0.03) == 1068
    # p = 1 would give 0; p(1-p) is floored at 0.01: 3.841459·0.01/0.0025 = 15.37 → 16
    assert sample_size_for_margin(1.0, 0.05) == 16
    with pytest.raises(ValueError, match="margin"):
        sample_size_for_margin(0.9, 0.0)


def test_margin_for_sample() -> None:
    # 1.959964·sqrt(0.09/100) = 1.959964·0.03 = 0.0587989
    assert margin_for_sample(0.9, 100) == pytest.approx(0.0587989, abs=1e-6)
    assert margin_for_sample(0.9, 0) is None


def test_claim_check_supports_refutes_or_warns() -> None:
    assert check_claim(wilson_interval(98, 100), 0.9).supported is True  # low = 0.9300 ≥ 0.9
    assert check_claim(wilson_interval(60, 100), 0.9).supported is False  # high = 0.6906 < 0.9
    too_small = check_claim(wilson_interval(19, 20), 0.9, "specialist")
    assert too_small.supported is None
    # 95 % observed, 90 % bar: the half-width rule said 73 items, a coin flip; by power (80 %)
    # it is 229 (the normal approximation of the power formula says ~238; the brute-force scan
    # in test_evidence_statistics.py checks the exact figure).
    assert too_small.items_needed == 229
    assert "Too few items: 20 graded items" in too_small.message
    assert "About 229 items would settle it in 80% of runs" in too_small.message


def test_percentile_interpolates_like_numpy() -> None:
    # position = (10 - 1)·0.95 = 8.55 → 9 + 0.55·(10 - 9) = 9.55
    assert percentile([float(v) for v in range(1, 11)], 95) == pytest.approx(9.55)
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([], 50) is None


# --- summaries --------------------------------------------------------------------------------


def _side(
    output: str, correct: bool | None, latency: float, tokens: tuple[int, int] = (100, 2)
) -> SideResult:
    return SideResult(output, correct, latency_s=latency, input_tokens=tokens[0], output_tokens=tokens[1])


def _item(n: int, tags: tuple[str, ...], spec_ok: bool, front_ok: bool, agree: bool) -> ItemResult:
    return ItemResult(
        item_id=str(n),
        input=f"message {n}",
        expected="billing",
        tags=tags,
        specialist=_side("billing" if spec_ok else "other", spec_ok, 0.1 * n),
        frontier=_side("billing" if front_ok else "account", front_ok, 1.0, (1000, 3)),
        agree=agree,
    )


def test_summary_accuracy_agreement_tags_latency_and_cost() -> None:
    results = [
        _item(1, (), True, True, True),
        _item(2, (), True, True, True),
        _item(3, (), False, True, False),
        _item(4, (OOD_TAG, "sarcasm"), False, False, False),  # both wrong, different answers
        _item(5, (OOD_TAG,), True, False, False),
    ]
    prices = Prices(specialist_input=0.3, specialist_output=1.2, frontier_input=5.0, frontier_output=15.0)
    summary = summarize_results(
        results,
        set_name="demo",
        run_date="2026-11-23",
        scorer=ONE_OF,
        specialist_name="local",
        frontier_name="frontier",
        prices=prices,
        quality_bar=0.9,
    )
    assert (summary.specialist.accuracy.successes, summary.specialist.accuracy.total) == (3, 5)
    assert (summary.frontier.accuracy.successes, summary.frontier.accuracy.total) == (3, 5)
    assert (summary.agreement.successes, summary.agreement.total) == (2, 5)
    assert [entry.tag for entry in summary.by_tag] == [IN_DISTRIBUTION, OOD_TAG, "sarcasm"]
    in_dist, ood, sarcasm = summary.by_tag
    assert (in_dist.items, in_dist.specialist.successes, in_dist.frontier.successes) == (3, 2, 3)
    assert (ood.items, ood.specialist.successes, ood.frontier.successes) == (2, 1, 0)
    assert sarcasm.items == 1
    # Latencies 0.1 … 0.5: p50 = 0.3; p95 position 3.8 → 0.4 + 0.8·0.1 = 0.48
    assert summary.specialist.latency_p50_s == pytest.approx(0.3)
    assert summary.specialist.latency_p95_s == pytest.approx(0.48)
    # (100·0.3 + 2·1.2)/1e6 = 3.24e-5 per item; (1000·5 + 3·15)/1e6 = 5.045e-3
    assert summary.specialist.cost_per_item == pytest.approx(3.24e-5)
    assert summary.specialist.cost_per_million_items == pytest.approx(32.4)
    assert summary.frontier.cost_per_million_items == pytest.approx(5045.0)
    assert summary.measured_from == "spot-check demo 2026-11-23"
    assert summary.complete
    assert any("only 5 graded items" in warning for warning in summary.warnings)
    assert any("Only 2 ood items" in warning for warning in summary.warnings)
    few = next(warning for warning in summary.warnings if "only 5 graded items" in warning)
    # the interval quoted flat, not describe()'s "(60.0 % (95 % CI …, 3/5))" nested in parentheses
    low, high = summary.specialist.accuracy.low, summary.specialist.accuracy.high
    assert low is not None and high is not None
    assert f"the 95 % interval is wide ({low:.1%}–{high:.1%})" in few
    assert "((" not in few and "%))" not in few


def test_summary_survives_a_json_round_trip() -> None:
    results = [_item(n, (OOD_TAG,) if n > 3 else (), n % 2 == 0, True, n % 2 == 0) for n in range(1, 7)]
    summary = summarize_results(
        results,
        set_name="demo",
        run_date="2026-11-23",
        scorer=ONE_OF,
        specialist_name="local",
        frontier_name="frontier",
        set_items=10,
    )
    again = summary_from_json(summary.to_json())
    assert again == summary
    assert not again.complete
    assert again.specialist.cost_per_item is None  # no prices given


def test_errors_count_as_wrong_and_apart() -> None:
    broken = ItemResult(
        "1",
        "x",
        "billing",
        (),
        SideResult("", None, error="timed out after 60 s", latency_s=60.0),
        _side("billing", True, 1.0),
        None,
    )
    summary = summarize_results(
        [broken], set_name="s", run_date="d", scorer=ONE_OF, specialist_name="a", frontier_name="b"
    )
    assert summary.specialist.errors == 1
    # a timeout is a wrong answer, and its 60 s are what a user would have waited
    assert (summary.specialist.accuracy.successes, summary.specialist.accuracy.total) == (0, 1)
    assert summary.specialist.latency_p50_s == 60.0
    assert summary.agreement.total == 0
    assert math.isclose(summary.frontier.latency_p95_s or 0, 1.0)


def test_human_grade_replaces_the_side_result() -> None:
    item = _item(1, (), True, True, True)
    graded = item.with_human_grade("specialist", False)
    assert graded.specialist.correct is False
    assert graded.specialist.detail == "graded down"
    assert graded.frontier == item.frontier
    assert graded.with_human_grade("specialist", None).specialist.correct is None


def test_claim_check_at_a_perfect_score_asks_for_more_items_than_already_straddle() -> None:
    # 10/10 gives 72.2 %–100 % against a 90 % bar; the floored normal approximation said 4 items.
    # Wilson at p = 1: low = n / (n + z²) ≥ 0.9 ⇔ n ≥ 9 · 3.841459 = 34.57 → 35.
    perfect = check_claim(wilson_interval(10, 10), 0.9, "frontier")
    assert perfect.items_needed == 35
    assert "About 35 items would settle it in 80% of runs if the true accuracy is the observed 100.0%" in (
        perfect.message
    )
    tiny = check_claim(wilson_interval(3, 3), 0.9)
    assert tiny.items_needed == 35
    assert check_claim(wilson_interval(34, 34), 0.9).supported is None
    assert check_claim(wilson_interval(35, 35), 0.9).supported is True


def test_a_straddling_small_run_is_warned_about_once_per_model() -> None:
    # 9/10 against a 90 % bar straddles it: the "too few items" line says it; the generic
    # "only 10 graded items" line used to repeat the same interval just above it.
    results = [_item(n, (OOD_TAG,) if n > 8 else (), n != 3, True, n != 3) for n in range(1, 11)]
    summary = summarize_results(
        results,
        set_name="demo",
        run_date="2026-11-23",
        scorer=ONE_OF,
        specialist_name="local",
        frontier_name="frontier",
        quality_bar=0.9,
    )
    about_local = [warning for warning in summary.warnings if "local" in warning]
    assert len(about_local) == 1 and about_local[0].startswith("Too few items: 10 graded items")
    about_frontier = [warning for warning in summary.warnings if "frontier" in warning]
    assert len(about_frontier) == 1 and "About 35 items would settle it" in about_frontier[0]
    # with no bar to straddle, the generic small-run warning stays
    no_bar = summarize_results(
        results,
        set_name="demo",
        run_date="2026-11-23",
        scorer=ONE_OF,
        specialist_name="local",
        frontier_name="f",
    )
    assert any("local: only 10 graded items" in warning for warning in no_bar.warnings)
