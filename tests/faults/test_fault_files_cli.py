"""The fault suite, files: each reproducer runs the real command in a real process and must end in one
clear line, a non-zero exit, no traceback, no hang, and nothing the user had lost or overwritten.

Real faults: named pipes (os.mkfifo), /dev/zero and /dev/full, symbolic-link loops, a path under a
file (ENOTDIR), and a disk that takes no more bytes, made real for root with a file-size limit
(RLIMIT_FSIZE: every write past it fails with EFBIG, as writes to a full disk fail with ENOSPC).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.storage.presets import load_preset
from app.storage.resources import resource_path
from app.storage.scenario_files import save_scenario
from app.storage.spotcheck_results import read_results

ROOT = Path(__file__).resolve().parents[2]
DEMO_SET = resource_path("spotcheck", "support_triage.jsonl")
HANG_LIMIT_S = 60  # every command here answers in seconds; a hang fails the test instead of the run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, /dev and RLIMIT_FSIZE are POSIX")


def _limit_file_size(max_bytes: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return apply


def _run(*args: str, file_size_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT_S,
        check=False,
        preexec_fn=None if file_size_limit is None else _limit_file_size(file_size_limit),
    )


def _one_line_failure(done: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".part", ".partial")))


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "triage.json"
    save_scenario(load_preset("support-ticket-triage"), path)
    return path


# --- 1. never replace a good file with a bad one ---------------------------------------------------


def test_memo_on_a_full_disk_keeps_the_good_memo(scenario_file: Path, tmp_path: Path) -> None:
    memo = tmp_path / "memo.pdf"
    assert _run("memo", str(scenario_file), "-o", str(memo)).returncode == 0
    good = memo.read_bytes()
    assert good.startswith(b"%PDF-") and len(good) > 10_000
    # The disk now takes no more than 4 KB per file: far less than a memo.
    done = _run("memo", str(scenario_file), "-o", str(memo), file_size_limit=4096)
    _one_line_failure(done, "memo.pdf: could not write the decision memo (File too large)")
    assert "Wrote the decision memo" not in done.stdout
    assert memo.read_bytes() == good
    assert _leftovers(tmp_path) == []


def test_spotcheck_results_on_a_full_disk_leave_no_tmp_and_no_traceback(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    done = _run("spotcheck", str(DEMO_SET), "--no-local", "-o", str(results), file_size_limit=2048)
    _one_line_failure(done, "results.jsonl: could not write the spot-check results (File too large)")
    assert _leftovers(tmp_path) == []


def test_spotcheck_resume_on_a_full_disk_keeps_the_earlier_results(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    assert _run("spotcheck", str(DEMO_SET), "--no-local", "--limit", "3", "-o", str(results)).returncode == 0
    before = read_results(results)
    limit = results.stat().st_size + 100  # room for the rewritten start, not for the next item
    done = _run("spotcheck", str(DEMO_SET), "--no-local", "-o", str(results), file_size_limit=limit)
    _one_line_failure(done, "could not write the spot-check results (File too large)")
    # The three finished items are still there (and those that fitted), every line whole: the
    # run can be resumed once there is room.
    after = read_results(results)
    assert after.header == before.header
    assert all(after.items[item_id] == item for item_id, item in before.items.items())
    assert all(json.loads(line) for line in results.read_text(encoding="utf-8").splitlines())
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["spotcheck", "memo"])
def test_dev_full_as_the_output_is_refused_at_once(command: str, scenario_file: Path) -> None:
    before = Path("/dev/full").stat()
    if command == "spotcheck":
        done = _run("spotcheck", str(DEMO_SET), "--no-local", "-o", "/dev/full")
    else:
        done = _run("memo", str(scenario_file), "-o", "/dev/full")
    _one_line_failure(done, "/dev/full: is a character device, not a regular file")
    after = Path("/dev/full").stat()
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_an_output_under_a_file_names_the_problem(scenario_file: Path, tmp_path: Path) -> None:
    done = _run("memo", str(scenario_file), "-o", str(scenario_file / "memo.pdf"))
    _one_line_failure(done, "triage.json is a file, not a folder")


# --- 3. only regular files, of sane size ---------------------------------------------------------


def _fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def test_a_fifo_as_the_scenario_of_calc_and_memo(tmp_path: Path) -> None:
    pipe = _fifo(tmp_path, "scenario.json")
    _one_line_failure(_run("calc", str(pipe)), "scenario.json: is a named pipe (FIFO), not a regular file")
    done = _run("memo", str(pipe), "-o", str(tmp_path / "m.pdf"))
    _one_line_failure(done, "is a named pipe (FIFO)")
    assert not (tmp_path / "m.pdf").exists()


def test_a_fifo_as_the_test_set_or_the_model(tmp_path: Path) -> None:
    pipe = _fifo(tmp_path, "set.jsonl")
    _one_line_failure(_run("spotcheck", str(pipe), "--no-local"), "set.jsonl: is a named pipe (FIFO)")
    model = _fifo(tmp_path, "model.gguf")
    _one_line_failure(_run("ask", "Hello", "--gguf", str(model)), "model.gguf: is a named pipe (FIFO)")
    done = _run("spotcheck", str(DEMO_SET), "--gguf", str(model))
    _one_line_failure(done, "model.gguf: is a named pipe (FIFO)")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_not_read_until_memory_runs_out(tmp_path: Path) -> None:
    _one_line_failure(_run("calc", "/dev/zero"), "/dev/zero: is a character device")
    _one_line_failure(_run("spotcheck", "/dev/zero", "--no-local"), "zero: is a character device")


def test_a_link_loop_is_reported_as_a_loop_not_as_missing(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    line = _one_line_failure(_run("calc", str(loop)), "loop.json: is a loop of symbolic links")
    assert "not found" not in line


def test_an_oversized_scenario_is_refused_with_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB that cost no disk
    _one_line_failure(_run("calc", str(big)), "big.json: is 50,000,000 bytes, too large for a scenario file")


def test_a_fifo_as_memo_content_is_refused(tmp_path: Path) -> None:
    pipe = _fifo(tmp_path, "content.json")
    done = _run("memo", "--from-json", str(pipe), "-o", str(tmp_path / "m.pdf"))
    _one_line_failure(done, "content.json: is a named pipe (FIFO)")
    assert not (tmp_path / "m.pdf").exists()
