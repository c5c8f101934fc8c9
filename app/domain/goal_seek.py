"""Goal seek: the volume, or the large model's price, at which the specialist pays back in N months.

"Pays back" in the meaning of `CostSummary.break_even_months`: the month from which the specialist
stays ahead (docs/cost-model.md, "Goal seek"). Each answer is the **smallest** value that reaches
the target, found exactly (a closed form without extras, else a bracket search to a part in 1e12),
and nudged so that it works when plugged back in.

Why the searches are exact: with per-token prices `D(t) = V·m(t) - F(t)`, where `F` (operations,
one-time and retraining costs) does not grow with the volume and is never negative. A volume that
reaches the target keeps `D > 0` from the target month to the end, so `m > 0` there, and more
volume keeps it so: reaching the target is monotone in volume, whatever the prices do over time
(the specialist's own drift included). The same holds for the large model's price (every cost that
grows with it, escalation and teacher labelling, grows in step with what the specialist saves).
Self-hosted GPUs make a staircase in volume, searched step by step (`_goal_seek_self_hosted_volume`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.domain.economics import Economics, FloatArray, economics
from app.domain.payback import break_even
from app.domain.scenario import MAX_VOLUME_PER_MONTH, Scenario

# Each round narrows the bracket 48-fold, until it is narrower than a part in 1e12
# (6 rounds take a 12 % grid step there; a whole GPU step from zero takes a few more).
_MAX_REFINE_ROUNDS = 12
_REFINE_POINTS = 49
_REFINE_PRECISION = 1e-12

# How far a plugged-back answer can move when re-derived through a few roundings (about 10 ulps).
_REDERIVED_ROUNDING = 2e-15

# Goal seek on the large model's price looks no higher than this many USD per request.
LARGE_PRICE_SEEK_MAX = 1e4


@dataclass(frozen=True)
class GoalSeek:
    """The answer of a goal seek; `value` is None when no value reaches the target."""

    value: float | None
    message: str  # one sentence that quotes the numbers


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
    can leave it a hair short. The answer given must work when plugged back in, also where the
    caller re-derives it (a price typed back as a factor on the token prices rounds a few times):
    so its neighbours a few roundings below must reach the target too.
    """
    if value <= 0.0:
        return 0.0  # nothing to recover: every value above zero pays back at once (see callers)
    step = value * 1e-15
    candidate = value
    for _ in range(80):
        near = np.array([candidate, candidate * (1.0 - _REDERIVED_ROUNDING)])
        if bool(np.all(months_for(near) <= target)):
            return candidate
        candidate = value + step
        step *= 2.0
    return None


def _gpu_step_ends(econ: Economics) -> FloatArray | None:
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


def _full_volume(econ: Economics, gpus: float) -> float:
    """The largest volume that `gpus` GPUs serve (rounding kept on the side of that GPU count)."""
    share = float(econ.served_share())
    capacity = float(econ.gpu_capacity_per_month)
    volume = gpus * capacity / share
    while volume > 0 and math.ceil(volume * share / capacity) > gpus:
        volume = math.nextafter(volume, 0.0)
    return volume


def _goal_seek_self_hosted_volume(
    econ: Economics, months_for: Callable[[FloatArray], FloatArray], target: float
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
    econ = economics(scenario)
    today = scenario.volume_per_month
    large = np.array(econ.large_per_request)
    horizon = float(scenario.horizon_months)
    value: float | None

    def months_for(volumes: FloatArray) -> FloatArray:
        return break_even(econ, volumes, large, on_curves=None, horizon=horizon)

    if econ.linear and not econ.self_hosted:
        # a - b = (L·(1-r) - s)·V - ops with s the specialist's own cost per request of traffic.
        margin = float(
            econ.large_per_request * (1 - econ.escalation_rate)
            - econ.served_share() * (econ.small_per_request_tokens)
        )
        one_time = float(econ.one_time(econ.large_per_request))
        value = (one_time / target_months + float(econ.monthly_ops)) / margin if margin > 0 else None
        if value is not None and value <= MAX_VOLUME_PER_MONTH:
            value = _nudged_to_reach(months_for, value, target_months)
        if value is not None and value > MAX_VOLUME_PER_MONTH:
            value = None
    elif _gpu_step_ends(econ) is not None:
        value = _goal_seek_self_hosted_volume(econ, months_for, target_months)
    else:
        # Per-token prices (or GPUs that serve nothing): more volume never hurts the payback's
        # reach (D = V·m(t) - F(t), see the module docstring), so "reaches the target" is
        # monotone in volume and a bracket search is exact.
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
    econ = economics(scenario)
    volume = scenario.volume_per_month
    value: float | None
    if econ.linear:
        # fixed + ex·x = N·(x·(1-r)·V - b)  =>  x = (fixed + N·b) / (N·(1-r)·V - ex)
        b = float(econ.small_monthly(np.array(volume))) + float(econ.monthly_ops)
        denominator = float(target_months * (1 - econ.escalation_rate) * volume - econ.teacher_examples)
        value = (float(econ.fixed_one_time) + target_months * b) / denominator if denominator > 0 else None
        if value is not None and value <= LARGE_PRICE_SEEK_MAX:
            value = _nudged_to_reach(
                lambda prices: break_even(
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
            lambda prices: break_even(econ, np.array(volume), prices, on_curves=True, horizon=horizon),
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
