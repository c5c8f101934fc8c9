"""Goal seek, inverted: the volume (or large-model price) at which the chance of payback reaches a target.

The same draws are reused at every volume tried (common random numbers), so the chance moves only
with the volume; a ranged volume keeps its relative spread around the volume tried. A log grid
finds the first value that reaches the target, bisection narrows it (docs/uncertainty.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.domain.monte_carlo import DEFAULT_SEED, engine_over_draws, sample_inputs
from app.domain.ranges import get_path
from app.domain.scenario import MAX_VOLUME_PER_MONTH, Scenario

FloatArray = npt.NDArray[np.float64]

VOLUME_PATH = "volume_per_month"


@dataclass(frozen=True)
class ProbabilitySeek:
    """The answer of a probability goal seek; `value` is None when nothing reaches the target."""

    value: float | None
    probability: float | None  # P(payback within the horizon) at `value`
    message: str


def _payback_share(scenario: Scenario, inputs: Mapping[str, FloatArray]) -> float:
    figures = engine_over_draws(scenario, inputs)
    return float(np.mean(figures.break_even_months <= scenario.horizon_months))


def _smallest(probability: Callable[[float], float], low: float, high: float, target: float) -> float | None:
    """Smallest x on a log scale in [low, high] with probability(x) >= target (log grid, then bisection)."""
    grid = np.geomspace(low, high, 41)
    reached = [probability(float(x)) >= target for x in grid]
    if not any(reached):
        return None
    first = reached.index(True)
    if first == 0:
        return float(grid[0])
    lo, hi = float(grid[first - 1]), float(grid[first])
    while hi / lo > 1.0 + 1e-4:
        mid = math.sqrt(lo * hi)
        if probability(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def _check_probability(target: float) -> str | None:
    if not 0.0 < target < 1.0:
        return f"The target probability must be between 0 and 1 (exclusive), got {target:g}."
    return None


def volume_for_probability(
    scenario: Scenario, target: float, draws: int = 2_000, seed: int = DEFAULT_SEED
) -> ProbabilitySeek:
    """The volume per month at which the payback within the horizon reaches probability `target`.

    The same draws are reused at every volume (common random numbers); a ranged volume keeps its
    relative spread around the volume tried.
    """
    problem = _check_probability(target)
    if problem:
        return ProbabilitySeek(None, None, problem)
    base = sample_inputs(scenario, draws, seed)
    mode = scenario.volume_per_month

    def probability(volume: float) -> float:
        inputs = dict(base)
        if VOLUME_PATH in base and mode > 0:
            inputs[VOLUME_PATH] = np.minimum(base[VOLUME_PATH] * (volume / mode), MAX_VOLUME_PER_MONTH)
        else:
            inputs[VOLUME_PATH] = np.full(draws, volume)
        return _payback_share(scenario, inputs)

    value = _smallest(probability, 1.0, MAX_VOLUME_PER_MONTH, target)
    if value is None:
        return ProbabilitySeek(
            None,
            None,
            f"No volume makes a payback within {scenario.horizon_months} months {target:.0%} likely.",
        )
    reached = probability(value)
    return ProbabilitySeek(
        value,
        reached,
        f"A {target:.0%} chance of paying back within {scenario.horizon_months} months needs "
        f"{value:,.0f} requests/month ({reached:.0%} at that volume, {draws:,} draws).",
    )


LARGE_PRICE_PATHS = ("large.input_price_per_mtok", "large.output_price_per_mtok")


def large_price_for_probability(
    scenario: Scenario, target: float, draws: int = 2_000, seed: int = DEFAULT_SEED
) -> ProbabilitySeek:
    """The factor on both large-model prices at which P(payback within the horizon) reaches `target`."""
    problem = _check_probability(target)
    if problem:
        return ProbabilitySeek(None, None, problem)
    base = sample_inputs(scenario, draws, seed)

    def probability(factor: float) -> float:
        inputs = dict(base)
        for path in LARGE_PRICE_PATHS:
            typed = float(get_path(scenario, path))
            inputs[path] = base.get(path, np.full(draws, typed)) * factor
        return _payback_share(scenario, inputs)

    value = _smallest(probability, 1e-3, 1e3, target)
    if value is None:
        return ProbabilitySeek(None, None, f"No large-model price makes a payback {target:.0%} likely.")
    reached = probability(value)
    return ProbabilitySeek(
        value,
        reached,
        f"A {target:.0%} chance of paying back within {scenario.horizon_months} months needs the large "
        f"model's prices at {value:.3g}x today's ({reached:.0%} at that price, {draws:,} draws).",
    )
