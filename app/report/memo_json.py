"""The memo's content as a JSON file, and back: re-render the same PDF without re-running anything.

`memo_to_json` writes a `MemoContent` exactly (every figure already formatted, every chart series,
every table cell), so `memo_from_json` gives back an equal `MemoContent` and the renderer draws
the same pages from it. Nothing is recomputed on the way back: a memo exported today reads the
same next month, even after the engine or the prices changed.

The file is the content only (plus the paper size it was rendered on); it never holds the
scenario's raw inputs, a key or a folder, because the content never does (`sanitize_text`).

Format: ``{"format": "specialist-studio-memo", "version": 1, "page_size": "A4", "content": {...}}``.
Blocks carry a ``"kind"`` (``paragraph``, ``bullets``, ``table``, ``chart``); non-finite chart
values (a break-even of "never") are written as ``null`` and read back as infinity (the renderer
only asks whether a value is finite).
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from app.report import memo_data
from app.report.memo_data import Bullets, Chart, MemoContent, Paragraph, Table
from app.storage.regular_files import FileRefusedError, read_regular_bytes

MEMO_JSON_FORMAT = "specialist-studio-memo"
MEMO_JSON_VERSION = 1

_BLOCK_KINDS: dict[str, type[Any]] = {
    "paragraph": Paragraph,
    "bullets": Bullets,
    "table": Table,
    "chart": Chart,
}
_KIND_OF = {cls: kind for kind, cls in _BLOCK_KINDS.items()}


class MemoJsonError(ValueError):
    """The file is not a memo content file this version can read; the message is one line."""


# --- writing ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready copy: dataclasses become objects (blocks with their kind), tuples lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data: dict[str, Any] = {}
        kind = _KIND_OF.get(type(value))
        if kind is not None:
            data["kind"] = kind
        for item in dataclasses.fields(value):
            data[item.name] = _plain(getattr(value, item.name))
        return data
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def memo_to_data(content: MemoContent, page_size: str = "A4") -> dict[str, Any]:
    """The memo content as a JSON-ready dict (see the module docstring for the format)."""
    return {
        "format": MEMO_JSON_FORMAT,
        "version": MEMO_JSON_VERSION,
        "page_size": page_size,
        "content": _plain(content),
    }


def memo_to_json(content: MemoContent, page_size: str = "A4") -> str:
    """The memo content as JSON text (UTF-8, indented, stable key order)."""
    return json.dumps(memo_to_data(content, page_size), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


# --- reading ---------------------------------------------------------------------------------


def _fail(where: str, problem: str) -> MemoJsonError:
    return MemoJsonError(f"{where or 'content'}: {problem}")


def _decode(value: Any, hint: Any, where: str) -> Any:
    """`value` read as type `hint` (the dataclass field's annotation), checked as it goes."""
    origin = get_origin(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if value is None and type(None) in options:
            return None
        if set(options) - {type(None)} == set(_KIND_OF):
            return _decode_block(value, where)
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(value, option, where)
            except MemoJsonError:
                continue
        raise _fail(where, f"unexpected value {value!r}")
    if origin is Literal:
        if value not in get_args(hint):
            allowed = ", ".join(repr(choice) for choice in get_args(hint))
            raise _fail(where, f"must be one of {allowed}, not {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _fail(where, "must be a list")
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(item, args[0], f"{where}[{i}]") for i, item in enumerate(value))
        if len(args) != len(value):
            raise _fail(where, f"must have {len(args)} entries, not {len(value)}")
        return tuple(
            _decode(item, arg, f"{where}[{i}]") for i, (item, arg) in enumerate(zip(value, args, strict=True))
        )
    if origin is frozenset:
        if not isinstance(value, list):
            raise _fail(where, "must be a list")
        (arg,) = get_args(hint)
        return frozenset(_decode(item, arg, f"{where}[{i}]") for i, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise _fail(where, "must be an object")
        _, item_hint = get_args(hint)
        return {str(key): _decode(item, item_hint, f"{where}.{key}") for key, item in value.items()}
    if hint is float:
        if value is None:
            return math.inf  # written for a non-finite value (a "never" break-even)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(where, f"must be a number, not {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, f"must be a whole number, not {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise _fail(where, f"must be true or false, not {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise _fail(where, f"must be text, not {value!r}")
        return value
    if hint is date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise _fail(where, f"must be an ISO date, not {value!r}") from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(value, hint, where)
    raise _fail(where, f"cannot read a value of type {hint!r}")  # a field type this reader lacks


def _decode_block(value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _fail(where, "must be an object")
    kind = value.get("kind")
    if kind not in _BLOCK_KINDS:
        raise _fail(where, f"unknown block kind {kind!r} (expected one of {', '.join(_BLOCK_KINDS)})")
    return _decode_dataclass({k: v for k, v in value.items() if k != "kind"}, _BLOCK_KINDS[kind], where)


def _decode_dataclass(value: Any, cls: type[Any], where: str) -> Any:
    if not isinstance(value, dict):
        raise _fail(where, "must be an object")
    hints = get_type_hints(cls, vars(memo_data))
    names = {item.name for item in dataclasses.fields(cls)}
    unknown = sorted(set(value) - names - {"kind"})
    if unknown:
        raise _fail(where, f"unknown field {unknown[0]!r}")
    arguments: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        here = f"{where}.{item.name}" if where else item.name
        if item.name not in value:
            has_default = (
                item.default is not dataclasses.MISSING or item.default_factory is not dataclasses.MISSING
            )
            if has_default:
                continue
            raise _fail(here, "required field is missing")
        arguments[item.name] = _decode(value[item.name], hints[item.name], here)
    try:
        return cls(**arguments)
    except (TypeError, ValueError) as exc:
        raise _fail(where, str(exc)) from None


def memo_from_data(data: Any) -> tuple[MemoContent, str]:
    """(content, page size) from a dict written by `memo_to_data`; `MemoJsonError` when it is not one."""
    if not isinstance(data, dict) or data.get("format") != MEMO_JSON_FORMAT:
        raise MemoJsonError(f'not a memo content file (no "format": "{MEMO_JSON_FORMAT}")')
    version = data.get("version")
    if version != MEMO_JSON_VERSION:
        raise MemoJsonError(
            f"memo content version {version!r} is not one this version reads ({MEMO_JSON_VERSION})"
        )
    page_size = data.get("page_size", "A4")
    if not isinstance(page_size, str):
        raise MemoJsonError("page_size: must be text")
    content = _decode_dataclass(data.get("content"), MemoContent, "")
    return typing.cast(MemoContent, content), page_size


# A memo's content is tens of kilobytes; a long evidence appendix stays well under this.
MAX_MEMO_JSON_BYTES = 50 * 1024 * 1024


def read_memo_json(path: Path) -> tuple[MemoContent, str]:
    """Read a memo content file; `MemoJsonError` names the file and the problem in one line."""
    try:
        # Only a regular file of sane size: a named pipe would block, /dev/zero never end.
        text = read_regular_bytes(path, "a memo content file", MAX_MEMO_JSON_BYTES).decode("utf-8")
    except FileRefusedError as exc:
        raise MemoJsonError(f"{path.name}: {exc.problem}") from None
    except UnicodeDecodeError:
        raise MemoJsonError(f"{path.name}: not a text file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MemoJsonError(f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    try:
        return memo_from_data(data)
    except MemoJsonError as exc:
        raise MemoJsonError(f"{path.name}: {exc}") from None


__all__ = [
    "MEMO_JSON_FORMAT",
    "MEMO_JSON_VERSION",
    "MemoJsonError",
    "memo_from_data",
    "memo_to_data",
    "memo_to_json",
    "read_memo_json",
]
