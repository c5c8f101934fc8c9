"""How the memo writes numbers: one function per kind of number, used by the memo and its tests.

Executives read "$1.2M" and "3.4 months", not "1234567.891". Every number on the memo goes
through one of these functions, so a test can format the engine's value the same way and
look for it in the text read back from the PDF. Where the domain already has a style (the
rules' reasons quote money, months and volumes), the memo uses the same functions.
"""

from __future__ import annotations

import math
from datetime import date

# Exact money, per-request costs, months and volumes read the same as in the rules' reasons.
from app.domain.formatting import format_money as format_money_exact
from app.domain.formatting import format_months, format_per_request, format_volume

__all__ = [
    "format_age_days",
    "format_date",
    "format_interval",
    "format_money",
    "format_money_exact",
    "format_months",
    "format_per_request",
    "format_percent",
    "format_price_per_mtok",
    "format_ratio",
    "format_tokens",
    "format_volume",
]


def _trim(text: str) -> str:
    """Drop a trailing ".0" so "$12.0K" reads "$12K" (keeps "1.50" style two-decimal money)."""
    return text[:-2] if text.endswith(".0") else text


def format_money(value: float) -> str:
    """Amounts of money, compact for headlines and axes: $950, $12.5K, $1.2M, $3.4B, -$2.1K."""
    if not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        scaled = round(amount / threshold, 1)
        # Round first so 999,960 reads "$1M" rather than "$1000K".
        if scaled >= 1 and (suffix == "B" or scaled < 1000):
            return f"{sign}${_trim(f'{scaled:.1f}')}{suffix}"
    if amount >= 100 or amount == 0:
        return f"{sign}${amount:,.0f}"
    return f"{sign}${amount:,.2f}"


def format_ratio(value: float | None) -> str:
    """How many times cheaper: "19.5×", "1.02×", "n/a" when undefined."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}×"
    if value >= 10:
        return f"{value:.1f}×"
    return f"{value:.2f}×"


def format_tokens(value: int) -> str:
    """A token count in full: 2,200."""
    return f"{value:,}"


def format_price_per_mtok(value: float) -> str:
    """A per-million-token price as the vendors print it: $5.00, $0.30, $0.075."""
    if value == 0:
        return "$0"
    if value >= 0.1 or round(value, 2) == value:
        return f"${value:,.2f}"
    return f"${value:.3f}".rstrip("0")


def format_percent(value: float | None, decimals: int = 1) -> str:
    """A share as a percentage, as the rules' reasons write it: 0.912 -> "91.2%"; None -> "unknown"."""
    if value is None or not math.isfinite(value):
        return "unknown"
    return f"{value * 100:.{decimals}f}%"


def format_interval(low: float, high: float, decimals: int = 1) -> str:
    """A 95 % interval of a share, as the spot-check warnings write it: "88.1%–94.0%"."""
    return f"{low * 100:.{decimals}f}%–{high * 100:.{decimals}f}%"


def format_date(value: date) -> str:
    """The memo's dates, ISO so they read the same everywhere: 2026-11-23."""
    return value.isoformat()


def format_age_days(days: int) -> str:
    """How old a price is: "today", "12 days", "3.5 months" (30.44-day months), "1.2 years"."""
    if days <= 0:
        return "today"
    if days < 60:
        return "1 day" if days == 1 else f"{days} days"
    if days < 730:
        return f"{_trim(f'{days / 30.44:.1f}')} months"
    return f"{_trim(f'{days / 365.25:.1f}')} years"
