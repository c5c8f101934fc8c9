"""How numbers read everywhere: the window, the memo, the rules' reasons and the command line.

One module, one function per kind of number, each with named styles, so the same figure reads
the same wherever it appears:

* money: `exact` ($13,500 · $12.50), `compact` ($950 · $12.5K · $1.2M), `figure` (exact up to a
  million, compact above: the window's big numbers), `per_request` (three significant digits:
  $0.000435), `price` (per million tokens as the vendors print it: $5.00 · $0.30 · $0.075);
* cost per 1,000 requests (the unit the charts use): `format_per_1k`;
* months: `long` (3.4 months · 1.0 month · 2.7 days · 224 years), `short` for chart marks (3.4 mo)
  and `whole` for targets set in whole months (6 months · 1 month);
* volumes: `short` (950 · 12.5K · 6.4M · 2.00B) and `full` (6,435,367);
* counts with their noun, singular or plural: `format_count(1, "token")` -> "1 token";
* shares, intervals, ratios, token counts, dates and ages.

Suffixes are upper case everywhere (K, M, B, T). Non-finite values read "n/a" (money, volumes)
or "never" (months), so a formatter never raises on what the engine returns.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

# From this many months on, a duration reads in years.
YEARS_FROM_MONTHS = 120

MoneyStyle = Literal["exact", "compact", "figure", "per_request", "price", "cents"]
MonthsStyle = Literal["long", "short", "whole"]
VolumeStyle = Literal["short", "full"]

_SUFFIXES: tuple[tuple[float, str], ...] = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def _trim(text: str) -> str:
    """Drop a trailing ".0" so "$12.0K" reads "$12K"."""
    return text[:-2] if text.endswith(".0") else text


def _round_significant(value: float, digits: int) -> tuple[float, int]:
    """`value` rounded to `digits` significant digits, and the decimals that rounding kept."""
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    return round(value, decimals), decimals


def significant(value: float, digits: int = 3) -> str:
    """`value` rounded to `digits` significant digits, written out with separators and no
    exponent (memos are read by people): 0.00042137 -> "0.000421", 1234.5 -> "1,230"."""
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    rounded, decimals = _round_significant(value, digits)
    return f"{rounded:,.{max(0, decimals)}f}"


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_number(value: float, digits: int = 3) -> str:
    """A rounded number with a suffix for read-outs and axes: 12345678 -> "12.3M", 950 -> "950",
    999960 -> "1M", 0.00123 -> "0.00123"."""
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    for threshold, suffix in _SUFFIXES:
        scaled = value / threshold
        # Compare after rounding, so 999,960 reads "1M" rather than "1,000K".
        if abs(_round_significant(scaled, digits)[0]) >= 1:
            return f"{_strip_zeros(significant(scaled, digits))}{suffix}"
    return _strip_zeros(significant(value, digits))


def _compact_money(amount: float) -> str:
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        scaled = round(amount / threshold, 1)
        # Round first so 999,960 reads "$1M" rather than "$1000K".
        if scaled >= 1 and (suffix == "B" or scaled < 1000):
            return f"{_trim(f'{scaled:.1f}')}{suffix}"
    if amount >= 100 or amount == 0:
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def _price(amount: float) -> str:
    if amount == 0:
        return "0"
    if amount >= 0.1 or round(amount, 2) == amount:
        return f"{amount:,.2f}"
    return f"{amount:.3f}".rstrip("0") if amount >= 0.001 else significant(amount, 2)


def format_money(value: float | None, style: MoneyStyle = "exact") -> str:
    """Dollars in a named style (see the module docstring); None or non-finite reads "n/a".

    exact: whole dollars with separators for sums, cents below $100 ($13,500 · $12.50 · -$1,200);
    compact: one decimal with K/M/B from a thousand on ($950 · $12.5K · $1.2M · -$2.1K);
    figure: exact below a million, then three significant digits with a suffix ($3,980 · $1.23M);
    per_request: three significant digits written out ($0.000435 · $0.0155 · $1.23);
    price: a per-million-token price as vendors print it ($5.00 · $0.30 · $0.075);
    cents: dollars and cents whatever the size ($208.85 · $1,234.50), for per-million-item costs.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if style == "compact":
        body = _compact_money(magnitude)
    elif style == "figure":
        body = format_number(magnitude, 3) if magnitude >= 1e6 else _exact(magnitude)
    elif style == "per_request":
        body = _per_request(magnitude)
    elif style == "price":
        body = _price(magnitude)
    elif style == "cents":
        body = f"{magnitude:,.2f}"
    else:
        body = _exact(magnitude)
    return f"{sign}${body}"


def _per_request(magnitude: float) -> str:
    if magnitude == 0:
        return "0"
    # Three significant digits, and cents at the least below $100.
    digits = max(2 if magnitude < 100 else 0, 2 - math.floor(math.log10(magnitude)))
    return f"{magnitude:,.{digits}f}"


def _exact(magnitude: float) -> str:
    if magnitude >= 100 or magnitude == 0:
        return f"{magnitude:,.0f}"
    return f"{magnitude:,.2f}"


def format_per_request(value: float) -> str:
    """Cost per request with three significant digits: `$0.000435` (money style `per_request`)."""
    return format_money(value, "per_request")


def format_per_1k(cost_per_request: float | None) -> str:
    """A cost per request shown per 1,000 requests, the unit of the charts: 0.000072 -> "$0.072 per 1k
    requests". Per-request costs of small models have five zeros; per 1,000 they compare at a glance."""
    if cost_per_request is None or not math.isfinite(cost_per_request):
        return "n/a"
    return f"{format_money(cost_per_request * 1000, 'per_request')} per 1k requests"


def format_price_per_mtok(value: float) -> str:
    """A per-million-token price as the vendors print it: $5.00, $0.30, $0.075 (money style `price`)."""
    return format_money(value, "price")


def format_volume(value: float, style: VolumeStyle = "short") -> str:
    """Requests (per month) in short form, `950` · `12.5K` · `6.4M` · `2.00B`, or in full, `6,435,367`."""
    if not math.isfinite(value):
        return "n/a"
    if style == "full":
        return f"{value:,.0f}"
    for threshold, suffix, digits in ((1e12, "T", 2), (1e9, "B", 2), (1e6, "M", 1), (1e3, "K", 1)):
        scaled = round(value / threshold, digits)
        if abs(scaled) >= 1:  # compared after rounding: 999,960 reads "1.0M", not "1000.0K"
            return f"{scaled:.{digits}f}{suffix}"
    return f"{value:,.0f}"


def format_months(value: float | None, style: MonthsStyle = "long") -> str:
    """A duration in months; None or non-finite reads `never`.

    long: one decimal (`3.4 months`, `1.0 month`); below 0.1 month in days (`2.7 days`), from ten
    years on in whole years (`224 years`). short, for chart marks: `< 0.1 mo`, `3.2 mo`, `40 mo`.
    whole, for targets people set in whole months: `6 months`, `1 month` (else as long).
    """
    if value is None or not math.isfinite(value):
        return "never"
    if style == "whole" and value == round(value) and value >= 1:
        return format_count(round(value), "month")
    if style == "short":
        if value < 0.1:
            return "< 0.1 mo"
        if value < 10:
            return f"{value:.1f} mo"
        return f"{value:,.0f} mo"
    if value < 0.1:
        days = value * 30.4
        return f"{days:.1f} {'day' if round(days, 1) == 1.0 else 'days'}"
    if value >= YEARS_FROM_MONTHS:
        # "2,687.5 months" makes a reader do the sum; past ten years only the order matters.
        return f"{value / 12:,.0f} years"
    unit = "month" if round(value, 1) == 1.0 else "months"
    return f"{value:,.1f} {unit}"


def plural(count: float, noun: str, plural_form: str | None = None) -> str:
    """`noun` or its plural for `count`: 1 -> "token", 2 -> "tokens", 1.0 -> "run"."""
    if count == 1:
        return noun
    if plural_form is not None:
        return plural_form
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in {"a", "e", "i", "o", "u"}:
        return noun[:-1] + "ies"
    return noun + "s"


def format_count(count: int, noun: str, plural_form: str | None = None) -> str:
    """A count with its noun: "1 token", "2 tokens", "1,234 runs", "0 items"."""
    return f"{count:,} {plural(count, noun, plural_form)}"


def format_share(value: float | None, decimals: int = 1) -> str:
    """A rate in [0, 1] as a percentage (`92.0%`); None reads `unknown`."""
    if value is None or not math.isfinite(value):
        return "unknown"
    return f"{value * 100:.{decimals}f}%"


def format_yearly_change(change: float, decimals: int = 1) -> str:
    """A signed yearly price change in words: `20.0% cheaper each year`, `10.0% dearer each year`."""
    direction = "dearer" if change > 0 else "cheaper"
    return f"{format_share(abs(change), decimals)} {direction} each year"


def format_interval(low: float, high: float, decimals: int = 1) -> str:
    """A 95 % interval of a share: "88.1%–94.0%"."""
    return f"{low * 100:.{decimals}f}%–{high * 100:.{decimals}f}%"


def format_ratio(value: float | None) -> str:
    """How many times cheaper: "19.5×", "7.81×", "120×"; "n/a" when undefined."""
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


def format_date(value: date) -> str:
    """Dates in ISO form so they read the same everywhere: 2026-11-23."""
    return value.isoformat()


def format_age_days(days: int) -> str:
    """How old something is: "today", "1 day", "12 days", "3.5 months" (30.44-day months), "1.2 years"."""
    if days <= 0:
        return "today"
    if days < 60:
        return format_count(days, "day")
    if days < 730:
        return f"{_trim(f'{days / 30.44:.1f}')} months"
    return f"{_trim(f'{days / 365.25:.1f}')} years"
