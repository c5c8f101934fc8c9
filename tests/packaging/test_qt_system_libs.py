"""`make run`'s check of the system libraries Qt's X11 plugin needs, with a scripted dynamic linker.

The script asks `ldd` what the plugin lacks; here a stand-in `ldd` (and `id`, `apt-get`) on PATH
plays a minimal Debian install, so the real mapping and messages run without touching the system.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "qt-system-libs.sh"

MISSING_LDD = """#!/bin/sh
echo "	libQt6XcbQpa.so.6 => /somewhere/libQt6XcbQpa.so.6 (0x0001)"
echo "	libxcb-cursor.so.0 => not found"
echo "	libxcb-icccm.so.4 => not found"
echo "	libxkbcommon-x11.so.0 => not found"
echo "	libEGL.so.1 => not found"
echo "	libxcb-cursor.so.0 => not found"
"""


def _tools(folder: Path, uid: int, ldd: str) -> dict[str, str]:
    folder.mkdir()
    (folder / "ldd").write_text(ldd)
    (folder / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (folder / "apt-get").write_text(f'#!/bin/sh\necho "apt-get $*" >> "{folder}/apt.log"\n')
    for tool in ("ldd", "id", "apt-get"):
        (folder / tool).chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}
    env["PATH"] = f"{folder}:{env['PATH']}"
    return env


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), sys.executable],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="the X11 plugin check runs on Linux only")
def test_a_user_is_told_the_packages_to_install(tmp_path: Path) -> None:
    done = _run(_tools(tmp_path / "bin", uid=1000, ldd=MISSING_LDD))
    assert done.returncode == 1
    # Debian's names: soname number appended, after a dash when the name ends in a digit.
    assert "sudo apt-get install libegl1 libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0" in done.stderr
    assert not (tmp_path / "bin" / "apt.log").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="the X11 plugin check runs on Linux only")
def test_root_installs_them_like_make_test_does(tmp_path: Path) -> None:
    done = _run(_tools(tmp_path / "bin", uid=0, ldd=MISSING_LDD))
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "bin" / "apt.log").read_text()
    assert "apt-get update" in log
    assert "install -y -q libegl1 libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0" in log


@pytest.mark.skipif(sys.platform != "linux", reason="the X11 plugin check runs on Linux only")
def test_nothing_missing_or_offscreen_says_nothing(tmp_path: Path) -> None:
    env = _tools(tmp_path / "bin", uid=1000, ldd='#!/bin/sh\necho "	libc.so.6 => /lib/libc.so.6"\n')
    done = _run(env)
    assert done.returncode == 0 and done.stderr == ""
    (tmp_path / "bin" / "ldd").write_text(MISSING_LDD)
    done = _run({**env, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0 and done.stderr == ""
