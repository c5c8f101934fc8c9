"""Monte Carlo draws of a scenario's ranged inputs, and the cost engine over all of them at once.

* **Draws.** Each ranged field (`Scenario.ranges`) gets `count` draws from its own seeded stream
  (seed and field path), so a run is reproducible and adding one range leaves the others' draws
  alone. Whole-number fields (token counts, examples) get whole-number draws; every draw stays
  within its field's bounds.
* **Outcomes per draw.** `costs.over_draws` runs the engine's own functions on arrays: break-even
  (months; inf = never), cumulative savings at the horizon, their net present value at the
  scenario's discount rate, and net monthly savings. Draw i's figures are exactly those of the
  scenario with draw i's values typed in.

Pure: numpy and the domain, no I/O, no Qt (docs/uncertainty.md).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.domain.costs import cumulative_curves, over_draws, summarize
from app.domain.ranges import draw, get_path, rangeable_fields
from app.domain.scenario import Scenario

FloatArray = npt.NDArray[np.float64]

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 12
MAX_DRAWS = 1_000_000


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
        values = draw(scenario.ranges[path], mode_of(scenario, path), count, _stream(seed, path))
        if spec.kind is int:
            values = np.rint(values)
        inputs[path] = np.clip(values, spec.minimum, spec.maximum)
    return inputs


def mode_of(scenario: Scenario, path: str) -> float | None:
    """The field's value in the scenario, the most likely one of its range (None when unknown)."""
    value = get_path(scenario, path)
    return float(value) if isinstance(value, int | float) else None


def _as_field_value(scenario: Scenario, path: str, value: float) -> float | int:
    return int(value) if rangeable_fields(Scenario)[path].kind is int else float(value)


def draw_values(scenario: Scenario, inputs: Mapping[str, FloatArray], index: int) -> dict[str, float | int]:
    """Draw `index` as field values (whole numbers for whole-number fields), for `scenario_with`."""
    return {path: _as_field_value(scenario, path, float(array[index])) for path, array in inputs.items()}


def months_or_none(value: float) -> float | None:
    """A month count from the arrays for a reader: inf ("never") is None."""
    return value if math.isfinite(value) else None


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
