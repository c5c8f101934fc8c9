"""Build hook only; all project metadata lives in pyproject.toml.

Ships the top-level `resources/` folder (presets, price catalog, icons, styles, spot-check sets)
inside the package as `app/resources/`, where `app.storage.resources.resource_path` finds it in
an installed wheel. A source checkout reads `resources/` in place, so nothing is duplicated there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = Path(__file__).resolve().parent / "resources"


class BuildPyWithResources(build_py):
    """`build_py` that also copies `resources/` to `<build>/app/resources/`."""

    def run(self) -> None:
        super().run()
        if RESOURCES.is_dir():
            target = Path(self.build_lib) / "app" / "resources"
            skip = shutil.ignore_patterns("__pycache__", "*.py[cod]")
            shutil.copytree(RESOURCES, target, dirs_exist_ok=True, ignore=skip)


setup(cmdclass={"build_py": BuildPyWithResources})
