"""Paired comparison of the two models on the same items: is the specialist as good as the frontier?

Both models answered the same items, so the question is about the items where they *differ*:
how often only the specialist was right against how often only the frontier was. Comparing two
separate accuracies (each with its own interval) throws that pairing away and needs far more
items to say the same thing.

- The 2×2 table: both right, only the specialist right, only the frontier right, both wrong;
  plus "both wrong with the same answer" (mistakes a specialist distilled from the frontier
  would inherit, invisible to agreement).
- Exact McNemar test: under "equally accurate", each discordant item is a fair coin between
  the two models; the p-value is the two-sided binomial probability of a split at least as
  lopsided as the one seen.
- Δ accuracy (specialist − frontier) with a 95 % interval by **Newcombe's method 10** (Newcombe
  1998, Statistics in Medicine 17:873–890): Wilson intervals for each accuracy, combined with
  the (continuity-corrected) correlation of the pairs.
- Non-inferiority at a margin (default 2 points): **match proven** when the interval's lower
  bound is above −margin; **specialist worse** when its upper bound is below −margin; otherwise
  **not proven yet**, with the items still needed (by power, simulated).

What it does not prove: the items are a sample of *this* test set; a match here says nothing
about inputs unlike the set's, and a set that is too easy makes every model "match".

Pure functions (numpy for the power simulation only; no I/O).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from app.domain.evaluation.records import ItemResult, SideResult
from app.domain.evaluation.statistics import Z_95, smallest_sample_size, wilson_interval

DEFAULT_MARGIN = 0.02
DEFAULT_POWER = 0.8
INTERVAL_METHOD = "Newcombe (1998) method 10: Wilson score intervals combined with the paired correlation"
# Simulated runs per candidate set size in the power search; seeded, so the answer is repeatable.
POWER_SIMULATIONS = 4000
POWER_SEED = 20261202
MAX_PAIRED_ITEMS = 200_000

PairedVerdict = Literal["match_proven", "not_proven", "specialist_worse"]
VERDICT_TEXT: dict[PairedVerdict, str] = {
    "match_proven": "match proven",
    "not_proven": "not proven yet",
    "specialist_worse": "specialist worse",
}


def graded(side: SideResult) -> bool | None:
    """The grade that counts (errors are wrong): `SideResult.counted_correct`."""
    return side.counted_correct


@dataclass(frozen=True)
class PairedTable:
    """Counts over the items graded on both sides."""

    both_right: int
    specialist_only: int
    frontier_only: int
    both_wrong: int
    both_wrong_same_answer: int

    @property
    def n(self) -> int:
        return self.both_right + self.specialist_only + self.frontier_only + self.both_wrong


def paired_table(results: Sequence[ItemResult]) -> PairedTable:
    """Count the items graded on both sides into the 2×2 table."""
    counts = {"rr": 0, "rw": 0, "wr": 0, "ww": 0, "same": 0}
    for result in results:
        specialist, frontier = graded(result.specialist), graded(result.frontier)
        if specialist is None or frontier is None:
            continue
        key = ("r" if specialist else "w") + ("r" if frontier else "w")
        counts[key] += 1
        if key == "ww" and result.agree is True:
            counts["same"] += 1
    return PairedTable(counts["rr"], counts["rw"], counts["wr"], counts["ww"], counts["same"])


def mcnemar_exact_p(specialist_only: int, frontier_only: int) -> float:
    """Two-sided exact McNemar p-value: 2 · P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1."""
    if specialist_only < 0 or frontier_only < 0:
        raise ValueError("counts must not be negative")
    discordant = specialist_only + frontier_only
    if discordant == 0:
        return 1.0
    smaller = min(specialist_only, frontier_only)
    tail: float = sum(math.comb(discordant, x) for x in range(smaller + 1)) / 2**discordant
    return min(1.0, 2 * tail)


def _phi(a: int, b: int, c: int, d: int) -> float:
    """Newcombe's continuity-corrected phi: (ad − bc − n/2)/√A when ad − bc > n/2, (ad − bc)/√A
    when negative, 0 in between or when a margin is empty."""
    n = a + b + c + d
    product = (a + b) * (c + d) * (a + c) * (b + d)
    if product == 0:
        return 0.0
    cross = a * d - b * c
    if cross > n / 2:
        corrected = cross - n / 2
    elif cross < 0:
        corrected = float(cross)
    else:
        corrected = 0.0
    return corrected / math.sqrt(product)


def newcombe_paired_interval(a: int, b: int, c: int, d: int, z: float = Z_95) -> tuple[float, float, float]:
    """(Δ, low, high) for Δ = p₁ − p₂ with p₁ = (a + b)/n and p₂ = (a + c)/n (Newcombe method 10).

    `a` both right, `b` only the first right, `c` only the second right, `d` both wrong.
    """
    n = a + b + c + d
    if n <= 0:
        raise ValueError("no paired items")
    first, second = wilson_interval(a + b, n, z), wilson_interval(a + c, n, z)
    l1, u1, l2, u2 = first.low, first.high, second.low, second.high
    assert l1 is not None and u1 is not None and l2 is not None and u2 is not None
    p1, p2 = (a + b) / n, (a + c) / n
    phi = _phi(a, b, c, d)
    delta = p1 - p2
    below = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    above = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return delta, max(-1.0, delta - below), min(1.0, delta + above)


def _wilson_arrays(successes: np.ndarray, n: int, z: float) -> tuple[np.ndarray, np.ndarray]:
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = np.where(successes == 0, 0.0, np.maximum(0.0, centre - half))
    high = np.where(successes == n, 1.0, np.minimum(1.0, centre + half))
    return low, high


def _newcombe_lower_bounds(tables: np.ndarray, n: int, z: float) -> np.ndarray:
    """Vectorised lower bound of `newcombe_paired_interval` for rows (a, b, c, d)."""
    a, b, c, d = (tables[:, i].astype(float) for i in range(4))
    l1, _ = _wilson_arrays(a + b, n, z)
    _, u2 = _wilson_arrays(a + c, n, z)
    p1, p2 = (a + b) / n, (a + c) / n
    product = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    corrected = np.where(cross > n / 2, cross - n / 2, np.where(cross < 0, cross, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(product > 0, corrected / np.sqrt(np.where(product > 0, product, 1.0)), 0.0)
    spread = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    lower: np.ndarray = np.maximum(-1.0, (p1 - p2) - np.sqrt(np.maximum(0.0, spread)))
    return lower


def paired_power(
    cells: tuple[float, float, float, float],
    n: int,
    margin: float,
    simulations: int = POWER_SIMULATIONS,
    seed: int = POWER_SEED,
    z: float = Z_95,
) -> float:
    """Share of simulated runs of `n` items (cell probabilities `cells` = both right, only
    specialist, only frontier, both wrong) whose Newcombe lower bound is above −margin."""
    rng = np.random.default_rng(seed + n)
    tables = rng.multinomial(n, np.asarray(cells, dtype=float), size=simulations)
    return float(np.mean(_newcombe_lower_bounds(tables, n, z) > -margin))


def paired_items_needed(
    table: PairedTable, margin: float, power: float = DEFAULT_POWER, z: float = Z_95
) -> int | None:
    """Items (in total, graded on both sides) for the match to be proven with probability
    ≥ `power`, taking the observed cell shares as the truth. None when the observed difference
    is at or below −margin (more items would only confirm the shortfall) or nothing is graded."""
    n = table.n
    if n == 0:
        return None
    cells = (table.both_right / n, table.specialist_only / n, table.frontier_only / n, table.both_wrong / n)
    if cells[1] - cells[2] <= -margin:
        return None

    def enough(size: int) -> bool:
        return paired_power(cells, size, margin, z=z) >= power

    return smallest_sample_size(enough, first=8, limit=MAX_PAIRED_ITEMS)


@dataclass(frozen=True)
class PairedComparison:
    """The paired section of `spotcheck --json` (field names are contract)."""

    n: int
    both_right: int
    specialist_only: int
    frontier_only: int
    both_wrong: int
    both_wrong_same_answer: int
    mcnemar_p: float | None
    delta: float | None
    delta_low: float | None
    delta_high: float | None
    margin: float
    verdict: PairedVerdict
    items_needed: int | None  # total paired items to prove the match (power 80 %), when not proven
    interval_method: str = INTERVAL_METHOD

    @property
    def verdict_text(self) -> str:
        """`match proven`, `not proven yet` or `specialist worse`."""
        return VERDICT_TEXT[self.verdict]

    def describe(self) -> str:
        """One plain sentence for the window, the CLI and the memo."""
        if self.delta is None or self.delta_low is None or self.delta_high is None:
            return "No item was graded on both sides: nothing to compare."
        low, high = self.delta_low * 100, self.delta_high * 100
        points = f"{self.delta * 100:+.1f} points (95 % {low:+.1f} to {high:+.1f})"
        margin = f"{self.margin * 100:g}-point margin"
        if self.verdict == "match_proven":
            return (
                f"Match proven on {self.n} paired items: specialist − frontier = {points}, "
                f"above the −{margin}."
            )
        if self.verdict == "specialist_worse":
            return (
                f"Specialist worse on {self.n} paired items: specialist − frontier = {points}, "
                f"all of it below the −{margin}."
            )
        more = (
            f" About {self.items_needed} paired items would prove it 8 times in 10 if the observed "
            "shares hold."
            if self.items_needed is not None
            else " At the observed difference no practical set would prove it."
        )
        return (
            f"Not proven yet on {self.n} paired items: specialist − frontier = {points}, which "
            f"reaches below the −{margin}.{more}"
        )

    def to_json(self) -> dict[str, Any]:
        """A plain dict; `verdict` is the code, `verdict_text` the words."""
        return {**asdict(self), "verdict_text": self.verdict_text}


def _counts(table: PairedTable) -> tuple[int, int, int, int, int, int]:
    return (
        table.n,
        table.both_right,
        table.specialist_only,
        table.frontier_only,
        table.both_wrong,
        table.both_wrong_same_answer,
    )


def paired_comparison(
    results: Sequence[ItemResult], margin: float = DEFAULT_MARGIN, z: float = Z_95
) -> PairedComparison:
    """The paired comparison over the items graded on both sides (errors count as wrong)."""
    if not 0 <= margin < 1:
        raise ValueError(f"margin must be between 0 and 1, got {margin}")
    table = paired_table(results)
    if table.n == 0:
        return PairedComparison(
            *_counts(table),
            margin=margin,
            mcnemar_p=None,
            delta=None,
            delta_low=None,
            delta_high=None,
            verdict="not_proven",
            items_needed=None,
        )
    delta, low, high = newcombe_paired_interval(
        table.both_right, table.specialist_only, table.frontier_only, table.both_wrong, z
    )
    verdict: PairedVerdict
    if low > -margin:
        verdict = "match_proven"
    elif high < -margin:
        verdict = "specialist_worse"
    else:
        verdict = "not_proven"
    return PairedComparison(
        *_counts(table),
        margin=margin,
        mcnemar_p=mcnemar_exact_p(table.specialist_only, table.frontier_only),
        delta=delta,
        delta_low=low,
        delta_high=high,
        verdict=verdict,
        items_needed=paired_items_needed(table, margin, z=z) if verdict == "not_proven" else None,
    )
