"""App folders honour the environment overrides; the resource resolver fails loudly by name."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.storage import paths, resources
from app.storage.resources import ResourceNotFoundError, resource_path


def test_home_override_holds_config_and_data(isolated_app_dirs: Path) -> None:
    assert paths.config_dir() == isolated_app_dirs / "config"
    assert paths.data_dir() == isolated_app_dirs / "data"
    assert paths.settings_path().parent == paths.config_dir()
    assert paths.autosave_path().parent == paths.data_dir()
    assert paths.config_dir().is_dir() and paths.data_dir().is_dir()


def test_cache_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECIALIST_STUDIO_CACHE", str(tmp_path / "cache"))
    assert paths.cache_dir() == tmp_path / "cache"
    assert paths.cache_dir().is_dir()


def test_without_overrides_platformdirs_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECIALIST_STUDIO_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    if sys.platform.startswith("linux"):
        assert paths.config_dir() == tmp_path / "xdg-config" / "specialist-studio"
        assert paths.data_dir() == tmp_path / "xdg-data" / "specialist-studio"
    else:
        assert paths.config_dir().name == "specialist-studio"


def test_resources_resolve_from_the_source_checkout() -> None:
    catalog = resource_path("catalog", "prices.json")
    assert catalog.is_file()
    assert catalog.parent.parent.name == "resources"


def test_a_missing_resource_names_itself() -> None:
    with pytest.raises(ResourceNotFoundError, match=r"resources/presets/no-such-preset\.json"):
        resource_path("presets", "no-such-preset.json")


@pytest.mark.parametrize("parts", [("..", "pyproject.toml"), ("/etc/passwd",)])
def test_resource_names_cannot_leave_the_folder(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="must be relative"):
        resource_path(*parts)


def test_a_bundle_folder_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # PyInstaller unpacks data next to sys._MEIPASS; the bundle's copy must win over any other.
    (tmp_path / "resources" / "catalog").mkdir(parents=True)
    (tmp_path / "resources" / "catalog" / "prices.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("catalog", "prices.json") == tmp_path / "resources" / "catalog" / "prices.json"
    assert resources.resources_root() == tmp_path / "resources"


def test_an_installed_package_layout_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate a wheel install: resources live inside the package folder, no checkout next to it.
    package = tmp_path / "site-packages" / "app"
    (package / "resources" / "presets").mkdir(parents=True)
    (package / "resources" / "presets" / "x.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resource_path("presets", "x.json") == package / "resources" / "presets" / "x.json"


def test_no_resources_folder_at_all_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "nowhere" / "app")
    with pytest.raises(ResourceNotFoundError, match="no resources folder found"):
        resource_path("catalog", "prices.json")
    with pytest.raises(ResourceNotFoundError, match="installation is incomplete"):
        resources.resources_root()
