"""The evidence page's item-level parts: what the per-item results of a spot-check show.

The spot-check section quotes the summary (accuracies with intervals, slices, agreement). With the
per-item results at hand (the results file, or the window's run) the memo also shows the paired
comparison on the same items (2×2 table, exact McNemar, the non-inferiority verdict), the measured
routing curve, accuracy per expected label, and up to five items where the specialist is wrong and
the frontier right. The statistics are the domain's (`app.domain.evaluation`); this module only
picks and words them. Inputs and answers are cut short and pass `sanitize_text`: a test item may
hold anything a customer typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.domain.evaluation import (
    DEFAULT_MARGIN,
    ItemResult,
    LabelAccuracy,
    PairedComparison,
    RoutingCurve,
    RoutingPoint,
    RoutingPrices,
    label_accuracy,
    operating_point,
    paired_comparison,
    routing_curve,
)

# Items shown where the specialist is wrong and the frontier right (the issue asks for five).
WRONG_ITEMS_SHOWN = 5
INPUT_CHARS = 140
ANSWER_CHARS = 60


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut + "…"


def specialist_wrong_frontier_right(items: Sequence[ItemResult]) -> list[ItemResult]:
    """Items the frontier got right and the specialist got wrong (errors count as wrong), in set order."""
    return [
        item
        for item in items
        if item.frontier.correct is True
        and (item.specialist.correct is False or item.specialist.error is not None)
    ]


def wrong_item_rows(
    items: Sequence[ItemResult], sanitize: Callable[[str], str]
) -> tuple[tuple[tuple[str, str, str, str], ...], int]:
    """(input, expected, specialist, frontier) rows for the first five such items, and how many there are."""
    wrong = specialist_wrong_frontier_right(items)
    rows = []
    for item in wrong[:WRONG_ITEMS_SHOWN]:
        answer = (
            item.specialist.output if item.specialist.error is None else f"(error: {item.specialist.error})"
        )
        rows.append(
            (
                sanitize(shorten(item.input, INPUT_CHARS)) + (" [ood]" if item.is_ood else ""),
                sanitize(shorten(item.expected or "", ANSWER_CHARS)),
                sanitize(shorten(answer, ANSWER_CHARS)),
                sanitize(shorten(item.frontier.output, ANSWER_CHARS)),
            )
        )
    return tuple(rows), len(wrong)


@dataclass(frozen=True)
class ItemEvidence:
    """What the per-item results give the memo, computed once per memo."""

    paired: PairedComparison
    routing: RoutingCurve
    operating: RoutingPoint | None  # the cheapest point whose interval clears the bar, if any
    labels: tuple[LabelAccuracy, ...]


def item_evidence(items: Sequence[ItemResult], bar: float, prices: RoutingPrices) -> ItemEvidence:
    """The paired comparison (default margin), routing curve and per-label accuracy of `items`."""
    curve = routing_curve(items, prices)
    expected = sorted({item.expected for item in items if item.expected})
    return ItemEvidence(
        paired=paired_comparison(items, DEFAULT_MARGIN),
        routing=curve,
        operating=operating_point(curve, bar=bar),
        labels=label_accuracy(items, expected),
    )


def paired_rows(paired: PairedComparison) -> tuple[tuple[str, str, str], ...]:
    """The 2×2 table: rows are the specialist right / wrong, columns the large model right / wrong."""
    return (
        ("Specialist right", str(paired.both_right), str(paired.specialist_only)),
        ("Specialist wrong", str(paired.frontier_only), str(paired.both_wrong)),
    )


def paired_sentences(paired: PairedComparison) -> str:
    """The verdict in words, McNemar's p, and the shared mistakes a distilled student inherits."""
    words = [paired.describe()]
    if paired.mcnemar_p is not None:
        words.append(
            f"Exact McNemar p = {paired.mcnemar_p:.3g}: a small p says the two differ; a large one does not "
            "say they match (the interval above does)."
        )
    if paired.both_wrong:
        words.append(
            f"{paired.both_wrong_same_answer} of the {paired.both_wrong} items both got wrong have the same "
            "wrong answer: mistakes a specialist distilled from the large model would inherit."
        )
    words.append(f"Difference interval: {paired.interval_method}.")
    return " ".join(words)


def routing_caption(curve: RoutingCurve, operating: RoutingPoint | None, bar: float) -> str:
    """What the curve shows, its summary figures, and the operating point chosen (or why none)."""
    parts = [
        f"Below a confidence threshold the item goes to the large model: hybrid accuracy against the share "
        f"sent on, over {curve.n} items graded on both sides"
    ]
    if curve.without_confidence:
        parts.append(f" ({curve.without_confidence} without a confidence left out)")
    parts.append(".")
    figures = []
    if curve.cpt50 is not None:
        figures.append(f"CPT50 {curve.cpt50 * 100:.0f}%")
    if curve.cpt80 is not None:
        figures.append(f"CPT80 {curve.cpt80 * 100:.0f}%")
    if curve.apgr is not None:
        figures.append(f"APGR {curve.apgr:.2f}")
    if figures:
        parts.append(
            f" {', '.join(figures)} (escalation needed to recover 50 % / 80 % of the gap to the large model; "
            "the average share of the gap recovered)."
        )
    if operating is not None:
        parts.append(
            f" Cheapest point whose 95 % interval clears the {bar * 100:.1f}% bar: "
            f"{operating.escalation_rate * 100:.1f}% escalated, {operating.accuracy * 100:.1f}% "
            f"({operating.accuracy_low * 100:.1f}%–{operating.accuracy_high * 100:.1f}%)."
        )
    else:
        parts.append(f" No point's 95 % interval clears the {bar * 100:.1f}% bar on these items.")
    return "".join(parts)
