"""Each ranged driver on its own: the tornado (its two ends) and the spider (points across its range).

Every other input sits at its most likely value (the scenario as typed); an input with no value of
its own (an accuracy known only from evidence) sits at its range's mean. All rows go through the
engine in one vectorised pass (`costs.over_draws`).

Pure: numpy and the domain, no I/O, no Qt (docs/uncertainty.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.domain.costs import over_draws
from app.domain.monte_carlo import mode_of, months_or_none
from app.domain.ranges import range_mean, rangeable_fields
from app.domain.scenario import Scenario

FloatArray = npt.NDArray[np.float64]


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
        mode = mode_of(scenario, path)
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
            months_or_none(float(months[2 * index])),
            months_or_none(float(months[2 * index + 1])),
        )
        for index, (path, (low, high)) in enumerate(zip(paths, ends, strict=True))
    ]
    # Ties keep the field order by name, so equal swings read the same on every run.
    return tuple(sorted(bars, key=lambda bar: -bar.swing))
