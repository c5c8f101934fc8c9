"""Ranges on scenario inputs: which fields may carry one, the distributions, and drawing from them.

A scenario's `ranges` section maps the dotted path of a numeric field (`volume_per_month`,
`large.input_tokens`, `quality.specialist_accuracy`) to a `Range`. The field's own value is the
most likely one (the mode); the range says how far the truth may plausibly sit from it:

* `triangular`: low, mode, high; the textbook three-point estimate.
* `uniform`: every value between low and high equally likely (the mode is ignored by the draws).
* `pert`: the beta-PERT of low, mode, high (shape 4): like triangular with thinner tails.
* `beta`: for an accuracy measured as `successes` of `trials`: Beta(k + 1, n - k + 1), the
  posterior of a uniform prior, so a measured accuracy brings its own uncertainty. Its `low` and
  `high` are the central 95 % of that distribution, computed exactly.

This module is pure: no Qt, no I/O. The scenario model validates ranges against its own fields
(`validate_ranges`), so an unknown path or a low above the mode is one clear line on load.
"""

from __future__ import annotations

import difflib
import functools
import math
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.fields import FieldInfo

Distribution = Literal["triangular", "uniform", "pert", "beta"]
DISTRIBUTIONS: tuple[Distribution, ...] = ("triangular", "uniform", "pert", "beta")

# Fields that are choices, not estimates: the horizon and the quality bar are set by the decision
# maker, the retraining cadence and the GPU floor are plans, the schema is a format.
NOT_RANGED = frozenset(
    {
        "schema_version",
        "horizon_months",
        "quality.quality_bar",
        "retraining.every_months",
        "self_hosting.min_gpus",
    }
)
# Beta-PERT shape: weight of the mode (4 is the classic PERT value).
PERT_SHAPE = 4.0
# The central share of a beta range quoted as its low..high.
BETA_CENTRAL = 0.95
MAX_TRIALS = 10_000_000

FloatArray = npt.NDArray[np.float64]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class Range(BaseModel):
    """How uncertain one numeric input is; the field's own value in the scenario is the mode."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: Finite | None = None
    high: Finite | None = None
    distribution: Distribution = "triangular"
    # Beta from evidence: `successes` right answers of `trials` graded items.
    successes: int | None = Field(default=None, ge=0, le=MAX_TRIALS)
    trials: int | None = Field(default=None, ge=1, le=MAX_TRIALS)
    # Where the range comes from: "assumption: default range for the preset", "spot-check 2026-11-23".
    note: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _shape(self) -> Range:
        if self.distribution == "beta":
            if self.successes is None or self.trials is None:
                raise ValueError("a beta range needs successes and trials (k right of n graded)")
            if self.successes > self.trials:
                raise ValueError(f"successes {self.successes} exceed trials {self.trials}")
            if self.low is not None or self.high is not None:
                raise ValueError("a beta range takes successes and trials, not low and high")
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"a {self.distribution} range needs both low and high")
        if self.successes is not None or self.trials is not None:
            raise ValueError("successes and trials belong to a beta range")
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        return self

    def bounds(self) -> tuple[float, float]:
        """(low, high): the typed ends, or the central 95 % of a beta range."""
        if self.distribution == "beta":
            assert self.successes is not None and self.trials is not None
            a, b = beta_parameters(self.successes, self.trials)
            tail = (1.0 - BETA_CENTRAL) / 2.0
            return beta_quantile(tail, a, b), beta_quantile(1.0 - tail, a, b)
        assert self.low is not None and self.high is not None
        return self.low, self.high


# --------------------------------------------------------------------------------------------
# Which fields may carry a range


def _numeric_kind(annotation: Any) -> type | None:
    """int or float when the annotation is a number (optional or constrained), else None."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _numeric_kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = {_numeric_kind(arg) for arg in typing.get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if annotation is bool:
        return None
    if annotation in (int, float):
        return typing.cast(type, annotation)
    return None


def _constraints(annotation: Any, metadata: list[Any]) -> list[Any]:
    """The constraint objects (Ge, Le, Gt, Lt) on a field, also inside `Annotated[...] | None`."""
    found = list(metadata)
    for arg in typing.get_args(annotation):
        if isinstance(arg, FieldInfo):
            found += arg.metadata
        elif typing.get_origin(arg) is Annotated or typing.get_args(arg):
            found += _constraints(arg, [])
    return found


def _span(annotation: Any, metadata: list[Any]) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for item in _constraints(annotation, metadata):
        if getattr(item, "ge", None) is not None:
            low = max(low, float(item.ge))
        if getattr(item, "gt", None) is not None:
            # Strictly above: the smallest float past the bound is the lowest allowed draw.
            low = max(low, math.nextafter(float(item.gt), math.inf))
        for name in ("le", "lt"):
            if getattr(item, name, None) is not None:
                high = min(high, float(getattr(item, name)))
    return low, high


@dataclass(frozen=True)
class RangeableField:
    """A numeric scenario field that may carry a range: its kind and the span the model allows."""

    path: str
    kind: type  # int or float: int fields get whole-number draws
    minimum: float
    maximum: float


def _walk(model: type[BaseModel], prefix: str) -> Iterator[RangeableField]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _walk(annotation, f"{path}.")
            continue
        kind = _numeric_kind(annotation)
        if kind is not None and path not in NOT_RANGED:
            yield RangeableField(path, kind, *_span(annotation, info.metadata))


@functools.cache
def rangeable_fields(model: type[BaseModel]) -> dict[str, RangeableField]:
    """Dotted path -> field for every numeric field of `model` that may carry a range."""
    return {field.path: field for field in _walk(model, "")}


def get_path(model: BaseModel, path: str) -> Any:
    """The value at a dotted path (`large.input_tokens`)."""
    value: Any = model
    for part in path.split("."):
        value = getattr(value, part)
    return value


def unknown_path_message(path: str, known: Mapping[str, RangeableField]) -> str:
    """`'volume' is not a numeric scenario field (did you mean volume_per_month?)`."""
    close = difflib.get_close_matches(path, list(known), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{path!r} is not a numeric scenario field that can carry a range{hint}"


def check_range(field: RangeableField, rng: Range, mode: float | None) -> str | None:
    """The one problem with `rng` on `field` (whose scenario value is `mode`), or None."""
    path, minimum, maximum = field.path, field.minimum, field.maximum
    low, high = rng.bounds()
    if rng.distribution == "beta":
        if minimum != 0.0 or maximum != 1.0:  # a share spans 0..1 exactly (a signed drift does not)
            return f"{path}: a beta range is for accuracies and shares between 0 and 1"
        return None
    if mode is None:
        return f"{path}: the field has no value to serve as the most likely one; set it or use a beta range"
    if not low <= mode <= high:
        return f"{path}: needs low <= value <= high, got {low:g} <= {mode:g} <= {high:g}"
    if low < minimum or high > maximum:
        allowed = f"{minimum:g}" if minimum <= 0 or minimum >= 1e-300 else "above 0"
        return (
            f"{path}: the range {low:g}..{high:g} leaves the field's allowed span ({allowed} to {maximum:g})"
        )
    return None


def follow(rng: Range, new: float) -> Range:
    """The range after the field's value moved to `new` (a slider, a typed value).

    A range is an assumption around the value, not a limit on what may be typed: a value that
    leaves it widens it to take the value in, keeping the other end (the window's field setter,
    `plan.with_values`, does the same). A beta range rests on evidence, not on the value: it stays.
    """
    if rng.distribution == "beta":
        return rng
    low, high = rng.bounds()
    if low <= new <= high:
        return rng
    return rng.model_copy(update={"low": min(low, new), "high": max(high, new)})


def follow_values(old: Mapping[str, Any], new: dict[str, Any], fields: Mapping[str, RangeableField]) -> None:
    """In a scenario's dumped data `new`, move each range whose value left it (see `follow`).

    A value set to unknown (None) drops its range, unless the range is evidence (beta).

    `old` is the data before the edit. The caller passes `new` on to validation, so an edit made
    through the window or `Scenario.with_changes` never fails only because a range stayed behind.
    """
    if not new.get("ranges"):
        return
    ranges = new["ranges"] = dict(new["ranges"])  # never touch the caller's `old` through a shared dict
    for path, raw in list(ranges.items()):
        field = fields.get(path)
        if field is None:
            continue  # validation names the unknown path
        before, after = _dig(old, path), _dig(new, path)
        if before == after:
            continue
        rng = raw if isinstance(raw, Range) else Range.model_validate(raw)
        if after is None:
            # The value became unknown: a range around it means nothing any more (evidence stays).
            if rng.distribution != "beta":
                del ranges[path]
            continue
        if not isinstance(after, int | float) or isinstance(after, bool):
            continue  # validation names the wrong type
        moved = follow(rng, float(after))
        ranges[path] = moved.model_dump()


def _dig(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


# --------------------------------------------------------------------------------------------
# Beta distribution from evidence, exactly (no scipy): for integer shapes the regularized
# incomplete beta is a binomial tail, I_x(a, b) = P(Binomial(a + b - 1, x) >= a).


def beta_parameters(successes: int, trials: int) -> tuple[int, int]:
    """Beta(k + 1, n - k + 1): the posterior of a uniform prior after k successes in n trials."""
    return successes + 1, trials - successes + 1


def beta_cdf(x: float, a: int, b: int) -> float:
    """P(X <= x) for X ~ Beta(a, b) with integer a, b >= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    n = a + b - 1
    log_x, log_1x = math.log(x), math.log1p(-x)
    # Sum the binomial terms j = a..n in log space (n can be large).
    terms = [
        math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * log_x + (n - j) * log_1x
        for j in range(a, n + 1)
    ]
    peak = max(terms)
    return min(1.0, math.exp(peak) * math.fsum(math.exp(t - peak) for t in terms))


@functools.lru_cache(maxsize=256)
def beta_quantile(q: float, a: int, b: int) -> float:
    """The x with P(Beta(a, b) <= x) = q, by bisection on the exact CDF (to 1e-12)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2.0
        if beta_cdf(mid, a, b) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


# --------------------------------------------------------------------------------------------
# Drawing


def draw(rng: Range, mode: float | None, count: int, generator: np.random.Generator) -> FloatArray:
    """`count` draws from the range (mode = the field's value in the scenario)."""
    if rng.distribution == "beta":
        assert rng.successes is not None and rng.trials is not None
        a, b = beta_parameters(rng.successes, rng.trials)
        return generator.beta(a, b, count)
    low, high = rng.bounds()
    if high == low:
        return np.full(count, low, dtype=np.float64)
    if rng.distribution == "uniform":
        return generator.uniform(low, high, count)
    centre = low if mode is None else min(max(mode, low), high)
    if rng.distribution == "triangular":
        return generator.triangular(low, centre, high, count)
    # beta-PERT: Beta(α, β) on [low, high] with α = 1 + 4·(m - low)/(high - low).
    alpha = 1.0 + PERT_SHAPE * (centre - low) / (high - low)
    beta = 1.0 + PERT_SHAPE * (high - centre) / (high - low)
    return low + (high - low) * generator.beta(alpha, beta, count)


def range_mean(rng: Range, mode: float | None) -> float:
    """The mean of the range's distribution (for reading a range, and checking the draws)."""
    if rng.distribution == "beta":
        assert rng.successes is not None and rng.trials is not None
        a, b = beta_parameters(rng.successes, rng.trials)
        return a / (a + b)
    low, high = rng.bounds()
    centre = (low + high) / 2.0 if mode is None else mode
    if rng.distribution == "uniform":
        return (low + high) / 2.0
    if rng.distribution == "triangular":
        return (low + centre + high) / 3.0
    return (low + PERT_SHAPE * centre + high) / (PERT_SHAPE + 2.0)
