"""The domain suite passes where Qt (and the model and API clients) cannot be imported.

The domain is pure Python + numpy + pydantic; this runs every other test in this folder in a
fresh interpreter whose import system refuses PySide6, shiboken6, pyqtgraph, openai, llama_cpp
and pytest-qt, so an accidental import anywhere in the domain (or its tests) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "openai", "llama_cpp", "pytestqt")
# Set in the child run, so this test never starts itself again.
GUARD = "SPECIALIST_STUDIO_QT_FREE_RUN"

BOOTSTRAP = """
import sys

BLOCKED = {blocked!r}


class RefuseBlocked:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (refused for this run)", name=name)
        return None


sys.meta_path.insert(0, RefuseBlocked())
try:
    import PySide6  # noqa: F401
except ModuleNotFoundError:
    pass
else:
    sys.exit("the import blocker did not block PySide6")

import pytest

code = pytest.main({args!r})
leaked = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
if leaked:
    sys.exit(f"blocked modules were imported: {{leaked}}")
sys.exit(int(code))
"""


@pytest.mark.skipif(os.environ.get(GUARD) == "1", reason="already inside the Qt-free run")
def test_domain_suite_passes_without_qt() -> None:
    args = [
        str(HERE),
        "-q",
        "-p",
        "no:cacheprovider",
        # Plugins load by name only: autoloading would pull in pytest-qt (and with it Qt).
        "-p",
        "_hypothesis_pytestplugin",
        "-p",
        "pytest_timeout",
        "-W",
        "ignore::pytest.PytestConfigWarning",  # the qt_* ini options of the full suite
        f"--ignore={Path(__file__).resolve()}",
    ]
    env = {
        **os.environ,
        GUARD: "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        # Fewer hypothesis examples: this run proves the imports; the main run covers the space.
        "SPECIALIST_STUDIO_PROPERTY_EXAMPLES": "25",
    }
    result = subprocess.run(
        [sys.executable, "-c", BOOTSTRAP.format(blocked=BLOCKED, args=args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " passed" in output, output
    assert "error" not in output.splitlines()[-1].lower(), output
