"""How many items a spot-check needs, by power rather than by the interval's half-width.

"Items needed" used to be the set size whose 95 % interval is ±(distance to the bar) wide at
the observed accuracy. At exactly that size the interval's lower bound lands *on* the bar only
when the next run happens to hit the same accuracy, which it does about half the time: the old
figure promised a coin flip. Here the question is the one a decision needs:

- **items needed**: the smallest n for which a new run of n items, with the model's true
  accuracy equal to the one observed, gives a 95 % Wilson interval whose lower bound clears the
  bar with probability ≥ 80 % (the usual "power"). Computed exactly from the binomial
  distribution, not simulated.
- **minimum detectable difference**: with the current n, how far above the bar the true
  accuracy must be for the run to show it (lower bound clears the bar) with 80 % probability.
  Smaller real differences are likely to go unseen at this n.

Neither says the model *is* that accurate: both take the observed accuracy (or a supposed one)
as the truth and ask how often a run of that size would prove the claim.

Pure functions (no I/O).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from app.domain.evaluation.statistics import Z_95, Interval, smallest_sample_size, wilson_interval

DEFAULT_POWER = 0.8
# Beyond this many items the answer is "no practical set" (the accuracy sits on the bar).
MAX_ITEMS = 200_000

Direction = Literal["above", "below"]


def binomial_tail_at_least(n: int, k: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), summed exactly in log space (no normal approximation)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    # pmf(k) once from log-gammas, then the ratio pmf(x + 1) / pmf(x) = (n - x) / (x + 1) · p / q;
    # past the mode the terms fall geometrically, so stop once they no longer change the sum.
    log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    term = math.exp(log_choose + k * log_p + (n - k) * log_q)
    ratio = p / (1.0 - p)
    total = 0.0
    for x in range(k, n + 1):
        total += term
        if x > n * p and term < total * 1e-17:
            break
        term *= (n - x) / (x + 1) * ratio
    return min(1.0, total)


def _wilson_bound(successes: int, n: int, side: Direction, z: float) -> float:
    interval = wilson_interval(successes, n, z)
    bound = interval.low if side == "above" else interval.high
    assert bound is not None  # n > 0 here
    return bound


def _threshold_successes(n: int, bar: float, side: Direction, z: float) -> int | None:
    """For `above`: the fewest successes whose Wilson lower bound is ≥ bar (None: not even n).
    For `below`: the most successes whose Wilson upper bound is < bar (None: not even 0)."""
    if side == "above":
        if _wilson_bound(n, n, "above", z) < bar:
            return None
        low, high = -1, n  # invariant: bound(high) ≥ bar, bound(low) < bar (low = -1 stands for "none")
        while high - low > 1:
            middle = (low + high) // 2
            if _wilson_bound(middle, n, "above", z) >= bar:
                high = middle
            else:
                low = middle
        return high
    if _wilson_bound(0, n, "below", z) >= bar:
        return None
    low, high = 0, n + 1  # invariant: bound(low) < bar, bound(high) ≥ bar (n + 1 stands for "none")
    while high - low > 1:
        middle = (low + high) // 2
        if _wilson_bound(middle, n, "below", z) < bar:
            low = middle
        else:
            high = middle
    return low


def power_to_settle(n: int, accuracy: float, bar: float, side: Direction = "above", z: float = Z_95) -> float:
    """Probability that a run of `n` items at true `accuracy` puts the whole 95 % Wilson interval
    on one side of `bar`: at or above it (`above`) or below it (`below`)."""
    if n <= 0:
        return 0.0
    k = _threshold_successes(n, bar, side, z)
    if k is None:
        return 0.0
    if side == "above":
        return binomial_tail_at_least(n, k, accuracy)
    return 1.0 - binomial_tail_at_least(n, k + 1, accuracy)


def items_needed_for_power(
    accuracy: float,
    bar: float,
    power: float = DEFAULT_POWER,
    side: Direction | None = None,
    z: float = Z_95,
) -> int | None:
    """Smallest n whose run settles "accuracy vs bar" with probability ≥ `power` at the observed
    accuracy: the interval clears the bar when accuracy > bar, falls wholly below it when
    accuracy < bar. None when the accuracy sits on the bar (no set size settles it).

    Power is a saw-tooth in n (the binomial is discrete), so after bisection the 20 sizes just
    below the answer are checked too and the smallest that reaches the power is returned.
    """
    if not 0 <= accuracy <= 1 or not 0 < bar < 1:
        raise ValueError(f"need accuracy in [0, 1] and bar in (0, 1), got {accuracy}, {bar}")
    if not 0 < power < 1:
        raise ValueError(f"power must be between 0 and 1, got {power}")
    direction: Direction = side or ("above" if accuracy > bar else "below")
    if (direction == "above" and accuracy <= bar) or (direction == "below" and accuracy >= bar):
        return None  # at the observed accuracy the claim fails at least half the time at any n

    def enough(n: int) -> bool:
        return power_to_settle(n, accuracy, bar, direction, z) >= power

    high = smallest_sample_size(enough, first=1, limit=MAX_ITEMS)
    if high is None:
        return None
    # The saw-tooth can hide a slightly smaller size that also reaches the power.
    best = high
    for n in range(high - 1, max(0, high - 21), -1):
        if enough(n):
            best = n
    return best


def minimum_detectable_difference(
    n: int, bar: float, power: float = DEFAULT_POWER, z: float = Z_95
) -> float | None:
    """The smallest d such that a true accuracy of `bar + d` clears the bar in a run of `n` items
    with probability ≥ `power` (Wilson lower bound ≥ bar). None when `n` items cannot clear the
    bar at all (even n out of n leaves the lower bound under it)."""
    if n <= 0 or not 0 < bar < 1:
        return None
    if power_to_settle(n, 1.0, bar, "above", z) < power:
        return None
    low, high = bar, 1.0  # power(low) < power, power(high) ≥ power; power rises with accuracy
    for _ in range(50):
        middle = (low + high) / 2
        if power_to_settle(n, middle, bar, "above", z) >= power:
            high = middle
        else:
            low = middle
    return high - bar


@dataclass(frozen=True)
class SampleSizeAdvice:
    """ "How many items?" for one model against the bar, in numbers and one plain sentence."""

    bar: float
    power: float
    items_needed: int | None  # None: settled already, no data, or no practical size settles it
    minimum_detectable_difference: float | None
    message: str


def sample_size_advice(
    successes: int, total: int, bar: float, who: str = "the model", power: float = DEFAULT_POWER
) -> SampleSizeAdvice:
    """Items needed (by power) and the minimum detectable difference at the current size."""
    mdd = minimum_detectable_difference(total, bar, power)
    if total <= 0:
        return SampleSizeAdvice(bar, power, None, None, f"{who}: nothing graded yet.")
    accuracy = successes / total
    needed = None if accuracy == bar else items_needed_for_power(accuracy, bar, power)
    chance = f"{power:.0%}"
    if mdd is None:
        detect = f"With {total} items even a perfect score leaves the 95 % interval under the {bar:.0%} bar."
    else:
        detect = (
            f"With {total} items, only a true accuracy at least {mdd * 100:.1f} points above the "
            f"{bar:.0%} bar would show up as clearing it {chance} of the time; smaller real margins "
            "are likely to go unseen."
        )
    if needed is None:
        how_many = (
            f"At the observed {accuracy:.1%} ({successes}/{total}) no practical set size settles "
            f"the {bar:.0%} bar."
        )
    else:
        verb = "clear" if accuracy > bar else "fall below"
        how_many = (
            f"If the true accuracy is the observed {accuracy:.1%}, about {needed} items make the "
            f"95 % interval {verb} the {bar:.0%} bar in {chance} of runs."
        )
    return SampleSizeAdvice(bar, power, needed, mdd, f"{who}: {how_many} {detect}")


@dataclass(frozen=True)
class ClaimCheck:
    """Whether a set supports the claim 'accuracy ≥ bar'; `supported` is None with no data."""

    supported: bool | None
    message: str
    items_needed: int | None = None


def check_claim(interval: Interval, bar: float, who: str = "the model") -> ClaimCheck:
    """Does the interval support (or refute) `accuracy ≥ bar`? Warns when the set is too small to say.

    Supported when the whole interval lies at or above the bar, refuted when it lies below, too
    small otherwise; then the items needed are those that settle it in 80 % of runs if the true
    accuracy is the observed one (`items_needed_for_power`, exact binomial).
    """
    if interval.estimate is None or interval.low is None or interval.high is None:
        return ClaimCheck(
            None, f"No graded items for {who}: nothing supports a claim about the {bar:.0%} bar."
        )
    p, low, high = interval.estimate, interval.low, interval.high
    if low >= bar:
        return ClaimCheck(
            True, f"{who}: the whole 95 % interval ({low:.1%}–{high:.1%}) is at or above {bar:.0%}."
        )
    if high < bar:
        return ClaimCheck(
            False, f"{who}: the whole 95 % interval ({low:.1%}–{high:.1%}) is below the {bar:.0%} bar."
        )
    needed = items_needed_for_power(p, bar) if p != bar else None
    more = (
        f" About {needed} items would settle it in {DEFAULT_POWER:.0%} of runs if the true accuracy "
        f"is the observed {p:.1%} (power, exact binomial)."
        if needed is not None
        else " The observed accuracy sits on the bar; no practical set size settles it."
    )
    return ClaimCheck(
        None,
        f"Too few items: {interval.total} graded items give {low:.1%}–{high:.1%} for {who}, "
        f"which straddles the {bar:.0%} bar.{more}",
        needed,
    )
