"""What one request costs at given per-million-token prices."""

from __future__ import annotations


def request_cost(
    input_tokens: int | None,
    output_tokens: int | None,
    input_price_per_mtok: float,
    output_price_per_mtok: float,
) -> float:
    """USD for one request: `(in * in_price + out * out_price) / 1e6`; unknown counts count as 0."""
    return ((input_tokens or 0) * input_price_per_mtok + (output_tokens or 0) * output_price_per_mtok) / 1e6


def format_cost(usd: float) -> str:
    """Small costs need more digits: `$0.000123`, `$0.0123`, `$1.23`."""
    if usd == 0:
        return "$0"
    if usd < 0.01:
        return f"${usd:.6f}"
    if usd < 1:
        return f"${usd:.4f}"
    return f"${usd:,.2f}"
