"""The value of information: what knowing an input better would be worth to the decision.

The decision is "specialize" against "keep the large model" (worth 0). Specializing is worth its
NPV at the horizon in a draw, or `-one_time` where that draw's specialist accuracy misses the
quality bar (the build is paid, the eval stops the switch).

* EVPI `E[max(value, 0)] - max(E[value], 0)`: deciding with every ranged input known exactly.
* EVPPI per input, by the binning estimator: the draws sorted by that input, `EVPPI_BINS`
  equal-count bins, the best decision per bin (it reads slightly high with few draws per bin).
* EVSI of labelling `n` more items for the specialist's accuracy: the draws reweighted by the
  binomial likelihood of each possible result, against the scenario's labelling cost.

Pure: numpy and the domain, no I/O, no Qt (docs/uncertainty.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.domain.monte_carlo import DrawFigures
from app.domain.rules import Verdict
from app.domain.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

EVPPI_BINS = 50
# Items of new labelling priced by the sample-information analysis.
SAMPLE_SIZES: tuple[int, ...] = (50, 100, 200, 400)
# At most this many draws enter the sample-information reweighting (a (n+1) x draws matrix).
SAMPLE_INFO_DRAWS = 1_000
ACCURACY_PATH = "quality.specialist_accuracy"


@dataclass(frozen=True)
class SampleInformation:
    """Whether labelling `n` more items for the specialist's accuracy is worth its cost.

    Only computed where more evidence could decide: the verdict waits for an eval, or the ranged
    accuracy clears the bar in between 5 % and 95 % of the draws ("not proven yet").
    """

    sizes: tuple[int, ...]
    evsi: tuple[float, ...]  # expected value of the sample information per size, USD
    cost_per_item: float  # the scenario's review cost per example (0 when not given)
    best_size: int | None  # the size with the highest net value, None when none pays

    @property
    def net(self) -> tuple[float, ...]:
        """EVSI minus the labelling cost, per size."""
        return tuple(
            value - size * self.cost_per_item for size, value in zip(self.sizes, self.evsi, strict=True)
        )


def decision_values(scenario: Scenario, inputs: Mapping[str, FloatArray], figures: DrawFigures) -> FloatArray:
    """What specializing is worth in each draw: its NPV at the horizon, or `-one_time` where the
    specialist's accuracy misses the quality bar (the eval stops the switch after the build)."""
    clears = accuracy_clears_bar(scenario, inputs, len(figures.npv_at_horizon))
    if clears is None:
        return figures.npv_at_horizon
    return np.where(clears, figures.npv_at_horizon, -figures.one_time_cost)


def accuracy_clears_bar(scenario: Scenario, inputs: Mapping[str, FloatArray], count: int) -> BoolArray | None:
    """Per draw, whether the specialist's accuracy meets the bar; None when it is unknown and unranged."""
    bar = scenario.quality.quality_bar
    if ACCURACY_PATH in inputs:
        return np.asarray(inputs[ACCURACY_PATH] >= bar)
    accuracy = scenario.quality.specialist_accuracy
    if accuracy is None:
        return None
    return np.full(count, accuracy >= bar)


def evpi(values: FloatArray) -> float:
    """Expected value of perfect information for "specialize (value) or not (0)"."""
    return max(0.0, float(np.mean(np.maximum(values, 0.0))) - max(float(np.mean(values)), 0.0))


def evppi_binned(driver: FloatArray, values: FloatArray, bins: int = EVPPI_BINS) -> float:
    """EVPPI of one input by binning: sort by it, split into equal-count bins, decide per bin."""
    if driver.size == 0 or float(np.ptp(driver)) == 0.0:
        return 0.0
    ordered = values[np.argsort(driver, kind="stable")]
    count = min(bins, driver.size)
    if driver.size % count == 0:
        # Equal bins: one row each, averaged in one call (the same sums as bin by bin).
        sizes = [driver.size // count] * count
        means = [float(mean) for mean in ordered.reshape(count, -1).mean(axis=1)]
    else:
        groups = np.array_split(ordered, count)
        sizes = [len(group) for group in groups]
        means = [float(np.mean(group)) for group in groups]
    informed = sum(size * max(mean, 0.0) for size, mean in zip(sizes, means, strict=True)) / values.size
    gain = informed - max(float(np.mean(values)), 0.0)
    # Summing the same draws in another order leaves rounding dust; that is not information.
    dust = 1e-9 * float(np.mean(np.abs(values)))
    return gain if gain > dust else 0.0


def sample_information_value(accuracy: FloatArray, values: FloatArray, size: int) -> float:
    """EVSI of grading `size` more items: the draws reweighted by each possible result's likelihood.

    For k right of `size`, the likelihood of draw i is `C(size, k)·p_i^k·(1-p_i)^(size-k)`; the
    expected value after seeing k is the likelihood-weighted mean of the values, and k itself
    is as likely as the mean likelihood over the draws (its prior predictive).
    """
    p = np.clip(accuracy, 1e-12, 1.0 - 1e-12)
    return _sample_information_value(np.log(p), np.log1p(-p), values, size)


def _sample_information_value(log_p: FloatArray, log_q: FloatArray, values: FloatArray, size: int) -> float:
    """`sample_information_value` with the draws' log p and log(1 - p) given (shared across sizes)."""
    k = np.arange(size + 1)[:, None]
    log_choose = np.array(
        [math.lgamma(size + 1) - math.lgamma(j + 1) - math.lgamma(size - j + 1) for j in range(size + 1)]
    )
    log_like = log_choose[:, None] + k * log_p[None, :] + (size - k) * log_q[None, :]
    like = np.exp(log_like)
    weight = like.sum(axis=1)  # n_draws x P(k)
    with np.errstate(invalid="ignore", divide="ignore"):
        posterior_mean = np.where(weight > 0, like @ values / np.where(weight > 0, weight, 1.0), 0.0)
    informed = float(np.sum(weight * np.maximum(posterior_mean, 0.0))) / values.size
    return max(0.0, informed - max(float(np.mean(values)), 0.0))


def sample_information(
    scenario: Scenario, inputs: Mapping[str, FloatArray], values: FloatArray, verdict: Verdict
) -> SampleInformation | None:
    """Only where more evidence could decide: the verdict waits for an eval, or the ranged accuracy
    is not proven either way (between 5 % and 95 % of the draws clear the bar)."""
    accuracy = inputs.get(ACCURACY_PATH)
    if accuracy is None:
        return None
    share = float(np.mean(accuracy >= scenario.quality.quality_bar))
    if not (verdict == "needs_eval" or 0.05 < share < 0.95):
        return None
    step = max(1, accuracy.size // SAMPLE_INFO_DRAWS)
    p, v = accuracy[::step], values[::step]
    clipped = np.clip(p, 1e-12, 1.0 - 1e-12)
    log_p, log_q = np.log(clipped), np.log1p(-clipped)
    evsi = tuple(_sample_information_value(log_p, log_q, v, size) for size in SAMPLE_SIZES)
    cost = scenario.distillation.review_cost_per_example
    info = SampleInformation(SAMPLE_SIZES, evsi, cost, None)
    net = info.net
    best = int(np.argmax(net))
    best_size = SAMPLE_SIZES[best] if net[best] > 0 and cost > 0 else None
    return SampleInformation(SAMPLE_SIZES, evsi, cost, best_size)
