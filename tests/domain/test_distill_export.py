"""Training-set export: dedupe, held-out test slice, stratified split and the four line formats."""

from __future__ import annotations

from collections import Counter

import pytest

from app.domain.distill import LabelledItem, Review, TeacherAnswer
from app.domain.distill_export import (
    Example,
    SplitPlan,
    dedupe,
    format_example,
    prepare_split,
    stratified_split,
)


def _example(number: int, label: str, verified: bool = False, sampled: bool = False) -> Example:
    return Example(f"e{number}", f"input {number}", label, verified, sampled)


def test_split_keeps_each_label_in_proportion_and_never_overlaps() -> None:
    examples = [_example(n, "a") for n in range(100)] + [_example(100 + n, "b") for n in range(40)]
    train, validation, test = stratified_split(examples, SplitPlan(train_share=0.75, test_share=0.1, seed=5))
    ids = [[e.item_id for e in part] for part in (train, validation, test)]
    assert sum(len(part) for part in ids) == 140
    assert len(set().union(*map(set, ids))) == 140  # no example in two slices
    per_slice = [Counter(e.output for e in part) for part in (train, validation, test)]
    # By hand: a: test 10, then 90 → train 68 (67.5 rounds to even 68), validation 22;
    # b: test 4, then 36 → train 27, validation 9.
    assert per_slice[2] == Counter({"a": 10, "b": 4})
    assert per_slice[0] == Counter({"a": 68, "b": 27})
    assert per_slice[1] == Counter({"a": 22, "b": 9})
    assert stratified_split(examples, SplitPlan(0.75, 0.1, seed=5)) == (train, validation, test)
    assert stratified_split(examples, SplitPlan(0.75, 0.1, seed=6)) != (train, validation, test)


def test_test_slice_prefers_verified_sample_items() -> None:
    examples = [_example(n, "a", verified=n < 5, sampled=n < 5) for n in range(50)]
    _, _, test = stratified_split(examples, SplitPlan(0.9, 0.1, seed=1))
    assert sorted(e.item_id for e in test) == [f"e{n}" for n in range(5)]


def test_dedupe_drops_exact_repeats_and_prefers_a_reviewed_answer() -> None:
    examples = [
        Example("1", "same", "a", False, False),
        Example("2", "other", "b", False, False),
        Example("3", "same", "b", True, True),
        Example("4", "same", "a", False, False),
    ]
    kept, removed, conflicting = dedupe(examples)
    assert [(e.item_id, e.input) for e in kept] == [("3", "same"), ("2", "other")]
    assert removed == 2
    assert conflicting == 1  # one input ("same") came with two different answers


def test_prepare_split_uses_corrections_and_leaves_out_unusable_items() -> None:
    items = [
        LabelledItem("1", "x", TeacherAnswer("a", "a", True), review=Review("corrected", "b", 3.0)),
        LabelledItem("2", "y", TeacherAnswer("zzz", "zzz", False)),  # invalid and not corrected
        LabelledItem("3", "z", TeacherAnswer("", "", False, error="timeout")),
        LabelledItem("4", "w", TeacherAnswer("a", "a", True), review=Review("skipped", None, 1.0)),
    ]
    split = prepare_split(items, SplitPlan(1.0, 0.0))
    outputs = {e.item_id: e.output for e in split.train}
    assert outputs == {"1": "b", "4": "a"}
    assert split.unusable == 2


@pytest.mark.parametrize(
    ("export_format", "expected"),
    [
        (
            "openai-chat",
            {
                "messages": [
                    {"role": "system", "content": "S"},
                    {"role": "user", "content": "in"},
                    {"role": "assistant", "content": "out"},
                ]
            },
        ),
        (
            "hf-chat",
            {
                "conversations": [
                    {"role": "system", "content": "S"},
                    {"role": "user", "content": "in"},
                    {"role": "assistant", "content": "out"},
                ]
            },
        ),
        ("alpaca", {"instruction": "S", "input": "in", "output": "out"}),
        (
            "sharegpt",
            {
                "conversations": [
                    {"from": "system", "value": "S"},
                    {"from": "human", "value": "in"},
                    {"from": "gpt", "value": "out"},
                ]
            },
        ),
    ],
)
def test_each_format_writes_the_documented_shape(export_format: str, expected: dict[str, object]) -> None:
    example = Example("1", "in", "out", True, True)
    assert format_example(example, export_format, "S") == expected  # type: ignore[arg-type]


def test_no_system_prompt_means_no_system_turn() -> None:
    line = format_example(Example("1", "in", "out", False, False), "openai-chat", None)
    assert [m["role"] for m in line["messages"]] == ["user", "assistant"]
