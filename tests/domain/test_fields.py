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
from app.domain.fields import FIELDS, GROUPS, UNIT_SUFFIX, field_for, fields_in, model_bounds
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
