"""The one resolver for files under `resources/` (presets, price catalog, icons, ...).

Three layouts are supported, tried in this order:
1. a PyInstaller bundle: `sys._MEIPASS/resources/...`;
2. an installed wheel: the folder is shipped as package data at `app/resources/...`;
3. a source checkout: `<repo>/resources/...`, next to the `app` package.
A missing file raises `ResourceNotFoundError` naming the file and the folders searched.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../app


class ResourceNotFoundError(FileNotFoundError):
    """A named resource is not where any supported layout puts it."""


def resource_roots() -> list[Path]:
    """Candidate `resources/` folders, most specific layout first (only those that exist)."""
    candidates: list[Path] = []
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if bundle_dir:
        candidates.append(Path(bundle_dir) / "resources")
    candidates.append(_PACKAGE_DIR / "resources")  # installed wheel (package data)
    candidates.append(_PACKAGE_DIR.parent / "resources")  # source checkout
    return [root for root in candidates if root.is_dir()]


def resources_root() -> Path:
    """The `resources/` folder in use; fails loudly when none of the layouts has one."""
    roots = resource_roots()
    if not roots:
        raise ResourceNotFoundError(
            f"resources folder not found (looked next to {_PACKAGE_DIR} and inside it); "
            "the installation is incomplete"
        )
    return roots[0]


def resource_path(*parts: str) -> Path:
    """Path of `resources/<parts...>`; raises `ResourceNotFoundError` naming it when absent."""
    relative = Path(*parts)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"resource name must be relative and inside resources/: {relative}")
    roots = resource_roots()
    for root in roots:
        candidate = root / relative
        if candidate.exists():
            return candidate
    searched = ", ".join(str(root) for root in roots) or "no resources folder found"
    raise ResourceNotFoundError(f"resource not found: resources/{relative.as_posix()} (searched {searched})")
