"""Real model servers for tests: llama-cpp-python's own OpenAI-compatible server as a stand-in
for a frontier API, on 127.0.0.1 with a random key, started as a child process and always stopped.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2


@dataclass(frozen=True)
class Endpoint:
    """Where an OpenAI-compatible server listens and how to talk to it."""

    base_url: str
    api_key: str
    model: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LlamaCppPythonServer:
    """`python -m llama_cpp.server` on the given GGUF; `start()` waits until /v1/models answers."""

    def __init__(self, model_path: Path, log_path: Path, model_alias: str = "frontier-stand-in") -> None:
        self.model_path = model_path
        self.log_path = log_path
        self.model_alias = model_alias
        self.api_key = secrets.token_urlsafe(24)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(f"http://127.0.0.1:{self.port}/v1", self.api_key, self.model_alias)

    def start(self, timeout_s: float = 120.0) -> Endpoint:
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--model_alias",
            self.model_alias,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            # One argument: a key that starts with "-" (token_urlsafe may make one) is no option.
            f"--api_key={self.api_key}",
            "--n_ctx",
            "1024",
            "--verbose",
            "False",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=dict(os.environ)
            )
        deadline = time.monotonic() + timeout_s
        headers = {"Authorization": f"Bearer {self.api_key}"}
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"llama_cpp.server exited with {self.process.returncode}; see {self.log_path}"
                )
            with contextlib.suppress(httpx2.HTTPError):
                if (
                    httpx2.get(f"{self.endpoint.base_url}/models", headers=headers, timeout=1.0).status_code
                    == 200
                ):
                    return self.endpoint
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama_cpp.server not ready within {timeout_s:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
