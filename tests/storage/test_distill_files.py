"""Distillation files: inputs from a set or the playground's history, the labelled file, checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.domain.distill import LabelledItem, TeacherAnswer
from app.domain.evaluation import PromptTemplate
from app.storage.distill_files import (
    Checkpoint,
    DistillFileError,
    labelled_header,
    load_inputs,
    read_labelled,
    write_labelled,
)


def test_playground_history_becomes_inputs(tmp_path: Path) -> None:
    path = tmp_path / "playground-history.jsonl"
    runs = [
        {"timestamp": "t", "prompt": "Where is my parcel?", "settings": {}, "local": {}, "frontier": {}},
        {"timestamp": "t", "prompt": "Refund please", "settings": {}, "local": {}, "frontier": {}},
    ]
    path.write_text("".join(json.dumps(run) + "\n" for run in runs), encoding="utf-8")
    inputs = load_inputs(path)
    assert [(item.item_id, item.input) for item in inputs.items] == [
        ("h1", "Where is my parcel?"),
        ("h2", "Refund please"),
    ]
    path.write_text(json.dumps({**runs[0], "prompt": ""}) + "\n", encoding="utf-8")
    with pytest.raises(DistillFileError, match="line 1: prompt: must be non-empty text"):
        load_inputs(path)


def test_a_set_without_input_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "inputs.csv"
    path.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(DistillFileError, match="no 'input' column"):
        load_inputs(path)


def _header(tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "in.jsonl"
    path.write_text('{"input": "a"}\n', encoding="utf-8")
    return labelled_header(load_inputs(path), PromptTemplate(), "teacher")


def test_labelled_file_round_trips_and_names_a_bad_line(tmp_path: Path) -> None:
    items = [
        LabelledItem("1", "a", TeacherAnswer("x", "x", True, input_tokens=3, output_tokens=1, cost_usd=1e-6))
    ]
    path = tmp_path / "labelled.jsonl"
    write_labelled(path, _header(tmp_path), items)
    assert read_labelled(path).items == items
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left nothing behind
    path.write_text(path.read_text(encoding="utf-8") + '{"type": "item", "id": "2"}\n', encoding="utf-8")
    with pytest.raises(DistillFileError, match="line 3: missing field 'input'"):
        read_labelled(path)
    other = tmp_path / "results.jsonl"
    other.write_text('{"type": "header", "format": "specialist-studio-spotcheck"}\n', encoding="utf-8")
    with pytest.raises(DistillFileError, match="not a labelled file"):
        read_labelled(other)


def test_checkpoint_appends_each_item_and_flush_compacts(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    checkpoint = Checkpoint(path, _header(tmp_path), [])
    checkpoint.add(
        LabelledItem("1", "a", TeacherAnswer("", "", False, error="timeout"))
    )  # writes the header too
    checkpoint.add(LabelledItem("2", "b", TeacherAnswer("y", "y", True)))  # appended
    checkpoint.add(LabelledItem("1", "a", TeacherAnswer("x", "x", True)))  # asked again: a later line
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4  # header and three item lines
    assert [(item.item_id, item.labelled) for item in read_labelled(path).items] == [("1", True), ("2", True)]
    checkpoint.flush()
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3  # one line per item


def test_devices_and_folders_are_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(DistillFileError, match="not a regular file"):
        read_labelled(Path("/dev/zero"))  # would otherwise read until memory runs out
    with pytest.raises(DistillFileError, match=r"labelled\.jsonl: is a folder"):
        (tmp_path / "labelled.jsonl").mkdir()
        write_labelled(tmp_path / "labelled.jsonl", _header(tmp_path), [])
