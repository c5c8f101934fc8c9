"""Statistics for spot-checks: Wilson intervals, half-width sample sizes and percentiles.

Pure functions (no I/O).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Two-sided 95 %: the 0.975 quantile of the standard normal distribution.
Z_95 = 1.959963984540054
# Below this many graded items the normal approximation behind "n needed" is rough at best.
MIN_ITEMS_FOR_NORMAL_APPROX = 30


# ---------------------------------------------------------------------------------------------
# Statistics


@dataclass(frozen=True)
class Interval:
    """A proportion with its 95 % interval; all None when nothing was graded."""

    successes: int
    total: int
    estimate: float | None
    low: float | None
    high: float | None

    def describe(self) -> str:
        """`82.0 % (95 % CI 73.1–88.4 %, 41/50)` or `n/a (0 graded)`."""
        if self.estimate is None or self.low is None or self.high is None:
            return f"n/a ({self.total} graded)"
        return (
            f"{self.estimate * 100:.1f} % (95 % CI {self.low * 100:.1f}–{self.high * 100:.1f} %, "
            f"{self.successes}/{self.total})"
        )


def wilson_interval(successes: int, total: int, z: float = Z_95) -> Interval:
    """Wilson score interval for `successes` out of `total` (good at small n and near 0 or 1)."""
    if total < 0 or successes < 0 or successes > total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
    if total == 0:
        return Interval(0, 0, None, None, None)
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    # At p == 0 or 1 the bound on that side is exactly 0 or 1; float noise would say 0.9999999999999999.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return Interval(successes, total, p, low, high)


def sample_size_for_margin(accuracy: float, margin: float, z: float = Z_95) -> int:
    """Items needed so the 95 % interval is about ±`margin` around `accuracy`.

    Normal approximation: n = z² · p(1 − p) / margin², rounded up. At p = 0 or 1 it would say 0,
    so p is kept at least one item's worth away from the edges (p(1 − p) ≥ 0.01).
    """
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be between 0 and 1, got {accuracy}")
    if not 0 < margin < 1:
        raise ValueError(f"margin must be between 0 and 1 (exclusive), got {margin}")
    variance = max(accuracy * (1 - accuracy), 0.01)
    return math.ceil(z * z * variance / (margin * margin) - 1e-9)


def margin_for_sample(accuracy: float, total: int, z: float = Z_95) -> float | None:
    """The ± margin (normal approximation) that `total` items give at this accuracy."""
    if total <= 0:
        return None
    return z * math.sqrt(max(accuracy * (1 - accuracy), 0.01) / total)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between order statistics (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def smallest_sample_size(enough: Callable[[int], bool], first: int, limit: int) -> int | None:
    """The smallest number of items for which `enough(n)` holds, found by doubling then bisection.

    Starts at `first`, doubles until `enough` holds (None once past `limit`: no practical set
    settles it), then bisects between the last size that fell short and the first that held.
    Exact where `enough` is monotone in n; power curves of discrete tests are saw-toothed, so a
    caller that needs the very smallest size checks a few just below (see `items_needed_for_power`).
    """
    low, high = 0, first
    while not enough(high):
        low, high = high, high * 2
        if high > limit:
            return None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high
