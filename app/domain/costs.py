"""The cost engine: per-request costs, monthly figures, cumulative curves, break-even, goal seek.

Everything here is pure arithmetic on a `Scenario` (numpy for the curves); no I/O, no Qt.

The model (docs/cost-model.md), with `L` the large model's cost per request, `S` the specialist's,
`r` the escalation rate and `V` the volume per month:

* specialist path per request: cascade `S + r·L`; router `(1 - r)·S + r·L`;
* gross monthly savings `(L - path)·V`, net = gross - monthly ops;
* break-even `one_time / net` months when net > 0, else never.

The extras bend the curves:

* **frontier price decline** `d` per year: the large model's price at month `t` is `L·(1-d)^(t/12)`,
  so the cumulative large cost is `L·V·g(t)` with `g(t) = ∫₀ᵗ (1-d)^(s/12) ds`, integrated exactly;
  the escalated share of the specialist path gets cheaper the same way;
* **retraining** every `k` months at cost `R`: a step of `R` on the specialist curve at `k, 2k, ...`;
* **self-hosting**: the specialist runs on rented GPUs; its monthly cost is
  `max(min_gpus, ceil(served / (rps · seconds per month))) · $/h · 730 h`, so its cost per request
  depends on the volume (it stays constant over time, so on its own it keeps the curves straight).

**Payback that holds.** With retraining or a falling frontier price the specialist can get
ahead and fall behind again, so a first crossing proves nothing. `D(t) = large(t) - specialist(t)`
is the cumulative saving (one-time, ops and retraining included) and
`cumulative_savings_at_horizon = D(H)`. The break-even is the earliest month from which the
specialist *stays* ahead (`D > 0`) up to the horizon `H`; when it is behind at the horizon, the
earliest month after the horizon from which it stays ahead up to the search limit
(`DEFAULT_SEARCH_MONTHS`); none (never) when it is behind there too.

With neither price decline nor retraining the curves are straight lines, once ahead means ahead
for good, and the break-even is the exact closed form. Otherwise `D` is concave between
retraining steps and only drops at a step, so the run of months where it stays ahead up to the
end `T` (the horizon, or the search limit) starts in the last segment whose start is not ahead;
within that segment `D` rises through zero once and Newton's method finds the root exactly.

Arrays never hold NaN: "never pays back" is `np.inf` in arrays and `None` in scalars.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from app.domain.scenario import MAX_VOLUME_PER_MONTH, ModelCost, Scenario

FloatArray = npt.NDArray[np.float64]
# A scalar for one scenario, or an array with one value per Monte Carlo draw.
Num = float | FloatArray

HOURS_PER_MONTH = 730.0  # 8760 h / 12, the usual cloud billing month
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
# How far past the horizon the crossing is searched when the curves are not straight (20 years).
DEFAULT_SEARCH_MONTHS = 240.0
# Newton steps at most: a few suffice, a crossing that grazes the curves' peak needs more.
_NEWTON_STEPS = 200
# Goal seek: each round narrows the bracket 48-fold, until it is narrower than a part in 1e12
# (6 rounds take a 12 % grid step there; a whole GPU step from zero takes a few more).
_MAX_REFINE_ROUNDS = 12
_REFINE_POINTS = 49
_REFINE_PRECISION = 1e-12

# Goal seek on the large model's price looks no higher than this many USD per request.
LARGE_PRICE_SEEK_MAX = 1e4

BreakEvenMethod = Literal["closed_form", "curves"]


def request_cost(
    input_tokens: float, output_tokens: float, input_price_per_mtok: float, output_price_per_mtok: float
) -> float:
    """USD for one request: `(input_tokens·input_price + output_tokens·output_price) / 1e6`.

    The one per-request cost of the project: the engine, the playground's columns and the
    spot-check's cost per item all price a request here.
    """
    return (input_tokens * input_price_per_mtok + output_tokens * output_price_per_mtok) / 1e6


def model_cost_per_request(model: ModelCost) -> float:
    """USD for one request of a scenario's model (`request_cost` at its token counts and prices)."""
    return request_cost(
        model.input_tokens, model.output_tokens, model.input_price_per_mtok, model.output_price_per_mtok
    )


def off_the_shelf_cost_per_request(scenario: Scenario) -> float:
    """USD for one request to the off-the-shelf small model, with its own (long) prompt.

    An off-the-shelf model has not learned the task, so it needs the large model's few-shot prompt:
    token counts default to the large model's, prices to the small model's per-token prices
    (`Scenario.off_the_shelf` overrides each). No escalation: rule 2 asks whether it meets the bar
    on its own.
    """
    shelf, large, small = scenario.off_the_shelf, scenario.large, scenario.small
    input_tokens = large.input_tokens if shelf.input_tokens is None else shelf.input_tokens
    output_tokens = large.output_tokens if shelf.output_tokens is None else shelf.output_tokens
    input_price = (
        small.input_price_per_mtok if shelf.input_price_per_mtok is None else shelf.input_price_per_mtok
    )
    output_price = (
        small.output_price_per_mtok if shelf.output_price_per_mtok is None else shelf.output_price_per_mtok
    )
    return request_cost(input_tokens, output_tokens, input_price, output_price)


@dataclass(frozen=True)
class CostBreakdown:
    """Cost per request (USD) split into the parts drawn in the breakdown chart.

    `large_input + large_output` is the large model's cost per request. The specialist path is
    `small_input + small_output + escalation + self_hosting`; in router mode the small parts are
    already scaled by the share the router sends to the specialist `(1 - r)`.
    """

    large_input: float
    large_output: float
    small_input: float
    small_output: float
    escalation: float  # r · large: the share of traffic (or its second pass) on the large model
    self_hosting: float  # GPU cost per request when self-hosted, else 0

    @property
    def large_total(self) -> float:
        """The large model's cost per request."""
        return self.large_input + self.large_output

    @property
    def specialist_total(self) -> float:
        """The specialist path's cost per request, escalation included."""
        return self.small_input + self.small_output + self.escalation + self.self_hosting


@dataclass(frozen=True)
class CostSummary:
    """Every headline figure of a scenario. Fields marked CONTRACT appear in `calc --json`."""

    large_cost_per_request: float  # CONTRACT
    small_cost_per_request: float  # the specialist alone (self-hosted: GPU $ per request it serves)
    specialist_cost_per_request: float  # CONTRACT: the specialist path, escalation included
    off_the_shelf_cost_per_request: float  # rule 2: the untuned small model with its own long prompt
    cost_ratio: float | None  # large / specialist path; None when the path costs nothing
    large_monthly: float  # large model for all traffic, USD per month
    specialist_monthly: float  # the specialist path for all traffic, USD per month (ops excluded)
    monthly_savings: float  # CONTRACT: gross = large_monthly - specialist_monthly
    net_monthly_savings: float  # CONTRACT: gross - monthly ops (retraining is on the curves)
    one_time_cost: float  # CONTRACT
    one_time_breakdown: dict[str, float]  # data_curation, training_runs, eval_build, teacher_labeling, ...
    # CONTRACT: the month from which the specialist stays ahead through the horizon (or, behind
    # there, through DEFAULT_SEARCH_MONTHS); None = never. See the module docstring.
    break_even_months: float | None
    break_even_within_horizon: bool  # it pays back by the horizon and is ahead at the horizon
    # CONTRACT: large-only minus the specialist path's cumulative cost at the horizon, one-time,
    # ops and retraining included (negative: the specialist is behind at the horizon).
    cumulative_savings_at_horizon: float
    extras_active: bool  # price decline, retraining or self-hosting is on
    break_even_method: BreakEvenMethod  # closed form, or the crossing found on the curves
    breakdown: CostBreakdown


@dataclass(frozen=True)
class CostCurves:
    """Cumulative cost (USD) from month 0 to the horizon, for the main chart."""

    months: FloatArray  # 0..horizon in 1/points_per_month steps
    large_only: FloatArray  # everything on the large model
    specialist: FloatArray  # the configured path (escalation included) + one-time + ops + retraining
    specialist_only: FloatArray  # the same with no escalation (equals `specialist` when r == 0)
    # The marked point: the payback that holds (the specialist stays ahead from there through the
    # horizon); set only when it falls within the drawn horizon.
    break_even_months: float | None
    break_even_cost: float | None


@dataclass(frozen=True)
class GoalSeek:
    """The answer of a goal seek; `value` is None when no value reaches the target."""

    value: float | None
    message: str  # one sentence that quotes the numbers


# --------------------------------------------------------------------------------------------
# The economics of a scenario as plain numbers, so volume and large price can be varied
# (vectorised) without building and validating new scenarios.


@dataclass(frozen=True)
class _Economics:
    """The scenario's numbers; each may be an array of Monte Carlo draws, except those that shape
    the curves (`decline`, `retrain_every`, `retrain_cost`), which stay one value (see `over_draws`)."""

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
    decline: float
    retrain_every: float  # 0 = never
    retrain_cost: float

    @property
    def linear(self) -> bool:
        """True when the cumulative curves are straight lines (closed-form break-even is exact)."""
        return self.decline == 0.0 and not self.retraining_on

    @property
    def retraining_on(self) -> bool:
        return self.retrain_every > 0 and self.retrain_cost > 0

    def served_share(self) -> Num:
        """The share of traffic the specialist itself answers (cascade: all of it)."""
        return 1.0 - self.escalation_rate if self.router else 1.0

    def gpu_monthly(self, served: FloatArray) -> FloatArray:
        """Monthly GPU bill for a served volume: whole GPUs, never fewer than `min_gpus`."""
        gpus = np.maximum(self.min_gpus, np.ceil(served / self.gpu_capacity_per_month))
        return np.asarray(gpus * self.gpu_price_per_hour * HOURS_PER_MONTH, dtype=np.float64)

    def small_monthly(self, volume: FloatArray) -> FloatArray:
        """What the specialist itself costs per month (escalation excluded)."""
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

    def curve_terms(
        self, volume: FloatArray, large_per_request: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(a, b, c) of `large(t) - specialist(t) = a·g(t) - b·t - c - R·floor(t/k)`.

        `a` is what the large model would cost per month net of the escalated share (both follow
        the price decline), `b` the specialist's own monthly cost plus ops, `c` the one-time cost.
        """
        a = large_per_request * volume * (1.0 - self.escalation_rate)
        b = self.small_monthly(volume) + self.monthly_ops
        c = self.one_time(large_per_request)
        a, b, c = np.broadcast_arrays(a, b, c)
        return (
            np.asarray(a, dtype=np.float64),
            np.asarray(b, dtype=np.float64),
            np.asarray(c, dtype=np.float64),
        )


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


def _one_time_breakdown(
    scenario: Scenario, econ: _Economics, draws: Mapping[str, FloatArray] | None = None
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


def _economics(scenario: Scenario, draws: Mapping[str, FloatArray] | None = None) -> _Economics:
    """The scenario's numbers; a field named in `draws` (dotted path) takes its array of draws."""
    value = _field_values(scenario, draws)

    def shaping(path: str) -> float:
        # One value per pass (a single draw when it is ranged, see `over_draws`).
        return float(np.asarray(value(path)).reshape(-1)[0])

    def side(name: str, part: str) -> Any:
        return value(f"{name}.{part}")

    distill_on = scenario.distillation.enabled
    review = (
        value("distillation.examples")
        * value("distillation.human_review_share")
        * value("distillation.review_cost_per_example")
    )
    decline = shaping("price_decline_per_year")
    return _Economics(
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
        # A decline too small to move a price within the search range would only add rounding.
        decline=decline if _decline_rate(decline) > 1e-12 else 0.0,
        retrain_every=float(scenario.retraining.every_months),
        retrain_cost=shaping("retraining.cost"),
    )


def _decline_rate(decline: float) -> float:
    """Continuous monthly rate λ with (1-d)^(t/12) = exp(-λ·t)."""
    return -math.log1p(-decline) / 12.0


def _price_integral(months: FloatArray, decline: float) -> FloatArray:
    """g(t) = ∫₀ᵗ (1-d)^(s/12) ds: months of large-model spend at today's price."""
    if decline == 0.0:
        return np.asarray(months, dtype=np.float64)
    rate = _decline_rate(decline)
    return np.asarray(-np.expm1(-rate * months) / rate, dtype=np.float64)


def _retraining_total(econ: _Economics, months: FloatArray) -> FloatArray:
    if not econ.retraining_on:
        return np.zeros_like(months, dtype=np.float64)
    return np.asarray(np.floor(months / econ.retrain_every) * econ.retrain_cost, dtype=np.float64)


def _linear_break_even(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Closed form `c / (a - b)` where the net monthly saving a - b is positive, else inf."""
    net = a - b
    positive = net > 0
    safe = np.where(positive, net, 1.0)
    # A subnormal net saving overflows the division to inf, which already means "never": no warning.
    with np.errstate(over="ignore"):
        return np.where(positive, c / safe, np.inf)


def _savings_at(
    econ: _Economics, a: FloatArray, b: FloatArray, c: FloatArray, months: FloatArray | float
) -> FloatArray:
    """D(t) = a·g(t) - b·t - c - R·floor(t/k): large-only minus the specialist path at month t."""
    t = np.asarray(months, dtype=np.float64)
    value = a * _price_integral(t, econ.decline) - b * t - c - _retraining_total(econ, t)
    return np.asarray(value, dtype=np.float64)


def _holding_crossing(
    econ: _Economics, a: FloatArray, b: FloatArray, c: FloatArray, horizon: float, max_months: float
) -> FloatArray:
    """The month from which the specialist stays ahead (module docstring); inf = never.

    The end `T` is the horizon where the specialist is ahead there, else the search limit where
    it is ahead there, else there is no answer. Within retraining segment j, `[j·k, (j+1)·k)`,
    `f_j(t) = a·g(t) - b·t - c - j·R` is concave, and `D` only jumps down (at each step). So if
    segment j's start is ahead, the whole of segment j - 1 is ahead too (both its ends are: its
    right end is that start plus R); the run that reaches `T` therefore begins in the last
    segment (up to T's) whose start is not ahead, at the single root of that segment's concave
    `f_j` between its start (<= 0) and its end or `T` (> 0).
    """
    a, b, c = np.broadcast_arrays(a, b, c)
    at_horizon = _savings_at(econ, a, b, c, horizon)
    at_limit = _savings_at(econ, a, b, c, max_months)
    end = np.where(at_horizon > 0, horizon, np.where(at_limit > 0, max_months, np.nan))
    found = ~np.isnan(end)
    result = np.full(a.shape, np.inf)
    if not found.any():
        return result
    a_f, b_f, c_f, end_f = a[found], b[found], c[found], end[found]
    segment = econ.retrain_every if econ.retraining_on else math.inf
    if math.isinf(segment):
        lo = np.zeros_like(end_f)
        hi = end_f
        drop = c_f
    else:
        count = math.floor(max_months / segment) + 1
        # Segment j starts at j·k, a retraining just paid.
        starts = np.asarray(np.arange(count, dtype=np.float64) * segment, dtype=np.float64)
        steps = np.asarray(np.arange(count, dtype=np.float64) * econ.retrain_cost, dtype=np.float64)
        value_at_start = (
            a_f[:, None] * _price_integral(starts, econ.decline)[None, :]
            - b_f[:, None] * starts[None, :]
            - c_f[:, None]
            - steps[None, :]
        )
        last_segment = np.floor(end_f / segment).astype(np.int64)  # the segment holding T
        eligible = (value_at_start <= 0) & (np.arange(count)[None, :] <= last_segment[:, None])
        # f_0(0) = -one_time <= 0, so segment 0 is always eligible: the maximum exists.
        index = count - 1 - np.argmax(eligible[:, ::-1], axis=1)
        lo = starts[index]
        hi = np.minimum(lo + segment, end_f)
        drop = c_f + steps[index]
    result[found] = _rising_root(econ, lo, hi, a_f, b_f, drop)
    return result


def _rising_root(
    econ: _Economics, lo: FloatArray, hi: FloatArray, a: FloatArray, b: FloatArray, drop: FloatArray
) -> FloatArray:
    """The root of `f(t) = a·g(t) - b·t - drop` in [lo, hi], where f(lo) <= 0 < f(hi).

    Newton's method started at `lo`: f is concave, so with f(lo) <= 0 < f(hi) it rises at `lo`
    and through the root, each tangent meets zero at or before the root, and the iterates climb
    to it without overshooting (one step when f is linear).
    """
    rate = _decline_rate(econ.decline) if econ.decline > 0 else 0.0
    t = lo.copy()
    # Each root stops where it would stop alone, so a batch of draws gives each draw's own answer.
    active = np.ones(t.shape, dtype=bool)
    for _ in range(_NEWTON_STEPS):
        value = a * _price_integral(t, econ.decline) - b * t - drop
        slope = a * np.exp(-rate * t) - b
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(slope > 0, -value / np.where(slope > 0, slope, 1.0), 0.0)
        step = np.where(active, np.clip(step, 0.0, hi - t), 0.0)
        t = t + step
        active &= step > 1e-15 * np.maximum(1.0, t)
        if not active.any():
            break
    found: FloatArray = t  # typed: numpy's stubs give Any here when checking for Python 3.10
    return found


def _break_even(
    econ: _Economics,
    volume: FloatArray,
    large_per_request: FloatArray,
    *,
    on_curves: bool,
    horizon: float,
    max_months: float = DEFAULT_SEARCH_MONTHS,
) -> FloatArray:
    a, b, c = econ.curve_terms(volume, large_per_request)
    if not on_curves:
        return _linear_break_even(a, b, c)
    return _holding_crossing(econ, a, b, c, horizon, max(max_months, horizon))


def _as_optional(months: float) -> float | None:
    return float(months) if math.isfinite(months) else None


def _monthly(econ: _Economics, volume: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(large-only, specialist path, gross savings, net savings) per month at `volume`.

    The specialist path is its own cost (GPUs are billed whether or not traffic comes) plus the
    escalated share at the large model's price; net takes the monthly operations off.
    """
    large_monthly = econ.large_per_request * volume
    specialist_monthly = econ.small_monthly(volume) + econ.escalation_rate * econ.large_per_request * volume
    gross = large_monthly - specialist_monthly
    net = gross - econ.monthly_ops
    return (
        np.asarray(large_monthly, dtype=np.float64),
        np.asarray(specialist_monthly, dtype=np.float64),
        np.asarray(gross, dtype=np.float64),
        np.asarray(net, dtype=np.float64),
    )


def _cumulative(econ: _Economics, volume: Num, months: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Cumulative (large only, specialist path) at `months`; per-draw inputs give one row per draw."""
    large = np.asarray(econ.large_per_request, dtype=np.float64)[..., None]
    volume_ = np.asarray(volume, dtype=np.float64)[..., None]
    spend = _price_integral(months, econ.decline)  # months of large spend at today's prices
    retraining = _retraining_total(econ, months)
    one_time = np.asarray(econ.one_time(econ.large_per_request), dtype=np.float64)[..., None]
    small_monthly = np.asarray(econ.small_monthly(np.asarray(volume, dtype=np.float64)), dtype=np.float64)[
        ..., None
    ]
    ops = np.asarray(econ.monthly_ops, dtype=np.float64)[..., None]
    escalated = np.asarray(econ.escalation_rate, dtype=np.float64)[..., None] * large * volume_
    large_only = large * volume_ * spend
    specialist = one_time + (small_monthly + ops) * months + escalated * spend + retraining
    return np.asarray(large_only, dtype=np.float64), np.asarray(specialist, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Public API


def summarize(scenario: Scenario) -> CostSummary:
    """All headline figures of a scenario (see `CostSummary`)."""
    econ = _economics(scenario)
    volume = scenario.volume_per_month
    large = float(econ.large_per_request)
    r = float(econ.escalation_rate)
    share = float(econ.served_share())

    if econ.self_hosted:
        served = volume * share
        gpu_monthly = float(econ.gpu_monthly(np.array(served)))
        # Below one request a month a per-request GPU cost means nothing (and overflows):
        # quote the fully-used GPU rate instead. The monthly figures stay exact either way.
        small_alone = gpu_monthly / served if served >= 1 else float(econ.nominal_small_per_request())
        self_hosting_part = gpu_monthly / volume if volume >= 1 else share * small_alone
        small_input = small_output = 0.0
    else:
        small_alone = float(econ.small_per_request_tokens)
        self_hosting_part = 0.0
        small_input = share * float(econ.small_input)
        small_output = share * float(econ.small_output)
    escalation = r * large
    path = small_input + small_output + self_hosting_part + escalation

    large_monthly, specialist_monthly, gross, net = (
        float(part) for part in _monthly(econ, np.array(volume, dtype=np.float64))
    )

    breakdown_one_time = {key: float(part) for key, part in _one_time_breakdown(scenario, econ).items()}
    one_time = sum(breakdown_one_time.values())

    method: BreakEvenMethod = "closed_form" if econ.linear else "curves"
    horizon = float(scenario.horizon_months)
    # The same arithmetic as the curves and the break-even-vs-volume chart, so all three agree.
    months = _as_optional(
        float(
            _break_even(econ, np.array(volume), np.array(large), on_curves=not econ.linear, horizon=horizon)
        )
    )
    a, b, c = econ.curve_terms(np.array(volume), np.array(large))
    at_horizon = float(_savings_at(econ, a, b, c, horizon))

    large_input = scenario.large.input_tokens * scenario.large.input_price_per_mtok / 1e6
    return CostSummary(
        large_cost_per_request=large,
        small_cost_per_request=small_alone,
        specialist_cost_per_request=path,
        off_the_shelf_cost_per_request=off_the_shelf_cost_per_request(scenario),
        cost_ratio=large / path if path > 0 else None,
        large_monthly=large_monthly,
        specialist_monthly=specialist_monthly,
        monthly_savings=gross,
        net_monthly_savings=net,
        one_time_cost=one_time,
        one_time_breakdown=breakdown_one_time,
        break_even_months=months,
        break_even_within_horizon=months is not None and months <= scenario.horizon_months,
        cumulative_savings_at_horizon=at_horizon,
        extras_active=not econ.linear or econ.self_hosted,
        break_even_method=method,
        breakdown=CostBreakdown(
            large_input=large_input,
            large_output=large - large_input,
            small_input=small_input,
            small_output=small_output,
            escalation=escalation,
            self_hosting=self_hosting_part,
        ),
    )


def break_even_closed_form(scenario: Scenario) -> float | None:
    """`one_time / net_monthly_savings` months, None when net <= 0.

    Exact when neither price decline nor retraining is on (self-hosting keeps the curves
    straight); with those extras it ignores them (use `break_even_on_curves`).
    """
    econ = _economics(scenario)
    months = _break_even(
        econ,
        np.array(scenario.volume_per_month),
        np.array(econ.large_per_request),
        on_curves=False,
        horizon=float(scenario.horizon_months),
    )
    return _as_optional(float(months))


def break_even_on_curves(scenario: Scenario, max_months: float = DEFAULT_SEARCH_MONTHS) -> float | None:
    """The month from which the specialist stays ahead, searched on the exact curves.

    Ahead at the horizon: the earliest month from which it stays ahead through the horizon.
    Behind there: the earliest month after it from which it stays ahead through `max_months`.
    None when neither exists (price decline, retraining steps and self-hosting all included).
    """
    econ = _economics(scenario)
    months = _break_even(
        econ,
        np.array(scenario.volume_per_month),
        np.array(econ.large_per_request),
        on_curves=True,
        horizon=float(scenario.horizon_months),
        max_months=max_months,
    )
    return _as_optional(float(months))


def cumulative_curves(
    scenario: Scenario, points_per_month: int = 4, summary: CostSummary | None = None
) -> CostCurves:
    """Cumulative USD over the horizon for large only, the specialist path and the specialist alone.

    `summary`, when given, must be `summarize(scenario)`: its break-even (the costly part, a
    search on the curves when extras are on) is reused instead of being found a second time,
    with identical results. A summary whose large-model monthly cost does not match the
    scenario's is refused.
    """
    if points_per_month < 1:
        raise ValueError(f"points_per_month must be at least 1, got {points_per_month}")
    econ = _economics(scenario)
    if summary is not None and summary.large_monthly != econ.large_per_request * scenario.volume_per_month:
        raise ValueError("summary does not belong to this scenario (its large-model monthly cost differs)")
    horizon = scenario.horizon_months
    months = np.linspace(0.0, float(horizon), horizon * points_per_month + 1)
    volume = scenario.volume_per_month
    large = econ.large_per_request
    large_only, specialist = _cumulative(econ, volume, months)
    if econ.escalation_rate > 0:
        specialist_only = _cumulative(dataclasses.replace(econ, escalation_rate=0.0), volume, months)[1]
    else:
        specialist_only = specialist.copy()

    # The same break-even as `summarize` (same arithmetic), so the marker sits where it says: the
    # month from which the specialist stays ahead through the horizon, not a first crossing.
    summary_months = (
        summary.break_even_months
        if summary is not None
        else _as_optional(
            float(
                _break_even(
                    econ,
                    np.array(volume),
                    np.array(large),
                    on_curves=not econ.linear,
                    horizon=float(horizon),
                )
            )
        )
    )
    marked_months: float | None = None
    marked_cost: float | None = None
    if summary_months is not None and summary_months <= horizon:
        marked_months = summary_months
        marked_cost = float(large * volume * _price_integral(np.array(summary_months), econ.decline))
    return CostCurves(
        months=months,
        large_only=np.asarray(large_only, dtype=np.float64),
        specialist=np.asarray(specialist, dtype=np.float64),
        specialist_only=np.asarray(specialist_only, dtype=np.float64),
        break_even_months=marked_months,
        break_even_cost=marked_cost,
    )


def break_even_vs_volume(scenario: Scenario, volumes: FloatArray) -> FloatArray:
    """Break-even months for each volume (everything else as in the scenario); np.inf = never."""
    econ = _economics(scenario)
    volume_array = np.asarray(volumes, dtype=np.float64)
    if volume_array.size and (not np.all(np.isfinite(volume_array)) or np.any(volume_array < 0)):
        raise ValueError("volumes must be finite and not negative")
    months = _break_even(
        econ,
        volume_array,
        np.array(econ.large_per_request),
        on_curves=not econ.linear,
        horizon=float(scenario.horizon_months),
    )
    result: FloatArray = np.asarray(np.broadcast_to(months, volume_array.shape), dtype=np.float64).copy()
    return result


def volume_range(scenario: Scenario, points: int = 60) -> FloatArray:
    """Log-spaced volumes from 1/1000 to 100 times the scenario's (1 to the model's maximum)."""
    if points < 2:
        raise ValueError(f"points must be at least 2, got {points}")
    centre = scenario.volume_per_month if scenario.volume_per_month >= 1 else 1e6
    low = max(1.0, centre / 1000.0)
    high = min(MAX_VOLUME_PER_MONTH, centre * 100.0)
    if high <= low:
        high = low * 10.0
    return np.geomspace(low, high, points)


def _check_target(target_months: float) -> str | None:
    if not math.isfinite(target_months) or target_months <= 0:
        return f"The target must be a positive number of months, got {target_months:g}."
    return None


def _smallest_reaching(
    months_for: Callable[[FloatArray], FloatArray],
    grid: FloatArray,
    target: float,
    floor: float = 0.0,
) -> float | None:
    """The smallest value whose break-even is within `target` months, or None.

    Exact where "reaches the target" is monotone in the value between grid points (the callers
    see to it: see `goal_seek_volume`). The grid finds the first point that reaches the target;
    each refinement round evaluates a fine grid (one vectorised call) inside the bracket,
    shrinking it 48-fold, until it is narrower than a part in 1e12. The answer is the bracket's
    upper end, a value that reaches the target (the lower end does not).
    """
    within = months_for(grid) <= target
    if not within.any():
        return None
    index = int(np.argmax(within))
    lo = float(grid[index - 1]) if index > 0 else floor
    hi = float(grid[index])
    for _ in range(_MAX_REFINE_ROUNDS):
        if hi - lo <= _REFINE_PRECISION * hi:
            break
        fine = np.linspace(lo, hi, _REFINE_POINTS)
        reached = months_for(fine) <= target
        reached[-1] = True  # hi is known to reach it; guards against a rounding wobble
        first = int(np.argmax(reached))
        if first == 0:
            return float(fine[0])
        lo, hi = float(fine[first - 1]), float(fine[first])
    if lo == 0.0:
        # Every value above zero reaches it (nothing fixed to pay back): there is no smallest
        # one, and 0 says so (the messages word it).
        return 0.0
    return hi


def _nudged_to_reach(
    months_for: Callable[[FloatArray], FloatArray], value: float, target: float
) -> float | None:
    """A closed-form answer, moved up by the least amount that makes it reach the target.

    The closed form is the boundary itself: with nothing one-time to recover it is where the net
    saving is exactly zero, which never pays back (any value above it does at once), and rounding
    can leave it a hair short. The answer given must work when plugged back in.
    """
    if value <= 0.0:
        return 0.0  # nothing to recover: every value above zero pays back at once (see callers)
    step = value * 1e-15
    candidate = value
    for _ in range(80):
        if bool(months_for(np.array([candidate]))[0] <= target):
            return candidate
        candidate = value + step
        step *= 2.0
    return None


def _gpu_step_ends(econ: _Economics) -> FloatArray | None:
    """Volumes at which a self-hosted specialist's GPUs are exactly full, within the volume range.

    At `n` full GPUs the volume is `n·capacity / served share`; just above it a GPU more is paid.
    None when there are too many steps to list (a tiny per-GPU throughput): the volume search
    then finds the first full step by bisection (`_first_full_step`).
    """
    share = float(econ.served_share())
    if not econ.self_hosted or share <= 0:
        return None
    first = max(1.0, econ.min_gpus)
    last = math.floor(MAX_VOLUME_PER_MONTH * share / float(econ.gpu_capacity_per_month))
    if last < first:
        return np.empty(0)
    return np.arange(first, last + 1.0)


def _full_volume(econ: _Economics, gpus: float) -> float:
    """The largest volume that `gpus` GPUs serve (rounding kept on the side of that GPU count)."""
    share = float(econ.served_share())
    capacity = float(econ.gpu_capacity_per_month)
    volume = gpus * capacity / share
    while volume > 0 and math.ceil(volume * share / capacity) > gpus:
        volume = math.nextafter(volume, 0.0)
    return volume


def _goal_seek_self_hosted_volume(
    econ: _Economics, months_for: Callable[[FloatArray], FloatArray], target: float
) -> float | None:
    """The smallest volume paying back within `target` months with GPU steps, searched exactly.

    The GPU bill is a staircase in volume: between two steps it is fixed and more traffic only
    helps, so "reaches the target" is monotone inside each step; at the ends of the steps (GPUs
    exactly full) the GPU cost per request is the same everywhere, so it is monotone across those
    ends too. So: bisect over the GPU count for the first step whose full end reaches the target,
    then search inside that one step. A coarse grid over volumes skipped narrow windows here.
    """
    steps = _gpu_step_ends(econ)
    assert steps is not None

    def reaches(volume: float) -> bool:
        return bool(months_for(np.array([volume]))[0] <= target)

    if steps.size and reaches(_full_volume(econ, float(steps[-1]))):
        lo_index, hi_index = -1, steps.size - 1  # first index whose full end reaches the target
        while hi_index - lo_index > 1:
            mid = (lo_index + hi_index) // 2
            if reaches(_full_volume(econ, float(steps[mid]))):
                hi_index = mid
            else:
                lo_index = mid
        gpus = float(steps[hi_index])
        upper = _full_volume(econ, gpus)
        lower = _full_volume(econ, gpus - 1.0) if hi_index > 0 else 0.0
    elif reaches(MAX_VOLUME_PER_MONTH):
        # Past the last full step only a part-used step is left, up to the largest volume.
        upper = MAX_VOLUME_PER_MONTH
        lower = _full_volume(econ, float(steps[-1])) if steps.size else 0.0
    else:
        return None
    return _smallest_reaching(months_for, np.array([upper]), target, floor=lower)


def goal_seek_volume(scenario: Scenario, target_months: float) -> GoalSeek:
    """The smallest volume per month at which the specialist pays back in `target_months`.

    "Pays back" in the meaning of `break_even_months` (it stays ahead from then on).
    """
    problem = _check_target(target_months)
    if problem:
        return GoalSeek(None, problem)
    econ = _economics(scenario)
    today = scenario.volume_per_month
    large = np.array(econ.large_per_request)
    horizon = float(scenario.horizon_months)
    value: float | None

    def months_for(volumes: FloatArray) -> FloatArray:
        return _break_even(econ, volumes, large, on_curves=not econ.linear, horizon=horizon)

    if econ.linear and not econ.self_hosted:
        # a - b = (L·(1-r) - s)·V - ops with s the specialist's own cost per request of traffic.
        margin = float(
            econ.large_per_request * (1 - econ.escalation_rate)
            - econ.served_share() * (econ.small_per_request_tokens)
        )
        one_time = float(econ.one_time(econ.large_per_request))
        value = (one_time / target_months + float(econ.monthly_ops)) / margin if margin > 0 else None
        if value is not None:
            value = _nudged_to_reach(months_for, value, target_months)
        if value is not None and value > MAX_VOLUME_PER_MONTH:
            value = None
    elif _gpu_step_ends(econ) is not None:
        value = _goal_seek_self_hosted_volume(econ, months_for, target_months)
    else:
        # Per-token prices (or GPUs that serve nothing): more volume never hurts the payback's
        # reach (every cost that grows with volume grows in step with the large model's), so
        # "reaches the target" is monotone in volume and a bracket search is exact.
        value = _smallest_reaching(months_for, np.geomspace(1.0, MAX_VOLUME_PER_MONTH, 241), target_months)
    if value is None:
        return GoalSeek(
            None,
            f"No volume pays back within {target_months:g} months: each request saves too little "
            f"(large ${econ.large_per_request:.6g} vs specialist path) to cover the fixed costs.",
        )
    if value == 0.0:
        return GoalSeek(
            0.0, f"Any volume pays back within {target_months:g} months: there are no fixed costs to recover."
        )
    ratio = f" ({value / today:.3g}x today's {today:,.0f})" if today >= 1 else ""
    return GoalSeek(
        value,
        f"Break-even in {target_months:g} months needs {value:,.0f} requests/month{ratio}.",
    )


def goal_seek_large_price(scenario: Scenario, target_months: float) -> GoalSeek:
    """The large model's cost per request (USD) at which the specialist pays back in `target_months`.

    Both large-model token prices are scaled by the same factor; the message gives that factor.
    Escalated traffic and teacher labelling are priced at the sought cost too.
    """
    problem = _check_target(target_months)
    if problem:
        return GoalSeek(None, problem)
    econ = _economics(scenario)
    volume = scenario.volume_per_month
    value: float | None
    if econ.linear:
        # fixed + ex·x = N·(x·(1-r)·V - b)  =>  x = (fixed + N·b) / (N·(1-r)·V - ex)
        b = float(econ.small_monthly(np.array(volume))) + float(econ.monthly_ops)
        denominator = float(target_months * (1 - econ.escalation_rate) * volume - econ.teacher_examples)
        value = (float(econ.fixed_one_time) + target_months * b) / denominator if denominator > 0 else None
        if value is not None and value <= LARGE_PRICE_SEEK_MAX:
            value = _nudged_to_reach(
                lambda prices: _break_even(
                    econ, np.array(volume), prices, on_curves=False, horizon=float(scenario.horizon_months)
                ),
                value,
                target_months,
            )
        if value is not None and not value <= LARGE_PRICE_SEEK_MAX:
            value = None  # beyond any real model (also where a vanishing volume overflows)
    else:
        # Large-model cost per request from a billionth of a dollar to LARGE_PRICE_SEEK_MAX.
        # Every cost that grows with the large price (escalation, teacher labelling) grows in step
        # with what the specialist saves, so "reaches the target" is monotone in the price.
        horizon = float(scenario.horizon_months)
        value = _smallest_reaching(
            lambda prices: _break_even(econ, np.array(volume), prices, on_curves=True, horizon=horizon),
            np.geomspace(1e-9, LARGE_PRICE_SEEK_MAX, 241),
            target_months,
        )
    today = econ.large_per_request
    if value is None:
        return GoalSeek(
            None,
            f"No large-model price pays back within {target_months:g} months at "
            f"{volume:,.0f} requests/month: too little traffic reaches the specialist.",
        )
    if value == 0.0:
        return GoalSeek(
            0.0,
            f"Any large-model price pays back within {target_months:g} months: there are no fixed "
            "costs to recover.",
        )
    ratio = value / today if today > 0 else math.inf
    # A vanishing price (say 1e-300 $/Mtok) makes the ratio overflow: say nothing rather than "infx".
    multiplier = f" ({ratio:.3g}x today's ${today:.6g})" if math.isfinite(ratio) else ""
    return GoalSeek(
        value,
        f"Break-even in {target_months:g} months needs the large model to cost "
        f"${value:.6g} per request{multiplier}.",
    )


# --------------------------------------------------------------------------------------------
# The engine over Monte Carlo draws

# Fields that shape the curves (segments, decline rate): a draw of one of these runs on its own.
_SHAPING_FIELDS = frozenset({"price_decline_per_year", "retraining.cost"})


@dataclass(frozen=True)
class DrawOutcomes:
    """The engine's figures for each draw of the inputs (arrays of one length)."""

    break_even_months: FloatArray  # the same meaning as `CostSummary.break_even_months`; inf = never
    savings_at_horizon: FloatArray  # large only minus the specialist path at the horizon, all included
    monthly_savings_path: FloatArray  # (draws, horizon + 1): that difference at months 0..horizon
    net_monthly_savings: FloatArray
    one_time_cost: FloatArray


def over_draws(scenario: Scenario, draws: Mapping[str, FloatArray], count: int) -> DrawOutcomes:
    """Run the engine once over `count` draws: `draws` maps dotted field paths to arrays of values.

    The same functions as `summarize` and `cumulative_curves`, on arrays: draw i gives exactly
    the figures of the scenario with draw i's values typed in. Fields that shape the curves
    (price decline, retraining cost) are one value per pass, so with a range on one of those each
    draw takes its own pass (exact, slower).
    """
    if count < 1 or any(np.shape(values) != (count,) for values in draws.values()):
        raise ValueError(f"every draw array must have {count} values")
    if count > 1 and _SHAPING_FIELDS & draws.keys():
        parts = [
            over_draws(scenario, {path: values[index : index + 1] for path, values in draws.items()}, 1)
            for index in range(count)
        ]
        return DrawOutcomes(
            *(
                np.concatenate([getattr(part, name) for part in parts])
                for name in DrawOutcomes.__dataclass_fields__
            )
        )
    econ = _economics(scenario, draws)
    volume = np.broadcast_to(
        np.asarray(draws.get("volume_per_month", scenario.volume_per_month), dtype=np.float64), (count,)
    )
    large = np.broadcast_to(np.asarray(econ.large_per_request, dtype=np.float64), (count,))
    months = _break_even(
        econ, volume, large, on_curves=not econ.linear, horizon=float(scenario.horizon_months)
    )
    net = np.broadcast_to(_monthly(econ, volume)[3], (count,))
    horizon = scenario.horizon_months
    large_only, specialist = _cumulative(econ, volume, np.arange(horizon + 1, dtype=np.float64))
    path = np.broadcast_to(large_only - specialist, (count, horizon + 1))
    # Summed part by part in the summary's order, so each draw's total is the summary's to the last bit.
    one_time = np.broadcast_to(
        np.asarray(sum(_one_time_breakdown(scenario, econ, draws).values()), dtype=np.float64), (count,)
    )
    return DrawOutcomes(
        break_even_months=np.asarray(months, dtype=np.float64),
        savings_at_horizon=np.array(path[:, -1]),
        monthly_savings_path=np.array(path),
        net_monthly_savings=np.array(net),
        one_time_cost=np.array(one_time),
    )
