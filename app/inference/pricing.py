"""Costs of one request as the playground and `ask` show them (the engine's `request_cost`, one style)."""

from __future__ import annotations

from app.domain.formatting import format_money


def format_cost(usd: float) -> str:
    """One request's cost, three significant digits (`$0.000123`, `$0.0155`): money style `per_request`."""
    return format_money(usd, "per_request")
