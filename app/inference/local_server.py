"""The local model's child process: start, wait until ready, watch for crashes, stop, restart.

The model never runs in the GUI process: a malformed GGUF or an out-of-memory can abort
llama.cpp, and that must not take the user's unsaved work with it. The child
(`app.inference.model_server`) listens on 127.0.0.1 on a port it picks itself and answers
only requests that carry a random key made here for this process.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.inference.bundled_model import log_dir
from app.inference.gguf import GgufInfo, read_gguf_info
from app.inference.model_server import FAILED_PREFIX, READY_PREFIX

DEFAULT_START_TIMEOUT_S = 90.0
STOP_GRACE_S = 3.0


class LocalServerError(Exception):
    """The model process could not start, or stopped; the message is one line for the user."""


@dataclass(frozen=True)
class LlamaLoadOptions:
    """How llama.cpp should load the model. Threads 0 means llama.cpp's own default."""

    context_size: int = 2048
    threads: int = 0
    gpu_layers: int = 0
    batch_size: int = 512


@functools.lru_cache(maxsize=1)
def gpu_offload_supported() -> bool:
    """Whether this build of llama.cpp can offload layers to a GPU (asked in a subprocess, once)."""
    code = "import llama_cpp, sys; sys.stdout.write(str(int(llama_cpp.llama_supports_gpu_offload())))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.stdout.strip() == "1"


def describe_gpu_offload(supported: bool | None, gpu_layers: int) -> str:
    """One line saying whether layers go to a GPU: what the llama.cpp build can do and what was asked.

    `supported` None means the build was not asked (no local model this time). Negative layers mean
    "all layers", as in llama.cpp.
    """
    asked = "all layers" if gpu_layers < 0 else f"{gpu_layers} layer{'' if gpu_layers == 1 else 's'}"
    if supported is None:
        return f"GPU offload not checked (no local model); GPU layers asked for: {asked}"
    if not supported:
        asked += " (ignored)" if gpu_layers != 0 else ""
        return f"GPU offload off: this llama.cpp build runs on the CPU only; GPU layers asked for: {asked}"
    if gpu_layers == 0:
        return "GPU offload off: this llama.cpp build can offload to a GPU, but GPU layers is 0"
    return f"GPU offload on: this llama.cpp build can offload to a GPU; GPU layers asked for: {asked}"


# Variables a model process has no business seeing: the frontier API key and any other secret
# (OPENAI_API_KEY, ANTHROPIC_API_KEY, HF_TOKEN, ...), matched by name.
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment without secrets (and without a model key of an earlier scheme)."""
    return {name: value for name, value in environ.items() if not _SECRET_NAME.search(name)}


def describe_exit(returncode: int) -> str:
    """'exited with code 3' / 'was killed by SIGKILL' for a finished child."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with code {returncode}"


class LocalModelServer:
    """llama.cpp behind an OpenAI-compatible API in a child process that this object owns."""

    def __init__(
        self,
        model_path: Path | str,
        settings: LlamaLoadOptions | None = None,
        model_id: str | None = None,
        start_timeout_s: float = DEFAULT_START_TIMEOUT_S,
        log_folder: Path | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.settings = settings or LlamaLoadOptions()
        self.model_id = model_id or self.model_path.stem
        self.start_timeout_s = start_timeout_s
        self._log_folder = log_folder
        self._process: subprocess.Popen[str] | None = None
        self._api_key = ""
        self._port: int | None = None
        self._gpu_offload = False
        self._stopping = False
        self._lock = threading.RLock()
        self.log_path: Path | None = None
        self.info: GgufInfo | None = None

    # -- public API --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/v1` of the running child."""
        if self._port is None:
            raise LocalServerError("the local model is not running")
        return f"http://127.0.0.1:{self._port}/v1"

    @property
    def api_key(self) -> str:
        """The random key this child accepts (lives only in memory)."""
        return self._api_key

    @property
    def gpu_offload(self) -> bool:
        """Whether the running child's llama.cpp build can offload to a GPU."""
        return self._gpu_offload

    @property
    def pid(self) -> int | None:
        """The child's process id while it exists."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Check the GGUF header, start the child and wait until it serves; raise `LocalServerError`.

        `GgufError` from the header check propagates as is (it names the file and the problem).
        """
        with self._lock:
            if self.is_running():
                return
            self._cleanup_process()
            self.info = read_gguf_info(self.model_path)
            self._api_key = secrets.token_urlsafe(32)
            folder = self._log_folder or log_dir()
            folder.mkdir(parents=True, exist_ok=True)
            self.log_path = folder / f"local-model-{os.getpid()}-{int(time.time() * 1000)}.log"
            command = [
                sys.executable,
                "-m",
                "app.inference.model_server",
                "--model",
                str(self.model_path),
                "--model-id",
                self.model_id,
                "--n-ctx",
                str(self.settings.context_size),
                "--n-threads",
                str(self.settings.threads),
                "--n-gpu-layers",
                str(self.settings.gpu_layers),
                "--n-batch",
                str(self.settings.batch_size),
                "--parent-pid",
                str(os.getpid()),
                "--key-from-stdin",
            ]
            env = child_environment(os.environ)
            env["PYTHONUNBUFFERED"] = "1"
            with self.log_path.open("ab") as log_file:
                self._process = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log_file,
                    env=env,
                    text=True,
                    # Own process group: a Ctrl+C in the terminal reaches the app, which then stops the child.
                    start_new_session=True,
                )
            self._stopping = False
            try:
                self._send_key(self._process)
                self._port, self._gpu_offload = self._wait_ready(self._process)
            except LocalServerError:
                self._terminate()
                raise

    def stop(self) -> None:
        """Terminate the child (SIGTERM, then SIGKILL after a grace period) and reap it."""
        with self._lock:
            self._stopping = True
            self._terminate()

    def restart(self) -> None:
        """Stop whatever is there (running or crashed) and start again with the current settings."""
        with self._lock:
            self.stop()
            self.start()

    def is_running(self) -> bool:
        """True while the child is alive and has announced its port."""
        return self._process is not None and self._process.poll() is None and self._port is not None

    def crash_reason(self) -> str | None:
        """One line when the child died without being asked to stop, else None."""
        process = self._process
        if process is None or self._stopping:
            return None
        code = process.poll()
        if code is None:
            return None
        reason = f"The local model process {describe_exit(code)}"
        tail = self._log_tail()
        return f"{reason}: {tail}" if tail and code > 0 else reason + "."

    def __enter__(self) -> LocalModelServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals -----------------------------------------------------------------------
    def _send_key(self, process: subprocess.Popen[str]) -> None:
        """Hand the child its key on stdin and close it: the key never sits in its environment."""
        assert process.stdin is not None
        try:
            process.stdin.write(self._api_key + "\n")
            process.stdin.close()
        except OSError as exc:  # the child died at once (a broken interpreter, say)
            raise LocalServerError(
                f"the local model process did not take its key ({exc.strerror or exc})"
            ) from None

    def _wait_ready(self, process: subprocess.Popen[str]) -> tuple[int, bool]:
        assert process.stdout is not None
        deadline = time.monotonic() + self.start_timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LocalServerError(
                        f"the local model did not become ready within {self.start_timeout_s:.0f} s "
                        f"(log: {self.log_path})"
                    )
                if not selector.select(timeout=min(left, 0.5)):
                    if process.poll() is not None:
                        break
                    continue
                line = process.stdout.readline()
                if not line:  # EOF: the child exited before announcing itself
                    break
                line = line.strip()
                if line.startswith(READY_PREFIX):
                    fields = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
                    process.stdout.close()
                    return int(fields["port"]), fields.get("gpu_offload") == "1"
                if line.startswith(FAILED_PREFIX):
                    process.wait(timeout=10)
                    reason = self._load_failure(line.removeprefix(FAILED_PREFIX).strip())
                    raise LocalServerError(f"{self.model_path.name}: {reason}")
        code = process.wait(timeout=10)
        tail = self._log_tail()
        raise LocalServerError(
            f"{self.model_path.name}: the model process {describe_exit(code)} while loading"
            + (f": {tail}" if tail else "")
        )

    def _load_failure(self, reported: str) -> str:
        """The child's reason, made useful where llama-cpp-python only repeats the file's path."""
        if "Failed to load model from file" not in reported:
            return reported
        # llama.cpp's own reason is not passed on; the header says what it was asked to load.
        architecture = self.info.architecture if self.info is not None else ""
        what = f"a '{architecture}' model" if architecture else "this model"
        tensors = self.info.tensor_count if self.info is not None else None
        why = (
            "it holds no tensors"
            if tensors == 0
            else "this llama.cpp build may not support that architecture, or the file is damaged"
        )
        return f"llama.cpp could not load {what}: {why}"

    def _log_tail(self) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return ""
        with self.log_path.open("r", encoding="utf-8", errors="replace") as handle:
            lines = deque((line.strip() for line in handle if line.strip()), maxlen=1)
        return lines[0][:300] if lines else ""

    def _terminate(self) -> None:
        process = self._process
        self._port = None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                process.wait(timeout=STOP_GRACE_S)
        if process.stdout is not None and not process.stdout.closed:
            process.stdout.close()

    def _cleanup_process(self) -> None:
        """Reap a crashed child before starting a new one."""
        if self._process is not None:
            self._stopping = True
            self._terminate()
            self._process = None
