"""Loading spot-check sets: JSONL and CSV, the demo set, and malformed sets that fail as a whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.domain.evaluation import OOD_TAG
from app.storage.resources import resource_path
from app.storage.testsets import (
    MAX_LISTED_PROBLEMS,
    TestSetError,
    default_prompt_for,
    load_prompt_template,
    load_test_set,
)

LABELS = {"billing", "shipping", "technical", "account", "other"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_set_meets_its_brief() -> None:
    path = resource_path("spotcheck", "support_triage.jsonl")
    test_set = load_test_set(path)
    assert len(test_set.items) >= 80
    assert test_set.ood_count >= 15
    assert {item.expected for item in test_set.items} == LABELS
    assert all(item.reference_output in LABELS for item in test_set.items)
    # Recorded answers are plausible, not copies: the frontier model gets a few wrong.
    assert 0 < sum(item.reference_output != item.expected for item in test_set.items) < 10
    template = default_prompt_for(path)
    assert template is not None
    assert set(template.labels) == LABELS
    assert template.scorer.kind == "one_of"
    assert template.specialist.mode == "completion"
    # The few-shot examples are not test items (no leak of answers into the prompt).
    inputs = {item.input for item in test_set.items}
    assert not any(f"Message: {text}\n" in template.specialist.template for text in inputs)


def test_jsonl_with_every_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "set.jsonl",
        '{"id": "a", "input": "one", "expected": "x", "reference_output": "x", "tags": ["ood", "lang"]}\n'
        "\n"
        '{"input": "two"}\n',
    )
    test_set = load_test_set(path)
    first, second = test_set.items
    assert (first.item_id, first.tags, first.is_ood) == ("a", (OOD_TAG, "lang"), True)
    # Without an id the line number is the id (stable, so resuming finds the item again).
    assert (second.item_id, second.expected, second.tags, second.line) == ("3", None, (), 3)
    assert test_set.name == "set"
    assert len(test_set.fingerprint) == 64
    assert len(test_set.limited(1).items) == 1


def test_csv_with_semicolon_tags_and_quoted_newlines(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "set.csv",
        'id,input,expected,tags\n1,"line one\nline two",billing,ood; lang\n2,plain,,\n',
    )
    first, second = load_test_set(path).items
    assert first.input == "line one\nline two"
    assert first.tags == ("ood", "lang")
    assert second.expected is None
    assert second.tags == ()


def test_malformed_jsonl_lists_every_problem_with_line_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.jsonl",
        '{"input": "fine"}\n'
        '{"input": "missing quote}\n'
        '{"expected": "x"}\n'
        '{"input": "t", "tags": "ood"}\n'
        '{"input": "t", "expectd": "x"}\n'
        '["not", "an", "object"]\n'
        '{"input": "   "}\n'
        '{"id": "1", "input": "dup of line 1 id"}\n',
    )
    with pytest.raises(TestSetError) as caught:
        load_test_set(path)
    message = str(caught.value)
    assert message.startswith("bad.jsonl: ")
    assert "line 2: not valid JSON" in message
    assert "line 3: input: required field is missing" in message
    assert "line 4: tags: must be a list of strings" in message
    assert "line 5: expectd: unknown field (typo?)" in message
    assert "line 6: expected a JSON object, got list" in message
    assert "line 7: input: must not be empty" in message
    assert "line 8: id: '1' repeats line 1" in message
    assert len(caught.value.problems) == 7


def test_malformed_csv(tmp_path: Path) -> None:
    no_input = _write(tmp_path / "a.csv", "question,expected\nhi,x\n")
    with pytest.raises(TestSetError, match="line 1: input: the header has no 'input' column"):
        load_test_set(no_input)
    extra_cells = _write(tmp_path / "b.csv", "input,expected\nhi,x,surplus\n")
    with pytest.raises(TestSetError, match="line 2: more cells than header columns"):
        load_test_set(extra_cells)


def test_problem_list_is_capped(tmp_path: Path) -> None:
    path = _write(tmp_path / "many.jsonl", "not json\n" * 30)
    with pytest.raises(TestSetError) as caught:
        load_test_set(path)
    assert len(caught.value.problems) == 30
    assert str(caught.value).count("not valid JSON") == MAX_LISTED_PROBLEMS
    assert str(caught.value).endswith("and 10 more problems")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.jsonl", "", "no items (the set is empty)"),
        ("set.txt", "input\n", "unknown test set type .txt"),
        ("latin1.jsonl", None, "not UTF-8 text"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, content: str | None, problem: str) -> None:
    path = tmp_path / name
    if content is None:
        path.write_bytes('{"input": "café"}'.encode("latin-1"))
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TestSetError, match=re.escape(problem)):
        load_test_set(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TestSetError, match=r"nope\.jsonl: file not found"):
        load_test_set(tmp_path / "nope.jsonl")


def test_prompt_template_errors_name_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.prompt.json", json.dumps({"scorer": {"kind": "one_of"}}))
    with pytest.raises(TestSetError, match="scorer: the one_of scorer needs a list of labels"):
        load_prompt_template(path)
    typo = _write(tmp_path / "q.prompt.json", json.dumps({"scorr": {}}))
    with pytest.raises(TestSetError, match="scorr: unknown field"):
        load_prompt_template(typo)
    assert default_prompt_for(tmp_path / "no_template.jsonl") is None


def test_problems_are_listed_in_file_order(tmp_path: Path) -> None:
    # JSON problems and field problems come from two passes; the message reads top to bottom.
    path = _write(tmp_path / "mixed.jsonl", '{"id": "a"}\nnope\n{"input": "x", "tags": 5}\n[1]\n')
    with pytest.raises(TestSetError) as caught:
        load_test_set(path)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "line 1",
        "line 2",
        "line 3",
        "line 4",
    ]


def test_limit_draws_a_seeded_stratified_sample_not_the_first_items() -> None:
    from app.storage.resources import resource_path

    full = load_test_set(resource_path("spotcheck", "support_triage.jsonl"))
    ood_share = full.ood_count / len(full.items)  # 19 of 87, all at the end of the file
    for limit in (5, 10, 20, 40):
        sample = full.limited(limit)
        assert len(sample.items) == limit
        # ood items in proportion (rounded), at least one: never dropped as a prefix would
        assert abs(sample.ood_count - limit * ood_share) <= 1
        assert sample.ood_count >= 1
        positions = [full.items.index(item) for item in sample.items]
        assert positions == sorted(positions)  # file order kept
        assert sample.items == full.limited(limit).items  # same seed, same sample
    labels = {item.expected for item in full.limited(10).items}
    assert labels == {"billing", "shipping", "technical", "account", "other"}
    assert full.limited(10, seed=1).items != full.limited(10).items
    assert full.limited(None) is full and full.limited(500) is full
