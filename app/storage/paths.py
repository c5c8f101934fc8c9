"""Where the app keeps its files: platformdirs locations with environment overrides.

`SPECIALIST_STUDIO_HOME` replaces the config and data roots (tests point it at a temp folder,
portable installs at a USB stick); `SPECIALIST_STUDIO_CACHE` replaces the cache root (the
assembled bundled model lives there, so tests share one across the run).
Folders are created on first use, never at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "specialist-studio"
HOME_ENV = "SPECIALIST_STUDIO_HOME"
CACHE_ENV = "SPECIALIST_STUDIO_CACHE"


def _override(env_name: str) -> Path | None:
    value = os.environ.get(env_name, "").strip()
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Folder for settings (created if missing)."""
    home = _override(HOME_ENV)
    if home is not None:
        return _ensure(home / "config")
    return _ensure(Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)))


def data_dir() -> Path:
    """Folder for user data such as the autosave slot (created if missing)."""
    home = _override(HOME_ENV)
    if home is not None:
        return _ensure(home / "data")
    return _ensure(Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)))


def cache_dir() -> Path:
    """Folder for re-creatable files, e.g. the assembled bundled model (created if missing)."""
    cache = _override(CACHE_ENV)
    if cache is not None:
        return _ensure(cache)
    return _ensure(Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False)))


def settings_path() -> Path:
    """The settings file (JSON)."""
    return config_dir() / "settings.json"


def autosave_path() -> Path:
    """The crash-recovery slot (JSON)."""
    return data_dir() / "autosave.json"
