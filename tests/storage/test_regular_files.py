"""Only regular files of a sane size are read: pipes, devices, folders and link loops are refused at once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from app.storage.regular_files import FileRefusedError, read_regular_bytes

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _read_in_a_thread(path: Path, limit: int = 1000) -> BaseException | bytes | None:
    """Read with a watchdog: a read that blocks (a FIFO) would leave the thread running."""
    outcome: list[BaseException | bytes] = []

    def work() -> None:
        try:
            outcome.append(read_regular_bytes(path, "a scenario file", limit))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the read blocked"
    return outcome[0] if outcome else None


@needs_fifo
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "scenario.json"
    os.mkfifo(pipe)
    error = _read_in_a_thread(pipe)
    assert isinstance(error, FileRefusedError)
    assert error.problem == "is a named pipe (FIFO), not a regular file; not reading it as a scenario file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_instead_of_read_until_memory_runs_out() -> None:
    error = _read_in_a_thread(Path("/dev/zero"))
    assert isinstance(error, FileRefusedError) and "is a character device" in str(error)


def test_links_are_followed_loops_and_dangling_links_named(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert read_regular_bytes(link, "a scenario file", 100) == b"{}"
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.symlink_to(second)
    second.symlink_to(first)
    error = _read_in_a_thread(first)
    assert isinstance(error, FileRefusedError)
    assert error.problem == "is a loop of symbolic links (a link that points back to itself)"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "gone.json")
    error = _read_in_a_thread(dangling)
    assert isinstance(error, FileRefusedError) and "which does not exist" in error.problem
    error = _read_in_a_thread(tmp_path / "missing.json")
    assert isinstance(error, FileRefusedError) and error.problem == "file not found"


def test_size_cap_and_folders(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2000)
    error = _read_in_a_thread(big, limit=1000)
    assert isinstance(error, FileRefusedError)
    assert error.problem == "is 2,000 bytes, too large for a scenario file (limit 1,000)"
    error = _read_in_a_thread(tmp_path)
    assert isinstance(error, FileRefusedError) and error.problem == "is a folder, not a scenario file"
