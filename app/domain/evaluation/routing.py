"""The routing curve, measured: what a confidence threshold on the specialist buys.

Each item carries the specialist's confidence in its own answer (see `SideResult.confidence`).
A threshold sends every item whose confidence is *below* it to the frontier model; the hybrid's
answer is then the frontier's graded answer on those items and the specialist's on the rest.
Sweeping the threshold over every distinct confidence traces, for each point:

- the escalation rate (share of items sent on),
- the hybrid's accuracy with its 95 % Wilson interval,
- the share of out-of-distribution items caught (sent on),
- the cost per 1,000 requests from the scenario's per-request prices (cascade: every request
  pays the specialist and escalated ones the frontier too; router: one or the other).

The field's summary figures (RouteLLM, Ong et al. 2024) against the gap between the two models
(frontier accuracy − specialist accuracy on the same items):

- CPT50 / CPT80: the smallest escalation rate whose hybrid recovers 50 % / 80 % of the gap;
- APGR: the average share of the gap recovered over escalation rates 0…1 (area under the
  recovered-gap curve, trapezoids between the measured points).

What it does not prove: the curve is measured on this set; a threshold picked on it is
optimistic for new traffic (it was chosen on the same items it is scored on), and the
confidence of a model on inputs unlike the set's may be badly calibrated.

Pure functions (no I/O).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from app.domain.evaluation.paired import graded
from app.domain.evaluation.records import ItemResult
from app.domain.evaluation.statistics import Z_95, wilson_interval
from app.domain.pricing import routed_request_cost
from app.domain.scenario import RoutingMode


@dataclass(frozen=True)
class RoutingPrices:
    """USD per request of each model, from the scenario, and how traffic is split."""

    specialist_per_request: float
    frontier_per_request: float
    mode: RoutingMode = "cascade"

    def per_1k(self, escalation_rate: float) -> float:
        """Cost of 1,000 requests at this escalation rate."""
        return 1000 * routed_request_cost(
            self.specialist_per_request, self.frontier_per_request, escalation_rate, self.mode
        )


@dataclass(frozen=True)
class RoutingPoint:
    """One threshold of the sweep (field names are contract in `spotcheck --json`)."""

    threshold: float
    escalation_rate: float
    accuracy: float
    accuracy_low: float
    accuracy_high: float
    ood_caught: float | None  # None when the set has no ood item
    cost_per_1k: float | None  # None without prices
    escalated: int
    correct: int


@dataclass(frozen=True)
class RoutingCurve:
    """The sweep plus its reference lines and summary figures."""

    n: int  # items graded on both sides with a confidence
    without_confidence: int  # graded on both sides but no confidence (left out of the curve)
    points: tuple[RoutingPoint, ...]
    specialist_accuracy: float | None
    frontier_accuracy: float | None
    oracle_accuracy: float | None  # right whenever either model is right
    oracle_escalation_rate: float | None  # sends on exactly the items the specialist gets wrong
    cpt50: float | None
    cpt80: float | None
    apgr: float | None

    def to_json(self) -> dict[str, Any]:
        """The `routing` section of `spotcheck --json`."""
        data = asdict(self)
        data["points"] = [asdict(point) for point in self.points]
        return data


def _points(
    rows: Sequence[tuple[float, bool, bool, bool]], prices: RoutingPrices | None, z: float
) -> list[RoutingPoint]:
    """rows: (confidence, specialist right, frontier right, ood)."""
    n = len(rows)
    ood_total = sum(1 for row in rows if row[3])
    # Thresholds: 0 (nothing escalated: confidences are ≥ 0), every distinct confidence, and one
    # just above the largest (everything escalated).
    distinct = sorted({row[0] for row in rows})
    thresholds = [0.0, *[value for value in distinct if value > 0.0]]
    top = math.nextafter(distinct[-1], math.inf)
    thresholds.append(top)
    points: list[RoutingPoint] = []
    for threshold in thresholds:
        escalated = [row for row in rows if row[0] < threshold]
        kept = [row for row in rows if row[0] >= threshold]
        correct = sum(1 for row in escalated if row[2]) + sum(1 for row in kept if row[1])
        interval = wilson_interval(correct, n, z)
        assert interval.low is not None and interval.high is not None
        rate = len(escalated) / n
        points.append(
            RoutingPoint(
                threshold=threshold,
                escalation_rate=rate,
                accuracy=correct / n,
                accuracy_low=interval.low,
                accuracy_high=interval.high,
                ood_caught=(sum(1 for row in escalated if row[3]) / ood_total) if ood_total else None,
                cost_per_1k=prices.per_1k(rate) if prices is not None else None,
                escalated=len(escalated),
                correct=correct,
            )
        )
    return points


def _recovered(points: Sequence[RoutingPoint], start: float, gap: float) -> list[tuple[float, float]]:
    """(escalation rate, share of the gap recovered) with the best accuracy at each rate."""
    best: dict[float, float] = {}
    for point in points:
        share = (point.accuracy - start) / gap
        best[point.escalation_rate] = max(best.get(point.escalation_rate, -math.inf), share)
    return sorted(best.items())


def cost_to_recover(points: Sequence[RoutingPoint], start: float, end: float, share: float) -> float | None:
    """The smallest escalation rate whose hybrid recovers `share` of the gap from `start` (the
    specialist alone) to `end` (the frontier alone). None when there is no gap to recover."""
    gap = end - start
    if gap <= 0:
        return None
    for rate, recovered in _recovered(points, start, gap):
        if recovered >= share - 1e-12:
            return rate
    return None


def average_gap_recovered(points: Sequence[RoutingPoint], start: float, end: float) -> float | None:
    """APGR: the area under (escalation rate → share of the gap recovered) over 0…1."""
    gap = end - start
    if gap <= 0:
        return None
    curve = _recovered(points, start, gap)
    area = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(curve):
        area += (x1 - x0) * (y0 + y1) / 2
    return area


def routing_curve(
    results: Sequence[ItemResult], prices: RoutingPrices | None = None, z: float = Z_95
) -> RoutingCurve:
    """Sweep a confidence threshold over the items graded on both sides (errors count as wrong)."""
    rows: list[tuple[float, bool, bool, bool]] = []
    missing = 0
    for result in results:
        specialist, frontier = graded(result.specialist), graded(result.frontier)
        if specialist is None or frontier is None:
            continue
        confidence = result.specialist.confidence
        if confidence is None:
            # An errored answer has no confidence and is the first to escalate.
            if result.specialist.error is None:
                missing += 1
                continue
            confidence = 0.0
        rows.append((confidence, specialist, frontier, result.is_ood))
    if not rows:
        return RoutingCurve(0, missing, (), None, None, None, None, None, None, None)
    n = len(rows)
    points = _points(rows, prices, z)
    start = sum(1 for row in rows if row[1]) / n
    end = sum(1 for row in rows if row[2]) / n
    return RoutingCurve(
        n=n,
        without_confidence=missing,
        points=tuple(points),
        specialist_accuracy=start,
        frontier_accuracy=end,
        oracle_accuracy=sum(1 for row in rows if row[1] or row[2]) / n,
        oracle_escalation_rate=sum(1 for row in rows if not row[1]) / n,
        cpt50=cost_to_recover(points, start, end, 0.5),
        cpt80=cost_to_recover(points, start, end, 0.8),
        apgr=average_gap_recovered(points, start, end),
    )


def operating_point(
    curve: RoutingCurve, bar: float | None = None, escalation_rate: float | None = None
) -> RoutingPoint | None:
    """The point to run at: the cheapest (least escalation) whose interval's lower bound clears
    `bar`, or the point closest to a chosen `escalation_rate`. None when no point qualifies."""
    if not curve.points:
        return None
    if escalation_rate is not None:
        wanted = escalation_rate
        return min(curve.points, key=lambda point: (abs(point.escalation_rate - wanted), point.threshold))
    if bar is None:
        return None
    proven = [point for point in curve.points if point.accuracy_low >= bar]
    return min(proven, key=lambda point: point.escalation_rate) if proven else None
