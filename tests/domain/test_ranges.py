"""Ranges in the scenario: path and order checks on load, and the distributions against textbook values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from domain_helpers import design_example
from pydantic import ValidationError

from app.domain.ranges import Range, beta_cdf, beta_quantile, draw, follow, range_mean, rangeable_fields
from app.domain.scenario import Scenario, describe_validation_error


def _error(**changes: object) -> str:
    with pytest.raises(ValidationError) as caught:
        design_example(**changes)
    return describe_validation_error(caught.value)


def test_old_files_load_with_no_ranges() -> None:
    scenario = design_example()
    assert scenario.ranges == {}
    assert scenario.discount_rate_per_year == 0.0


def test_a_range_keyed_by_dotted_path_loads_and_round_trips() -> None:
    ranges = {
        "volume_per_month": {"low": 5e6, "high": 2e7, "distribution": "triangular"},
        "large.input_tokens": {"low": 1800, "high": 2600, "distribution": "pert"},
        "quality.specialist_accuracy": {"distribution": "beta", "successes": 93, "trials": 100},
    }
    scenario = design_example(ranges=ranges, quality={"specialist_accuracy": 0.93})
    assert scenario.ranges["volume_per_month"].high == 2e7
    again = Scenario.model_validate_json(scenario.model_dump_json())
    assert again == scenario


def test_an_unknown_path_is_one_line_naming_it_and_a_close_match() -> None:
    message = _error(ranges={"volume": {"low": 1, "high": 2}})
    assert message == (
        "ranges: 'volume' is not a numeric scenario field that can carry a range "
        "(did you mean volume_per_month?)"
    )
    assert "\n" not in message


@pytest.mark.parametrize("path", ["name", "routing.mode", "quality.eval_exists", "horizon_months", "large"])
def test_non_numeric_or_chosen_fields_take_no_range(path: str) -> None:
    assert "is not a numeric scenario field" in _error(ranges={path: {"low": 1, "high": 2}})


def test_the_value_must_sit_between_low_and_high() -> None:
    message = _error(ranges={"volume_per_month": {"low": 2e7, "high": 3e7}})
    assert message == "ranges: volume_per_month: needs low <= value <= high, got 2e+07 <= 1e+07 <= 3e+07"


def test_low_above_high_is_refused_at_the_range() -> None:
    message = _error(ranges={"monthly_ops": {"low": 2000, "high": 1000}})
    assert message == "ranges.monthly_ops: low 2000 is above high 1000"


def test_a_range_may_not_leave_the_fields_bounds() -> None:
    message = _error(
        quality={"specialist_accuracy": 0.95},
        ranges={"quality.specialist_accuracy": {"low": 0.9, "high": 1.1}},
    )
    assert "leaves the field's allowed span (0 to 1)" in message


def test_the_specialists_price_drift_takes_a_signed_range_and_no_beta() -> None:
    scenario = design_example(
        small_price_drift_per_year=-0.2,
        ranges={"small_price_drift_per_year": {"low": -0.5, "high": 0.1, "distribution": "pert"}},
    )
    assert scenario.ranges["small_price_drift_per_year"].bounds() == (-0.5, 0.1)
    field = rangeable_fields(Scenario)["small_price_drift_per_year"]
    assert (field.minimum, field.maximum) == (-0.95, 1.0)
    message = _error(ranges={"small_price_drift_per_year": {"low": -1.2, "high": 0.1}})
    assert message.endswith("the range -1.2..0.1 leaves the field's allowed span (-0.95 to 1)")
    # Its span is not 0..1: a drift is no share, and a beta draw would never be negative.
    beta = {"distribution": "beta", "successes": 5, "trials": 10}
    assert "a beta range is for accuracies and shares" in _error(ranges={"small_price_drift_per_year": beta})


def test_beta_needs_evidence_and_a_field_without_value_needs_beta() -> None:
    assert "needs successes and trials" in _error(
        ranges={"quality.specialist_accuracy": {"distribution": "beta"}}
    )
    assert "has no value" in _error(ranges={"quality.specialist_accuracy": {"low": 0.8, "high": 0.9}})
    assert "exceed trials" in _error(
        ranges={"quality.specialist_accuracy": {"distribution": "beta", "successes": 6, "trials": 5}}
    )


def test_rangeable_fields_are_numbers_with_their_model_bounds() -> None:
    fields = rangeable_fields(Scenario)
    assert fields["volume_per_month"].kind is float
    assert fields["large.input_tokens"].kind is int
    assert (fields["routing.escalation_rate"].minimum, fields["routing.escalation_rate"].maximum) == (
        0.0,
        1.0,
    )
    assert fields["self_hosting.requests_per_second_per_gpu"].minimum > 0  # gt=0: zero excluded
    assert "quality.eval_exists" not in fields and "routing.mode" not in fields


# -- beta from evidence, against closed forms ----------------------------------------------------


@pytest.mark.parametrize("k", [0, 3, 10])
def test_beta_cdf_of_k_successes_in_k_trials_is_a_power(k: int) -> None:
    # Beta(k + 1, 1) has CDF x^(k+1).
    for x in (0.1, 0.5, 0.93):
        assert beta_cdf(x, k + 1, 1) == pytest.approx(x ** (k + 1), rel=1e-12)
        assert beta_quantile(x ** (k + 1), k + 1, 1) == pytest.approx(x, abs=1e-9)


def test_beta_cdf_matches_numerical_integration_of_the_density() -> None:
    a, b = 94, 8  # 93 right of 100
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    steps = 20_000
    x_end = 0.9
    h = x_end / steps
    # Simpson's rule on the density from 0 to 0.9.
    total = 0.0
    for i in range(steps + 1):
        x = i * h
        density = 0.0 if x == 0 else math.exp(log_norm + (a - 1) * math.log(x) + (b - 1) * math.log1p(-x))
        weight = 1 if i in (0, steps) else (4 if i % 2 else 2)
        total += weight * density
    assert beta_cdf(x_end, a, b) == pytest.approx(total * h / 3, rel=1e-6)


def test_a_beta_range_quotes_its_central_95_percent() -> None:
    rng = Range(distribution="beta", successes=93, trials=100)
    low, high = rng.bounds()
    assert beta_cdf(low, 94, 8) == pytest.approx(0.025, abs=1e-9)
    assert beta_cdf(high, 94, 8) == pytest.approx(0.975, abs=1e-9)
    assert 0.86 < low < 0.88 and 0.96 < high < 0.975


# -- draws against textbook means ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rng", "mode", "mean"),
    [
        (Range(low=1.0, high=7.0, distribution="triangular"), 2.0, (1 + 2 + 7) / 3),
        (Range(low=1.0, high=7.0, distribution="uniform"), 2.0, 4.0),
        (Range(low=1.0, high=7.0, distribution="pert"), 2.0, (1 + 4 * 2 + 7) / 6),
        (Range(distribution="beta", successes=30, trials=40), None, 31 / 42),
    ],
)
def test_draws_have_the_textbook_mean(rng: Range, mode: float | None, mean: float) -> None:
    values = draw(rng, mode, 200_000, np.random.default_rng(5))
    assert range_mean(rng, mode) == pytest.approx(mean)
    standard_error = float(np.std(values)) / math.sqrt(values.size)
    assert abs(float(np.mean(values)) - mean) < 5 * standard_error
    low, high = rng.bounds()
    assert float(values.min()) >= low - 1e-12 or rng.distribution == "beta"
    assert float(values.max()) <= high + 1e-12 or rng.distribution == "beta"


def test_a_zero_width_range_draws_its_one_value() -> None:
    values = draw(Range(low=3.0, high=3.0), 3.0, 10, np.random.default_rng(1))
    assert np.all(values == 3.0)


def test_a_value_moved_out_of_its_range_widens_it() -> None:
    rng = Range(low=1.5e6, high=4.5e6, distribution="pert", note="assumption")
    assert follow(rng, 2e6) is rng  # still inside: unchanged
    moved = follow(rng, 1e6)
    assert (moved.low, moved.high, moved.note) == (1e6, 4.5e6, "assumption")
    assert (follow(rng, 6e6).low, follow(rng, 6e6).high) == (1.5e6, 6e6)
    beta = Range(distribution="beta", successes=9, trials=10)
    assert follow(beta, 0.1) is beta


def test_with_changes_moves_a_range_its_value_left() -> None:
    scenario = design_example(ranges={"volume_per_month": {"low": 5e6, "high": 2e7}})
    moved = scenario.with_changes(volume_per_month=2.5e6)  # below the range: it widens to take it in
    assert (moved.ranges["volume_per_month"].low, moved.ranges["volume_per_month"].high) == (2.5e6, 2e7)
    assert scenario.ranges["volume_per_month"].low == 5e6  # the original is untouched
    inside = scenario.with_changes(volume_per_month=6e6)
    assert inside.ranges == scenario.ranges
    # Setting ranges explicitly is checked as given.
    with pytest.raises(ValidationError):
        scenario.with_changes(volume_per_month=2.5e6, ranges={"volume_per_month": {"low": 5e6, "high": 2e7}})


def test_an_accuracy_made_unknown_drops_its_typed_range_but_keeps_evidence() -> None:
    scenario = design_example(
        quality={"specialist_accuracy": 0.93, "large_accuracy": 0.95},
        ranges={
            "quality.specialist_accuracy": {"low": 0.88, "high": 0.96},
            "quality.large_accuracy": {"distribution": "beta", "successes": 95, "trials": 100},
        },
    )
    unknown = scenario.with_changes(quality={"specialist_accuracy": None, "large_accuracy": None})
    assert list(unknown.ranges) == ["quality.large_accuracy"]
