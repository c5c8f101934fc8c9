"""Distillation statistics against textbook values and brute-force counts written here."""

from __future__ import annotations

import math

import pytest

from app.domain.distill import (
    LabelledItem,
    Review,
    TeacherAnswer,
    build_review_queue,
    distillation_costs,
    queue_order,
    read_answer,
    review_sample_size,
    teacher_error_report,
)
from app.domain.evaluation import ScorerSpec

LABELS = ("billing", "shipping", "other")
ONE_OF = ScorerSpec(kind="one_of", labels=LABELS)


def _teacher(answer: str, cost: float | None = None, tokens: tuple[int, int] = (100, 2)) -> TeacherAnswer:
    return TeacherAnswer(
        output=answer,
        answer=answer,
        valid=answer in LABELS,
        input_tokens=tokens[0],
        output_tokens=tokens[1],
        cost_usd=cost,
    )


def _item(
    number: int,
    answer: str = "billing",
    *,
    queue: str | None = None,
    verdict: str | None = None,
    final: str | None = None,
    specialist: str | None = None,
    seconds: float = 10.0,
) -> LabelledItem:
    review = None
    if verdict is not None:
        review = Review(verdict=verdict, final=final if final is not None else answer, seconds=seconds)  # type: ignore[arg-type]
    return LabelledItem(
        item_id=f"i{number}",
        input=f"input {number}",
        teacher=_teacher(answer),
        specialist_output=specialist,
        queue=queue,  # type: ignore[arg-type]
        review=review,
    )


# -- sample size: Krejcie & Morgan (1970) table and Cochran's 385 ------------------------------


@pytest.mark.parametrize(
    ("population", "textbook"), [(10, 10), (100, 80), (200, 132), (1000, 278), (10_000, 370)]
)
def test_review_sample_size_matches_the_krejcie_morgan_table(population: int, textbook: int) -> None:
    assert review_sample_size(population) == textbook


def test_review_sample_size_for_a_huge_set_is_cochrans_385() -> None:
    # 1.96² · 0.25 / 0.05² = 384.16 → 385, the figure every survey textbook quotes.
    assert review_sample_size(10**9) == 385


def test_review_sample_size_with_a_known_low_error_rate_and_edges() -> None:
    # p = 0.1, ±3 points: 1.96² · 0.09 / 0.0009 = 384.15 before the correction; N = 5,000 →
    # 384.15 / (1 + 383.15 / 5000) = 356.8 → 357 (worked by hand).
    assert review_sample_size(5000, margin=0.03, expected_error=0.1) == 357
    assert review_sample_size(0) == 0
    assert review_sample_size(1) == 1
    with pytest.raises(ValueError, match="margin"):
        review_sample_size(100, margin=0)


# -- the teacher's error rate ----------------------------------------------------------------


def _run_with_sample(
    wrong: int, sampled: int, remainder: int, targeted: list[LabelledItem]
) -> list[LabelledItem]:
    items: list[LabelledItem] = []
    for number in range(remainder):
        if number < sampled:
            verdict = "corrected" if number < wrong else "accepted"
            final = "other" if number < wrong else "billing"
            items.append(_item(number, queue="sample", verdict=verdict, final=final))
        else:
            items.append(_item(number))
    return items + targeted


def test_accuracy_and_wrong_labels_left_match_newcombes_wilson_values() -> None:
    # Newcombe (1998), Table I: 1 of 29 → Wilson 95 % interval 0.0061 to 0.1718.
    items = _run_with_sample(wrong=1, sampled=29, remainder=100, targeted=[])
    report = teacher_error_report(items, quality_bar=0.9)
    error = report.remainder_error
    assert (error.successes, error.total) == (1, 29)
    assert error.low == pytest.approx(0.0061, abs=5e-5)
    assert error.high == pytest.approx(0.1718, abs=5e-5)
    assert report.accuracy.successes == 28
    assert report.accuracy.low == pytest.approx(1 - 0.1718, abs=5e-5)
    # 71 remainder items nobody reviewed, each wrong with probability 1/29.
    assert report.wrong_left.value == pytest.approx(71 / 29)
    assert report.wrong_left.low == pytest.approx(71 * 0.0061, abs=0.01)
    assert report.wrong_left.high == pytest.approx(71 * 0.1718, abs=0.01)
    assert report.residual_error_rate.value == pytest.approx(71 / 29 / 100)
    # Upper bound 12.2 % of the labels > the 10 % a 0.9 bar allows: "not proven yet".
    assert report.warning.startswith("Not proven yet")


def test_zero_errors_in_twenty_gives_newcombes_upper_bound() -> None:
    # Newcombe (1998): 0 of 20 → Wilson 0 to 0.1611.
    items = _run_with_sample(wrong=0, sampled=20, remainder=20, targeted=[])
    report = teacher_error_report(items, quality_bar=0.8)
    assert report.remainder_error.low == 0.0
    assert report.remainder_error.high == pytest.approx(0.1611, abs=5e-5)
    assert report.wrong_left.value == 0  # everything was reviewed
    assert report.warning == ""


def test_targeted_items_do_not_enter_the_error_rate_but_count_in_the_overall_figure() -> None:
    targeted = [
        _item(1000 + n, "shipping", queue="disagree", verdict="corrected", final="billing") for n in range(10)
    ]
    items = _run_with_sample(wrong=2, sampled=40, remainder=90, targeted=targeted)
    report = teacher_error_report(items)
    assert report.sample_reviewed == 40
    assert report.remainder_error.successes == 2  # the 10 corrected disagreements are not in it
    assert (report.targeted, report.targeted_wrong) == (10, 10)
    # Stratified: (10 known wrong + 2/40 of the 90 remainder) / 100 labelled.
    assert report.overall_error.value == pytest.approx((10 + 90 * 2 / 40) / 100)


def test_many_errors_warn_in_plain_words() -> None:
    items = _run_with_sample(wrong=15, sampled=30, remainder=300, targeted=[])
    report = teacher_error_report(items, quality_bar=0.9)
    assert report.warning.startswith("Too many wrong labels")
    assert "quality bar of 90 %" in report.warning
    assert "student" in report.warning


def test_nothing_reviewed_yet_says_unknown() -> None:
    report = teacher_error_report([_item(n) for n in range(5)], quality_bar=0.9)
    assert report.accuracy.estimate is None
    assert report.wrong_left.value is None
    assert "unknown" in report.warning


def test_per_label_error_rates_match_a_count_by_hand() -> None:
    items = [
        _item(1, "billing", queue="sample", verdict="accepted"),
        _item(2, "billing", queue="sample", verdict="corrected", final="other"),
        _item(3, "billing", queue="sample", verdict="accepted"),
        _item(4, "shipping", queue="sample", verdict="corrected", final="billing"),
        _item(5, "shipping", queue="sample", verdict="skipped", final=None),
        _item(6, "other", queue="disagree", verdict="corrected", final="billing"),  # targeted: not counted
    ]
    report = teacher_error_report(items)
    rates = {entry.label: (entry.errors.successes, entry.errors.total) for entry in report.per_label}
    assert rates == {"billing": (1, 3), "shipping": (1, 1)}


# -- the review queue ------------------------------------------------------------------------


def test_queue_takes_every_disagreement_and_a_sample_of_the_rest() -> None:
    items = [_item(n, specialist="billing") for n in range(100)]
    items += [_item(100 + n, specialist="shipping") for n in range(7)]  # specialist disagrees
    items.append(_item(200, "banana"))  # not a label: invalid
    queued = build_review_queue(items, ONE_OF, seed=3)
    reasons = [item.queue for item in queued]
    assert reasons[100:107] == ["disagree"] * 7
    assert reasons[107] == "invalid"
    # The sample is drawn from the 100 unflagged items only, sized for them (80 of 100).
    assert reasons[:100].count("sample") == 80
    assert reasons.count("sample") == 80
    assert build_review_queue(items, ONE_OF, seed=3) == queued  # same seed, same queue
    order = queue_order(queued)
    assert [queued[i].queue for i in order[:8]] == ["disagree"] * 7 + ["invalid"]
    assert sorted(order) == [i for i, item in enumerate(queued) if item.queue is not None]


def test_rebuilding_the_queue_keeps_reviewed_items() -> None:
    items = [_item(n) for n in range(20)]
    queued = build_review_queue(items, ONE_OF, seed=1)
    first = next(i for i, item in enumerate(queued) if item.queue == "sample")
    queued[first] = LabelledItem(**{**queued[first].__dict__, "review": Review("accepted", "billing", 4.0)})
    again = build_review_queue(queued, ONE_OF, seed=99)
    assert again[first].queue == "sample"
    assert sum(1 for item in again if item.queue == "sample") == review_sample_size(20)


def test_read_answer_uses_the_task_spelling_of_labels() -> None:
    assert read_answer(" Billing.", ONE_OF, LABELS) == ("billing", True, "")
    _answer, valid, problem = read_answer("I think shipping", ONE_OF, LABELS)
    assert not valid and "not one of the labels" in problem
    assert read_answer('{"a": 1}', ScorerSpec(kind="json_fields"))[1]
    assert not read_answer("{oops", ScorerSpec(kind="json_fields"))[1]
    assert not read_answer("none", ScorerSpec(kind="number"))[1]


# -- measured costs --------------------------------------------------------------------------


def test_costs_per_example_and_review_cost_by_hand() -> None:
    items = [
        LabelledItem(
            "a",
            "x",
            _teacher("billing", cost=0.002, tokens=(300, 2)),
            review=Review("accepted", "billing", 20.0),
        ),
        LabelledItem(
            "b",
            "y",
            _teacher("other", cost=0.004, tokens=(500, 4)),
            review=Review("corrected", "billing", 40.0),
        ),
        LabelledItem("c", "z", _teacher("other", cost=0.003, tokens=(400, 3))),
        LabelledItem("d", "w", TeacherAnswer("", "", False, error="500 Internal Server Error")),
    ]
    costs = distillation_costs(items, hourly_rate=60.0)
    assert costs.labelled == 3
    assert costs.teacher_cost_per_example == pytest.approx(0.003)
    assert costs.teacher_input_tokens == pytest.approx(400)
    assert costs.teacher_output_tokens == pytest.approx(3)
    assert costs.review_share == pytest.approx(2 / 3)
    assert costs.review_seconds_per_item == pytest.approx(30.0)
    # 30 s at $60 an hour is half a dollar.
    assert costs.review_cost_per_example == pytest.approx(0.5)
    assert math.isclose(distillation_costs(items, None).review_share, 2 / 3)
    assert distillation_costs(items, None).review_cost_per_example is None


def test_items_round_trip_through_json() -> None:
    item = _item(7, "shipping", queue="disagree", verdict="corrected", final="billing", specialist="billing")
    assert LabelledItem.from_json(item.to_json()) == item
    with pytest.raises(ValueError, match="verdict"):
        LabelledItem.from_json({**item.to_json(), "review": {"verdict": "maybe"}})


def test_a_decision_is_an_accept_only_when_it_keeps_the_teachers_valid_answer() -> None:
    from app.domain.distill import apply_review

    item = _item(1, "billing")
    assert apply_review(item, "billing", 2.0).review == Review("accepted", "billing", 2.0)
    assert apply_review(item, "other", 2.0).review == Review("corrected", "other", 2.0)
    assert apply_review(item, None, 1.0).review == Review("skipped", None, 1.0)
    invalid = _item(2, "banana")
    assert apply_review(invalid, "banana", 1.0).review == Review("corrected", "banana", 1.0)


def test_measured_fields_for_the_scenario_come_from_the_costs_and_the_report() -> None:
    from app.domain.distill import measured_distillation
    from app.domain.scenario import Distillation

    items = _run_with_sample(wrong=1, sampled=4, remainder=10, targeted=[])
    costs = distillation_costs(items, hourly_rate=36.0)
    fields = measured_distillation(costs, teacher_error_report(items), "run 1")
    assert fields["examples"] == 10
    assert fields["human_review_share"] == 0.4
    assert fields["review_cost_per_example"] == pytest.approx(10.0 * 36 / 3600)  # 10 s each at $36/h
    assert fields["teacher_error_rate"] == pytest.approx(0.25)  # 1 of 4, no flagged items
    Distillation.model_validate(fields)  # every field is a valid scenario value


def test_when_every_item_is_flagged_only_the_unreviewed_ones_are_uncertain() -> None:
    items = [_item(n, "banana", queue="invalid") for n in range(4)]
    items[0] = _item(0, "banana", queue="invalid", verdict="corrected", final="billing")
    items[1] = _item(1, "banana", queue="invalid", verdict="corrected", final="other")
    report = teacher_error_report(items, quality_bar=0.9)
    assert report.accuracy.estimate is None  # no random sample to measure on
    assert (report.wrong_left.value, report.wrong_left.low, report.wrong_left.high) == (0.0, 0.0, 2.0)
    assert (report.overall_error.value, report.overall_error.high) == (0.5, 1.0)
    assert report.warning.startswith("Not proven yet")
