"""Only regular files of a sane size: what every reader and writer of user-named files checks first.

A named pipe (FIFO) given as a scenario, a test set or a model blocks the reader forever;
`/dev/zero` never ends; `/dev/full` or a terminal given as an output swallows or refuses what is
written (and a "write next to it, then rename over it" into `/dev` would replace the device).
So a path is followed through its symbolic links (a loop is reported as a loop, a dangling link as
a dangling link, not as "file not found"), and anything that is not a regular file is refused,
as is a file larger than the kind of file it should be. Every refusal is one line naming the path.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# What a path that is not a regular file is, in the words a user knows.
_KINDS: tuple[tuple[int, str], ...] = (
    (stat.S_IFIFO, "a named pipe (FIFO)"),
    (stat.S_IFCHR, "a character device"),
    (stat.S_IFBLK, "a block device"),
    (stat.S_IFSOCK, "a socket"),
    (stat.S_IFDIR, "a folder"),
)


class FileRefusedError(OSError):
    """A path the app will not read or write; `str(error)` is one line `<path>: <problem>`."""

    def __init__(self, path: Path | str, problem: str, code: int = errno.EINVAL) -> None:
        super().__init__(code, problem, str(path))
        self.path = Path(path)
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def describe_mode(mode: int) -> str:
    """`a named pipe (FIFO)`, `a character device`, ... for a stat mode that is not a regular file."""
    kind = stat.S_IFMT(mode)
    for value, words in _KINDS:
        if kind == value:
            return words
    return "not a regular file"


def os_problem(exc: OSError) -> str:
    """The OS's reason in a few words ("No space left on device"), never a traceback."""
    if isinstance(exc, FileRefusedError):
        return exc.problem
    if exc.errno == errno.ELOOP:
        return "a loop of symbolic links (a link that points back to itself)"
    return exc.strerror or str(exc) or type(exc).__name__


def stat_followed(path: Path | str) -> os.stat_result:
    """`os.stat` through symbolic links, with each way it can fail turned into a one-line `FileRefusedError`.

    Raises `FileNotFoundError`-coded `FileRefusedError` when nothing is there (a dangling link says so).
    """
    path = Path(path)
    try:
        return path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRefusedError(
                path, "is a loop of symbolic links (a link that points back to itself)", errno.ELOOP
            ) from None
        if exc.errno == errno.ENOENT:
            if path.is_symlink():
                target = path.readlink()
                raise FileRefusedError(
                    path, f"is a symbolic link to {target}, which does not exist", errno.ENOENT
                ) from None
            raise FileRefusedError(path, "file not found", errno.ENOENT) from None
        if exc.errno == errno.ENOTDIR:
            raise FileRefusedError(
                path, "a part of the path is a file, not a folder", errno.ENOTDIR
            ) from None
        raise FileRefusedError(path, f"cannot be read ({os_problem(exc)})", exc.errno or errno.EIO) from None


def check_regular(path: Path | str, what: str, max_bytes: int | None) -> os.stat_result:
    """The stat of `path` when it is a regular file of at most `max_bytes`; else `FileRefusedError`.

    `what` names the kind of file in the message ("a scenario file", "a GGUF model").
    """
    info = stat_followed(path)
    if stat.S_ISDIR(info.st_mode):
        raise FileRefusedError(path, f"is a folder, not {what}", errno.EISDIR)
    if not stat.S_ISREG(info.st_mode):
        raise FileRefusedError(
            path, f"is {describe_mode(info.st_mode)}, not a regular file; not reading it as {what}"
        )
    if max_bytes is not None and info.st_size > max_bytes:
        raise FileRefusedError(
            path, f"is {info.st_size:,} bytes, too large for {what} (limit {max_bytes:,})", errno.EFBIG
        )
    return info


def read_regular_bytes(path: Path | str, what: str, max_bytes: int) -> bytes:
    """The whole content of a regular file of at most `max_bytes`; else `FileRefusedError`.

    The file is opened non-blocking and checked again on the open descriptor, so a pipe swapped in
    between the check and the open still cannot block the read, and a file that grows past the
    limit while being read is refused rather than read until memory runs out.
    """
    check_regular(path, what, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise FileRefusedError(path, f"cannot be read ({os_problem(exc)})", exc.errno or errno.EIO) from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefusedError(
                path, f"is {describe_mode(info.st_mode)}, not a regular file; not reading it as {what}"
            )
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise FileRefusedError(
                path, f"cannot be read ({os_problem(exc)})", exc.errno or errno.EIO
            ) from None
    if len(data) > max_bytes:
        raise FileRefusedError(path, f"is larger than the {max_bytes:,}-byte limit for {what}", errno.EFBIG)
    return data


def check_output_target(path: Path | str, what: str) -> Path:
    """Where a writer may put `what`: a new file in an existing folder, or an existing regular file.

    Returns the path to replace (a symbolic link is followed, so the file it points at is replaced
    and the link stays). Refuses devices (`/dev/full`, `/dev/null`, a terminal), pipes, sockets,
    folders, link loops, and a folder that does not exist, each in one line.
    """
    path = Path(path)
    if os.path.lexists(path):
        try:
            info = stat_followed(path)
        except FileRefusedError as exc:
            if exc.errno != errno.ENOENT:
                raise
            # A dangling link: write the file it names.
            return Path(os.path.realpath(path))
        if stat.S_ISDIR(info.st_mode):
            raise FileRefusedError(path, f"is a folder; give {what} a file name", errno.EISDIR)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefusedError(
                path, f"is {describe_mode(info.st_mode)}, not a regular file; not writing {what} there"
            )
        return Path(os.path.realpath(path)) if path.is_symlink() else path
    folder = path.parent if str(path.parent) else Path()
    try:
        folder_info = folder.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise FileRefusedError(path, f"folder {folder} does not exist", errno.ENOENT) from None
        if exc.errno == errno.ENOTDIR:
            raise FileRefusedError(
                path, "a part of the path is a file, not a folder", errno.ENOTDIR
            ) from None
        raise FileRefusedError(
            path, f"cannot write there ({os_problem(exc)})", exc.errno or errno.EIO
        ) from None
    if not stat.S_ISDIR(folder_info.st_mode):
        raise FileRefusedError(path, f"{folder} is a file, not a folder", errno.ENOTDIR)
    return path


__all__ = [
    "FileRefusedError",
    "check_output_target",
    "check_regular",
    "describe_mode",
    "os_problem",
    "read_regular_bytes",
    "stat_followed",
]
