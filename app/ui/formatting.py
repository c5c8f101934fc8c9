"""Numbers as people read and type them: 10M requests, $8,000, $0.075 per Mtok, 5 %.

Display text is exact (what is shown parses back to the same value), so the entry boxes can show
the compact form without losing digits. Parsing accepts what people type: `10M`, `2.5k`,
`1,000,000`, `$5`, `12 %`, `1_000`.
"""

from __future__ import annotations

import math

_SUFFIXES: tuple[tuple[str, float], ...] = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3))
_PARSE_MULTIPLIERS = {
    "k": 1e3,
    "K": 1e3,
    "m": 1e6,
    "M": 1e6,
    "b": 1e9,
    "B": 1e9,
    "g": 1e9,
    "G": 1e9,
    "T": 1e12,
}


class NumberParseError(ValueError):
    """Text that is not a number; the message quotes it."""


def format_plain(value: float, max_decimals: int = 6) -> str:
    """Grouped digits, no trailing zeros: 1234567.5 -> '1,234,567.5'."""
    if not math.isfinite(value):
        return "∞" if value > 0 else ("-∞" if value < 0 else "n/a")
    text = f"{value:,.{max_decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_compact(value: float) -> str:
    """Exact compact form: 10000000 -> '10M', 2500 -> '2.5k', 12345678 -> '12,345,678'."""
    if not math.isfinite(value):
        return format_plain(value)
    magnitude = abs(value)
    for suffix, divisor in _SUFFIXES:
        if magnitude >= divisor:
            scaled = value / divisor
            text = format_plain(scaled, 3)
            if math.isclose(float(text.replace(",", "")) * divisor, value, rel_tol=1e-12, abs_tol=1e-9):
                return f"{text}{suffix}"
            break
    return format_plain(value)


def format_approx(value: float, digits: int = 3) -> str:
    """Rounded compact form for read-outs: 12345678 -> '12.3M', 0.00123 -> '0.00123'."""
    if not math.isfinite(value):
        return format_plain(value)
    magnitude = abs(value)
    for suffix, divisor in _SUFFIXES:
        if magnitude >= divisor:
            return f"{_significant(value / divisor, digits)}{suffix}"
    return _significant(value, digits)


def _significant(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return format_plain(round(value, decimals), min(decimals, 8))


def format_money(value: float | None, digits: int = 3) -> str:
    """Dollars for read-outs: 1234 -> '$1,234', 1.5e6 -> '$1.5M', 0.0042 -> '$0.0042', -5 -> '-$5'."""
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if magnitude >= 1e6:
        body = format_approx(magnitude, digits)
    elif magnitude >= 100:
        body = format_plain(round(magnitude), 0)
    elif magnitude >= 1:
        body = f"{magnitude:,.2f}"
    else:
        body = _significant(magnitude, digits)
    return f"{sign}${body}"


def format_months(months: float | None) -> str:
    """Break-even for people: None -> 'never', 0.05 -> '< 0.1 mo', 3.24 -> '3.2 mo', 40 -> '40 mo'."""
    if months is None or not math.isfinite(months):
        return "never"
    if months < 0.1:
        return "< 0.1 mo"
    if months < 10:
        return f"{months:.1f} mo"
    return f"{format_plain(round(months), 0)} mo"


def parse_number(text: str) -> float:
    """Parse what people type: '10M', '2.5k', '$1,000', '12 %' (-> 12), '1e6'. Raises NumberParseError."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "").replace("$", "")
    cleaned = cleaned.replace("%", "").replace("\u202f", "").replace("\u00a0", "")
    if not cleaned:
        raise NumberParseError("empty entry: type a number")
    multiplier = 1.0
    if cleaned[-1] in _PARSE_MULTIPLIERS and not cleaned.lower().endswith("e"):
        multiplier = _PARSE_MULTIPLIERS[cleaned[-1]]
        cleaned = cleaned[:-1]
    try:
        value = float(cleaned) * multiplier
    except ValueError:
        raise NumberParseError(f"'{text.strip()}' is not a number (try 10M, 2.5k or 0.3)") from None
    if not math.isfinite(value):
        raise NumberParseError(f"'{text.strip()}' is not a finite number")
    return value
