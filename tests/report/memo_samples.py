"""Scenarios and spot-check results for the memo tests, built with the real engine (no stand-ins).

A plain module with a unique name (not conftest) so test modules can import it unambiguously.
"""

from __future__ import annotations

from datetime import date

from app.domain.evaluation import (
    ItemResult,
    Prices,
    ScorerSpec,
    SideResult,
    SpotcheckSummary,
    summarize_results,
)
from app.domain.scenario import Scenario

# A fixed "today" so price ages in the memo are known exactly.
MEMO_DAY = date(2026, 11, 23)

SECRET_KEY = "sk-proj-Zq81ABCdefGHIjklMNOpqrSTUvwx4242"
USER_FOLDER = "/home/alice/pricing-research"


def triage_scenario() -> Scenario:
    """A scenario with escalation, distillation and prices of known age."""
    return Scenario.model_validate(
        {
            "schema_version": 1,
            "name": "Support ticket triage",
            "description": "Route incoming tickets to one of 12 queues.",
            "source": "Volumes from the helpdesk export; prices from the vendors' pages.",
            "volume_per_month": 10_000_000,
            "horizon_months": 24,
            "large": {
                "name": "frontier-large",
                "input_tokens": 2200,
                "output_tokens": 300,
                "input_price_per_mtok": 5.0,
                "output_price_per_mtok": 15.0,
                "price_source": "https://example.org/pricing",
                "price_as_of": "2026-06-01",
            },
            "small": {
                "name": "triage-specialist",
                "input_tokens": 250,
                "output_tokens": 300,
                "input_price_per_mtok": 0.30,
                "output_price_per_mtok": 1.20,
                "price_source": "vendor price list",
                "price_as_of": "2026-11-01",
            },
            "one_time": {"data_curation": 8000, "training_runs": 1500, "eval_build": 4000},
            "monthly_ops": 1200,
            "routing": {"escalation_rate": 0.1, "mode": "cascade"},
            "distillation": {
                "enabled": True,
                "examples": 2000,
                "human_review_share": 0.1,
                "review_cost_per_example": 0.5,
            },
            "quality": {
                "off_the_shelf_accuracy": 0.7,
                "specialist_accuracy": 0.93,
                "large_accuracy": 0.95,
                "eval_exists": True,
                "task_change_months": 12,
            },
        }
    )


def leaky_scenario() -> Scenario:
    """Text fields carrying an API key and folders of the user's machine, as careless input would."""
    base = triage_scenario()
    large = base.large.model_copy(update={"price_source": f"{USER_FOLDER}/frontier-prices.csv"})
    quality = base.quality.model_copy(update={"measured_from": r"C:\Users\alice\runs\triage-results.jsonl"})
    return base.with_changes(
        description=f"Triage memo. Key used for the test run: {SECRET_KEY} (api_key={SECRET_KEY}).",
        large=large,
        quality=quality,
    )


def triage_spotcheck(items: int = 60, ood: int = 12) -> SpotcheckSummary:
    """A spot-check summary computed by the real summariser from synthetic per-item results."""
    results = []
    for index in range(items):
        specialist_ok = index % 7 != 0
        frontier_ok = index % 11 != 0
        results.append(
            ItemResult(
                item_id=f"t{index}",
                input=f"ticket {index}",
                expected="billing",
                tags=("ood",) if index < ood else (),
                specialist=SideResult(
                    output="billing" if specialist_ok else "other",
                    correct=specialist_ok,
                    latency_s=0.05,
                    input_tokens=250,
                    output_tokens=3,
                ),
                frontier=SideResult(
                    output="billing" if frontier_ok else "other",
                    correct=frontier_ok,
                    latency_s=0.8,
                    input_tokens=2200,
                    output_tokens=3,
                ),
                agree=specialist_ok == frontier_ok,
            )
        )
    return summarize_results(
        results,
        set_name="support_triage",
        run_date="2026-11-20",
        scorer=ScorerSpec(),
        specialist_name="triage-specialist",
        frontier_name="frontier-large",
        prices=Prices(0.30, 1.20, 5.0, 15.0),
        quality_bar=0.9,
    )
