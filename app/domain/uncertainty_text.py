"""The uncertainty section's sentences, shared by `calc --uncertainty` and the window's risk view.

Plain text from the domain's results (no I/O), so the window and the command line say the same
thing without the window importing the command line.
"""

from __future__ import annotations

from app.domain.formatting import format_money
from app.domain.value_of_information import SampleInformation

NO_RANGES = (
    "The scenario has no ranges: every input is taken as exact, so there is no uncertainty to show. "
    "Give uncertain inputs a range (the `ranges` section) to see how sure the payback is."
)


def sample_information_sentence(info: SampleInformation) -> str:
    """Should you pay for more labelled items, or decide now (in words)."""
    best = max(range(len(info.sizes)), key=lambda index: info.evsi[index])
    value = format_money(info.evsi[best])
    if info.cost_per_item <= 0:
        return (
            f"Labelling {info.sizes[best]} more items for the specialist's accuracy is worth up to {value}; "
            "the scenario has no labelling cost (distillation review cost per example) to weigh it against."
        )
    if info.best_size is None:
        return (
            f"More labels do not pay: at {format_money(info.cost_per_item)} an item, no sample size is worth "
            f"its cost (at best {value} for {info.sizes[best]} items). Decide now."
        )
    index = info.sizes.index(info.best_size)
    return (
        f"Label {info.best_size} more items before deciding: worth {format_money(info.evsi[index])} against "
        f"{format_money(info.best_size * info.cost_per_item)} of labelling."
    )
