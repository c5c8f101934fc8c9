"""User settings: recent files, theme, frontier endpoint, specialist and local model choices.

API keys are NEVER stored here (they come from the environment or the OS keyring); a key found
in a settings file is dropped on load and never written back. A settings file from a newer
version, or one with a bad value, does not stop the app: unknown keys are ignored and a field
that fails validation falls back to its default (logged).

Versions: 1 had no `specialist` section (the specialist was always the local GGUF); version 2 adds
it. An older file loads with the new sections at their defaults and is stamped with this version.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.storage.atomic import atomic_write_text, json_text
from app.storage.paths import settings_path
from app.storage.regular_files import FileRefusedError, read_regular_bytes

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SETTINGS_VERSION = 2
MAX_RECENT_FILES = 10
# A settings file is a few kilobytes; anything far bigger is not one (and is not read whole).
MAX_SETTINGS_BYTES = 1024 * 1024

ThemeChoice = Literal["system", "light", "dark"]
# Where the specialist answers: the local GGUF in its child process, or an OpenAI-compatible endpoint.
SpecialistSource = Literal["local", "endpoint"]
MemoPageSize = Literal["A4", "Letter"]
# The paper sizes a memo can be written on (the window's choice and `memo --page-size`).
MEMO_PAGE_SIZES: tuple[str, ...] = get_args(MemoPageSize)

logger = logging.getLogger(__name__)
# flock is per open file, so two threads of one process would each get it; this covers them.
_THREAD_LOCK = threading.RLock()


class _Depth(threading.local):
    depth = 0


_HELD = _Depth()


class _SettingsPart(BaseModel):
    # extra="ignore": settings written by a newer version still load (their new keys are dropped).
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


class FrontierSettings(_SettingsPart):
    """The OpenAI-compatible frontier endpoint. The key itself lives in the env var or the keyring."""

    preset: str = Field(default="openai", max_length=100)
    base_url: str = Field(default="https://api.openai.com/v1", max_length=500)
    model: str = Field(default="gpt-4o-mini", max_length=200)
    # Name of the environment variable holding the key (the name only, never the key).
    api_key_env: str = Field(default="OPENAI_API_KEY", max_length=100)
    timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Prices the user typed (USD per million tokens); None = take them from the price catalog.
    input_price_per_mtok: float | None = Field(default=None, ge=0, le=10_000)
    output_price_per_mtok: float | None = Field(default=None, ge=0, le=10_000)


class LocalModelSettings(_SettingsPart):
    """The local specialist: None as path means the bundled Gemma 3 270M."""

    model_path: str | None = Field(default=None, max_length=4000)
    context_size: int = Field(default=2048, ge=256, le=131_072)
    threads: int | None = Field(default=None, ge=1, le=256)  # None = let llama.cpp decide
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=256, ge=1, le=32_768)
    gpu_layers: int = Field(default=0, ge=0, le=1000)  # layers llama.cpp puts on a GPU (0 = CPU only)
    # None = follow the model: chat when its GGUF has a chat template, else completion + few-shot.
    prompt_mode: Literal["completion", "chat"] | None = None
    # As typed in the playground: one `input => output` per line, and comma-separated labels.
    few_shot_examples: str = Field(default="", max_length=100_000)
    labels: str = Field(default="", max_length=5_000)


class SpecialistSettings(_SettingsPart):
    """Which specialist the playground and the spot-check ask: the local GGUF (`local_model`), or a
    specialist served at an OpenAI-compatible endpoint (a fine-tuned model at a provider, vLLM, TGI,
    llama.cpp's server). The key lives in the environment variable named here or the keyring."""

    source: SpecialistSource = "local"
    base_url: str = Field(default="", max_length=500)
    model: str = Field(default="", max_length=200)
    # Name of the environment variable holding the key ("" = the provider's usual one); never the key.
    api_key_env: str = Field(default="", max_length=100)
    timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Send label lists as a GBNF grammar (llama.cpp's servers take it; providers refuse the field).
    label_grammar: bool = False


class MemoSettings(_SettingsPart):
    """What the memo export remembers: where it last wrote, the paper and the author's name."""

    last_directory: str | None = Field(default=None, max_length=4000)
    page_size: MemoPageSize = "A4"
    author: str = Field(default="", max_length=200)


class Settings(_SettingsPart):
    """Everything the app remembers between runs (except secrets)."""

    settings_version: int = SETTINGS_VERSION
    theme: ThemeChoice = "system"
    recent_files: tuple[str, ...] = ()
    last_scenario: str | None = None
    last_directory: str | None = None
    reopen_last_scenario: bool = True
    window_geometry: str = Field(default="", max_length=10_000)  # base64 of QWidget.saveGeometry()
    # The first-launch guide was closed, or the user opened a preset or a file: do not show it again.
    welcome_dismissed: bool = False
    frontier: FrontierSettings = FrontierSettings()
    local_model: LocalModelSettings = LocalModelSettings()
    specialist: SpecialistSettings = SpecialistSettings()
    memo: MemoSettings = MemoSettings()

    def with_recent_file(self, path: str) -> Settings:
        """A copy with `path` first in the recent files (no duplicates, at most MAX_RECENT_FILES)."""
        others = tuple(item for item in self.recent_files if item != path)
        return self.model_copy(
            update={"recent_files": (path, *others)[:MAX_RECENT_FILES], "last_scenario": path}
        )


def _validate_leniently(data: dict[str, Any]) -> Settings:
    """Validate, dropping each top-level key that fails so one bad value keeps the rest."""
    for _ in range(len(data) + 1):
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            bad_keys = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            logger.warning("settings: ignoring invalid values (%s)", exc.error_count())
            if not bad_keys & data.keys():
                break
            data = {key: value for key, value in data.items() if key not in bad_keys}
    return Settings()


def load_settings() -> Settings:
    """The saved settings, or defaults when there are none or the file is unreadable."""
    path = settings_path()
    try:
        data = json.loads(read_regular_bytes(path, "a settings file", MAX_SETTINGS_BYTES).decode("utf-8"))
    except FileRefusedError as exc:
        if exc.errno != errno.ENOENT:
            logger.warning("settings file %s; using defaults", exc)
        return Settings()
    except (OSError, ValueError) as exc:
        logger.warning("settings file %s is unreadable (%s); using defaults", path, exc)
        return Settings()
    if not isinstance(data, dict):
        logger.warning("settings file %s is not a JSON object; using defaults", path)
        return Settings()
    return _validate_leniently(_brought_up_to_date(data))


def _brought_up_to_date(data: dict[str, Any]) -> dict[str, Any]:
    """An older file with this version's stamp: every later section simply takes its default
    (version 2 only added `specialist`). A newer file's stamp is kept as it is."""
    version = data.get("settings_version", 1)
    if isinstance(version, int) and not isinstance(version, bool) and version < SETTINGS_VERSION:
        return {**data, "settings_version": SETTINGS_VERSION}
    return data


def save_settings(settings: Settings) -> None:
    """Write the settings atomically. Raises `OSError` when the folder is not writable."""
    with settings_lock():
        _write(settings)


def _write(settings: Settings) -> None:
    atomic_write_text(settings_path(), json_text(settings.model_dump(mode="json")), what="the settings")


@contextlib.contextmanager
def settings_lock() -> Iterator[None]:
    """Hold the settings file's lock across processes (and threads) for a read-modify-write.

    Two copies of the app each re-read, change and save the file; without a lock one's save can
    land between the other's read and save and undo it. The lock is an exclusive `flock` on a
    separate `settings.json.lock` (the settings file itself is replaced by each save, so a lock
    on it would lock a file that is gone). The OS drops the lock when a process dies, so a
    crashed copy never blocks the next one. Where `fcntl` does not exist (Windows) only the
    threads of this process are serialised.
    """
    with _THREAD_LOCK:
        if fcntl is None or _HELD.depth:
            # Nested in a held lock (a second flock on a new descriptor would wait for ourselves).
            _HELD.depth += 1
            try:
                yield
            finally:
                _HELD.depth -= 1
            return
        lock_path = settings_path().with_name(settings_path().name + ".lock")
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            _HELD.depth += 1
            try:
                yield
            finally:
                _HELD.depth -= 1
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)


def update_settings(**changes: Any) -> Settings:
    """Re-read the settings file, change only what the caller owns, save atomically; return the result.

    Several parts of the app write the same file (the main window its theme, recent files and
    geometry; the playground its model and endpoint choices). Each writes through here so it never
    puts back a stale copy of another part's fields. `changes` are top-level fields; a section
    (`frontier`, `local_model`, `memo`) may be given as a mapping of only the fields to change in it.
    Raises `ValueError` naming the field for an unknown field or a value the settings refuse
    (nothing is written), and `OSError` when the folder is not writable.
    """
    with settings_lock():
        return _update_locked(changes)


def _update_locked(changes: Mapping[str, Any]) -> Settings:
    updated = merged_settings(load_settings(), changes)
    _write(updated)
    return updated


def merged_settings(base: Settings, changes: Mapping[str, Any]) -> Settings:
    """`base` with `changes` applied the way `update_settings` applies them, without any I/O.

    `changes` are top-level fields; a section may be a mapping of only the fields to change in
    it. Raises `ValueError` naming the field for an unknown field or a refused value.
    """
    data = base.model_dump()
    for name, value in changes.items():
        if name not in Settings.model_fields:
            raise ValueError(f"settings: unknown field {name!r}")
        if isinstance(value, Mapping) and isinstance(data.get(name), dict):
            # Merge into the saved section so its other fields keep their saved values.
            data[name] = {**data[name], **value}
        else:
            data[name] = value.model_dump() if isinstance(value, BaseModel) else value
    try:
        # Validate the whole result (model_copy does not): a refused value is never written.
        updated = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"settings: {where}: {first['msg']}") from None
    return updated
