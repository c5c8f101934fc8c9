"""Session-scoped fixtures shared by the inference, spot-check, UI and CLI tests.

Import the ones you need into a test module or a conftest:
`from support.fixtures import bundled_model, local_model_server, frontier_endpoint, fault_server`.
Model servers start once per test session (each start costs seconds on two cores).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.inference.bundled_model import bundled_model_path
from app.inference.local_server import LlamaLoadOptions, LocalModelServer
from support.fault_server import FaultServer
from support.llama_servers import Endpoint, LlamaCppPythonServer

# Small context and two threads: enough for every test prompt, quick to load.
TEST_MODEL_SETTINGS = LlamaLoadOptions(context_size=1024, threads=2)


def shared_cache_root(factory: pytest.TempPathFactory) -> Path:
    """The same cache folder tests/conftest.py gives each test, so the model is assembled once."""
    return Path(
        os.environ.get("SPECIALIST_STUDIO_TEST_CACHE", str(factory.getbasetemp().parent / "studio-cache"))
    )


@pytest.fixture(scope="session")
def bundled_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The assembled bundled Gemma 3 270M GGUF (built on first use, checksum checked)."""
    return bundled_model_path(shared_cache_root(tmp_path_factory))


@pytest.fixture(scope="session")
def local_model_server(
    bundled_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalModelServer]:
    """The app's own model process on the bundled model, shared by the session. Don't kill it:
    tests that crash a process start their own."""
    server = LocalModelServer(
        bundled_model, TEST_MODEL_SETTINGS, log_folder=tmp_path_factory.mktemp("local-model-logs")
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def frontier_endpoint(bundled_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """llama-cpp-python's real OpenAI-compatible server on the same model, standing in for a frontier."""
    server = LlamaCppPythonServer(bundled_model, tmp_path_factory.mktemp("frontier-logs") / "server.log")
    endpoint = server.start()
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture(scope="session")
def fault_server() -> Iterator[FaultServer]:
    """The misbehaving OpenAI-compatible server (see support.fault_server for its faults)."""
    server = FaultServer(slow_seconds=5.0).start()
    try:
        yield server
    finally:
        server.stop()
