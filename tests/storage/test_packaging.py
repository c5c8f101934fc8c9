"""resources/ ships inside the package: the build hook copies it to app/resources in the build tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_build_py_puts_resources_inside_the_package(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    build_lib = tmp_path / "lib"
    done = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(build_lib)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shipped = build_lib / "app" / "resources"
    for relative in ("catalog/prices.json", "presets/support-ticket-triage.json"):
        assert (shipped / relative).read_bytes() == (REPO / "resources" / relative).read_bytes()
    assert (build_lib / "app" / "storage" / "resources.py").is_file()
    assert not list(shipped.rglob("__pycache__"))
