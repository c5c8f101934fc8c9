"""The one atomic write: a good file is never replaced by a bad one, and no temporary file stays.

Faults are real where the OS can make them for root: a file-size limit (RLIMIT_FSIZE, so every
write past it fails with EFBIG, as a full disk fails with ENOSPC) in a child process, `/dev/full`,
a named pipe, a path under a file (ENOTDIR), link loops. The one injected fault is a disk that
claims to take bytes it never stores, which no real device here can be made to do.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.storage import atomic
from app.storage.atomic import atomic_write_bytes, atomic_write_text
from app.storage.regular_files import FileRefusedError

ROOT = Path(__file__).resolve().parents[2]

# Writes 64 KiB over a file under a 16 KiB file-size limit: each write past the limit fails.
_UNDER_A_SIZE_LIMIT = textwrap.dedent(
    """
    import resource, sys
    from app.storage.atomic import atomic_write_bytes
    resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))
    try:
        atomic_write_bytes(sys.argv[1], b"x" * 65536, what="the test file")
    except OSError as exc:
        print(exc)
        sys.exit(1)
    """
)


def _no_leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith((".tmp", ".part", ".partial")))


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_the_disk_cannot_take_keeps_the_good_file(tmp_path: Path) -> None:
    good = tmp_path / "memo.pdf"
    good.write_bytes(b"%PDF-1.4 the good memo")
    done = subprocess.run(
        [sys.executable, "-c", _UNDER_A_SIZE_LIMIT, str(good)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == f"{good}: could not write the test file (File too large); nothing was replaced\n"
    assert good.read_bytes() == b"%PDF-1.4 the good memo"
    assert _no_leftovers(tmp_path) == []


def test_a_disk_that_drops_bytes_is_caught_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Injected at the OS-call boundary: a device that reports every byte written and stores none.
    good = tmp_path / "settings.json"
    good.write_text('{"theme": "dark"}\n', encoding="utf-8")
    monkeypatch.setattr(atomic.os, "write", lambda _fd, data: len(data))
    with pytest.raises(FileRefusedError) as caught:
        atomic_write_text(good, '{"theme": "light"}\n', what="the settings")
    assert "holds 0 bytes after writing 19" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert good.read_text(encoding="utf-8") == '{"theme": "dark"}\n'
    assert _no_leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_device_as_the_target_is_refused_before_anything_is_written() -> None:
    before = Path("/dev/full").stat()
    with pytest.raises(FileRefusedError) as caught:
        atomic_write_bytes(Path("/dev/full"), b"data", what="the results")
    assert str(caught.value) == (
        "/dev/full: is a character device, not a regular file; not writing the results there"
    )
    after = Path("/dev/full").stat()
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)  # the device is still there
    assert not list(Path("/dev").glob(".full.*.tmp"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_the_target_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "out.jsonl"
    os.mkfifo(pipe)
    with pytest.raises(FileRefusedError, match=r"out\.jsonl: is a named pipe \(FIFO\), not a regular file"):
        atomic_write_bytes(pipe, b"data")
    assert _no_leftovers(tmp_path) == []


def test_a_path_under_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(FileRefusedError) as caught:
        atomic_write_bytes(tmp_path / "plain" / "memo.pdf", b"data")
    assert caught.value.errno == errno.ENOTDIR
    assert str(caught.value).endswith(
        "plain/memo.pdf: " + str(tmp_path / "plain") + " is a file, not a folder"
    )


def test_a_missing_folder_and_a_folder_as_target(tmp_path: Path) -> None:
    with pytest.raises(FileRefusedError, match=r"folder .*nowhere does not exist"):
        atomic_write_bytes(tmp_path / "nowhere" / "memo.pdf", b"data")
    with pytest.raises(FileRefusedError, match=r"is a folder; give the memo a file name"):
        atomic_write_bytes(tmp_path, b"data", what="the memo")


def test_a_link_is_followed_and_kept_and_a_loop_is_named(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    with pytest.raises(FileRefusedError, match=r"loop\.json: is a loop of symbolic links"):
        atomic_write_text(loop, "new")


def test_permissions_of_the_replaced_file_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    atomic_write_text(path, "new")
    assert path.stat().st_mode & 0o777 == 0o640 and path.read_text(encoding="utf-8") == "new"
