"""API keys: from an environment variable or the OS keyring, never from or into any file or log.

On a Linux machine without a Secret Service (headless, CI) keyring has only its 'fail'
backend; then a key typed into the settings dialog is held in memory for this session only,
and `KeyStore.set` says so.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Literal

from app.inference.endpoints import EndpointPreset

KEYRING_SERVICE = "specialist-studio"
KeySource = Literal["environment", "keyring", "session", "none"]


@dataclass(frozen=True)
class KeyLookup:
    """A key and where it came from. `repr` hides the key so it never lands in a log by accident."""

    key: str | None
    source: KeySource
    detail: str  # one line for the settings dialog / CLI

    def __repr__(self) -> str:
        shown = "set" if self.key else "none"
        return f"KeyLookup(key=<{shown}>, source={self.source!r}, detail={self.detail!r})"


def keyring_usable() -> bool:
    """False when keyring has no real backend (e.g. only 'fail' on a headless Linux)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:
        return False
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0


class KeyStore:
    """Looks keys up per endpoint preset; holds session-only keys in memory."""

    def __init__(self, use_keyring: bool = True) -> None:
        self._session: dict[str, str] = {}
        self._lock = threading.Lock()
        self._use_keyring = use_keyring

    def get(self, preset: EndpointPreset) -> KeyLookup:
        """Environment first (explicit wins), then keyring, then this session's memory."""
        if preset.key_env:
            value = os.environ.get(preset.key_env, "").strip()
            if value:
                return KeyLookup(value, "environment", f"from the {preset.key_env} environment variable")
        if self._use_keyring and keyring_usable():
            try:
                import keyring

                stored = keyring.get_password(KEYRING_SERVICE, preset.name)
            except Exception:
                stored = None
            if stored:
                return KeyLookup(stored, "keyring", "from the system keyring")
        with self._lock:
            held = self._session.get(preset.name)
        if held:
            return KeyLookup(held, "session", "held in memory for this session only")
        where = f"set {preset.key_env} or " if preset.key_env else ""
        detail = f"no key: {where}enter one in {preset.key_place}" if preset.needs_key else "no key needed"
        return KeyLookup(None, "none", detail)

    def set(self, preset: EndpointPreset, key: str) -> KeyLookup:
        """Store a key in the keyring, or in memory when there is no usable keyring; says which."""
        key = key.strip()
        if not key:
            raise ValueError("the key is empty")
        if self._use_keyring and keyring_usable():
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, preset.name, key)
                return KeyLookup(key, "keyring", "saved in the system keyring")
            except Exception as exc:
                reason = type(exc).__name__
            else:  # pragma: no cover - returned above
                reason = ""
        else:
            reason = "no system keyring on this machine"
        with self._lock:
            self._session[preset.name] = key
        return KeyLookup(key, "session", f"held in memory for this session only ({reason})")

    def forget(self, preset: EndpointPreset) -> None:
        """Remove the stored key from memory and keyring (environment variables are left alone)."""
        with self._lock:
            self._session.pop(preset.name, None)
        if self._use_keyring and keyring_usable():
            try:
                import keyring

                keyring.delete_password(KEYRING_SERVICE, preset.name)
            except Exception:
                pass


_default_store: KeyStore | None = None


def default_key_store() -> KeyStore:
    """The process-wide store (one session memory shared by the window and the CLI)."""
    global _default_store
    if _default_store is None:
        _default_store = KeyStore()
    return _default_store
