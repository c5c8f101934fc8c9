"""The inference session owns the one model process: reused for the same choice, replaced for another,
restarted after a crash, named the same way everywhere; and it builds the frontier client."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from support.fault_server import FaultServer
from support.fixtures import TEST_MODEL_SETTINGS
from support.processes import model_server_children

from app.inference.bundled_model import BUNDLED_MODEL_DISPLAY_NAME
from app.inference.endpoints import preset_by_name
from app.inference.gguf import read_gguf_info
from app.inference.keys import KeyStore
from app.inference.local_server import LlamaLoadOptions
from app.inference.session import (
    InferenceSession,
    ModelChoice,
    ServedEndpoint,
    model_display_name,
    spotcheck_model_name,
)
from app.inference.types import GenerationRequest
from app.storage.settings import FrontierSettings
from app.storage.settings import LocalModelSettings as SavedLocalModel


@pytest.mark.slow
def test_one_process_reused_for_the_same_choice_and_replaced_for_another(
    bundled_model: Path, tmp_path: Path
) -> None:
    shared = model_server_children()  # the suite's own servers, running already
    session = InferenceSession(log_folder=tmp_path)
    choice = ModelChoice(bundled_model, TEST_MODEL_SETTINGS)
    try:
        first = session.ensure(choice)
        assert session.ensure(choice) is first and session.runs(choice)
        assert model_server_children(ignore=shared) == [first.pid]
        specialist = session.local_specialist(choice, display_name="gemma here")
        result = specialist.generate(GenerationRequest("One, two,", max_tokens=3))
        specialist.close()
        assert result.ok and specialist.display_name == "gemma here"
        assert model_server_children(ignore=shared) == [first.pid]  # the generator used the running process

        other = ModelChoice(bundled_model, LlamaLoadOptions(context_size=512, threads=2))
        second = session.ensure(other)
        assert second.pid != first.pid and second.settings.context_size == 512
        assert model_server_children(ignore=shared) == [second.pid]  # the first was stopped before the second
        assert not session.runs(choice) and session.runs(other)
    finally:
        session.stop()
    assert model_server_children(ignore=shared) == [] and session.server is None


@pytest.mark.slow
def test_a_crash_is_reported_and_restart_starts_the_same_choice(bundled_model: Path, tmp_path: Path) -> None:
    shared = model_server_children()  # the suite's own servers, running already
    session = InferenceSession(log_folder=tmp_path)
    choice = ModelChoice(bundled_model, TEST_MODEL_SETTINGS)
    try:
        server = session.ensure(choice)
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while session.crash_reason() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "killed by SIGKILL" in (session.crash_reason() or "")
        assert not session.runs(choice)
        again = session.restart()
        assert again.is_running() and again.pid != server.pid and session.choice == choice
        assert session.crash_reason() is None and model_server_children(ignore=shared) == [again.pid]
    finally:
        session.stop()


def test_choices_from_saved_settings() -> None:
    saved = SavedLocalModel(model_path="/models/x.gguf", context_size=4096, threads=None, gpu_layers=3)
    choice = ModelChoice.from_saved(saved)
    assert choice == ModelChoice(Path("/models/x.gguf"), LlamaLoadOptions(4096, 0, 3))
    assert ModelChoice.from_saved(SavedLocalModel()).path is None  # the bundled model
    # The same settings make equal choices: that is what lets two views share one process.
    assert ModelChoice.from_saved(saved) == choice


def test_names(bundled_model: Path) -> None:
    info = read_gguf_info(bundled_model)
    assert model_display_name(None, info) == BUNDLED_MODEL_DISPLAY_NAME
    assert model_display_name(bundled_model, info) == f"{info.name} ({info.quantization})"
    assert model_display_name(Path("/m/never-read.gguf"), None) == "never-read"
    # the bundled Gemma is a base model: its scores never pass for a fine-tuned specialist's
    assert spotcheck_model_name(bundled_model) == f"{bundled_model.stem} (bundled base model, not fine-tuned)"
    assert spotcheck_model_name(Path("/m/mine.gguf")) == "mine (local)"


def test_frontier_reasons_keys_and_client(monkeypatch: pytest.MonkeyPatch, fault_server: FaultServer) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("MY_STUDIO_KEY", raising=False)
    session = InferenceSession(KeyStore(use_keyring=False))
    openai = preset_by_name("openai")
    assert session.endpoint_empty_reason(ServedEndpoint("", "m", openai)) == (
        "No frontier endpoint: choose a preset or type a base URL."
    )
    assert session.endpoint_empty_reason(ServedEndpoint("https://x/v1", " ", openai)) == (
        "No frontier model name given."
    )
    no_key = session.endpoint_empty_reason(ServedEndpoint(openai.base_url, "gpt-x", openai))
    assert no_key is not None and no_key.startswith("No API key for OpenAI: set OPENAI_API_KEY")
    monkeypatch.setenv("MY_STUDIO_KEY", "sk-from-my-var")
    moved = ServedEndpoint(openai.base_url, "gpt-x", openai).with_key_env("MY_STUDIO_KEY")
    assert session.endpoint_empty_reason(moved) is None
    assert session.endpoint_key(moved).key == "sk-from-my-var"

    saved = FrontierSettings(preset="custom", base_url=fault_server.url("ok"), model="fault-model")
    client = session.client(ServedEndpoint.from_saved(saved))
    try:
        assert client.display_name == "fault-model" and client.read_timeout_s == 60.0
        result = client.generate(GenerationRequest("hi", mode="chat", max_tokens=5))
    finally:
        client.close()
    assert result.ok and result.text == "Hello from the fault server"
