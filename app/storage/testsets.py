"""Spot-check files: test sets (JSONL or CSV), their prompt templates, and results files.

A test set row has `input`, optional `expected`, `reference_output` (a recorded frontier answer,
so a review works offline), `tags` (a list in JSONL, `;`-separated in CSV) and `id`. A malformed
set fails as a whole, listing every problem (up to `MAX_LISTED_PROBLEMS`) with file, line and
field: nothing is half-loaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.domain.evaluation import PromptTemplate, TestItem, TestSet
from app.domain.labels import check_labels
from app.domain.scenario import describe_validation_error
from app.storage.regular_files import FileRefusedError, read_regular_bytes

MAX_LISTED_PROBLEMS = 20
MAX_ITEMS = 100_000
MAX_FIELD_CHARS = 200_000
KNOWN_FIELDS = ("id", "input", "expected", "reference_output", "tags")
# A set of MAX_ITEMS items of a few kilobytes each fits well within this; a bigger file is a wrong
# file picked (a disk image, a log), read before anything can say so.
MAX_SET_BYTES = 256 * 1024 * 1024
MAX_TEMPLATE_BYTES = 4 * 1024 * 1024


class TestSetError(Exception):
    """A test set, prompt template or results file that cannot be used; str lists the problems."""

    __test__ = False

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more problems" if more > 0 else "")
        super().__init__(f"{path.name}: {text}")


def load_test_set(path: Path) -> TestSet:
    """Read a `.jsonl` or `.csv` test set; raises `TestSetError` naming every bad line and field."""
    path = Path(path)
    try:
        raw = read_regular_bytes(path, "a test set", MAX_SET_BYTES)
    except FileRefusedError as exc:
        raise TestSetError(path, [exc.problem]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TestSetError(path, [f"not UTF-8 text (byte {exc.start})"]) from exc
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        rows, problems = _jsonl_rows(text)
    elif suffix == ".csv":
        rows, problems = _csv_rows(text)
    else:
        raise TestSetError(path, [f"unknown test set type {suffix or '(none)'}; use .jsonl or .csv"])
    items: list[TestItem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        item = _item_from_row(line, row, problems)
        if item is None:
            continue
        if item.item_id in seen:
            problems.append(f"line {line}: id: {item.item_id!r} repeats line {seen[item.item_id]}")
            continue
        seen[item.item_id] = line
        items.append(item)
    if not items and not problems:
        problems.append("no items (the set is empty)")
    if len(items) > MAX_ITEMS:
        problems.append(f"{len(items)} items; at most {MAX_ITEMS} are supported")
    if problems:
        # Parse problems and field problems are found in two passes: list them in file order.
        raise TestSetError(path, sorted(problems, key=_line_number))
    return TestSet(path.stem, path, tuple(items), hashlib.sha256(raw).hexdigest())


def _line_number(problem: str) -> int:
    """The N of a "line N: ..." problem; problems about the whole file sort after every line."""
    match = re.match(r"line (\d+):", problem)
    return int(match.group(1)) if match else sys.maxsize


def _jsonl_rows(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(value, dict):
            problems.append(f"line {number}: expected a JSON object, got {type(value).__name__}")
            continue
        rows.append((number, value))
    return rows, problems


def _csv_rows(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    problems: list[str] = []
    if reader.fieldnames is None:
        return [], ["no header row (need at least an 'input' column)"]
    header = [name.strip() for name in reader.fieldnames]
    if "input" not in header:
        return [], [f"line 1: input: the header has no 'input' column (found: {', '.join(header)})"]
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for row in reader:
            # line_num is the physical line where the record ends; quoted newlines make it differ.
            number = reader.line_num
            if None in row:
                problems.append(f"line {number}: more cells than header columns")
                continue
            cleaned: dict[str, Any] = {}
            for key, value in row.items():
                name = key.strip() if key else key
                if value is None:  # fewer cells than columns
                    continue
                if name == "tags":
                    cleaned[name] = [tag.strip() for tag in value.split(";") if tag.strip()]
                elif value != "" or name == "input":
                    cleaned[name] = value
            if not any(str(value).strip() for value in row.values() if value is not None):
                continue  # a blank line
            rows.append((number, cleaned))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: {exc}")
    return rows, problems


def _item_from_row(line: int, row: dict[str, Any], problems: list[str]) -> TestItem | None:
    before = len(problems)
    for key in row:
        if key not in KNOWN_FIELDS:
            problems.append(f"line {line}: {key}: unknown field (typo?); known: {', '.join(KNOWN_FIELDS)}")
    if "input" not in row:
        problems.append(f"line {line}: input: required field is missing")
    texts: dict[str, str | None] = {}
    for name in ("input", "expected", "reference_output"):
        value = row.get(name)
        if value is None:
            texts[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append(f"line {line}: {name}: must be text, got {type(value).__name__}")
            continue
        text = str(value)
        if len(text) > MAX_FIELD_CHARS:
            problems.append(f"line {line}: {name}: longer than {MAX_FIELD_CHARS} characters")
        texts[name] = text
    if "input" in row and texts.get("input") is not None and not str(texts["input"]).strip():
        problems.append(f"line {line}: input: must not be empty")
    tags_value = row.get("tags", [])
    tags: list[str] = []
    if tags_value is None:
        tags_value = []
    if isinstance(tags_value, list) and all(isinstance(tag, str) for tag in tags_value):
        tags = [tag.strip() for tag in tags_value if tag.strip()]
    else:
        problems.append(f"line {line}: tags: must be a list of strings")
    item_id = row.get("id", line)
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)) or not str(item_id).strip():
        problems.append(f"line {line}: id: must be a non-empty string or number")
    if len(problems) > before:
        return None
    return TestItem(
        item_id=str(item_id).strip(),
        input=str(texts["input"]),
        expected=texts.get("expected"),
        reference_output=texts.get("reference_output"),
        tags=tuple(dict.fromkeys(tags)),
        line=line,
    )


def prompt_template_path(set_path: Path) -> Path:
    """Where a set's prompt template lives: `<set stem>.prompt.json` beside it."""
    return set_path.with_name(f"{set_path.stem}.prompt.json")


def load_prompt_template(path: Path) -> PromptTemplate:
    """Read a prompt template; raises `TestSetError` naming the field and problem."""
    try:
        data = json.loads(read_regular_bytes(path, "a prompt template", MAX_TEMPLATE_BYTES).decode("utf-8"))
    except FileRefusedError as exc:
        raise TestSetError(Path(path), [exc.problem]) from exc
    except UnicodeDecodeError as exc:
        raise TestSetError(Path(path), [f"not UTF-8 text (byte {exc.start})"]) from exc
    except json.JSONDecodeError as exc:
        raise TestSetError(Path(path), [f"line {exc.lineno}: not valid JSON ({exc.msg})"]) from exc
    if not isinstance(data, dict):
        found = type(data).__name__
        raise TestSetError(Path(path), [f"expected a JSON object with the template's fields, got {found}"])
    try:
        template = PromptTemplate.model_validate(data)
    except ValidationError as exc:
        raise TestSetError(Path(path), [describe_validation_error(exc)]) from exc
    for field, labels in (("labels", template.labels), ("scorer.labels", template.scorer.labels)):
        try:
            # The labels become a grammar for the local model: refuse what llama.cpp cannot take.
            check_labels(labels) if labels else None
        except ValueError as exc:
            raise TestSetError(Path(path), [f"{field}: {exc}"]) from exc
    return template


def default_prompt_for(set_path: Path) -> PromptTemplate | None:
    """The set's own prompt template when one lies beside it, else None."""
    candidate = prompt_template_path(set_path)
    return load_prompt_template(candidate) if candidate.is_file() else None
