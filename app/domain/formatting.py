"""How numbers read in reasons, headlines, tables and the memo (one style everywhere)."""

from __future__ import annotations

import math

# From this many months on, a duration reads in years.
YEARS_FROM_MONTHS = 120


def format_money(value: float) -> str:
    """Whole dollars with separators for sums (`$13,500`, `-$1,200`); cents below $100."""
    if not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == 0:
        return f"{sign}${magnitude:,.0f}"
    return f"{sign}${magnitude:,.2f}"


def format_per_request(value: float) -> str:
    """Cost per request with enough significant digits to compare small prices (`$0.000435`)."""
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "$0"
    magnitude = abs(value)
    # Three significant digits, written out in full (no exponent: memos are read by people).
    digits = max(2 if magnitude < 100 else 0, 2 - math.floor(math.log10(magnitude)))
    return f"{'-' if value < 0 else ''}${magnitude:,.{digits}f}"


def format_volume(value: float) -> str:
    """Requests per month in short form: `950`, `12.5K`, `10.0M`, `2.00B`."""
    if not math.isfinite(value):
        return "n/a"
    for threshold, suffix, digits in ((1e12, "T", 2), (1e9, "B", 2), (1e6, "M", 1), (1e3, "K", 1)):
        if abs(value) >= threshold:
            return f"{value / threshold:.{digits}f}{suffix}"
    return f"{value:,.0f}"


def format_months(value: float | None) -> str:
    """Months with one decimal (`3.4 months`); below 0.1 month in days, from ten years on in whole
    years (`224 years`); None reads `never`."""
    if value is None or not math.isfinite(value):
        return "never"
    if value < 0.1:
        days = value * 30.4
        return f"{days:.1f} days"
    if value >= YEARS_FROM_MONTHS:
        # "2,687.5 months" makes a reader do the sum; past ten years only the order matters.
        return f"{value / 12:,.0f} years"
    unit = "month" if round(value, 1) == 1.0 else "months"
    return f"{value:,.1f} {unit}"


def format_share(value: float) -> str:
    """A rate in [0, 1] as a percentage (`92.0%`)."""
    return f"{value * 100:.1f}%"
