"""Suite-wide set-up: no display needed, and no test touches the user's real settings.

Kept free of Qt imports so the domain tests also run where Qt is not installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# The shared model servers and the fault server (tests/support): registered once here so each starts
# once per run; a module that imported them itself would get its own session-scoped copy.
pytest_plugins = ["support.fixtures"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never let a test send traffic through a proxy configured on the machine.
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"


@pytest.fixture(autouse=True)
def isolated_app_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point settings, autosave and data at a fresh folder; the model cache stays shared.

    SPECIALIST_STUDIO_HOME replaces the platformdirs config and data roots. The cache (where the
    bundled model is assembled, 253 MB) is shared across the run so it is built once.
    """
    home = tmp_path_factory.mktemp("studio-home")
    monkeypatch.setenv("SPECIALIST_STUDIO_HOME", str(home))
    monkeypatch.setenv(
        "SPECIALIST_STUDIO_CACHE",
        os.environ.get(
            "SPECIALIST_STUDIO_TEST_CACHE", str(tmp_path_factory.getbasetemp().parent / "studio-cache")
        ),
    )
    yield home
