"""The `calc --json` contract: every key present, JSON-clean, null for never."""

from __future__ import annotations

import json

import pytest
from domain_helpers import design_example

from app.domain.report_data import CONTRACT_KEYS, calc_result


def test_every_contract_key_is_present_and_json_clean() -> None:
    result = calc_result(design_example())
    for key in CONTRACT_KEYS:
        assert key in result
    text = json.dumps(result, allow_nan=False)
    back = json.loads(text)
    assert back["large_cost_per_request"] == pytest.approx(0.0155)
    assert back["specialist_cost_per_request"] == pytest.approx(0.000435)
    assert back["monthly_savings"] == pytest.approx(150_650)
    assert back["net_monthly_savings"] == pytest.approx(149_450)
    assert back["one_time_cost"] == pytest.approx(13_500)
    assert back["break_even_months"] == pytest.approx(13_500 / 149_450)  # unrounded


def test_recommendation_shape() -> None:
    recommendation = calc_result(design_example())["recommendation"]
    assert recommendation["verdict"] in {
        "specialize",
        "use_off_the_shelf",
        "keep_large_and_route",
        "keep_large",
        "needs_eval",
    }
    assert [rule["id"] for rule in recommendation["rules"]] == [1, 2, 3, 4, 5, 6]
    for rule in recommendation["rules"]:
        assert set(rule) >= {"id", "status", "reason", "title"}
        assert rule["status"] in {"pass", "fail", "unknown"}
        assert rule["reason"]


def test_never_is_null() -> None:
    result = calc_result(design_example(volume_per_month=50_000))
    assert result["break_even_months"] is None
    assert json.loads(json.dumps(result))["break_even_months"] is None
