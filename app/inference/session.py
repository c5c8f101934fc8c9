"""The one owner of the models: the local model's child process and the frontier client.

The playground, the spot-check, `ask` and `spotcheck` all get their models here. An
`InferenceSession` holds at most one llama.cpp child: asking for the model it already runs
(same file, same llama.cpp settings) reuses it, asking for another stops it first, so the app
never runs two copies of a model. It also names models the same way everywhere and builds the
clients of served models from an endpoint (settings or command line) and the key store: the
frontier, and a specialist served elsewhere (a fine-tuned model at a provider, or vLLM, TGI or
llama.cpp's server) instead of the local child.

No Qt here: the window calls the slow methods (`ensure`, `restart`, `stop`) from worker threads;
a lock makes them safe to call from several threads at once.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

from app.inference.bundled_model import BUNDLED_MODEL_DISPLAY_NAME, bundled_model_path, is_bundled_model
from app.inference.endpoints import EndpointPreset, preset_by_name, preset_for_url
from app.inference.gguf import GgufInfo
from app.inference.keys import KeyLookup, KeyStore, default_key_store
from app.inference.local_generator import FewShotExample, LocalSpecialist
from app.inference.local_server import DEFAULT_START_TIMEOUT_S, LlamaLoadOptions, LocalModelServer
from app.inference.openai_client import OpenAICompatibleGenerator, RetryCallback

GUI_KEY_HINT = "the key in the frontier settings"
# The variable a served specialist's key is read from when neither the settings nor the command
# line name one and its URL is no known provider's (a provider's own variable serves it otherwise).
SPECIALIST_KEY_ENV = "SPECIALIST_STUDIO_SPECIALIST_KEY"
EndpointRole = Literal["frontier", "specialist"]


class SavedLocalModel(Protocol):
    """The saved local-model settings as the session reads them (the settings file's section)."""

    @property
    def model_path(self) -> str | None: ...
    @property
    def context_size(self) -> int: ...
    @property
    def threads(self) -> int | None: ...
    @property
    def gpu_layers(self) -> int: ...


class SavedFrontier(Protocol):
    """The saved frontier endpoint as the session reads it (the settings file's section)."""

    @property
    def preset(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def timeout_seconds(self) -> float: ...


class SavedSpecialist(Protocol):
    """The saved specialist choice as the session reads it (the settings file's section)."""

    @property
    def source(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def api_key_env(self) -> str: ...
    @property
    def timeout_seconds(self) -> float: ...
    @property
    def label_grammar(self) -> bool: ...


@dataclass(frozen=True)
class ModelChoice:
    """Which GGUF (None: the bundled Gemma 3 270M) and how llama.cpp runs it."""

    path: Path | None = None
    settings: LlamaLoadOptions = field(default_factory=LlamaLoadOptions)

    @classmethod
    def from_saved(cls, saved: SavedLocalModel) -> ModelChoice:
        """The choice the settings describe (threads None there means llama.cpp's default, 0 here)."""
        return cls(
            Path(saved.model_path) if saved.model_path else None,
            LlamaLoadOptions(
                context_size=saved.context_size, threads=saved.threads or 0, gpu_layers=saved.gpu_layers
            ),
        )

    def resolved_path(self) -> Path:
        """The GGUF file itself; the bundled model is assembled into the cache on first use."""
        return self.path if self.path is not None else bundled_model_path()


@dataclass(frozen=True)
class ServedEndpoint:
    """An OpenAI-compatible endpoint: where, which model, whose key, how long to wait, and which
    side of the comparison it serves (the frontier, or a specialist served instead of the local
    model)."""

    base_url: str
    model: str
    preset: EndpointPreset = field(default_factory=lambda: preset_by_name("custom"))
    read_timeout_s: float = 60.0
    role: EndpointRole = "frontier"
    # Send a label list as a GBNF `grammar` (llama.cpp's servers take it); others get the labels
    # as an instruction, as a provider would refuse the unknown field.
    label_grammar: bool = False

    @classmethod
    def from_saved(cls, saved: SavedFrontier) -> ServedEndpoint:
        """The frontier endpoint the settings describe."""
        return cls(saved.base_url, saved.model, preset_by_name(saved.preset), saved.timeout_seconds)

    @classmethod
    def specialist(
        cls,
        base_url: str,
        model: str,
        key_env: str | None = None,
        read_timeout_s: float = 60.0,
        label_grammar: bool = False,
    ) -> ServedEndpoint:
        """A served specialist. Its key comes from `key_env`, else the provider's usual variable
        (a fine-tuned model at OpenAI uses the OpenAI key), else `SPECIALIST_KEY_ENV`; a key typed
        in the window is kept apart from the frontier's (its own keyring entry)."""
        provider = preset_for_url(base_url)
        usual = provider.key_env if provider.name != "custom" else SPECIALIST_KEY_ENV
        preset = dataclasses.replace(
            provider,
            name=f"specialist-{provider.name}",
            title=f"the specialist at {provider.title}" if provider.name != "custom" else "the specialist",
            key_env=key_env or usual,
            key_place="the specialist settings",
        )
        return cls(base_url, model, preset, read_timeout_s, "specialist", label_grammar)

    @classmethod
    def specialist_from_saved(cls, saved: SavedSpecialist) -> ServedEndpoint:
        """The served specialist the settings describe (whatever their `source` says)."""
        return cls.specialist(
            saved.base_url, saved.model, saved.api_key_env or None, saved.timeout_seconds, saved.label_grammar
        )

    def with_key_env(self, variable: str | None) -> ServedEndpoint:
        """The same endpoint with its key read from `variable` (`--frontier-key-env`)."""
        if not variable:
            return self
        return dataclasses.replace(self, preset=dataclasses.replace(self.preset, key_env=variable))

    @property
    def host(self) -> str:
        """'host:port' of the base URL, for names and messages."""
        return urlsplit(self.base_url.strip()).netloc or self.base_url.strip()


def served_model_name(endpoint: ServedEndpoint) -> str:
    """'<model> (served at <host>)': a served specialist's name in titles and spot-check results."""
    return f"{endpoint.model.strip()} (served at {endpoint.host})"


def model_display_name(path: Path | None, info: GgufInfo | None) -> str:
    """The name a model goes by in titles and records: the bundled model's, or its header's."""
    if path is None:
        return BUNDLED_MODEL_DISPLAY_NAME
    if info is None:
        return path.stem
    quantization = f" ({info.quantization})" if info.quantization != "not stated" else ""
    return f"{info.name or path.stem}{quantization}"


def spotcheck_model_name(path: Path) -> str:
    """'<file stem> (local)': the local side's name in spot-check results (their file names hash it).

    The bundled Gemma was never fine-tuned on any task, so its scores are named a base model's.
    """
    if is_bundled_model(path):
        return f"{path.stem} (bundled base model, not fine-tuned)"
    return f"{path.stem} (local)"


class InferenceSession:
    """Owns the local model process (at most one) and builds frontier clients."""

    def __init__(
        self,
        keys: KeyStore | None = None,
        *,
        start_timeout_s: float = DEFAULT_START_TIMEOUT_S,
        log_folder: Path | None = None,
    ) -> None:
        self.keys = keys if keys is not None else default_key_store()
        self._start_timeout_s = start_timeout_s
        self._log_folder = log_folder
        self._lock = threading.RLock()
        self._server: LocalModelServer | None = None
        self._choice: ModelChoice | None = None
        self._listeners: list[Callable[[], None]] = []

    # -- the local model ---------------------------------------------------------------------
    @property
    def server(self) -> LocalModelServer | None:
        """The current model process (running or crashed), or None when none was started."""
        return self._server

    @property
    def choice(self) -> ModelChoice | None:
        """What the current model process was started with."""
        return self._choice

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener()` (on the calling thread) after each start or stop of the model process."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        """Stop calling `listener`."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def runs(self, choice: ModelChoice) -> bool:
        """Whether the process serves `choice` now (started with it, running, not crashed)."""
        server = self._server
        return (
            server is not None
            and self._choice == choice
            and server.is_running()
            and not server.crash_reason()
        )

    def ensure(self, choice: ModelChoice) -> LocalModelServer:
        """The running process for `choice`: the current one when it serves it, else a new one.

        A process started for another choice (or crashed) is stopped first: never two at once.
        Raises `LocalServerError`, `GgufError` or `BundledModelError` with one line for the user.
        """
        with self._lock:
            if self.runs(choice):
                assert self._server is not None  # runs() checked it
                return self._server
            self._stop_locked()
            path = choice.resolved_path()
            server = LocalModelServer(
                path,
                choice.settings,
                model_id=path.stem,
                start_timeout_s=self._start_timeout_s,
                log_folder=self._log_folder,
            )
            server.start()
            self._server, self._choice = server, choice
        self._notify()
        return server

    def restart(self) -> LocalModelServer:
        """Start the current choice again (after a crash, or to be sure); the bundled model if none."""
        with self._lock:
            choice = self._choice or ModelChoice()
            self._stop_locked()
            return self.ensure(choice)

    def stop(self) -> None:
        """Stop the model process, if any (idempotent)."""
        with self._lock:
            had = self._server is not None
            self._stop_locked()
        if had:
            self._notify()

    def crash_reason(self) -> str | None:
        """One line when the model process died without being asked to stop, else None."""
        server = self._server
        return server.crash_reason() if server is not None else None

    def local_specialist(
        self, choice: ModelChoice, *, examples: Sequence[FewShotExample] = (), display_name: str | None = None
    ) -> LocalSpecialist:
        """A generator on the process for `choice` (started if needed); close it when done."""
        server = self.ensure(choice)
        return LocalSpecialist(server, examples=examples, display_name=display_name)

    def _stop_locked(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server, self._choice = None, None

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- served models (the frontier, a served specialist) ----------------------------------
    def endpoint_key(self, endpoint: ServedEndpoint) -> KeyLookup:
        """The endpoint's key from the environment, the keyring or this session's memory."""
        return self.keys.get(endpoint.preset)

    def endpoint_empty_reason(self, endpoint: ServedEndpoint) -> str | None:
        """Why a run could not reach `endpoint` (no URL, no model, no key), or None when it can."""
        if not endpoint.base_url.strip():
            if endpoint.role == "specialist":
                return "No specialist endpoint: type its base URL in the specialist settings."
            return "No frontier endpoint: choose a preset or type a base URL."
        if not endpoint.model.strip():
            return f"No {endpoint.role} model name given."
        key = self.endpoint_key(endpoint)
        if endpoint.preset.needs_key and not key.key:
            return f"No API key for {endpoint.preset.title}: {key.detail.removeprefix('no key: ')}."
        return None

    def client(
        self,
        endpoint: ServedEndpoint,
        *,
        on_retry: RetryCallback | None = None,
        key_hint: str | None = None,
        stream: bool = True,
    ) -> OpenAICompatibleGenerator:
        """A client for `endpoint` with its key (None when there is none); close it when done.
        `key_hint` says where a rejected key came from (default: the window's settings).

        `stream=False` asks for whole answers: a batch run watches no tokens, whole answers carry
        token usage where some servers' streams do not, and llama-cpp-python's server cuts a stream
        short when another request arrives (whole answers wait their turn instead).

        A served specialist is named '<model> (served at <host>)' and sends label lists as a
        grammar when its endpoint says the server takes one.
        """
        specialist = endpoint.role == "specialist"
        return OpenAICompatibleGenerator(
            endpoint.base_url.strip(),
            endpoint.model.strip(),
            self.endpoint_key(endpoint).key,
            read_timeout_s=endpoint.read_timeout_s,
            display_name=served_model_name(endpoint) if specialist else endpoint.model.strip(),
            on_retry=on_retry,
            key_hint=key_hint or ("the key in the specialist settings" if specialist else GUI_KEY_HINT),
            use_grammar=endpoint.label_grammar,
            stream=stream,
        )


_default_session: InferenceSession | None = None
_default_lock = threading.Lock()


def default_session() -> InferenceSession:
    """The process-wide session: every view of the window shares its one model process."""
    global _default_session
    with _default_lock:
        if _default_session is None:
            _default_session = InferenceSession()
        return _default_session
