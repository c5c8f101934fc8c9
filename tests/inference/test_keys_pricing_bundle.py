"""API keys never touch files; prices; the bundled model is assembled once and checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.domain.formatting import format_money
from app.domain.pricing import request_cost
from app.inference import bundled_model as bundle
from app.inference.endpoints import ENDPOINT_PRESETS, preset_by_name, preset_for_url
from app.inference.keys import KeyStore, keyring_usable


def test_env_var_wins_and_repr_hides_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-123")
    lookup = KeyStore(use_keyring=False).get(preset_by_name("openai"))
    assert lookup.key == "sk-from-env-123" and lookup.source == "environment"
    assert "sk-from-env" not in repr(lookup)


def test_session_key_when_no_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    store = KeyStore(use_keyring=False)
    preset = preset_by_name("openrouter")
    assert store.get(preset).key is None and "OPENROUTER_API_KEY" in store.get(preset).detail
    stored = store.set(preset, "  sk-typed-456 ")
    assert stored.source == "session" and "this session only" in stored.detail
    assert store.get(preset).key == "sk-typed-456"
    store.forget(preset)
    assert store.get(preset).key is None
    # Nothing was written under the app's folders.
    assert not any("sk-typed-456" in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
    with pytest.raises(ValueError):
        store.set(preset, "   ")


def test_headless_keyring_falls_back_to_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECIALIST_STUDIO_FRONTIER_KEY", raising=False)
    store = KeyStore()
    stored = store.set(preset_by_name("custom"), "sk-x")
    assert stored.source == ("keyring" if keyring_usable() else "session")
    assert store.get(preset_by_name("custom")).key == "sk-x"
    store.forget(preset_by_name("custom"))


def test_presets() -> None:
    names = {p.name for p in ENDPOINT_PRESETS}
    assert {"openai", "openrouter", "ollama", "llama-server", "vllm", "custom"} <= names
    assert preset_for_url("https://api.openai.com/v1/").name == "openai"
    assert preset_for_url("http://127.0.0.1:9999/v1").name == "custom"
    assert preset_by_name("nope").name == "custom"


def test_request_cost() -> None:
    assert request_cost(2200, 300, 5.0, 15.0) == pytest.approx(0.0155)
    assert request_cost(0, 10, 1.0, 2.0) == pytest.approx(0.00002)
    assert format_money(0.0155, "per_request") == "$0.0155" and format_money(0, "per_request") == "$0"


@pytest.mark.slow
def test_bundled_model_is_assembled_once_and_verified(tmp_path: Path, bundled_model: Path) -> None:
    first = bundle.bundled_model_path(tmp_path)
    assert first.parent == tmp_path / "models" and first.stat().st_size == bundled_model.stat().st_size
    stamp = first.stat().st_mtime_ns
    assert bundle.bundled_model_path(tmp_path) == first and first.stat().st_mtime_ns == stamp  # reused
    # A damaged cache (same size, wrong bytes, no marker) is noticed and rebuilt.
    marker = first.with_name(first.name + ".sha256")
    marker.unlink()
    with first.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0" * 16)
    rebuilt = bundle.bundled_model_path(tmp_path)
    assert bundle.sha256_of(rebuilt) == marker.read_text().strip()
    assert not list((tmp_path / "models").glob("*.partial"))
    shutil.rmtree(tmp_path / "models")
