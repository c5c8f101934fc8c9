"""Ranges a scenario gets without typing them: defaults per preset, and a measured accuracy's own.

Default ranges are assumptions, labelled as such; a measured accuracy (k right of n graded items)
brings its uncertainty as a beta range (docs/uncertainty.md).
"""

from __future__ import annotations

import math

from app.domain.ranges import Range, get_path, rangeable_fields
from app.domain.scenario import Scenario

DEFAULT_RANGE_NOTE = "assumption: default range (not measured)"


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
