"""Shared scenarios and hypothesis strategies for the domain tests (no Qt, no I/O)."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.domain.scenario import Scenario

# Bounded so the whole domain suite stays fast; no example database written into the tree.
# The Qt-free re-run (test_no_qt.py) lowers the count: it proves imports, not the input space.
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("SPECIALIST_STUDIO_PROPERTY_EXAMPLES", "200")),
    deadline=None,
    database=None,
    # Explore freshly on developers' machines; in CI the same examples every run, so a landing is
    # judged on the change, not on the luck of the draw.
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)


def design_example(**changes: Any) -> Scenario:
    """The DESIGN §1 example scenario, with top-level fields replaced.

    Worked by hand, used throughout the tests:
      large per request = (2200·5 + 300·15) / 1e6 = (11000 + 4500) / 1e6 = 0.0155
      small per request = (250·0.30 + 300·1.20) / 1e6 = (75 + 360) / 1e6 = 0.000435
      gross/month at 10M = (0.0155 - 0.000435)·1e7 = 150,650; net = 150,650 - 1,200 = 149,450
      one-time = 8,000 + 1,500 + 4,000 = 13,500; break-even = 13,500 / 149,450 = 0.090331 months
    """
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "Design example",
        "volume_per_month": 10_000_000,
        "horizon_months": 24,
        "large": {
            "name": "frontier",
            "input_tokens": 2200,
            "output_tokens": 300,
            "input_price_per_mtok": 5.0,
            "output_price_per_mtok": 15.0,
        },
        "small": {
            "name": "specialist",
            "input_tokens": 250,
            "output_tokens": 300,
            "input_price_per_mtok": 0.30,
            "output_price_per_mtok": 1.20,
        },
        "one_time": {"data_curation": 8000, "training_runs": 1500, "eval_build": 4000},
        "monthly_ops": 1200,
        "routing": {"escalation_rate": 0.0, "mode": "cascade"},
    }
    data.update(changes)
    return Scenario.model_validate(data)


# Edge volumes (none, subnormal, below one request, the model's maximum) next to ordinary ones.
VOLUMES = st.floats(0, 1e12, allow_nan=False) | st.sampled_from([0.0, 5e-324, 1e-300, 0.5, 1.0, 1e12])


def _model(price_max: float) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "input_tokens": st.integers(0, 20_000),
            "output_tokens": st.integers(0, 4_000),
            "input_price_per_mtok": st.floats(0, price_max, allow_nan=False),
            "output_price_per_mtok": st.floats(0, price_max * 4, allow_nan=False),
        }
    )


def scenario_dicts(
    *,
    extras: bool = True,
    self_hosting: bool = True,
    volume: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid scenario data across the whole input space the window can produce."""
    off = st.just(0.0)
    return st.fixed_dictionaries(
        {
            "name": st.just("generated"),
            "volume_per_month": volume if volume is not None else VOLUMES,
            "horizon_months": st.integers(1, 120),
            "large": _model(100.0),
            "small": _model(5.0),
            "one_time": st.fixed_dictionaries(
                {
                    "data_curation": st.floats(0, 1e6, allow_nan=False),
                    "training_runs": st.floats(0, 1e5, allow_nan=False),
                    "eval_build": st.floats(0, 1e5, allow_nan=False),
                }
            ),
            "monthly_ops": st.floats(0, 1e5, allow_nan=False),
            "routing": st.fixed_dictionaries(
                {"escalation_rate": st.floats(0, 1), "mode": st.sampled_from(["cascade", "router"])}
            ),
            "distillation": st.fixed_dictionaries(
                {
                    "enabled": st.booleans(),
                    "examples": st.integers(0, 100_000),
                    "human_review_share": st.floats(0, 1),
                    "review_cost_per_example": st.floats(0, 20, allow_nan=False),
                }
            ),
            "self_hosting": st.fixed_dictionaries(
                {
                    "enabled": st.booleans() if self_hosting else st.just(False),
                    "gpu_price_per_hour": st.floats(0, 50, allow_nan=False),
                    "requests_per_second_per_gpu": st.floats(0.01, 1000, allow_nan=False),
                    "min_gpus": st.integers(0, 8),
                }
            ),
            "price_decline_per_year": st.floats(0, 0.95) if extras else off,
            # Either sign, often none: a falling specialist price is what bends the curves upwards.
            "small_price_drift_per_year": (st.floats(-0.95, 1.0) | st.just(0.0)) if extras else off,
            "retraining": st.fixed_dictionaries(
                {
                    "every_months": st.integers(0, 24) if extras else st.just(0),
                    "cost": st.floats(0, 1e5, allow_nan=False) if extras else off,
                }
            ),
            "quality": st.fixed_dictionaries(
                {
                    "off_the_shelf_accuracy": st.none() | st.floats(0, 1),
                    "specialist_accuracy": st.none() | st.floats(0, 1),
                    "large_accuracy": st.none() | st.floats(0, 1),
                    "quality_bar": st.floats(0, 1),
                    "task_change_months": st.none() | st.floats(0.1, 1200, allow_nan=False),
                    "eval_exists": st.none() | st.booleans(),
                }
            ),
        }
    )


def scenarios(**kwargs: Any) -> st.SearchStrategy[Scenario]:
    """Validated `Scenario` objects (see `scenario_dicts`)."""
    return scenario_dicts(**kwargs).map(Scenario.model_validate)
