"""Each ranged driver on its own: the tornado (its two ends) and the spider (points across its range).

Every other input sits at its most likely value (the scenario as typed); an input with no value of
its own (an accuracy known only from evidence) sits at its range's mean. All rows go through the
engine in one vectorised pass (`costs.over_draws`), so the tornado's ends are the spider's first
and last points, computed once. The spider shows what the tornado hides: where savings move
unevenly across a range (a break-even that explodes near the volume threshold, a GPU step).

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


@dataclass(frozen=True)
class SpiderPoint:
    """One driver at one value (the others at their most likely): the savings at the horizon."""

    value: float
    savings_at_horizon: float


@dataclass(frozen=True)
class SpiderLine:
    """One ranged driver moved across its range, low to high, in evenly spaced steps."""

    field: str
    points: tuple[SpiderPoint, ...]

    @property
    def swing(self) -> float:
        """The widest gap between two of its points' savings (the tornado's swing where monotone)."""
        savings = [point.savings_at_horizon for point in self.points]
        return max(savings) - min(savings)


@dataclass(frozen=True)
class DriverSweep:
    """The tornado (widest swing first) and the spider (fields in the tornado's order) of a scenario."""

    tornado: tuple[TornadoBar, ...]
    spider: tuple[SpiderLine, ...]


# Points per driver on the spider: low, high and five between (odd, so the middle of the range is one).
SPIDER_POINTS = 7


def sweep(scenario: Scenario, points: int = SPIDER_POINTS) -> DriverSweep:
    """Every ranged field alone across its range (others at their mode): tornado and spider.

    Each field takes `points` evenly spaced values from its low to its high (whole numbers for
    whole-number fields); the two ends are the tornado's. All rows go through the engine in one
    vectorised pass. A field with no value of its own (an accuracy known only from evidence) sits
    at its range's mean in the other fields' rows.
    """
    if points < 2:
        raise ValueError(f"a driver needs at least its two ends, got {points} points")
    paths = sorted(scenario.ranges)
    if not paths:
        return DriverSweep((), ())
    fields = rangeable_fields(Scenario)
    ends = [scenario.ranges[path].bounds() for path in paths]
    count = points * len(paths)
    rows: dict[str, FloatArray] = {}
    for index, path in enumerate(paths):
        mode = mode_of(scenario, path)
        centre = mode if mode is not None else range_mean(scenario.ranges[path], None)
        column = np.full(count, centre)
        column[index * points : (index + 1) * points] = np.linspace(*ends[index], points)
        rows[path] = np.rint(column) if fields[path].kind is int else column
    outcomes = over_draws(scenario, rows, count)
    savings, months = outcomes.savings_at_horizon, outcomes.break_even_months
    bars: list[TornadoBar] = []
    lines: dict[str, SpiderLine] = {}
    for index, (path, (low, high)) in enumerate(zip(paths, ends, strict=True)):
        first, last = index * points, (index + 1) * points - 1
        bars.append(
            TornadoBar(
                path,
                low,
                high,
                float(savings[first]),
                float(savings[last]),
                months_or_none(float(months[first])),
                months_or_none(float(months[last])),
            )
        )
        values = rows[path][first : last + 1]
        lines[path] = SpiderLine(
            path,
            tuple(
                SpiderPoint(float(value), float(saving))
                for value, saving in zip(values, savings[first : last + 1], strict=True)
            ),
        )
    # Ties keep the field order by name, so equal swings read the same on every run.
    ordered = tuple(sorted(bars, key=lambda bar: -bar.swing))
    return DriverSweep(ordered, tuple(lines[bar.field] for bar in ordered))


def tornado(scenario: Scenario) -> tuple[TornadoBar, ...]:
    """Every ranged field alone at its low and high (others at their mode), largest savings swing first."""
    return sweep(scenario, points=2).tornado
