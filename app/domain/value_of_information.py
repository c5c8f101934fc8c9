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
    order = np.argsort(driver, kind="stable")
    groups = np.array_split(values[order], min(bins, driver.size))
    informed = sum(len(group) * max(float(np.mean(group)), 0.0) for group in groups) / values.size
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
    k = np.arange(size + 1)[:, None]
    log_choose = np.array(
        [math.lgamma(size + 1) - math.lgamma(j + 1) - math.lgamma(size - j + 1) for j in range(size + 1)]
    )
    log_like = log_choose[:, None] + k * np.log(p)[None, :] + (size - k) * np.log1p(-p)[None, :]
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
    evsi = tuple(sample_information_value(p, v, size) for size in SAMPLE_SIZES)
    cost = scenario.distillation.review_cost_per_example
    info = SampleInformation(SAMPLE_SIZES, evsi, cost, None)
    net = info.net
    best = int(np.argmax(net))
    best_size = SAMPLE_SIZES[best] if net[best] > 0 and cost > 0 else None
    return SampleInformation(SAMPLE_SIZES, evsi, cost, best_size)
