"""How sure the payback is, for page one: the chance it pays back and the drivers that move it most.

Only when an uncertainty result was computed (the window's risk view, `memo --uncertainty`): the
memo never runs a Monte Carlo of its own by default, and a scenario without ranges has no
uncertainty to show. The figures are the result's own (same draws, same seed); this module only
words them and picks the tornado's largest swings.
"""

from __future__ import annotations

from app.domain.drivers import TornadoBar
from app.domain.fields import field_for, label_for_key
from app.domain.formatting import format_money, format_months
from app.domain.uncertainty import UncertaintyResult, payback_headline

# Page one has room for this many tornado bars; the rest are smaller swings by construction.
PAGE_ONE_TORNADO_BARS = 5


def _end(path: str, value: float) -> str:
    """One end of a range, in the catalogue's compact style for the field's unit."""
    try:
        return field_for(path).format_value(value, compact=True)
    except KeyError:
        return f"{value:,.4g}"


def bar_label(bar: TornadoBar) -> str:
    """`Requests per month (1.5M–4.5M)`: the field and the ends of its range."""
    return f"{label_for_key(bar.field)} ({_end(bar.field, bar.low)}–{_end(bar.field, bar.high)})"


def percentile_phrase(result: UncertaintyResult) -> str:
    """`P10–P90: break-even 1.8–3.7 months, savings at 24 months $150K–$260K`."""
    low, _, high = result.break_even_percentiles
    saving_low, _, saving_high = result.savings_percentiles
    return (
        f"P10–P90: break-even {format_months(low)} to {format_months(high)}; savings at "
        f"{result.horizon_months} months {format_money(saving_low, 'compact')} to "
        f"{format_money(saving_high, 'compact')}"
    )


def risk_lines(result: UncertaintyResult) -> tuple[tuple[str, str], ...]:
    """(lead, text) lines for page one's "How sure" box."""
    lines = [
        (
            payback_headline(result),
            f"{percentile_phrase(result)} ({result.draws:,} draws over {len(result.fields)} ranged inputs, "
            f"seed {result.seed}).",
        )
    ]
    if result.p_accuracy_clears_bar is not None:
        lines.append(
            (
                "Quality:",
                f"{result.p_accuracy_clears_bar * 100:.0f}% chance the specialist's accuracy clears the bar.",
            )
        )
    return tuple(lines)


def largest_swings(result: UncertaintyResult) -> tuple[TornadoBar, ...]:
    """The tornado's bars with the largest swings, largest first (as the result sorts them)."""
    return tuple(bar for bar in result.tornado if bar.swing > 0)[:PAGE_ONE_TORNADO_BARS]
