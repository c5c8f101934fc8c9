"""The memo's line charts as data: cumulative cost, break-even against volume, the routing curve.

Series and markers only; `app.report.render` draws them as vectors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.domain.costs import CostCurves, CostSummary, break_even_vs_volume, volume_range
from app.domain.formatting import format_money, format_months, format_volume
from app.domain.scenario import Scenario
from app.report.evidence_page import ItemEvidence, routing_caption
from app.report.memo_data import AxisFormat, Chart, ChartMarker, Series
from app.report.sanitize import model_label

# The break-even vs volume chart clips its y axis here (times the horizon) so "never" stays drawable.
VOLUME_CHART_Y_CAP_HORIZONS = 2.0

Axis = tuple[str, AxisFormat]  # an axis's label and how its ticks read


def _line_chart(
    title: str, x: Axis, y: Axis, series: Sequence[Series], markers: Sequence[ChartMarker], **options: Any
) -> Chart:
    """A chart from its axes (label and tick format side by side), its series and its markers."""
    return Chart(
        title=title,
        x_label=x[0],
        x_format=x[1],
        y_label=y[0],
        y_format=y[1],
        series=tuple(series),
        markers=tuple(markers),
        **options,
    )


def decision_chart(scenario: Scenario, summary: CostSummary, curves: CostCurves) -> Chart:
    """Cumulative cost of both paths over the horizon, the break-even marked."""
    months = tuple(float(m) for m in curves.months)
    series = [
        Series(
            model_label(scenario.large, "Large model") + " only", months, floats(curves.large_only), "large"
        ),
        Series("Specialist path", months, floats(curves.specialist), "specialist"),
    ]
    if not np.allclose(curves.specialist_only, curves.specialist):
        series.append(
            Series(
                "Specialist, no escalation", months, floats(curves.specialist_only), "specialist_only", True
            )
        )
    markers: tuple[ChartMarker, ...] = ()
    if curves.break_even_months is not None and curves.break_even_cost is not None:
        markers = (
            ChartMarker(
                curves.break_even_months,
                curves.break_even_cost,
                f"Break-even: {format_months(curves.break_even_months)}, "
                f"{format_money(curves.break_even_cost, 'compact')}",
            ),
        )
    caption = (
        "Cumulative spend from today, one-time investment included. The lines cross where the specialist "
        "has paid for itself."
        if markers
        else "Cumulative spend from today. The lines do not cross within the horizon: no break-even."
    )
    title = f"Cumulative cost over {scenario.horizon_months} months"
    return _line_chart(
        title, ("months", "months"), ("cumulative cost (USD)", "money"), series, markers, caption=caption
    )


def floats(values: Sequence[float] | np.ndarray) -> tuple[float, ...]:
    """Plain floats for a chart series (numpy values do not serialise)."""
    return tuple(float(v) for v in values)


def volume_chart(scenario: Scenario, summary: CostSummary) -> Chart:
    """Months to break even against the monthly volume (log scale), this scenario marked."""
    volumes = volume_range(scenario)
    months = break_even_vs_volume(scenario, volumes)
    cap = scenario.horizon_months * VOLUME_CHART_Y_CAP_HORIZONS
    current = summary.break_even_months
    markers = []
    # A log axis has no place for zero volume: no "this scenario" line then.
    if scenario.volume_per_month > 0:
        markers.append(
            ChartMarker(
                scenario.volume_per_month,
                None,
                f"this scenario: {format_volume(scenario.volume_per_month)}/month",
                vertical=True,
            )
        )
    if current is not None and current <= cap and scenario.volume_per_month > 0:
        markers.append(ChartMarker(scenario.volume_per_month, current, format_months(current)))
    never = [float(v) for v, m in zip(volumes, months, strict=True) if not math.isfinite(float(m))]
    caption = "How long the one-time investment takes to pay back at other volumes (log scale)."
    if never:
        caption += f" Below {format_volume(max(never))} requests a month it never pays back."
    return _line_chart(
        "",  # the section heading names it
        ("requests per month", "count"),
        ("months to break even", "months"),
        (Series("Break-even", floats(volumes), floats(months), "volume"),),
        markers,
        log_x=True,
        y_max=cap,
        horizontal_line=(float(scenario.horizon_months), f"horizon {scenario.horizon_months} months"),
        caption=caption,
    )


def routing_chart(evidence: ItemEvidence, bar: float) -> Chart:
    """Hybrid accuracy against the share escalated, with both models alone as reference lines."""
    curve = evidence.routing
    points = sorted(curve.points, key=lambda point: point.escalation_rate)
    xs = tuple(point.escalation_rate for point in points)
    series = [Series("Specialist + escalation", xs, tuple(point.accuracy for point in points), "specialist")]
    if curve.frontier_accuracy is not None:
        series.append(Series("Large model alone", (0.0, 1.0), (curve.frontier_accuracy,) * 2, "large", True))
    if curve.specialist_accuracy is not None:
        series.append(
            Series("Specialist alone", (0.0, 1.0), (curve.specialist_accuracy,) * 2, "specialist_only", True)
        )
    markers: tuple[ChartMarker, ...] = ()
    if evidence.operating is not None:
        point = evidence.operating
        markers = (
            ChartMarker(
                point.escalation_rate,
                point.accuracy,
                f"{point.escalation_rate * 100:.0f}% escalated: {point.accuracy * 100:.1f}%",
            ),
        )
    return _line_chart(
        "Routing curve, measured",
        ("share of traffic sent to the large model", "percent"),
        ("accuracy", "percent"),
        series,
        markers,
        y_max=1.0,
        horizontal_line=(bar, f"bar {bar * 100:.1f}%"),
        caption=routing_caption(curve, evidence.operating, bar),
    )
