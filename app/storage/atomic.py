"""Atomic file writes: readers (and a crash) see the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

_NEW_FILE_MODE = 0o644


def json_text(data: Any) -> str:
    """Indented JSON that always encodes as UTF-8, ending in a newline.

    Non-ASCII text is written as itself for people reading the file; the exception is a lone
    surrogate (a file name with undecodable bytes, or a `\\ud800` escape read from a file), which
    UTF-8 cannot encode, so such a document is written with ASCII escapes and still round-trips.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, indent=2, ensure_ascii=True)
    return text + "\n"


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` via a temporary file in the same folder, fsync, then `os.replace`.

    The temporary file lives next to the target because `os.replace` is only atomic within one
    file system. On any failure the temporary file is removed and the old file stays intact.
    Raises `OSError` (the caller turns it into a message naming the file).
    """
    path = Path(path)
    if path.is_symlink():
        # Replace the file the link points at, not the link itself.
        path = path.resolve()
    folder = path.parent if str(path.parent) else Path()
    data = text.encode(encoding)
    # Keep the permissions of the file being replaced; mkstemp would otherwise leave 0600.
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _NEW_FILE_MODE
    descriptor, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    temp_path = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):  # some file systems (FAT, network shares) refuse chmod
            temp_path.chmod(mode)
        temp_path.replace(path)  # os.replace: atomic within one file system
    except BaseException:
        with contextlib.suppress(OSError):
            temp_path.unlink()
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Persist the rename itself (POSIX); a no-op where folders cannot be opened (Windows)."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
