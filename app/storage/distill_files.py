"""Distillation files: unlabelled inputs in, the labelled-and-reviewed file, and the exported training set.

Inputs are a spot-check style set (`.jsonl`/`.csv` with `input`; see `app.storage.testsets`) or the
playground's exported history (`prompt` per line). The labelled file is JSONL: a header line (which
inputs, which teacher, prompt template and scorer, prices) and one line per item with the teacher's
answer, its tokens and cost, and the review. Every write goes through `atomic_write_text`, so a
crash leaves the previous checkpoint, never half a file.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.distill import LABELLED_FORMAT, LABELLED_VERSION, LabelledItem
from app.domain.distill_export import (
    ExportFormat,
    SplitResult,
    format_example,
    test_set_row,
)
from app.domain.evaluation import PromptTemplate, TestItem, TestSet
from app.storage.atomic import append_record, atomic_write_text
from app.storage.jsonl import JsonLinesError, read_json_lines, record_problem
from app.storage.regular_files import FileRefusedError, read_regular_bytes
from app.storage.testsets import TestSetError, load_test_set

# A labelled file holds each input and its answers: far above any real set, far below memory's end.
MAX_FILE_BYTES = 1 << 30


class DistillFileError(Exception):
    """A distillation file that cannot be used; the message is one line naming file and problem."""


def load_inputs(path: Path) -> TestSet:
    """Unlabelled inputs from a `.jsonl`/`.csv` set or a playground history export."""
    path = Path(path)
    history = _playground_history(path)
    if history is not None:
        return history
    try:
        return load_test_set(path)
    except TestSetError as exc:
        raise DistillFileError(str(exc)) from exc


def _playground_history(path: Path) -> TestSet | None:
    """The playground's exported history as inputs (its prompts), or None when it is not one."""
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        return None
    try:
        raw = read_regular_bytes(path, "an inputs file", MAX_FILE_BYTES)
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None  # the set loader names the problem
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    try:
        first = json.loads(lines[0][1]) if lines else None
    except json.JSONDecodeError:
        return None
    if not (isinstance(first, dict) and "prompt" in first and "input" not in first and "local" in first):
        return None
    items: list[TestItem] = []
    for number, line in lines:
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DistillFileError(f"{path.name}: line {number}: not valid JSON ({exc.msg})") from exc
        prompt = row.get("prompt") if isinstance(row, dict) else None
        if not isinstance(prompt, str) or not prompt.strip():
            raise DistillFileError(f"{path.name}: line {number}: prompt: must be non-empty text")
        items.append(TestItem(item_id=f"h{number}", input=prompt, line=number))
    return TestSet(path.stem, path, tuple(items), hashlib.sha256(raw).hexdigest())


# ---------------------------------------------------------------------------------------------
# The labelled file


@dataclass(frozen=True)
class LabelledFile:
    """A labelled file's header and items (file order; a later line for the same id wins)."""

    header: dict[str, Any]
    items: list[LabelledItem]

    @property
    def template(self) -> PromptTemplate:
        """The prompt template the teacher was asked with."""
        return PromptTemplate.model_validate(self.header.get("prompt", {}))


def labelled_header(
    inputs: TestSet, template: PromptTemplate, teacher: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The first line of a labelled file."""
    return {
        "type": "header",
        "format": LABELLED_FORMAT,
        "version": LABELLED_VERSION,
        "source": inputs.path.name,
        "source_fingerprint": inputs.fingerprint,
        "teacher": teacher,
        "prompt": template.model_dump(mode="json"),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **(extra or {}),
    }


def read_labelled(path: Path) -> LabelledFile:
    """Parse a labelled file; raises `DistillFileError` naming the bad line."""
    path = Path(path)
    try:
        lines = read_json_lines(path, "a labelled file", MAX_FILE_BYTES)
    except JsonLinesError as exc:
        raise DistillFileError(str(exc)) from exc
    header: dict[str, Any] | None = None
    items: dict[str, LabelledItem] = {}
    for line in lines:
        if header is None:
            if line.kind != "header" or line.data.get("format") != LABELLED_FORMAT:
                raise DistillFileError(
                    f"{path.name}: not a labelled file (no header line; labelled files are what "
                    "'specialist-studio distill label' writes)"
                )
            if line.data.get("version") != LABELLED_VERSION:
                raise DistillFileError(
                    f"{path.name}: labelled file version {line.data.get('version')!r} not supported"
                )
            header = line.data
            continue
        try:
            if line.kind != "item":
                raise ValueError(f"unknown line type {line.kind!r}")
            item = LabelledItem.from_json(line.data)
        except (KeyError, TypeError, ValueError) as exc:
            raise DistillFileError(record_problem(path, line, exc)) from exc
        items[item.item_id] = item
    if header is None:
        raise DistillFileError(f"{path.name}: empty file: not a labelled file")
    try:
        PromptTemplate.model_validate(header.get("prompt", {}))
    except ValueError as exc:
        raise DistillFileError(f"{path.name}: header: prompt: not a valid prompt template") from exc
    return LabelledFile(header, list(items.values()))


def labelled_text(header: dict[str, Any], items: list[LabelledItem]) -> str:
    """The whole labelled file as text."""
    lines = [json.dumps(header, ensure_ascii=False)]
    lines += [json.dumps(item.to_json(), ensure_ascii=False) for item in items]
    return "\n".join(lines) + "\n"


def _write_error(path: Path, exc: OSError) -> DistillFileError:
    if isinstance(exc, FileRefusedError):
        return DistillFileError(f"{path.name}: {exc.problem}")
    return DistillFileError(f"{path.name}: cannot write ({exc.strerror or exc})")


def write_labelled(path: Path, header: dict[str, Any], items: list[LabelledItem]) -> None:
    """Replace the labelled file atomically; raises `DistillFileError` naming the OS problem."""
    path = Path(path)
    try:
        atomic_write_text(path, labelled_text(header, items), what="the labelled file")
    except OSError as exc:
        raise _write_error(path, exc) from exc


class Checkpoint:
    """Keeps the labelled file current while a run adds items.

    `flush` rewrites the whole file atomically (at the start and the end of a run); `add` appends
    one item line in between, so a stop or a crash loses at most the requests in flight and a long
    run never rewrites a growing file per item. A later line for the same id wins on reading.
    """

    def __init__(self, path: Path, header: dict[str, Any], items: list[LabelledItem]) -> None:
        self.path = Path(path)
        self.header = header
        self._order = [item.item_id for item in items]
        self._items = {item.item_id: item for item in items}
        self._dirty = True

    @property
    def items(self) -> list[LabelledItem]:
        """The items as they stand, in input order."""
        return [self._items[item_id] for item_id in self._order]

    def add(self, item: LabelledItem) -> None:
        """Record one finished item and append its line to the file."""
        if item.item_id not in self._items:
            self._order.append(item.item_id)
        self._items[item.item_id] = item
        if self._dirty:
            self.flush()  # the file does not hold the header and earlier items yet
            return
        line = json.dumps(item.to_json(), ensure_ascii=False) + "\n"
        try:
            append_record(self.path, line.encode("utf-8"), what="the labelled file")
        except OSError as exc:
            raise _write_error(self.path, exc) from exc

    def flush(self) -> None:
        """Rewrite the file compactly (header, one line per item) if it may be behind."""
        write_labelled(self.path, self.header, self.items)
        self._dirty = False


# ---------------------------------------------------------------------------------------------
# The exported training set


def write_export(
    out_dir: Path,
    split: SplitResult,
    export_format: ExportFormat,
    system: str | None,
    readme: str,
    template: PromptTemplate | None,
) -> list[Path]:
    """Write train/validation/test JSONL, README.txt and test.prompt.json; the paths written."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DistillFileError(f"{out_dir}: cannot create the folder ({exc.strerror or exc})") from exc
    files: list[tuple[Path, str]] = []
    for name, part in (("train", split.train), ("validation", split.validation)):
        lines = [
            json.dumps(format_example(example, export_format, system), ensure_ascii=False) for example in part
        ]
        files.append((out_dir / f"{name}.jsonl", "".join(line + "\n" for line in lines)))
    test_lines = [json.dumps(test_set_row(example), ensure_ascii=False) for example in split.test]
    files.append((out_dir / "test.jsonl", "".join(line + "\n" for line in test_lines)))
    if template is not None:
        # Beside the test slice under the name spot-check looks for, so `spotcheck test.jsonl` just runs.
        files.append(
            (out_dir / "test.prompt.json", json.dumps(template.model_dump(mode="json"), indent=2) + "\n")
        )
    files.append((out_dir / "README.txt", readme))
    for path, text in files:
        try:
            atomic_write_text(path, text, what=f"the export's {path.name}")
        except OSError as exc:
            raise _write_error(path, exc) from exc
    return [path for path, _ in files]
