"""The one atomic write: readers (and a crash) see the old file or the new one, never half of one.

Every file the app writes for the user (scenarios, settings, the autosave slots, memos, spot-check
results, playground exports) goes through `atomic_write_bytes`:
1. the target is checked first: a device (`/dev/full`), a pipe, a folder or a link loop is refused
   in one line, before anything is written;
2. the bytes go to a temporary file next to the target (same file system, so the rename is
   atomic), every `write` is checked, then `fsync`;
3. what landed on disk is read back and compared with what was meant (size and content): a
   full disk, a file-size limit or a short write never replaces a good file with a bad one;
4. only then `os.replace` puts it in place; on any failure the temporary file is removed and the
   previous file stays exactly as it was.
Failures raise `FileRefusedError` (an `OSError`) whose text is one line naming the file and the OS's
reason, which the commands print with a non-zero exit and the window shows in a dialog.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from app.storage.regular_files import FileRefusedError, check_output_target, os_problem

_NEW_FILE_MODE = 0o644
_CHUNK = 1 << 20


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


def atomic_write_text(path: Path | str, text: str, encoding: str = "utf-8", what: str = "the file") -> None:
    """`atomic_write_bytes` of `text` encoded with `encoding`."""
    atomic_write_bytes(path, text.encode(encoding), what=what)


def atomic_write_bytes(path: Path | str, data: bytes, what: str = "the file") -> None:
    """Replace `path` with exactly `data`, or leave it as it was and raise `FileRefusedError`.

    `what` names the file in messages ("the decision memo"). A symbolic link is followed: the
    file it points at is replaced and the link stays. No temporary file is left behind.
    """
    target = check_output_target(path, what)
    folder = target.parent if str(target.parent) else Path()
    # Keep the permissions of the file being replaced; mkstemp would otherwise leave 0600.
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = _NEW_FILE_MODE
    try:
        descriptor, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _failure(target, what, exc) from None
    temp_path = Path(temp_name)
    try:
        try:
            _write_all(descriptor, data)
            os.fsync(descriptor)
            _verify(descriptor, data)
        finally:
            os.close(descriptor)
        with contextlib.suppress(OSError):  # some file systems (FAT, network shares) refuse chmod
            temp_path.chmod(mode)
        temp_path.replace(target)  # os.replace: atomic within one file system
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp_path.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, FileRefusedError):
            raise _failure(target, what, exc) from None
        raise
    _fsync_folder(folder)


def append_record(path: Path | str, data: bytes, what: str = "the file", durable: bool = False) -> None:
    """Append `data` (one whole record, e.g. a JSON line) to `path`, or leave the file as it was.

    For files that grow a line at a time (spot-check results), where rewriting the whole file per
    line would cost too much. A write the disk cannot take (full, over a size limit) is cut back
    to the file's previous length, so readers never meet half a line, and raised as one-line
    `FileRefusedError`. `durable` also fsyncs (against power loss, costs milliseconds).
    """
    target = check_output_target(path, what)
    try:
        descriptor = os.open(
            target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644
        )
    except OSError as exc:
        raise _failure(target, what, exc) from None
    try:
        whole = os.fstat(descriptor).st_size
        try:
            _write_all(descriptor, data)
            if durable:
                os.fsync(descriptor)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(descriptor, whole)  # no half record left for the next reader
            raise _failure(target, what, exc) from None
    finally:
        os.close(descriptor)


def _failure(target: Path, what: str, exc: OSError) -> FileRefusedError:
    return FileRefusedError(
        target,
        f"could not write {what} ({os_problem(exc)}); nothing was replaced",
        exc.errno or errno.EIO,
    )


def _write_all(descriptor: int, data: bytes) -> None:
    """`os.write` until every byte is taken; a write that takes none is a failure, not a loop."""
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view[:_CHUNK])
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _verify(descriptor: int, data: bytes) -> None:
    """Read back what the file holds and compare it with what was meant to be written."""
    size = os.fstat(descriptor).st_size
    if size != len(data):
        raise OSError(errno.EIO, f"the file holds {size:,} bytes after writing {len(data):,}")
    expected = hashlib.sha256(data).digest()
    found = hashlib.sha256()
    os.lseek(descriptor, 0, os.SEEK_SET)
    while chunk := os.read(descriptor, _CHUNK):
        found.update(chunk)
    if found.digest() != expected:
        raise OSError(errno.EIO, "what the disk holds differs from what was written")


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


__all__ = ["FileRefusedError", "append_record", "atomic_write_bytes", "atomic_write_text", "json_text"]
