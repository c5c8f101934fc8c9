"""Spot-check results files: a header line, one line per finished item, a summary line when done.

Written as items finish (a crash loses at most the items in flight, and a run resumes from the
file), read back for the memo, `--fresh`, the window's reopening of the last results, and resume.
A later line for the same item wins, so a grade by hand is one more line, not a rewrite.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.evaluation import ItemResult, SpotcheckSummary, TestSet, summary_from_json
from app.storage.atomic import append_record, atomic_write_text
from app.storage.jsonl import JsonLinesError, read_json_lines, record_problem
from app.storage.regular_files import FileRefusedError, os_problem

RESULTS_FORMAT = "specialist-studio-spotcheck"
RESULTS_VERSION = 1
# Far above any real run (100,000 items of a few kilobytes); a bigger file is not a results file.
MAX_RESULTS_BYTES = 1024 * 1024 * 1024


class SpotcheckError(Exception):
    """A run that cannot start (e.g. a results file from another version of the set); one line."""


@dataclass(frozen=True)
class ResultsFile:
    """What a results file holds. Items are keyed by id; a later line for the same id wins."""

    header: dict[str, Any]
    items: dict[str, ItemResult]
    summary: SpotcheckSummary | None


def results_header(test_set: TestSet, extra: dict[str, Any]) -> dict[str, Any]:
    """The first line of a results file: which set (and which version of it) the items belong to."""
    return {
        "type": "header",
        "format": RESULTS_FORMAT,
        "version": RESULTS_VERSION,
        "set_name": test_set.name,
        "set_fingerprint": test_set.fingerprint,
        **extra,
    }


_NOT_RESULTS = (
    "not a spot-check results file (no header line; results are what "
    "'specialist-studio spotcheck SET -o FILE' writes)"
)


def read_results(path: Path) -> ResultsFile:
    """Parse a results file; raises `SpotcheckError` naming the bad line."""
    path = Path(path)
    try:
        # A last line cut short by a crash or a kill: its item is simply redone.
        lines = read_json_lines(
            path, "a spot-check results file", MAX_RESULTS_BYTES, forgive_cut_last_line=True
        )
    except JsonLinesError as exc:
        raise SpotcheckError(str(exc)) from exc
    header: dict[str, Any] | None = None
    items: dict[str, ItemResult] = {}
    summary: SpotcheckSummary | None = None
    for line in lines:
        if header is None and line.kind != "header":
            # A results file opens with its header; anything else (often the test set itself,
            # given where results were meant) is named as such rather than as an odd line type.
            raise SpotcheckError(f"{path.name}: {_NOT_RESULTS}")
        try:
            if line.kind == "header":
                if line.data.get("format") != RESULTS_FORMAT:
                    raise ValueError("not a spot-check results file")
                header = line.data
            elif line.kind == "item":
                result = ItemResult.from_json(line.data)
                items[result.item_id] = result
            elif line.kind == "summary":
                summary = summary_from_json(line.data)
            else:
                raise ValueError(f"unknown line type {line.kind!r}")
        except (KeyError, TypeError, ValueError) as exc:
            raise SpotcheckError(record_problem(path, line, exc)) from exc
    if header is None:
        raise SpotcheckError(f"{path.name}: {_NOT_RESULTS}")
    return ResultsFile(header, items, summary)


def load_spotcheck_results(path: Path) -> SpotcheckSummary:
    """The summary of a finished (or stopped) run, for the memo's spot-check section."""
    results = read_results(path)
    if results.summary is None:
        raise SpotcheckError(f"{Path(path).name}: no summary line: the run stopped early (resume it)")
    return results.summary


class ResultsWriter:
    """Appends one JSON line per finished item, so a crash loses at most the items in flight.

    The first write (header and kept items) goes through the one atomic write; a failed append
    (a full disk) is undone to the last whole line and reported as one `SpotcheckError` line, so
    the file stays readable and resumable. With no path it writes nothing (a run kept in memory).
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()

    def start(self, header: dict[str, Any], kept: list[ItemResult]) -> None:
        """Write the header and the items kept from an earlier run (no stale summary)."""
        if self._path is None:
            return
        lines = [json.dumps(header, ensure_ascii=False)]
        lines += [json.dumps(result.to_json(), ensure_ascii=False) for result in kept]
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self._path, "\n".join(lines) + "\n", what="the spot-check results")
        except OSError as exc:
            raise SpotcheckError(_write_problem(self._path, exc)) from None

    def append(self, line: dict[str, Any], durable: bool = False) -> None:
        """One more line; `durable` also survives a power loss (the summary: fsync costs ms per item)."""
        if self._path is None:
            return
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            try:
                append_record(self._path, data, what="the spot-check results", durable=durable)
            except OSError as exc:
                raise SpotcheckError(_write_problem(self._path, exc)) from None


def _write_problem(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileRefusedError):
        return str(exc)
    return f"{path}: could not write the spot-check results ({os_problem(exc)})"


def save_grades(results_path: Path, updated: list[ItemResult], summary: SpotcheckSummary) -> None:
    """Append re-graded items and a fresh summary to a results file (a later line wins on reading)."""
    writer = ResultsWriter(results_path)
    for result in updated:
        writer.append(result.to_json())
    writer.append(summary.to_json(), durable=True)
