"""Run summaries: accuracy with intervals, agreement, per-tag breakdown, latency and cost.

The window and the memo both read the `SpotcheckSummary` built here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.evaluation.power import check_claim
from app.domain.evaluation.records import IN_DISTRIBUTION, OOD_TAG, ItemResult, SideResult, _optional_float
from app.domain.evaluation.scoring import ScorerSpec
from app.domain.evaluation.statistics import (
    MIN_ITEMS_FOR_NORMAL_APPROX,
    Interval,
    percentile,
    wilson_interval,
)
from app.domain.pricing import request_cost


@dataclass(frozen=True)
class Prices:
    """USD per million tokens for each side (from the scenario's `small` and `large` models)."""

    specialist_input: float
    specialist_output: float
    frontier_input: float
    frontier_output: float


@dataclass(frozen=True)
class ModelSummary:
    """One model over the set: accuracy against ground truth, speed and cost."""

    name: str
    accuracy: Interval
    errors: int
    latency_p50_s: float | None
    latency_p95_s: float | None
    cost_per_item: float | None  # USD; None without prices or token counts
    cost_per_million_items: float | None
    tokens_estimated: bool  # True when some token counts were estimated (recorded answers, no usage)
    source: str  # "live", "recorded" (reference outputs from the set) or "mixed"


@dataclass(frozen=True)
class TagSummary:
    """Accuracy of both models over the items carrying one tag (or none: in-distribution)."""

    tag: str
    items: int
    specialist: Interval
    frontier: Interval


@dataclass(frozen=True)
class SpotcheckSummary:
    """Everything the window strip, the CLI and the memo's spot-check section show.

    `agreement` is how often the two models gave the same answer; it is NOT correctness (a
    specialist distilled from the frontier model agrees with its mistakes too).
    """

    set_name: str
    run_date: str  # ISO date of the run
    scorer: str  # ScorerSpec.describe()
    items: int  # items with results
    set_items: int  # items in the set (after --limit)
    specialist: ModelSummary
    frontier: ModelSummary
    agreement: Interval
    by_tag: tuple[TagSummary, ...]  # in-distribution first, then ood, then other tags A–Z
    warnings: tuple[str, ...] = ()
    complete: bool = True

    @property
    def measured_from(self) -> str:
        """The provenance line written into the scenario: `spot-check support_triage 2026-11-23`."""
        return f"spot-check {self.set_name} {self.run_date}"

    def tag(self, name: str) -> TagSummary | None:
        """The breakdown for one tag (use `IN_DISTRIBUTION` or `OOD_TAG`), or None."""
        return next((entry for entry in self.by_tag if entry.tag == name), None)

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-able dict (the results file's summary line, `spotcheck --json`)."""
        return {"type": "summary", **_plain(self)}


def _plain(value: Any) -> Any:
    if isinstance(value, (SpotcheckSummary, ModelSummary, TagSummary, Interval)):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, (tuple, list)):
        return [_plain(entry) for entry in value]
    return value


def _interval_from(data: dict[str, Any]) -> Interval:
    return wilson_interval(int(data["successes"]), int(data["total"]))


def _model_from(data: dict[str, Any]) -> ModelSummary:
    return ModelSummary(
        name=str(data["name"]),
        accuracy=_interval_from(data["accuracy"]),
        errors=int(data["errors"]),
        latency_p50_s=_optional_float(data.get("latency_p50_s")),
        latency_p95_s=_optional_float(data.get("latency_p95_s")),
        cost_per_item=_optional_float(data.get("cost_per_item")),
        cost_per_million_items=_optional_float(data.get("cost_per_million_items")),
        tokens_estimated=bool(data.get("tokens_estimated", False)),
        source=str(data.get("source", "live")),
    )


def summary_from_json(data: dict[str, Any]) -> SpotcheckSummary:
    """Rebuild a summary from `SpotcheckSummary.to_json()` output (intervals recomputed from counts)."""
    return SpotcheckSummary(
        set_name=str(data["set_name"]),
        run_date=str(data["run_date"]),
        scorer=str(data["scorer"]),
        items=int(data["items"]),
        set_items=int(data["set_items"]),
        specialist=_model_from(data["specialist"]),
        frontier=_model_from(data["frontier"]),
        agreement=_interval_from(data["agreement"]),
        by_tag=tuple(
            TagSummary(
                tag=str(entry["tag"]),
                items=int(entry["items"]),
                specialist=_interval_from(entry["specialist"]),
                frontier=_interval_from(entry["frontier"]),
            )
            for entry in data["by_tag"]
        ),
        warnings=tuple(str(line) for line in data.get("warnings", [])),
        complete=bool(data.get("complete", True)),
    )


def _accuracy(sides: Iterable[SideResult]) -> Interval:
    # Errors and timeouts count as wrong answers (`counted_correct`); they are also counted apart.
    graded = [ok for side in sides if (ok := side.counted_correct) is not None]
    return wilson_interval(sum(1 for ok in graded if ok), len(graded))


def _cost(side: SideResult, input_price: float, output_price: float) -> float | None:
    if side.input_tokens is None or side.output_tokens is None:
        return None
    return request_cost(side.input_tokens, side.output_tokens, input_price, output_price)


def _model_summary(
    name: str, sides: Sequence[SideResult], prices: tuple[float, float] | None
) -> ModelSummary:
    # A timed-out answer's wait is what a user would have waited: it counts in the latency.
    latencies = [side.latency_s for side in sides if side.latency_s is not None]
    costs: list[float] = []
    if prices is not None:
        costs = [c for side in sides if side.error is None and (c := _cost(side, *prices)) is not None]
    cost_per_item = sum(costs) / len(costs) if costs else None
    sources = {side.source for side in sides if side.source != "none"}
    return ModelSummary(
        name=name,
        accuracy=_accuracy(sides),
        errors=sum(1 for side in sides if side.error is not None),
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95),
        cost_per_item=cost_per_item,
        cost_per_million_items=None if cost_per_item is None else cost_per_item * 1e6,
        tokens_estimated=any(side.tokens_estimated for side in sides),
        source=sources.pop() if len(sources) == 1 else ("mixed" if sources else "none"),
    )


def summarize_results(
    results: Sequence[ItemResult],
    *,
    set_name: str,
    run_date: str,
    scorer: ScorerSpec,
    specialist_name: str,
    frontier_name: str,
    prices: Prices | None = None,
    set_items: int | None = None,
    quality_bar: float | None = None,
) -> SpotcheckSummary:
    """Accuracy with Wilson intervals, agreement, per-tag breakdown, latency and cost over `results`."""
    specialist = _model_summary(
        specialist_name,
        [r.specialist for r in results],
        None if prices is None else (prices.specialist_input, prices.specialist_output),
    )
    frontier = _model_summary(
        frontier_name,
        [r.frontier for r in results],
        None if prices is None else (prices.frontier_input, prices.frontier_output),
    )
    compared = [r.agree for r in results if r.agree is not None]
    agreement = wilson_interval(sum(1 for same in compared if same), len(compared))

    groups: dict[str, list[ItemResult]] = {IN_DISTRIBUTION: [], OOD_TAG: []}
    for result in results:
        groups[OOD_TAG if result.is_ood else IN_DISTRIBUTION].append(result)
        for tag in result.tags:
            if tag != OOD_TAG:
                groups.setdefault(tag, []).append(result)
    order = [
        IN_DISTRIBUTION,
        OOD_TAG,
        *sorted(name for name in groups if name not in (IN_DISTRIBUTION, OOD_TAG)),
    ]
    by_tag = tuple(
        TagSummary(
            tag=name,
            items=len(groups[name]),
            specialist=_accuracy(r.specialist for r in groups[name]),
            frontier=_accuracy(r.frontier for r in groups[name]),
        )
        for name in order
        if groups[name] or name == IN_DISTRIBUTION
    )
    total = len(results) if set_items is None else set_items
    warnings = _warnings(specialist, frontier, by_tag, quality_bar)
    return SpotcheckSummary(
        set_name=set_name,
        run_date=run_date,
        scorer=scorer.describe(),
        items=len(results),
        set_items=total,
        specialist=specialist,
        frontier=frontier,
        agreement=agreement,
        by_tag=by_tag,
        warnings=tuple(warnings),
        complete=len(results) >= total,
    )


def _warnings(
    specialist: ModelSummary, frontier: ModelSummary, by_tag: Sequence[TagSummary], bar: float | None
) -> list[str]:
    lines: list[str] = []
    for model in (specialist, frontier):
        graded = model.accuracy.total
        low, high = model.accuracy.low, model.accuracy.high
        claim = check_claim(model.accuracy, bar, model.name) if bar is not None else None
        straddles = claim is not None and claim.supported is None and graded > 0
        # When the interval straddles the bar, the "too few items" line below says all this and more.
        if (
            0 < graded < MIN_ITEMS_FOR_NORMAL_APPROX
            and low is not None
            and high is not None
            and not straddles
        ):
            # Quote the interval flat ("59.6%–98.2%"), the way the claim check below does; the
            # full describe() text nested a parenthesis inside this sentence's own.
            lines.append(
                f"{model.name}: only {graded} graded items; the 95 % interval is wide "
                f"({low:.1%}–{high:.1%}) and supports no fine distinction."
            )
        if claim is not None and straddles:
            lines.append(claim.message)
    ood = next((entry for entry in by_tag if entry.tag == OOD_TAG), None)
    if ood is None or ood.items == 0:
        lines.append("No out-of-distribution (ood) items: the set says nothing about odd inputs.")
    elif ood.items < 15:
        lines.append(f"Only {ood.items} ood items: the out-of-distribution accuracy is a rough indication.")
    return lines
