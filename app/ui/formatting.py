"""Numbers in entry boxes: shown exactly (10M, 2.5K, 1,234,567.5) and parsed as people type them.

Read-outs (money, months, volumes, counts) use the one formatter in `app.domain.formatting`; this
module only turns an input's value into editable text and back. Display text is exact (what is
shown parses back to the same value), so the entry boxes can show the compact form without losing
digits. Parsing accepts what people type: `10M`, `2.5k`,
`1,000,000`, `$5`, `12 %`, `1_000`.
"""

from __future__ import annotations

import math

# Upper-case suffixes, as every read-out writes them (app.domain.formatting); both cases parse.
_SUFFIXES: tuple[tuple[str, float], ...] = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))
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
    """Exact compact form: 10000000 -> '10M', 2500 -> '2.5K', 12345678 -> '12,345,678'."""
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
