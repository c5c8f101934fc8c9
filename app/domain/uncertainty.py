"""How sure is the payback: Monte Carlo over the ranged inputs, tornado, and the value of information.

Every figure here comes from the cost engine (`app.domain.costs`) and the decision rules
(`app.domain.rules`) run on drawn inputs; nothing is re-derived by a formula of its own.

* **Draws.** Each ranged field (`Scenario.ranges`) gets `count` draws from its own seeded stream
  (seed and field path), so a run is reproducible and adding one range leaves the others' draws
  alone. Whole-number fields (token counts, examples) get whole-number draws.
* **Outcomes per draw.** Break-even (months; inf = never), cumulative savings at the horizon, their
  net present value at the scenario's discount rate, and net monthly savings (with an annual x12).
* **Verdicts.** The real rules run on an evenly spaced subsample of the draws (at most
  `VERDICT_SAMPLE`): the rules write sentences and are too slow for every draw, and a
  probability from 1,000 draws is within about ±3 points (95 %).
* **Tornado.** Each ranged field alone at its low and its high, the others at their most likely
  value (the scenario as typed), sorted by the swing of savings at the horizon.
* **Value of information.** The decision is "specialize" against "keep the large model" (worth 0).
  Specializing is worth its NPV at the horizon, or `-one_time` in a draw where the specialist's
  accuracy misses the quality bar (the build is paid, the eval stops the switch). EVPI is
  `E[max(value, 0)] - max(E[value], 0)`; per-field EVPPI uses the binning estimator (the draws sorted
  by that field, `EVPPI_BINS` equal-count bins, the best decision per bin), which reads slightly high
  with few draws per bin. The expected value of labelling `n` more items (EVSI) for the specialist's
  accuracy reweights the draws by the binomial likelihood of each possible result.

What this does not prove: the ranges are inputs, mostly judgement; a probability is only as good
as they are. Fields without a range are treated as known exactly, and ranges are independent.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.domain.costs import cumulative_curves, over_draws, summarize
from app.domain.ranges import Range, draw, get_path, range_mean, rangeable_fields
from app.domain.rules import Verdict, evaluate
from app.domain.scenario import MAX_VOLUME_PER_MONTH, Scenario

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 12
MAX_DRAWS = 1_000_000
VERDICT_SAMPLE = 1_000
EVPPI_BINS = 50
# Items of new labelling priced by the sample-information analysis.
SAMPLE_SIZES: tuple[int, ...] = (50, 100, 200, 400)
# At most this many draws enter the sample-information reweighting (a (n+1) x draws matrix).
SAMPLE_INFO_DRAWS = 1_000
ACCURACY_PATH = "quality.specialist_accuracy"
VOLUME_PATH = "volume_per_month"
PERCENTILES = (10, 50, 90)
DEFAULT_RANGE_NOTE = "assumption: default range (not measured)"


# --------------------------------------------------------------------------------------------
# Drawing inputs


def scenario_with(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """A copy of `scenario` with dotted-path fields replaced (no re-validation: values must be in bounds).

    Used for draws, which the ranges keep inside each field's bounds by construction.
    """
    nested: dict[str, dict[str, float]] = {}
    top: dict[str, object] = {}
    for path, value in values.items():
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            top[head] = value
    for head, parts in nested.items():
        top[head] = getattr(scenario, head).model_copy(update=parts)
    return scenario.model_copy(update=top)


def _stream(seed: int, path: str) -> np.random.Generator:
    # One stream per field: adding or dropping a range leaves the other fields' draws unchanged.
    return np.random.default_rng([seed, zlib.crc32(path.encode())])


def sample_inputs(scenario: Scenario, count: int, seed: int) -> dict[str, FloatArray]:
    """`count` draws for each ranged field, clipped to the field's bounds; ints are whole numbers."""
    if count < 1 or count > MAX_DRAWS:
        raise ValueError(f"draws must be between 1 and {MAX_DRAWS:,}, got {count}")
    fields = rangeable_fields(Scenario)
    inputs: dict[str, FloatArray] = {}
    for path in sorted(scenario.ranges):
        spec = fields[path]
        values = draw(scenario.ranges[path], _mode(scenario, path), count, _stream(seed, path))
        if spec.kind is int:
            values = np.rint(values)
        inputs[path] = np.clip(values, spec.minimum, spec.maximum)
    return inputs


def _mode(scenario: Scenario, path: str) -> float | None:
    value = get_path(scenario, path)
    return float(value) if isinstance(value, int | float) else None


def _as_field_value(scenario: Scenario, path: str, value: float) -> float | int:
    return int(value) if rangeable_fields(Scenario)[path].kind is int else float(value)


def draw_values(scenario: Scenario, inputs: Mapping[str, FloatArray], index: int) -> dict[str, float | int]:
    """Draw `index` as field values (whole numbers for whole-number fields), for `scenario_with`."""
    return {path: _as_field_value(scenario, path, float(array[index])) for path, array in inputs.items()}


# --------------------------------------------------------------------------------------------
# The engine over draws


@dataclass(frozen=True)
class DrawFigures:
    """The engine's figures for each draw (arrays of the same length)."""

    break_even_months: FloatArray  # inf = never
    savings_at_horizon: FloatArray  # large-only minus the specialist path, everything included
    npv_at_horizon: FloatArray  # the same, monthly cash flows discounted (equal without a rate)
    net_monthly_savings: FloatArray
    one_time_cost: FloatArray


def horizon_figures(scenario: Scenario) -> tuple[float, float]:
    """(cumulative savings at the horizon, its NPV at the scenario's discount rate), from the engine's curves.

    The NPV discounts each month's change of the savings at the end of that month,
    `(1 + rate)^(-m/12)`; the one-time cost is paid at month 0, undiscounted.
    """
    summary = summarize(scenario)
    curves = cumulative_curves(scenario, points_per_month=1, summary=summary)
    savings = curves.large_only - curves.specialist
    return float(savings[-1]), float(_npv(savings, scenario.discount_rate_per_year))


def _npv(savings: FloatArray, rate: float) -> FloatArray:
    """NPV of monthly cumulative savings (last axis: months 0..H)."""
    if rate == 0.0:
        return np.asarray(savings[..., -1], dtype=np.float64)
    months = np.arange(1, savings.shape[-1])
    factors = (1.0 + rate) ** (-months / 12.0)
    flows = np.diff(savings, axis=-1)
    # Row by row the same pairwise sum as for one scenario (a matrix product would sum in another order).
    return np.asarray(savings[..., 0] + np.sum(flows * factors, axis=-1), dtype=np.float64)


def engine_over_draws(scenario: Scenario, inputs: Mapping[str, FloatArray]) -> DrawFigures:
    """The cost engine over all draws at once (`inputs`: path -> array, all the same length).

    `costs.over_draws` runs the engine's own functions on arrays; draw i's figures are exactly
    those of the scenario with draw i's values typed in.
    """
    count = len(next(iter(inputs.values()))) if inputs else 1
    outcomes = over_draws(scenario, inputs, count)
    return DrawFigures(
        break_even_months=outcomes.break_even_months,
        savings_at_horizon=outcomes.savings_at_horizon,
        npv_at_horizon=_npv(outcomes.monthly_savings_path, scenario.discount_rate_per_year),
        net_monthly_savings=outcomes.net_monthly_savings,
        one_time_cost=outcomes.one_time_cost,
    )


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class TornadoBar:
    """One ranged field alone at its low and high, every other field at its most likely value."""

    field: str
    low: float
    high: float
    savings_at_low: float
    savings_at_high: float
    break_even_at_low: float | None  # None = never
    break_even_at_high: float | None

    @property
    def swing(self) -> float:
        """How far savings at the horizon move between the field's low and high."""
        return abs(self.savings_at_high - self.savings_at_low)


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


@dataclass(frozen=True)
class UncertaintyResult:
    """Everything `analyse` finds; `draws` and `seed` reproduce it."""

    draws: int
    seed: int
    horizon_months: int
    fields: tuple[str, ...]  # the ranged fields, sorted
    p_payback_within_horizon: float
    break_even_percentiles: tuple[float | None, float | None, float | None]  # P10, P50, P90; None = never
    savings_percentiles: tuple[float, float, float]
    npv_percentiles: tuple[float, float, float]
    net_monthly_percentiles: tuple[float, float, float]
    discount_rate_per_year: float
    verdict_probabilities: dict[str, float]
    verdict_draws: int
    p_accuracy_clears_bar: float | None  # None: the specialist's accuracy is neither ranged nor known
    tornado: tuple[TornadoBar, ...]
    evpi: float
    evppi: dict[str, float]
    mean_value: float  # E[value of specializing], the figure EVPI is measured against
    point_savings: float  # savings at the horizon of the scenario as typed (the tornado's pivot)
    sample_information: SampleInformation | None
    figures: DrawFigures = field(repr=False)


def _percentiles(values: FloatArray) -> tuple[float, float, float]:
    # "inverted_cdf": each percentile is one of the draws (no interpolation towards "never").
    found = np.quantile(values, [p / 100.0 for p in PERCENTILES], method="inverted_cdf")
    return float(found[0]), float(found[1]), float(found[2])


def _months_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


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


def tornado(scenario: Scenario) -> tuple[TornadoBar, ...]:
    """Every ranged field alone at its low and high (others at their mode), largest savings swing first.

    All ends go through the engine in one vectorised pass (two rows per field). A field with no
    value of its own (an accuracy known only from evidence) sits at its range's mean in the other
    fields' rows.
    """
    paths = sorted(scenario.ranges)
    if not paths:
        return ()
    fields = rangeable_fields(Scenario)
    ends = [scenario.ranges[path].bounds() for path in paths]
    rows: dict[str, FloatArray] = {}
    for path in paths:
        mode = _mode(scenario, path)
        centre = mode if mode is not None else range_mean(scenario.ranges[path], None)
        column = np.full(2 * len(paths), centre)
        index = paths.index(path)
        column[2 * index], column[2 * index + 1] = ends[index]
        rows[path] = np.rint(column) if fields[path].kind is int else column
    outcomes = over_draws(scenario, rows, 2 * len(paths))
    savings, months = outcomes.savings_at_horizon, outcomes.break_even_months
    bars = [
        TornadoBar(
            path,
            low,
            high,
            float(savings[2 * index]),
            float(savings[2 * index + 1]),
            _months_or_none(float(months[2 * index])),
            _months_or_none(float(months[2 * index + 1])),
        )
        for index, (path, (low, high)) in enumerate(zip(paths, ends, strict=True))
    ]
    # Ties keep the field order by name, so equal swings read the same on every run.
    return tuple(sorted(bars, key=lambda bar: -bar.swing))


def _verdicts(
    scenario: Scenario, inputs: Mapping[str, FloatArray], count: int, sample: int
) -> tuple[dict[str, float], int]:
    if sample <= 0:
        return {}, 0
    picks = np.unique(np.linspace(0, count - 1, min(count, sample)).astype(int))
    tally: dict[str, int] = {}
    for index in picks:
        verdict = evaluate(scenario_with(scenario, draw_values(scenario, inputs, int(index)))).verdict
        tally[verdict] = tally.get(verdict, 0) + 1
    return {verdict: hits / picks.size for verdict, hits in sorted(tally.items())}, int(picks.size)


def _sample_information(
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


def analyse(
    scenario: Scenario,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    verdict_sample: int = VERDICT_SAMPLE,
) -> UncertaintyResult | None:
    """Monte Carlo over the scenario's ranges; None when it has no ranges (nothing is uncertain).

    `verdict_sample`: on how many of the draws (evenly spaced) the rules run for the verdict
    probabilities; the rules write sentences, which costs far more than the engine's arithmetic.
    """
    if not scenario.ranges:
        return None
    inputs = sample_inputs(scenario, draws, seed)
    figures = engine_over_draws(scenario, inputs)
    horizon = scenario.horizon_months
    values = decision_values(scenario, inputs, figures)
    clears = accuracy_clears_bar(scenario, inputs, draws)
    break_even = _percentiles(figures.break_even_months)
    verdicts, verdict_draws = _verdicts(scenario, inputs, draws, verdict_sample)
    point_verdict = evaluate(scenario).verdict
    return UncertaintyResult(
        draws=draws,
        seed=seed,
        horizon_months=horizon,
        fields=tuple(sorted(inputs)),
        p_payback_within_horizon=float(np.mean(figures.break_even_months <= horizon)),
        break_even_percentiles=(
            _months_or_none(break_even[0]),
            _months_or_none(break_even[1]),
            _months_or_none(break_even[2]),
        ),
        savings_percentiles=_percentiles(figures.savings_at_horizon),
        npv_percentiles=_percentiles(figures.npv_at_horizon),
        net_monthly_percentiles=_percentiles(figures.net_monthly_savings),
        discount_rate_per_year=scenario.discount_rate_per_year,
        verdict_probabilities=verdicts,
        verdict_draws=verdict_draws,
        p_accuracy_clears_bar=None if clears is None else float(np.mean(clears)),
        tornado=tornado(scenario),
        evpi=evpi(values),
        evppi={path: evppi_binned(inputs[path], values) for path in sorted(inputs)},
        mean_value=float(np.mean(values)),
        point_savings=horizon_figures(scenario)[0],
        sample_information=_sample_information(scenario, inputs, values, point_verdict),
        figures=figures,
    )


def payback_headline(result: UncertaintyResult) -> str:
    """`82% chance it pays back within 24 months.` (no "100 %" from a finite number of draws)."""
    horizon = f"within {result.horizon_months} months"
    paying = round(result.p_payback_within_horizon * result.draws)
    if paying == result.draws:
        return f"It pays back {horizon} in all {result.draws:,} draws."
    if paying == 0:
        return f"It pays back {horizon} in none of the {result.draws:,} draws."
    share = result.p_payback_within_horizon * 100
    # Never round a draw short of certain up to "100%", nor a few paying draws down to "0%".
    shown = min(max(round(share), 1), 99)
    return f"{shown}% chance it pays back {horizon}."


# --------------------------------------------------------------------------------------------
# Goal seek, inverted: the volume (or large-model price) at which P(payback) reaches a target


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


def evidence_range(successes: int, trials: int, source: str) -> Range:
    """A beta range for an accuracy measured as `successes` right of `trials` graded items.

    The measurement brings its own uncertainty (Beta(k+1, n-k+1)), so a spot-check pushed into
    the scenario replaces a guessed range instead of leaving the accuracy exact.
    """
    return Range(distribution="beta", successes=successes, trials=trials, note=f"measured: {source}"[:300])


def default_ranges(scenario: Scenario) -> dict[str, Range]:
    """Sensible ranges for a preset's estimated inputs, each labelled as an assumption.

    Volume -50 %/+50 %, token counts -20 %/+30 % (prompts grow), one-time costs -20 %/+60 % and
    monthly ops -20 %/+50 % (budgets overrun more often than they underrun), the escalation rate
    half to double, and typed accuracies -5/+3 points. Prices are published figures: no range.
    """
    note = DEFAULT_RANGE_NOTE
    ranges: dict[str, Range] = {}

    def add(path: str, low: float, high: float) -> None:
        # Four significant digits read as typed; the field's own value stays inside.
        value = float(get_path(scenario, path))
        if rangeable_fields(Scenario)[path].kind is int:
            low, high = math.floor(low), math.ceil(high)
        tidy_low, tidy_high = min(float(f"{low:.4g}"), value), max(float(f"{high:.4g}"), value)
        ranges[path] = Range(low=tidy_low, high=tidy_high, distribution="pert", note=note)

    def relative(path: str, down: float, up: float) -> None:
        value = float(get_path(scenario, path))
        if value > 0:
            add(path, value * (1 - down), value * (1 + up))

    relative("volume_per_month", 0.5, 0.5)
    for side in ("large", "small"):
        relative(f"{side}.input_tokens", 0.2, 0.3)
        relative(f"{side}.output_tokens", 0.2, 0.3)
    for part in ("data_curation", "training_runs", "eval_build"):
        relative(f"one_time.{part}", 0.2, 0.6)
    relative("monthly_ops", 0.2, 0.5)
    rate = scenario.routing.escalation_rate
    if rate > 0:
        add("routing.escalation_rate", rate / 2, min(1.0, rate * 2))
    for name in ("specialist_accuracy", "off_the_shelf_accuracy", "large_accuracy"):
        accuracy = getattr(scenario.quality, name)
        if accuracy is not None:
            add(f"quality.{name}", max(0.0, accuracy - 0.05), min(1.0, accuracy + 0.03))
    return ranges
