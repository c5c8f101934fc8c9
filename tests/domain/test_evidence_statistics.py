"""Paired comparison, power and the routing curve against independent oracles.

Oracles here are written apart from the code under test: textbook values (Newcombe 1998 Wilson
table; Fagerland, Lydersen & Laake 2017 worked paired example), binomial probabilities summed
from Pascal's triangle in exact fractions, and brute-force scans where the code bisects.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from app.domain.evaluation import (
    OOD_TAG,
    ItemResult,
    PairedTable,
    RoutingPrices,
    ScorerSpec,
    SideResult,
    items_needed_for_power,
    mcnemar_exact_p,
    minimum_detectable_difference,
    newcombe_paired_interval,
    operating_point,
    paired_comparison,
    power_to_settle,
    routing_curve,
    sample_size_advice,
    summarize_results,
    wilson_interval,
)
from app.domain.evaluation.paired import paired_items_needed, paired_power

Z = 1.959963984540054


# --- oracles ------------------------------------------------------------------------------------


def pascal_row(n: int) -> list[int]:
    """Binomial coefficients by Pascal's rule (no math.comb)."""
    row = [1]
    for _ in range(n):
        row = [1, *[row[i] + row[i + 1] for i in range(len(row) - 1)], 1]
    return row


def oracle_mcnemar(b: int, c: int) -> Fraction:
    row = pascal_row(b + c)
    tail = Fraction(sum(row[: min(b, c) + 1]), 2 ** (b + c))
    return min(Fraction(1), 2 * tail)


def oracle_wilson_low(k: int, n: int) -> float:
    # the textbook form: (2k + z² − z·√(z² + 4k(n − k)/n)) / (2(n + z²))
    return (2 * k + Z * Z - Z * math.sqrt(Z * Z + 4 * k * (n - k) / n)) / (2 * (n + Z * Z))


def oracle_power_above(n: int, p: float, bar: float) -> float:
    row = pascal_row(n)
    return sum(
        row[k] * p**k * (1 - p) ** (n - k) for k in range(n + 1) if oracle_wilson_low(k, n) >= bar - 1e-12
    )


def oracle_smallest_n(p: float, bar: float, power: float = 0.8, limit: int = 400) -> int:
    for n in range(1, limit):  # a plain scan, no bisection
        if oracle_power_above(n, p, bar) >= power:
            return n
    raise AssertionError("no n under the limit")


# --- Wilson: textbook values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857–872, Table II, method 3 (score, no CC)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombes_table(k: int, n: int, low: float, high: float) -> None:
    interval = wilson_interval(k, n)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


# --- McNemar ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("b", "c"), [(0, 0), (1, 0), (6, 16), (12, 2), (5, 5), (0, 9), (30, 41)])
def test_mcnemar_exact_p_is_the_two_sided_binomial(b: int, c: int) -> None:
    assert mcnemar_exact_p(b, c) == pytest.approx(float(oracle_mcnemar(b, c)), rel=1e-12)


def test_mcnemar_cavo_example() -> None:
    # Fagerland, Lydersen & Laake (2017), ch. 8, Cavo et al. (2012): 6 vs 16 discordant pairs,
    # exact conditional McNemar p = 0.052.
    assert round(mcnemar_exact_p(6, 16), 3) == 0.052


# --- Newcombe paired interval -------------------------------------------------------------------


def test_newcombe_paired_interval_matches_the_published_worked_example() -> None:
    # Fagerland, Lydersen & Laake (2017), ch. 8, Cavo et al. (2012): table [[59, 6], [16, 80]],
    # Newcombe square-and-add: estimate −0.0621 (95 % CI −0.1186 to −0.0046).
    delta, low, high = newcombe_paired_interval(59, 6, 16, 80)
    assert round(delta, 4) == -0.0621
    assert round(low, 4) == -0.1186
    assert round(high, 4) == -0.0046


def test_newcombe_interval_without_correlation_is_square_and_add_of_wilson() -> None:
    # a·d − b·c = 0·0 − 5·5 < 0 gives φ = −25/√(5·5·5·5) = −1: then the bounds are the sums of the
    # Wilson distances (not square-and-add): (p1 − l1) + (u2 − p2).
    delta, low, high = newcombe_paired_interval(0, 5, 5, 0)
    first = wilson_interval(5, 10)
    assert first.low is not None and first.high is not None
    assert delta == 0
    assert low == pytest.approx(-((0.5 - first.low) + (first.high - 0.5)))
    assert high == pytest.approx((first.high - 0.5) + (0.5 - first.low))


# --- power --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "bar"), [(1.0, 0.9), (0.98, 0.9), (0.95, 0.8), (0.9, 0.7)])
def test_items_needed_is_the_smallest_n_with_80_percent_power(p: float, bar: float) -> None:
    expected = oracle_smallest_n(p, bar)
    assert items_needed_for_power(p, bar) == expected


def test_items_needed_at_100_percent_against_90_is_35() -> None:
    # At p = 1 every run scores n/n, whose Wilson lower bound n/(n + z²) ≥ 0.9 ⇔ n ≥ 9·z² = 34.57.
    assert items_needed_for_power(1.0, 0.9) == 35


def test_power_matches_the_brute_force_sum() -> None:
    for n, p, bar in [(20, 0.95, 0.8), (50, 0.9, 0.85), (7, 0.99, 0.5)]:
        assert power_to_settle(n, p, bar) == pytest.approx(oracle_power_above(n, p, bar), abs=1e-12)


def test_no_practical_size_settles_an_accuracy_on_the_bar() -> None:
    assert items_needed_for_power(0.9, 0.9, side="above") is None
    assert items_needed_for_power(0.85, 0.9, side="above") is None


def test_minimum_detectable_difference_is_where_power_reaches_80_percent() -> None:
    for n, bar in [(50, 0.9), (100, 0.8), (200, 0.9)]:
        mdd = minimum_detectable_difference(n, bar)
        assert mdd is not None
        assert oracle_power_above(n, bar + mdd, bar) >= 0.8 - 1e-9
        assert oracle_power_above(n, bar + mdd - 1e-3, bar) < 0.8
    # 50 items against 90 %: only 50/50 clears (49/50 gives a low of 0.8950), so p⁵⁰ ≥ 0.8.
    assert minimum_detectable_difference(50, 0.9) == pytest.approx(0.8 ** (1 / 50) - 0.9, abs=1e-9)
    # 5 items can never clear a 90 % bar: 5/5 gives a low of 5/(5 + z²) = 0.566.
    assert minimum_detectable_difference(5, 0.9) is None


def test_sample_size_advice_says_it_in_words() -> None:
    advice = sample_size_advice(5, 5, 0.9, "specialist")
    assert advice.items_needed == 35
    assert "even a perfect score leaves the 95 % interval under the 90% bar" in advice.message


# --- paired comparison --------------------------------------------------------------------------


def _side(
    correct: bool | None, output: str = "x", error: str | None = None, confidence: float | None = None
) -> SideResult:
    return SideResult(output, correct, error=error, confidence=confidence)


def _pair(
    n: int,
    specialist: bool,
    frontier: bool,
    *,
    same: bool = False,
    ood: bool = False,
    confidence: float | None = None,
) -> ItemResult:
    return ItemResult(
        item_id=str(n),
        input=f"item {n}",
        expected="a",
        tags=(OOD_TAG,) if ood else (),
        specialist=_side(specialist, "b" if not specialist else "a", confidence=confidence),
        frontier=_side(frontier, ("b" if same else "c") if not frontier else "a"),
        agree=(specialist == frontier) and (specialist or same),
    )


def test_paired_table_counts_and_errors_count_as_wrong() -> None:
    results = [
        _pair(1, True, True),
        _pair(2, True, False),
        _pair(3, False, True),
        _pair(4, False, False, same=True),
        _pair(5, False, False),
        # the specialist timed out: counted as a wrong answer, not left out
        ItemResult("6", "i", "a", (), _side(None, "", error="timed out"), _side(True, "a"), None),
        # no frontier answer at all: not paired
        ItemResult("7", "i", "a", (), _side(True, "a"), SideResult("", None, source="none"), None),
    ]
    paired = paired_comparison(results)
    assert (paired.n, paired.both_right, paired.specialist_only, paired.frontier_only, paired.both_wrong) == (
        6,
        1,
        1,
        2,
        2,
    )
    assert paired.both_wrong_same_answer == 1
    assert paired.mcnemar_p == pytest.approx(float(oracle_mcnemar(1, 2)))


def test_non_inferiority_verdicts() -> None:
    # 200 items, identical answers: Δ = 0 with a narrow interval → match proven at 2 points
    same = [_pair(i, i % 10 != 0, i % 10 != 0) for i in range(200)]
    proven = paired_comparison(same, margin=0.02)
    assert proven.verdict == "match_proven" and proven.delta == 0
    assert proven.delta_low is not None and proven.delta_low > -0.02
    # 5 identical items prove nothing
    few = paired_comparison(same[1:6], margin=0.02)
    assert few.verdict == "not_proven"
    assert few.items_needed is not None and few.items_needed > 5
    assert "Not proven yet on 5 paired items" in few.describe()
    # the frontier right on 30 items the specialist gets wrong: worse beyond the margin
    worse = paired_comparison([_pair(i, i >= 30, True) for i in range(100)], margin=0.02)
    assert worse.verdict == "specialist_worse"
    assert worse.delta_high is not None and worse.delta_high < -0.02
    empty = paired_comparison([])
    assert (empty.n, empty.delta, empty.verdict) == (0, None, "not_proven")


def test_paired_items_needed_reaches_the_power_in_an_independent_simulation() -> None:
    table = PairedTable(40, 3, 3, 4, 1)
    needed = paired_items_needed(table, 0.05)
    assert needed is not None
    cells = (40 / 50, 3 / 50, 3 / 50, 4 / 50)
    # a different seed than the search used: power at the answer is about 80 %, far less at half
    assert paired_power(cells, needed, 0.05, simulations=4000, seed=7) > 0.76
    assert paired_power(cells, needed // 2, 0.05, simulations=4000, seed=7) < 0.7


# --- routing curve ------------------------------------------------------------------------------


def _routing_items() -> list[ItemResult]:
    # confidence, specialist right, frontier right, ood
    rows = [
        (0.9, True, True, False),
        (0.8, True, False, False),
        (0.6, False, True, False),
        (0.4, True, True, True),
        (0.2, False, True, True),
        (0.2, False, False, False),
    ]
    return [_pair(i, s, f, ood=o, confidence=c) for i, (c, s, f, o) in enumerate(rows)]


def test_routing_curve_worked_by_hand() -> None:
    prices = RoutingPrices(specialist_per_request=0.001, frontier_per_request=0.01, mode="cascade")
    curve = routing_curve(_routing_items(), prices)
    # thresholds 0, 0.2, 0.4, 0.6, 0.8, 0.9, just above 0.9
    assert [round(point.threshold, 6) for point in curve.points] == [0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.9]
    # escalated below t, hybrid right = frontier on escalated + specialist on kept
    # t=0: none → specialist 3/6; t=0.2: none (0.2 is not below 0.2) → 3/6;
    # t=0.4: the two 0.2 items → (F: 1) + (S on 0.9, 0.8, 0.6, 0.4: 3) = 4/6
    # t=0.6: + 0.4 item (F right) → 1 + 1 + S(0.9, 0.8, 0.6: 2) = 4/6
    # t=0.8: + 0.6 (F right) → 3 + S(0.9, 0.8: 2) = 5/6;  t=0.9: + 0.8 (F wrong) → 3 + 1 = 4/6
    # all: frontier 4/6
    assert [point.correct for point in curve.points] == [3, 3, 4, 4, 5, 4, 4]
    assert [point.escalated for point in curve.points] == [0, 0, 2, 3, 4, 5, 6]
    # ood items are the 0.4 and one 0.2: caught 0, 0, ½, 1, 1, 1, 1
    assert [point.ood_caught for point in curve.points] == [0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 1.0]
    # cascade: 1000 · (0.001 + r · 0.01); at r = 2/6: 1000·(0.001 + 0.003333) = 4.3333
    assert curve.points[2].cost_per_1k == pytest.approx(4.333333, abs=1e-6)
    low = wilson_interval(4, 6).low
    assert curve.points[2].accuracy_low == low
    assert (curve.specialist_accuracy, curve.frontier_accuracy) == (0.5, 4 / 6)
    # oracle: right when either is: 5/6, escalating the 3 items the specialist gets wrong
    assert (curve.oracle_accuracy, curve.oracle_escalation_rate) == (5 / 6, 0.5)
    # gap = 4/6 − 3/6 = 1/6; 50 % recovered needs 3.5/6 → first reached at r = 2/6 (4/6)
    assert curve.cpt50 == pytest.approx(2 / 6)
    assert curve.cpt80 == pytest.approx(2 / 6)
    # recovered share per rate: 0→0, 2/6→1, 3/6→1, 4/6→2, 5/6→1, 1→1;
    # trapezoids: (2/6)·½ + (1/6)·1 + (1/6)·1.5 + (1/6)·1.5 + (1/6)·1 = 1/6 + 1/6 + 0.25 + 0.25 + 1/6
    assert curve.apgr == pytest.approx(1 / 6 + 1 / 6 + 0.25 + 0.25 + 1 / 6)


def test_router_mode_pays_one_model_per_request_and_operating_points() -> None:
    prices = RoutingPrices(0.001, 0.01, mode="router")
    curve = routing_curve(_routing_items(), prices)
    # r = 1: 1000 · 0.01
    assert curve.points[-1].cost_per_1k == pytest.approx(10.0)
    chosen = operating_point(curve, escalation_rate=0.5)
    assert chosen is not None and chosen.escalated == 3
    # 5/6 has a Wilson low of 0.436: no point clears a 90 % bar on six items
    assert operating_point(curve, bar=0.9) is None
    # Wilson lows: 3/6 → 0.188, 4/6 → 0.300, 5/6 → 0.436
    cheapest = operating_point(curve, bar=0.15)
    assert cheapest is not None and cheapest.escalation_rate == 0.0
    needs_escalation = operating_point(curve, bar=0.4)
    assert needs_escalation is not None and needs_escalation.escalation_rate == pytest.approx(4 / 6)


def test_errors_count_as_wrong_in_accuracy_and_their_time_in_latency() -> None:
    results = [
        ItemResult(
            "1", "i", "a", (), SideResult("", None, error="timed out", latency_s=60.0), _side(True, "a"), None
        ),
        ItemResult("2", "i", "a", (), SideResult("a", True, latency_s=1.0), _side(True, "a"), True),
    ]
    summary = summarize_results(
        results,
        set_name="s",
        run_date="d",
        scorer=ScorerSpec(kind="exact"),
        specialist_name="a",
        frontier_name="b",
    )
    assert (summary.specialist.accuracy.successes, summary.specialist.accuracy.total) == (1, 2)
    assert summary.specialist.errors == 1
    assert summary.specialist.latency_p95_s == pytest.approx(1.0 + 0.95 * 59.0)
