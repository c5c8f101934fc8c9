"""The memo's Spot-check section: each side's accuracy with its interval, the slices, agreement, and
what the per-item results add (paired table, routing curve, accuracy per label, wrong items)."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.evaluation import (
    IN_DISTRIBUTION,
    OOD_TAG,
    Interval,
    ItemResult,
    ModelSummary,
    SpotcheckSummary,
)
from app.domain.formatting import (
    format_interval,
    format_per_request,
    format_share,
)
from app.report.charts import routing_chart
from app.report.evidence_page import ItemEvidence, paired_rows, paired_sentences, wrong_item_rows
from app.report.memo_data import Block, Paragraph, Section, Table
from app.report.sanitize import sanitize_text


def interval_cells(interval: Interval) -> tuple[str, str, str]:
    """(correct/graded, accuracy, 95 % interval) for a table row; "n/a" when nothing was graded."""
    counts = f"{interval.successes}/{interval.total}"
    if interval.estimate is None or interval.low is None or interval.high is None:
        return counts, "n/a", "n/a"
    return counts, format_share(interval.estimate), format_interval(interval.low, interval.high)


def _model_row(role: str, model: ModelSummary) -> tuple[str, ...]:
    latency = "n/a" if model.latency_p50_s is None else f"{model.latency_p50_s:.2f} s"
    cost = "n/a" if model.cost_per_item is None else format_per_request(model.cost_per_item)
    return (role, sanitize_text(model.name), *interval_cells(model.accuracy), latency, cost)


def _slice_name(tag: str) -> str:
    if tag == IN_DISTRIBUTION:
        return "In-distribution"
    if tag == OOD_TAG:
        return "Out-of-distribution"
    name = sanitize_text(tag)
    return name[:1].upper() + name[1:]  # row labels read like the two named slices above them


def spotcheck_section(spotcheck: SpotcheckSummary) -> Section:
    """The spot-check summary: each side's accuracy with its interval, slices, agreement, warnings."""
    items = (
        f"{spotcheck.items} items"
        if spotcheck.complete
        else f"{spotcheck.items} of {spotcheck.set_items} items (run incomplete)"
    )
    facts = [f"Set: {sanitize_text(spotcheck.set_name)}", items]
    if spotcheck.scorer:
        facts.append(f"scorer: {sanitize_text(spotcheck.scorer)}")
    if spotcheck.run_date:
        facts.append(f"run {sanitize_text(spotcheck.run_date)}")
    blocks: list[Block] = [Paragraph(" · ".join(facts))]
    blocks.append(
        Table(
            columns=("Side", "Model", "Correct", "Accuracy", "95 % interval", "Latency p50", "Cost/item"),
            rows=(_model_row("Specialist", spotcheck.specialist), _model_row("Large", spotcheck.frontier)),
            weights=(1.0, 2.2, 0.9, 0.9, 1.5, 0.9, 1.0),
            numeric=frozenset({2, 3, 4, 5, 6}),
            caption="Accuracy against the expected answers, with Wilson 95 % intervals: with few items "
            "they are wide, so read the interval before the point estimate.",
        )
    )
    slices = tuple(
        (
            _slice_name(entry.tag),
            str(entry.items),
            *interval_cells(entry.specialist)[1:],
            *interval_cells(entry.frontier)[1:],
        )
        for entry in spotcheck.by_tag
    )
    if slices:
        blocks.append(
            Table(
                columns=("Slice", "Items", "Specialist", "95 % interval", "Large", "95 % interval"),
                rows=slices,
                weights=(1.8, 0.7, 1.0, 1.5, 1.0, 1.5),
                numeric=frozenset({1, 2, 3, 4, 5}),
            )
        )
    agreement = spotcheck.agreement
    if agreement.estimate is not None and agreement.low is not None and agreement.high is not None:
        blocks.append(
            Paragraph(
                f"The two models give the same answer on {format_share(agreement.estimate)} of items "
                f"(95 % interval {format_interval(agreement.low, agreement.high)}). Agreement is not "
                "correctness: a specialist distilled from the large model agrees with its mistakes too."
            )
        )
    for warning in spotcheck.warnings:
        blocks.append(Paragraph(sanitize_text(warning), "note"))
    return Section("Spot-check", tuple(blocks))


def item_blocks(items: Sequence[ItemResult], evidence: ItemEvidence | None, bar: float) -> tuple[Block, ...]:
    """What the per-item results add to the spot-check section (nothing without them)."""
    if not items:
        return ()
    blocks: list[Block] = []
    if evidence is not None and evidence.paired.n:
        blocks.append(
            Table(
                columns=(f"Same {evidence.paired.n} items", "Large model right", "Large model wrong"),
                rows=paired_rows(evidence.paired),
                weights=(1.6, 1.2, 1.2),
                numeric=frozenset({1, 2}),
                caption="Both models on the same items (errors count as wrong): the paired comparison.",
            )
        )
        blocks.append(Paragraph(sanitize_text(paired_sentences(evidence.paired))))
    if evidence is not None and evidence.routing.points:
        blocks.append(routing_chart(evidence, bar))
    if evidence is not None and evidence.labels:
        blocks.append(
            Table(
                columns=("Expected label", "Items", "Specialist", "95 % interval", "Large", "95 % interval"),
                rows=tuple(
                    (
                        sanitize_text(row.label),
                        str(row.items),
                        *interval_cells(row.specialist)[1:],
                        *interval_cells(row.frontier)[1:],
                    )
                    for row in evidence.labels
                ),
                weights=(1.8, 0.7, 1.0, 1.5, 1.0, 1.5),
                numeric=frozenset({1, 2, 3, 4, 5}),
                caption="Accuracy per expected label: good on average can hide one class it fails.",
            )
        )
    rows, count = wrong_item_rows(items, sanitize_text)
    if not rows:
        blocks.append(
            Paragraph("On no item was the specialist wrong where the large model was right.", "note")
        )
        return tuple(blocks)
    shown = f"the first {len(rows)} of {count}" if count > len(rows) else f"all {count}"
    blocks.append(
        Table(
            columns=("Input", "Expected", "Specialist", "Large model"),
            rows=rows,
            weights=(3.2, 1.2, 1.4, 1.4),
            caption=f"Where the specialist is wrong and the large model right: {shown} such items, inputs "
            "cut short. These are the inputs an escalation path has to catch.",
        )
    )
    return tuple(blocks)
