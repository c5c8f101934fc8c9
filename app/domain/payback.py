"""Cumulative savings over time, and the month from which the specialist stays ahead.

`D(t) = large_only(t) - specialist(t)` is the cumulative saving at month `t`, one-time,
operations and retraining included (docs/cost-model.md). With the numbers of `Economics`:

    D(t) = a·G_L(t) - s·(G_S(t) - t) - b·t - c - R·floor(t/k)

* `a = L·V·(1 - r)`: what the large model would cost a month net of the escalated share (both
  follow the frontier's price), `G_L(t) = ∫₀ᵗ exp(λ_L·u) du` its months of spend at today's price;
* `s`: the specialist's own monthly cost today, following its own price drift, `G_S` likewise;
* `b = s + ops`: the straight-line part, so that without a drift (`G_S(t) = t`) the expression is
  the straight-line one to the last bit; `c`: the one-time cost; `R` every `k` months: retraining.

**The payback that holds.** The break-even is the earliest month from which `D > 0` up to the end
`T`: the horizon where the specialist is ahead there, else the search limit where it is ahead
there, else never. So it is `sup{t <= T: D(t) <= 0}`, the last time the specialist is not ahead.

How it is found, exactly, for any price movement. Between retraining steps `D` is smooth, and
its curvature `D'' = a·λ_L·exp(λ_L·t) - s·λ_S·exp(λ_S·t)` changes sign at most once (two
exponentials), at the inflection. Where `D` is convex its slope rises, so it has at most one
minimum there. The steps, the inflection and that minimum cut `[0, T]` into pieces on which `D`
is monotone or concave; either way its lowest value on a piece is at one of the piece's ends. The
run that stays ahead up to `T` therefore begins in the last piece whose ends are not both ahead,
at that piece's root, which Newton's method reaches without overshooting: from the piece's
start where it is concave (each tangent meets zero at or before the root), from its end where it
is convex. With the specialist's price flat or rising `D` is concave between steps (no
inflection, no minimum) and the pieces are the retraining segments. A falling specialist price
can make `D` dip and recover inside a segment whose both ends are ahead; the minimum cuts it.

Arrays never hold NaN: "never pays back" is `np.inf`. Every value is computed elementwise and
stops iterating where it would stop alone, so a batch of Monte Carlo draws gives each draw the
figures of the scenario with that draw typed in, to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.domain.economics import BoolArray, Economics, FloatArray, Num

# How far past the horizon the crossing is searched when the curves are not straight (20 years).
DEFAULT_SEARCH_MONTHS = 240.0
# Newton steps at most: a few suffice, a crossing that grazes the curves' peak needs more.
_NEWTON_STEPS = 200
# The slope's root in a convex stretch: a bracketed Newton step, else halving; ~60 halvings
# reach the last bit, Newton usually far sooner.
_MINIMUM_STEPS = 120


def growth_integral(months: Num, rate: Num) -> FloatArray:
    """`∫₀ᵗ exp(rate·u) du`: months of spend at today's price when the price moves at `rate` a month.

    `t` where the rate is zero (a flat price), exactly.
    """
    t = np.asarray(months, dtype=np.float64)
    rates = np.asarray(rate, dtype=np.float64)
    moving_count = np.count_nonzero(rates)
    if not moving_count:
        return t
    if moving_count == rates.size:
        return np.asarray(np.expm1(rates * t) / rates, dtype=np.float64)  # every price moves
    moving = rates != 0.0
    safe = np.where(moving, rates, 1.0)
    return np.asarray(np.where(moving, np.expm1(rates * t) / safe, t), dtype=np.float64)


def drift_months(months: Num, rate: Num) -> FloatArray:
    """`G(t) - t`: the months of today's spend a price movement adds (negative when it falls); 0 when flat."""
    t = np.asarray(months, dtype=np.float64)
    rates = np.asarray(rate, dtype=np.float64)
    if not np.count_nonzero(rates):
        return np.zeros(np.broadcast_shapes(t.shape, rates.shape), dtype=np.float64)
    return np.asarray(growth_integral(t, rates) - t, dtype=np.float64)


def straight_terms(
    econ: Economics, volume: Num, large_per_request: Num
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(a, s, b, c) of the module docstring, at today's prices (arrays or 0-d, as the inputs are)."""
    a = large_per_request * np.asarray(volume) * (1.0 - np.asarray(econ.escalation_rate))
    s = econ.small_monthly(np.asarray(volume, dtype=np.float64))
    b = s + econ.monthly_ops
    c = econ.one_time(large_per_request)
    return np.asarray(a, dtype=np.float64), s, np.asarray(b, dtype=np.float64), c


def _column(value: Num, shape: tuple[int, ...]) -> FloatArray:
    """`value` broadcast to `shape`, flattened into one column (one row per value)."""
    if not shape:
        return np.array([[value]], dtype=np.float64)
    array = np.asarray(value, dtype=np.float64)
    if array.shape == shape:
        return array.reshape(-1, 1)
    if not array.shape:
        return np.full((math.prod(shape), 1), array)
    return np.broadcast_to(array, shape).reshape(-1, 1)


@dataclass(frozen=True)
class PriceMove:
    """A price's monthly rate of change for each row (a column), and whether some or all rows move.

    The flags let the common cases (no row moves, every row moves) skip the per-row selection;
    each case computes the same bits as the general one.
    """

    rate: FloatArray
    some: bool
    every: bool

    @staticmethod
    def of(rate: FloatArray) -> PriceMove:
        """The flags read off the column."""
        moving = int(np.count_nonzero(rate))
        return PriceMove(rate, moving > 0, moving == rate.size)

    def take(self, rows: BoolArray) -> PriceMove:
        """The selected rows."""
        return PriceMove.of(self.rate[rows])

    def months_of_spend(self, months: FloatArray) -> FloatArray:
        """`G(t)`: see `growth_integral`."""
        if not self.some:
            return months
        if self.every:
            return np.expm1(self.rate * months) / self.rate  # type: ignore[no-any-return]
        return growth_integral(months, self.rate)


@dataclass(frozen=True)
class SavingsCurve:
    """`D(t)` for n values (scenarios or draws): each term a column of shape (n, 1).

    A row of months per value, shape (n, m), broadcasts against the columns.
    """

    a: FloatArray  # large-model spend a month that the specialist path saves, at today's price
    s: FloatArray  # the specialist's own cost a month at today's price (it drifts)
    b: FloatArray  # s + monthly operations: the straight-line part
    c: FloatArray  # one-time cost
    large: PriceMove  # the frontier's price (rates <= 0)
    small: PriceMove  # the specialist's own price (either sign)
    retrain_cost: FloatArray
    retrain_every: float  # 0 = never
    shape: tuple[int, ...]  # the broadcast shape of the inputs (rows are its flattening)

    @staticmethod
    def of(
        econ: Economics,
        volume: Num,
        large_per_request: Num,
        terms: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = None,
    ) -> SavingsCurve:
        """The curve of each value: `volume` and `large_per_request` may be arrays (broadcast).

        `terms`, when given, must be `straight_terms(econ, volume, large_per_request)`.
        """
        a, s, b, c = straight_terms(econ, volume, large_per_request) if terms is None else terms
        values = (a, s, b, c, econ.large_price_rate, econ.small_price_rate, econ.retrain_cost)
        shapes = [np.shape(value) for value in values]
        shape = np.broadcast_shapes(*shapes) if any(shapes) else ()
        a_, s_, b_, c_, large_rate, small_rate, retrain_cost = (_column(value, shape) for value in values)
        return SavingsCurve(
            a_,
            s_,
            b_,
            c_,
            PriceMove.of(large_rate),
            PriceMove.of(small_rate),
            retrain_cost,
            econ.retrain_every,
            shape,
        )

    @property
    def size(self) -> int:
        """How many values (rows)."""
        return int(self.a.shape[0])

    def take(self, rows: BoolArray) -> SavingsCurve:
        """The curves of the selected rows."""
        return SavingsCurve(
            self.a[rows],
            self.s[rows],
            self.b[rows],
            self.c[rows],
            self.large.take(rows),
            self.small.take(rows),
            self.retrain_cost[rows],
            self.retrain_every,
            (int(np.count_nonzero(rows)),),
        )

    def steps_by(self, months: FloatArray) -> FloatArray:
        """Retrainings paid by each month (one at k, 2k, ...; a step on the month itself counts)."""
        if self.retrain_every <= 0:
            return np.zeros_like(months)
        return np.asarray(np.floor(months / self.retrain_every), dtype=np.float64)

    def retraining(self, months: FloatArray) -> FloatArray:
        """Retraining cost paid by each month, per row."""
        if self.retrain_every <= 0:
            return np.zeros(np.broadcast_shapes(np.shape(months), self.a.shape), dtype=np.float64)
        return np.asarray(self.steps_by(months) * self.retrain_cost, dtype=np.float64)

    def smooth(self, months: FloatArray) -> FloatArray:
        """`a·G_L(t) - s·(G_S(t) - t) - b·t`: D before the one-time cost and the retrainings."""
        large = self.a * self.large.months_of_spend(months)
        if self.small.some:
            # Without a drift this term is 0 and is left out: the straight-line arithmetic stays exact.
            large = large - self.s * (self.small.months_of_spend(months) - months)
        return large - self.b * months  # type: ignore[no-any-return]

    def at(self, months: Num) -> FloatArray:
        """D(t) per row, the retraining due on month t included."""
        t = np.asarray(months, dtype=np.float64)
        return np.asarray(self.smooth(t) - self.c - self.retraining(t), dtype=np.float64)

    def slope(self, months: FloatArray) -> FloatArray:
        """D'(t) = a·exp(λ_L·t) - s·(exp(λ_S·t) - 1) - b."""
        large = self.a * np.exp(self.large.rate * months)
        if not self.small.some:
            return large - self.b  # type: ignore[no-any-return]
        return large - self.s * np.expm1(self.small.rate * months) - self.b  # type: ignore[no-any-return]

    def bend(self, months: FloatArray) -> FloatArray:
        """D''(t) = a·λ_L·exp(λ_L·t) - s·λ_S·exp(λ_S·t): negative where concave."""
        large, small = self.large.rate, self.small.rate
        return (  # type: ignore[no-any-return]
            self.a * large * np.exp(large * months) - self.s * small * np.exp(small * months)
        )

    def inflection(self) -> FloatArray:
        """Where D'' changes sign (one per row at most), as a column; NaN where it never does.

        Only a falling specialist price (λ_S < 0) can make D convex: D'' = 0 where
        `exp((λ_L - λ_S)·t) = s·λ_S / (a·λ_L)`.
        """
        large, small = self.large.rate, self.small.rate
        possible = (small < 0) & (large < 0) & (self.a > 0) & (self.s > 0) & (large != small)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(possible, self.s * small / np.where(possible, self.a * large, 1.0), 1.0)
            month = np.log(ratio) / np.where(possible, large - small, 1.0)
        return np.asarray(np.where(possible & (month > 0), month, np.nan), dtype=np.float64)


def linear_break_even(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Closed form `c / (a - b)` where the net monthly saving `a - b` is positive, else inf."""
    net = a - b
    positive = net > 0
    safe = np.where(positive, net, 1.0)
    # A subnormal net saving overflows the division to inf, which already means "never": no warning.
    with np.errstate(over="ignore"):
        return np.asarray(np.where(positive, c / safe, np.inf), dtype=np.float64)


def _increasing_root(
    function: Callable[[FloatArray], FloatArray],
    derivative: Callable[[FloatArray], FloatArray],
    lo: FloatArray,
    hi: FloatArray,
) -> FloatArray:
    """Per row, the root of a rising `function` with `function(lo) < 0 < function(hi)` (columns).

    Newton's step where it stays inside the bracket that the signs keep, else halving: fast where
    Newton behaves and never lost where it does not. Each row stops where it would stop alone.
    """
    lo, hi = lo.copy(), hi.copy()
    t = (lo + hi) / 2.0
    active = np.ones(t.shape, dtype=bool)
    for _ in range(_MINIMUM_STEPS):
        value = function(t)
        lo = np.where(active & (value <= 0), t, lo)
        hi = np.where(active & (value > 0), t, hi)
        slope = derivative(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = t - value / np.where(slope > 0, slope, 1.0)
        inside = (slope > 0) & (newton > lo) & (newton < hi)
        following = np.where(inside, newton, (lo + hi) / 2.0)
        moved = np.abs(following - t) > 1e-15 * np.maximum(1.0, t)
        t = np.where(active, following, t)
        active &= moved & (hi - lo > 1e-15 * np.maximum(1.0, hi))
        if not np.count_nonzero(active):
            break
    return t


def _lowest_point(curve: SavingsCurve, end: FloatArray, inflection: FloatArray) -> FloatArray:
    """Per row (a column), where D has a minimum inside a convex stretch of [0, end]; NaN where none.

    D is convex where D'' > 0: before the inflection or after it (whichever side bends up), or
    everywhere when the frontier price is flat. There D' rises, so D has at most one minimum: the
    root of D' where D' goes from below zero to above.
    """
    zero = np.zeros_like(end)
    cut = np.where(np.isnan(inflection), end, np.minimum(inflection, end))
    convex_early = curve.bend(zero) > 0
    lo = np.where(convex_early, zero, cut)
    hi = np.where(convex_early, cut, end)
    convex_somewhere = (curve.bend((lo + hi) / 2.0) > 0) & (hi > lo)
    falling, rising = curve.slope(lo), curve.slope(hi)
    crosses = convex_somewhere & (falling < 0) & (rising > 0)
    if not crosses.any():
        return np.full(end.shape, np.nan)
    rows = crosses[:, 0]
    part = curve.take(rows)
    root = _increasing_root(part.slope, part.bend, lo[rows], hi[rows])
    found = np.full(end.shape, np.nan)
    found[rows] = root
    return found


def _piece_ends(curve: SavingsCurve, end: FloatArray) -> FloatArray:
    """Sorted month breakpoints per row (0, each retraining, the inflection, the minimum, `end`).

    Points past `end` are set to `end`, so every row has the same number of (possibly empty) pieces.
    """
    columns = [np.zeros_like(end)]
    if curve.retrain_every > 0:
        count = int(np.floor(float(end.max()) / curve.retrain_every))
        grid = np.arange(1, count + 1, dtype=np.float64) * curve.retrain_every
        columns.append(np.minimum(grid[None, :], end))
    columns.append(end)
    if not np.count_nonzero(curve.small.rate < 0):
        return np.concatenate(columns, axis=1)  # 0, the retrainings, the end: already in order
    inflection = curve.inflection()
    columns += [inflection, _lowest_point(curve, end, inflection)]
    points = np.concatenate(columns, axis=1)
    return np.sort(np.where(np.isnan(points), end, np.minimum(points, end)), axis=1)


def _root_in_piece(
    curve: SavingsCurve, lo: FloatArray, hi: FloatArray, steps: FloatArray, convex: BoolArray
) -> FloatArray:
    """The root of `D` (with `steps` retrainings paid) in [lo, hi], where it rises from <= 0 to > 0.

    Newton's method from `lo` on a concave piece (each tangent meets zero at or before the root,
    so the iterates climb to it without overshooting) and from `hi` on a convex one (they descend
    to it); one step when D is a straight line.
    """
    drop = curve.c + steps * curve.retrain_cost
    mixed = bool(convex.any())
    t = np.where(convex, hi, lo) if mixed else lo
    # Each root stops where it would stop alone, so a batch of draws gives each draw's own answer.
    active = np.ones(t.shape, dtype=bool)
    for _ in range(_NEWTON_STEPS):
        value = curve.smooth(t) - drop
        slope = curve.slope(t)
        rising = slope > 0
        step = np.where(rising, -value / np.where(rising, slope, 1.0), 0.0)
        # Climb (concave) or descend (convex), never past the piece's other end.
        if mixed:
            step = np.minimum(np.maximum(step, np.where(convex, lo - t, 0.0)), np.where(convex, 0.0, hi - t))
        else:
            step = np.minimum(np.maximum(step, 0.0), hi - t)
        step = np.where(active, step, 0.0)
        t = t + step
        active &= np.abs(step) > 1e-15 * np.maximum(1.0, t)
        if not np.count_nonzero(active):
            break
    return t


def holding_crossing(curve: SavingsCurve, horizon: float, max_months: float) -> FloatArray:
    """The month from which the specialist stays ahead through the end (module docstring); inf = never."""
    at_ends = curve.at(np.array([horizon, max_months]))
    end = np.where(at_ends[:, 0] > 0, horizon, np.where(at_ends[:, 1] > 0, max_months, np.nan))
    found = ~np.isnan(end)
    result = np.full(curve.size, np.inf)
    count = np.count_nonzero(found)
    if not count:
        return result
    every = count == found.size
    part = curve if every else curve.take(found)
    points = _piece_ends(part, (end if every else end[found])[:, None])
    # D at each breakpoint before the one-time cost and retrainings; piece i runs from point i
    # to point i + 1 with the retrainings paid by its start (D is continuous across it).
    smooth = part.smooth(points)
    lo, hi = points[:, :-1], points[:, 1:]
    steps = part.steps_by(lo)
    retrained = steps * part.retrain_cost
    ahead = (smooth[:, :-1] - part.c - retrained > 0) & (smooth[:, 1:] - part.c - retrained > 0)
    # D(0) = -one_time <= 0, so the first piece is never ahead: a last one not ahead exists.
    last = lo.shape[1] - 1 - np.argmax(~ahead[:, ::-1], axis=1)
    rows = np.arange(lo.shape[0])
    piece_lo = lo[rows, last][:, None]
    piece_hi = hi[rows, last][:, None]
    piece_steps = steps[rows, last][:, None]
    if part.small.some:
        convex = part.bend((piece_lo + piece_hi) / 2.0) > 0
    else:
        convex = np.zeros(piece_lo.shape, dtype=bool)  # flat or rising specialist price: concave
    result[found] = _root_in_piece(part, piece_lo, piece_hi, piece_steps, convex)[:, 0]
    return result


def break_even(
    econ: Economics,
    volume: Num,
    large_per_request: Num,
    *,
    on_curves: bool | None,
    horizon: float,
    max_months: float = DEFAULT_SEARCH_MONTHS,
) -> FloatArray:
    """Break-even months for each value of the (broadcast) inputs; inf = never.

    `on_curves`: True searches the curves, False takes the closed form (exact only where the
    curves are straight), None decides per value (the curves wherever a price moves or a
    retraining is paid), which is what every figure of the app uses.
    """
    terms = straight_terms(econ, volume, large_per_request)
    a, _s, b, c = terms
    curved = econ.curved_rows if on_curves is None else np.bool_(on_curves)
    if not np.count_nonzero(curved):
        return linear_break_even(a, b, c)
    curve = SavingsCurve.of(econ, volume, large_per_request, terms)
    if not curve.shape:  # one scenario, and its curves bend
        return np.asarray(holding_crossing(curve, horizon, max(max_months, horizon))[0], dtype=np.float64)
    months = linear_break_even(a, b, c)
    rows = np.broadcast_to(curved, curve.shape).reshape(-1)
    found = np.broadcast_to(months, curve.shape).reshape(-1).copy()
    part = curve if np.count_nonzero(rows) == rows.size else curve.take(rows)
    found[rows] = holding_crossing(part, horizon, max(max_months, horizon))
    return np.asarray(found.reshape(curve.shape), dtype=np.float64)


def monthly(econ: Economics, volume: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(large-only, specialist path, gross savings, net savings) per month at `volume`, at today's prices.

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


def cumulative(econ: Economics, volume: Num, months: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Cumulative (large only, specialist path) at `months`; per-draw inputs give one row per draw."""

    def column(value: Num) -> FloatArray:
        return np.asarray(value, dtype=np.float64)[..., None]

    large = column(econ.large_per_request)
    volume_ = column(volume)
    spend = growth_integral(months, column(econ.large_price_rate))  # months of large spend at today's prices
    one_time = column(econ.one_time(econ.large_per_request))
    small_monthly = column(econ.small_monthly(np.asarray(volume, dtype=np.float64)))
    ops = column(econ.monthly_ops)
    escalated = column(econ.escalation_rate) * large * volume_
    large_only = large * volume_ * spend
    specialist = one_time + (small_monthly + ops) * months
    if np.count_nonzero(econ.small_price_rate):
        # The drift's extra (or saved) months of the specialist's own spend; left out when flat.
        specialist = specialist + small_monthly * drift_months(months, column(econ.small_price_rate))
    specialist = specialist + escalated * spend
    if econ.retrain_every > 0:
        specialist = specialist + np.floor(months / econ.retrain_every) * column(econ.retrain_cost)
    return np.asarray(large_only, dtype=np.float64), np.asarray(specialist, dtype=np.float64)


def savings_at(econ: Economics, volume: Num, large_per_request: Num, months: float) -> FloatArray:
    """D at one month for each value: the same arithmetic as `SavingsCurve.at`, without the curve."""
    a, s, b, c = straight_terms(econ, volume, large_per_request)
    value = a * growth_integral(months, econ.large_price_rate)
    if np.count_nonzero(econ.small_price_rate):
        value = value - s * drift_months(months, econ.small_price_rate)
    value = value - b * months - c
    if econ.retrain_every > 0:
        value = value - np.floor(months / econ.retrain_every) * econ.retrain_cost
    return np.asarray(value, dtype=np.float64)
