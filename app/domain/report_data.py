"""The result of `specialist-studio calc FILE --json`: the contract of docs/file-contract.md as plain data.

Every value is a JSON type (numbers unrounded, `None` for "never"); rounding is for display only.
"""

from __future__ import annotations

from typing import Any

from app.domain.costs import CostSummary, summarize
from app.domain.rules import Recommendation, evaluate
from app.domain.scenario import Scenario

# Keys that outside tools read; tests check each is present.
CONTRACT_KEYS: tuple[str, ...] = (
    "large_cost_per_request",
    "specialist_cost_per_request",
    "monthly_savings",
    "net_monthly_savings",
    "one_time_cost",
    "break_even_months",
    "cumulative_savings_at_horizon",
    "recommendation",
)


def recommendation_data(recommendation: Recommendation) -> dict[str, Any]:
    """The `recommendation` object: verdict, its label, the deciding rule, headline and six rules."""
    return {
        "verdict": recommendation.verdict,
        "verdict_label": recommendation.label,
        "deciding_rule": recommendation.deciding_rule,
        "headline": recommendation.headline,
        "rules": [
            {
                "id": rule.id,
                "title": rule.title,
                "status": rule.status,
                "reason": rule.reason,
                "leads_to": rule.leads_to,
                "needs": list(rule.needs),
            }
            for rule in recommendation.rules
        ],
    }


def calc_result(
    scenario: Scenario,
    summary: CostSummary | None = None,
    recommendation: Recommendation | None = None,
    warnings: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Every contract key plus the figures behind them, as a JSON-ready dict.

    `warnings` are the lines shown when the file was read (a decisive cost left out, counted as $0).
    """
    summary = summary if summary is not None else summarize(scenario)
    recommendation = recommendation if recommendation is not None else evaluate(scenario, summary)
    breakdown = summary.breakdown
    return {
        "scenario": scenario.name,
        "schema_version": scenario.schema_version,
        "volume_per_month": scenario.volume_per_month,
        "horizon_months": scenario.horizon_months,
        "routing_mode": scenario.routing.mode,
        "escalation_rate": scenario.routing.escalation_rate,
        "large_cost_per_request": summary.large_cost_per_request,
        "small_cost_per_request": summary.small_cost_per_request,
        "specialist_cost_per_request": summary.specialist_cost_per_request,
        "off_the_shelf_cost_per_request": summary.off_the_shelf_cost_per_request,
        "cost_ratio": summary.cost_ratio,
        "large_monthly": summary.large_monthly,
        "specialist_monthly": summary.specialist_monthly,
        "monthly_ops": scenario.monthly_ops,
        "monthly_savings": summary.monthly_savings,
        "net_monthly_savings": summary.net_monthly_savings,
        "one_time_cost": summary.one_time_cost,
        "one_time_breakdown": dict(summary.one_time_breakdown),
        "break_even_months": summary.break_even_months,
        "break_even_within_horizon": summary.break_even_within_horizon,
        "cumulative_savings_at_horizon": summary.cumulative_savings_at_horizon,
        "break_even_method": summary.break_even_method,
        "extras_active": summary.extras_active,
        "cost_breakdown_per_request": {
            "large_input": breakdown.large_input,
            "large_output": breakdown.large_output,
            "small_input": breakdown.small_input,
            "small_output": breakdown.small_output,
            "escalation": breakdown.escalation,
            "self_hosting": breakdown.self_hosting,
        },
        "recommendation": recommendation_data(recommendation),
        "warnings": list(warnings),
    }
