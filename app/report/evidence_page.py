"""The evidence page's item-level parts: what the per-item results of a spot-check show.

The spot-check section quotes the summary (accuracies with intervals, slices, agreement). With the
per-item results at hand (the results file, or the window's run) the memo also shows the items a
board should look at: up to five where the specialist is wrong and the frontier right. Inputs and
answers are cut short and pass `sanitize_text`: a test item may hold anything a customer typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.domain.evaluation import ItemResult

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
