"""JSON-lines files the app writes and reads back (spot-check results, labelled sets): one reader.

The file is read whole through the regular-file checks (no pipe, no device, a size limit), decoded
as UTF-8 and parsed line by line, blank lines skipped. Every fault is one line naming the file and,
where it has one, the line. A last line cut short by a crash or a kill may be forgiven: its item is
simply done again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.storage.regular_files import FileRefusedError, read_regular_bytes


class JsonLinesError(ValueError):
    """A JSON-lines file that cannot be read; the message is one line naming the file (and line)."""


@dataclass(frozen=True)
class JsonLine:
    """One parsed line and its number in the file (from 1)."""

    number: int
    data: Any

    @property
    def kind(self) -> Any:
        """The record's `type` ("header", "item", "summary"), or None when the line is no object."""
        return self.data.get("type") if isinstance(self.data, dict) else None


def read_json_lines(
    path: Path, what: str, max_bytes: int, *, forgive_cut_last_line: bool = False
) -> list[JsonLine]:
    """The parsed lines of `path` ("a spot-check results file" names it in refusals).

    Raises `JsonLinesError`: "NAME: PROBLEM" for a file refused or unreadable, "NAME: not UTF-8
    text (byte N)", "NAME: line N: not valid JSON (MESSAGE)".
    """
    path = Path(path)
    try:
        text = read_regular_bytes(path, what, max_bytes).decode("utf-8")
    except FileRefusedError as exc:
        raise JsonLinesError(f"{path.name}: {exc.problem}") from exc
    except UnicodeDecodeError as exc:
        raise JsonLinesError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise JsonLinesError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc
    lines = text.splitlines()
    parsed: list[JsonLine] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            parsed.append(JsonLine(number, json.loads(line)))
        except json.JSONDecodeError as exc:
            if forgive_cut_last_line and number == len(lines):
                break
            raise JsonLinesError(f"{path.name}: line {number}: not valid JSON ({exc.msg})") from exc
    return parsed


def record_problem(path: Path, line: JsonLine, exc: Exception) -> str:
    """ "NAME: line N: missing field 'x'" (or the record's own message) for a line that does not parse."""
    detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
    return f"{Path(path).name}: line {line.number}: {detail}"
