"""The field catalogue: every entry names a real scenario number, and its bounds are the model's own.

The oracle is the scenario model's validation itself: a value at a catalogue bound is accepted,
one just past it is refused, and "unknown" (None) is accepted exactly where the catalogue says.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from domain_helpers import design_example
from pydantic import ValidationError

from app.domain import scenario as model
from app.domain.fields import (
    FIELDS,
    GROUPS,
    UNIT_SUFFIX,
    field_for,
    fields_in,
    groups_in_use,
    label_for_key,
    model_bounds,
)
from app.domain.scenario import Scenario

BASE = design_example()


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = BASE.model_dump()
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    data.pop("ranges", None)  # ranges around the base values would refuse a value at a bound
    return data


def _accepted(path: tuple[str, ...], value: Any) -> bool:
    try:
        Scenario.model_validate(_with(path, value))
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("entry", FIELDS, ids=lambda entry: entry.key)
def test_bounds_are_the_models_own(entry) -> None:
    bounds = entry.bounds
    assert math.isfinite(bounds.minimum) and math.isfinite(bounds.maximum)
    step = 1 if bounds.integer else max(abs(bounds.maximum), 1) * 1e-9
    low = bounds.minimum + (step if bounds.exclusive_minimum else 0)
    high = int(bounds.maximum) if bounds.integer else bounds.maximum
    assert _accepted(entry.path, int(low) if bounds.integer else low)
    assert _accepted(entry.path, high)
    assert not _accepted(
        entry.path, bounds.minimum - step if not bounds.exclusive_minimum else bounds.minimum
    )
    assert not _accepted(entry.path, high + step)
    assert _accepted(entry.path, None) is bounds.optional
    if bounds.integer:
        assert not _accepted(entry.path, low + 0.5)  # whole numbers only
    assert entry.typical_low >= bounds.minimum * entry.scale
    assert entry.typical_high <= bounds.maximum * entry.scale


def test_known_bounds_match_the_published_limits() -> None:
    # The limits the file contract documents, written out here by hand.
    assert model_bounds(("volume_per_month",)).maximum == model.MAX_VOLUME_PER_MONTH
    assert model_bounds(("horizon_months",)).minimum == 1
    assert model_bounds(("large", "input_price_per_mtok")).maximum == model.MAX_PRICE_PER_MTOK
    rps = model_bounds(("self_hosting", "requests_per_second_per_gpu"))
    assert (rps.minimum > 0 or rps.exclusive_minimum) and not rps.optional  # a GPU serves something
    change = model_bounds(("quality", "task_change_months"))
    assert (change.minimum, change.maximum, change.exclusive_minimum, change.optional) == (
        0,
        1200,
        True,
        True,
    )
    drift = model_bounds(("small_price_drift_per_year",))
    assert (drift.minimum, drift.maximum, drift.optional) == (-0.95, 1.0, False)
    entry = field_for("small_price_drift_per_year")
    assert (entry.group, entry.unit, entry.scale) == ("Price changes", "percent", 100)
    assert [item.key for item in fields_in("Price changes")] == [
        "price_decline_per_year",
        "small_price_drift_per_year",
    ]
    assert model_bounds(("large", "output_tokens")).integer
    assert not model_bounds(("monthly_ops",)).integer


def test_groups_labels_and_lookups() -> None:
    assert [entry.group for entry in FIELDS if entry.group not in GROUPS] == []
    assert {entry.group for entry in FIELDS} == set(GROUPS)
    keys = [entry.key for entry in FIELDS]
    assert len(keys) == len(set(keys))
    assert field_for("large.input_tokens").label == "Input tokens"
    assert field_for("large.input_tokens").suffix == UNIT_SUFFIX["tokens"] == "tokens"
    assert [entry.key for entry in fields_in("One-time costs")] == [
        "one_time.data_curation",
        "one_time.training_runs",
        "one_time.eval_build",
    ]
    assert field_for("volume_per_month").value_in(BASE) == BASE.volume_per_month
    assert all(entry.help and entry.label for entry in FIELDS)
    with pytest.raises(KeyError):
        model_bounds(("large", "no_such_field"))
    # A key in words: qualified where both models share the label, plain otherwise, and a number
    # outside the catalogue by its last part, never the path.
    assert label_for_key("large.input_tokens") == "Large model: input tokens"
    assert label_for_key("large.input_tokens", qualified=False) == "Input tokens"
    assert label_for_key("volume_per_month") == "Requests per month"
    assert label_for_key("quality.hybrid_accuracy") == "Hybrid accuracy"


def test_values_read_in_their_units_words() -> None:
    """How each unit reads, written out by hand."""
    assert field_for("volume_per_month").describe(10_000_000) == "10.0M requests/month"
    assert field_for("horizon_months").describe(24) == "24 months"
    assert field_for("horizon_months").describe(1) == "1 month"
    assert field_for("large.input_tokens").describe(2200) == "2,200 tokens"
    assert field_for("large.input_price_per_mtok").describe(5.0) == "$5.00 per million tokens"
    assert field_for("large.input_price_per_mtok").format_value(0.075) == "$0.075"
    assert field_for("one_time.data_curation").describe(8000) == "$8,000"
    assert field_for("one_time.data_curation").format_value(15_000, compact=True) == "$15K"
    assert field_for("routing.escalation_rate").describe(0.125) == "12.5%"
    assert field_for("routing.escalation_rate").format_value(0.125, compact=True) == "12%"
    assert field_for("quality.specialist_accuracy").describe(None) == "unknown"
    assert field_for("quality.task_change_months").describe(3.5) == "3.5 months"
    assert field_for("self_hosting.gpu_price_per_hour").describe(2.5) == "$2.50 per GPU-hour"
    assert field_for("self_hosting.requests_per_second_per_gpu").describe(20) == "20 requests/s"
    assert field_for("self_hosting.min_gpus").describe(2) == "2 GPUs"
    assert field_for("distillation.examples").describe(1) == "1 example"


def test_headings_and_labels_that_need_their_group() -> None:
    assert field_for("large.input_price_per_mtok").heading == "Input price ($/Mtok)"
    assert field_for("large.input_tokens").heading == "Input tokens"  # the label names its unit
    assert field_for("one_time.data_curation").heading == "Data curation"  # "$" says it
    assert field_for("large.input_tokens").qualified_label == "Large model: input tokens"
    assert field_for("small.input_tokens").qualified_label == "Specialist: input tokens"
    assert field_for("volume_per_month").qualified_label == "Requests per month"  # unique already


def test_an_extra_that_is_off_is_not_in_use() -> None:
    assert groups_in_use(BASE) == tuple(
        group
        for group in GROUPS
        if group not in ("Distillation", "Self-hosting", "Price changes", "Retraining")
    )
    on = BASE.with_changes(
        distillation={**BASE.distillation.model_dump(), "enabled": True},
        self_hosting={**BASE.self_hosting.model_dump(), "enabled": True},
        price_decline_per_year=0.2,
        retraining={"every_months": 6, "cost": 5000},
    )
    assert groups_in_use(on) == GROUPS
