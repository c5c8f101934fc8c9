"""An independent brute-force simulator of the cumulative costs, for checking the engine.

Written from the model's description (docs/cost-model.md), not from the engine's modules: it
steps through time a day at a time (30 steps a month), pays each step's bills at the step's
midpoint prices (the frontier's falling by its yearly decline, the specialist's own moving by
its yearly drift, up or down), and adds the one-time costs at month 0 and each retraining when
its month comes. Nothing here imports the engine, so an error in the engine's closed forms, its
exact integrals of the price movements or its search for the payback cannot hide in the oracle too.

Numerical error: the midpoint rule on `(1 + p)^(t/12)` with a step `h` errs by about
`λ²h²/24` relative (|λ| ≤ 0.25 a month for a 95 % yearly fall), a few parts in a million at a day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.domain.scenario import Scenario

STEPS_PER_MONTH = 30
SEARCH_LIMIT_MONTHS = 240
BILLING_HOURS_PER_MONTH = 730.0  # the cloud billing month the model uses (8,760 h / 12)


def _per_request(input_tokens: int, output_tokens: int, input_price: float, output_price: float) -> float:
    return (input_tokens * input_price + output_tokens * output_price) / 1_000_000


@dataclass(frozen=True)
class Simulation:
    """Cumulative costs at the end of each step: `months[i]` is the time, index 0 is month 0."""

    months: npt.NDArray[np.float64]
    large_only: npt.NDArray[np.float64]
    specialist: npt.NDArray[np.float64]

    @property
    def savings(self) -> npt.NDArray[np.float64]:
        """Large only minus the specialist path, everything included, at each step."""
        return self.large_only - self.specialist

    def savings_at(self, month: float) -> float:
        """The cumulative saving at a whole number of steps (a month count on the step grid)."""
        index = round(month * STEPS_PER_MONTH)
        return float(self.savings[index])

    @property
    def flow_scale(self) -> float:
        """The largest cost a single step adds: how far the curves can move between grid points."""
        steps = np.abs(np.diff(self.large_only)) + np.abs(np.diff(self.specialist))
        return float(steps.max()) if steps.size else 0.0

    @property
    def size_scale(self) -> float:
        """The size of the cumulative figures, for relative tolerances."""
        return float(max(np.abs(self.large_only).max(), np.abs(self.specialist).max(), 1.0))


def simulate(scenario: Scenario, months: int) -> Simulation:
    """Step the scenario's costs from month 0 to `months` (whole months), a day at a time."""
    large = scenario.large
    small = scenario.small
    volume = scenario.volume_per_month
    rate = scenario.routing.escalation_rate
    router = scenario.routing.mode == "router"

    large_per_request = _per_request(
        large.input_tokens, large.output_tokens, large.input_price_per_mtok, large.output_price_per_mtok
    )
    small_per_request = _per_request(
        small.input_tokens, small.output_tokens, small.input_price_per_mtok, small.output_price_per_mtok
    )
    # Who answers what: a router sends `rate` of requests straight to the large model; a cascade
    # lets the specialist answer everything and sends `rate` on for a second answer.
    served_by_specialist = volume * (1 - rate) if router else volume
    escalated = volume * rate

    hosting = scenario.self_hosting
    if hosting.enabled:
        per_gpu_month = hosting.requests_per_second_per_gpu * 3600 * BILLING_HOURS_PER_MONTH
        gpus = max(hosting.min_gpus, math.ceil(served_by_specialist / per_gpu_month))
        specialist_own_monthly = gpus * hosting.gpu_price_per_hour * BILLING_HOURS_PER_MONTH
    else:
        specialist_own_monthly = served_by_specialist * small_per_request

    distillation = scenario.distillation
    one_time = (
        scenario.one_time.data_curation + scenario.one_time.training_runs + scenario.one_time.eval_build
    )
    if distillation.enabled:
        # The teacher labels each example with one large-model request at today's price.
        one_time += distillation.examples * large_per_request
        one_time += (
            distillation.examples * distillation.human_review_share * distillation.review_cost_per_example
        )

    steps = months * STEPS_PER_MONTH
    h = 1.0 / STEPS_PER_MONTH
    ends = np.arange(steps + 1) / STEPS_PER_MONTH
    midpoints = (np.arange(steps) + 0.5) * h
    price_factor = (1.0 - scenario.price_decline_per_year) ** (midpoints / 12.0)
    # The specialist's own bill (its tokens, or its GPU hours) moves by its own yearly drift.
    own_factor = (1.0 + scenario.small_price_drift_per_year) ** (midpoints / 12.0)

    large_step = large_per_request * volume * price_factor * h
    specialist_step = (
        specialist_own_monthly * own_factor * h
        + escalated * large_per_request * price_factor * h
        + scenario.monthly_ops * h
    )
    large_only = np.concatenate([[0.0], np.cumsum(large_step)])
    specialist = one_time + np.concatenate([[0.0], np.cumsum(specialist_step)])

    retraining = scenario.retraining
    if retraining.every_months > 0 and retraining.cost > 0:
        # A retraining is paid at months k, 2k, ...: from that step's end on it is in the total.
        for month in range(retraining.every_months, months + 1, retraining.every_months):
            specialist[month * STEPS_PER_MONTH :] += retraining.cost
    return Simulation(ends, large_only, specialist)
