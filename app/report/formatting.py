"""The memo's number styles: the one formatter of the domain (`app.domain.formatting`), re-exported.

Every number on the memo goes through these functions, so a test can format the engine's value
the same way and look for it in the text read back from the PDF. The memo's headline money is
`format_money(value, "compact")` ($12.5K), its exact sums `format_money(value)` ($13,500).
"""

from __future__ import annotations

from app.domain.formatting import (
    format_age_days,
    format_count,
    format_date,
    format_interval,
    format_money,
    format_months,
    format_per_1k,
    format_per_request,
    format_price_per_mtok,
    format_ratio,
    format_share,
    format_tokens,
    format_volume,
    plural,
)

__all__ = [
    "format_age_days",
    "format_count",
    "format_date",
    "format_interval",
    "format_money",
    "format_months",
    "format_per_1k",
    "format_per_request",
    "format_price_per_mtok",
    "format_ratio",
    "format_share",
    "format_tokens",
    "format_volume",
    "plural",
]
