"""A scenario's numbers as the cost engine reads them: one value each, or arrays of Monte Carlo draws.

`economics(scenario)` turns a validated `Scenario` into plain numbers (per-request costs, monthly
costs, one-time costs, the rates that bend the curves over time), so the engine can vary the
volume or the large model's price, or run thousands of drawn scenarios at once, without building
and validating new scenarios. `economics(scenario, draws)` takes the array of draws of every
field named in `draws` (dotted path -> values) instead of the scenario's own value; every other
field stays one number and broadcasts.

Two rates bend the curves (docs/cost-model.md), both stored per month as the exponent of a
continuous change, so a price factor at month `t` is `exp(rate·t)`:

* `large_price_rate = ln(1 - d) / 12 <= 0` for the frontier's yearly price decline `d`;
* `small_price_rate = ln(1 + p) / 12` (either sign) for the specialist's own yearly price drift `p`
  (its per-token prices, or the GPU hour when self-hosted).

A rate too small to move a price within the search range would only add rounding: it is zero.
No I/O, no Qt.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.domain.pricing import request_cost
from app.domain.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
# A scalar for one scenario, or an array with one value per Monte Carlo draw.
Num = float | FloatArray

HOURS_PER_MONTH = 730.0  # 8760 h / 12, the usual cloud billing month
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
# A monthly rate below this moves no price by a part in 1e10 within the search range.
_NEGLIGIBLE_RATE = 1e-12


@dataclass(frozen=True)
class Economics:
    """The scenario's numbers; each may be an array of Monte Carlo draws (one value per draw)."""

    large_per_request: Num
    small_per_request_tokens: Num  # per-token specialist cost (unused when self-hosted)
    small_input: Num
    small_output: Num
    escalation_rate: Num
    router: bool
    monthly_ops: Num
    fixed_one_time: Num  # curation + training + eval + human review: independent of the large price
    human_review: Num
    teacher_examples: Num  # examples labelled by the large model (one request each)
    self_hosted: bool
    gpu_price_per_hour: Num
    gpu_capacity_per_month: Num  # requests one GPU serves in a month
    min_gpus: float
    large_price_rate: Num  # ln(1 - decline) / 12: the frontier price at month t is exp(rate·t) of today's
    small_price_rate: Num  # ln(1 + drift) / 12: the specialist's own cost at month t, likewise
    retrain_every: float  # 0 = never (a plan, never drawn)
    retrain_cost: Num

    @functools.cached_property
    def curved_rows(self) -> BoolArray:
        """Per value (or draw): True where the cumulative curves are not straight lines.

        A price that moves over time, or a retraining step, bends them; then the closed-form
        break-even is not exact and the engine searches the curves.
        """
        moving = (np.asarray(self.large_price_rate) != 0.0) | (np.asarray(self.small_price_rate) != 0.0)
        retraining = (self.retrain_every > 0) & (np.asarray(self.retrain_cost) > 0)
        return np.asarray(moving | retraining, dtype=np.bool_)

    @property
    def linear(self) -> bool:
        """True when the curves are straight lines for every value (closed-form break-even is exact)."""
        return not bool(self.curved_rows.any())

    def served_share(self) -> Num:
        """The share of traffic the specialist itself answers (cascade: all of it)."""
        return 1.0 - self.escalation_rate if self.router else 1.0

    def gpu_monthly(self, served: FloatArray) -> FloatArray:
        """Monthly GPU bill for a served volume: whole GPUs, never fewer than `min_gpus`."""
        gpus = np.maximum(self.min_gpus, np.ceil(served / self.gpu_capacity_per_month))
        return np.asarray(gpus * self.gpu_price_per_hour * HOURS_PER_MONTH, dtype=np.float64)

    def small_monthly(self, volume: FloatArray) -> FloatArray:
        """What the specialist itself costs per month at today's prices (escalation excluded)."""
        served = volume * self.served_share()
        if self.self_hosted:
            return self.gpu_monthly(served)
        return np.asarray(served * self.small_per_request_tokens, dtype=np.float64)

    def nominal_small_per_request(self) -> Num:
        """Per-request specialist cost where no volume defines it (self-hosted at zero traffic).

        A fully used GPU's cost per request: the marginal cost of traffic once GPUs are busy.
        """
        if self.self_hosted:
            return self.gpu_price_per_hour / (self.gpu_capacity_per_month / HOURS_PER_MONTH)
        return self.small_per_request_tokens

    def one_time(self, large_per_request: FloatArray | float) -> FloatArray:
        """One-time cost; teacher labelling is priced at the given large cost per request."""
        return np.asarray(self.fixed_one_time + self.teacher_examples * np.asarray(large_per_request))


def _field_values(scenario: Scenario, draws: Mapping[str, FloatArray] | None) -> Callable[[str], Any]:
    """A reader of dotted-path fields: the array of draws where there is one, else the scenario's value."""

    def value(path: str) -> Any:
        if draws is not None and path in draws:
            return draws[path]
        node: Any = scenario
        for part in _path_parts(path):
            node = getattr(node, part)
        return node

    return value


@functools.cache
def _path_parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def one_time_breakdown(
    scenario: Scenario, econ: Economics, draws: Mapping[str, FloatArray] | None = None
) -> dict[str, Any]:
    """The one-time cost by part (the summary's breakdown; their sum is the one-time cost)."""
    value = _field_values(scenario, draws)
    return {
        "data_curation": value("one_time.data_curation"),
        "training_runs": value("one_time.training_runs"),
        "eval_build": value("one_time.eval_build"),
        "teacher_labeling": econ.teacher_examples * econ.large_per_request,
        "human_review": econ.human_review,
    }


def price_rate(yearly_change: Num) -> Num:
    """The monthly exponent of a yearly price change: `(1 + change)^(t/12) = exp(rate·t)`.

    numpy's `log1p` for one value and for arrays alike, so a draw's rate is the scalar engine's
    to the last bit. A rate too small to move a price within the search range is zero.
    """
    if isinstance(yearly_change, float) and yearly_change == 0.0:
        return 0.0  # the usual case, without the arithmetic
    rate = np.log1p(np.asarray(yearly_change, dtype=np.float64)) / 12.0
    rate = np.where(np.abs(rate) > _NEGLIGIBLE_RATE, rate, 0.0)
    return float(rate) if rate.ndim == 0 else np.asarray(rate, dtype=np.float64)


def economics(scenario: Scenario, draws: Mapping[str, FloatArray] | None = None) -> Economics:
    """The scenario's numbers; a field named in `draws` (dotted path) takes its array of draws."""
    value = _field_values(scenario, draws)

    def side(name: str, part: str) -> Any:
        return value(f"{name}.{part}")

    distill_on = scenario.distillation.enabled
    review = (
        value("distillation.examples")
        * value("distillation.human_review_share")
        * value("distillation.review_cost_per_example")
    )
    return Economics(
        large_per_request=request_cost(
            side("large", "input_tokens"),
            side("large", "output_tokens"),
            side("large", "input_price_per_mtok"),
            side("large", "output_price_per_mtok"),
        ),
        small_per_request_tokens=request_cost(
            side("small", "input_tokens"),
            side("small", "output_tokens"),
            side("small", "input_price_per_mtok"),
            side("small", "output_price_per_mtok"),
        ),
        small_input=side("small", "input_tokens") * side("small", "input_price_per_mtok") / 1e6,
        small_output=side("small", "output_tokens") * side("small", "output_price_per_mtok") / 1e6,
        escalation_rate=value("routing.escalation_rate"),
        router=scenario.routing.mode == "router",
        monthly_ops=value("monthly_ops"),
        fixed_one_time=value("one_time.data_curation")
        + value("one_time.training_runs")
        + value("one_time.eval_build")
        + (review if distill_on else 0.0),
        human_review=review if distill_on else 0.0,
        teacher_examples=value("distillation.examples") * 1.0 if distill_on else 0.0,
        self_hosted=scenario.self_hosting.enabled,
        gpu_price_per_hour=value("self_hosting.gpu_price_per_hour"),
        gpu_capacity_per_month=value("self_hosting.requests_per_second_per_gpu") * SECONDS_PER_MONTH,
        min_gpus=float(scenario.self_hosting.min_gpus),
        large_price_rate=price_rate(-value("price_decline_per_year")),
        small_price_rate=price_rate(value("small_price_drift_per_year")),
        retrain_every=float(scenario.retraining.every_months),
        retrain_cost=value("retraining.cost"),
    )
