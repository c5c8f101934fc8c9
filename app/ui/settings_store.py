"""The window's one settings store: views read the settings here, change them here, and hear changes.

Before, each view kept its own `Settings` copy read at start-up, so the spot-check could run a
model the playground had already changed. Now the store holds the one copy in memory; a change
goes through `update`, which saves only the fields it names on top of the file as it is now
(`app.storage.settings.update_settings`, so another copy of the app's fields survive), and
announces itself through `changed` to every view that subscribed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.storage.settings import Settings, load_settings, merged_settings, update_settings


class SettingsStore(QObject):
    """One in-memory `Settings`, saved per field, with a change signal."""

    # (the settings now, frozenset of the top-level fields that changed, e.g. {"local_model"})
    changed = Signal(object, object)

    def __init__(self, settings: Settings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else load_settings()

    @property
    def settings(self) -> Settings:
        """The settings as they are now in this app (saved or not)."""
        return self._settings

    def update(self, **changes: Any) -> None:
        """Apply `changes` (top-level fields, or a mapping of some fields of a section) and save them.

        Raises `ValueError` naming the field for an unknown field or a refused value (nothing
        changes). Raises `OSError` when the file could not be written: the change still holds
        for this session (and `changed` was sent), it is only not remembered for the next one.
        """
        updated = merged_settings(self._settings, changes)
        try:
            update_settings(**changes)
        finally:
            self._set(updated)

    def _set(self, updated: Settings) -> None:
        before, self._settings = self._settings, updated
        fields = frozenset(
            name for name in Settings.model_fields if getattr(before, name) != getattr(updated, name)
        )
        if fields:
            self.changed.emit(updated, fields)


_shared: SettingsStore | None = None


def shared_settings_store() -> SettingsStore:
    """The store every view of the app uses unless given its own (read from the file on first use)."""
    global _shared
    if _shared is None:
        _shared = SettingsStore()
    return _shared


def use_shared_settings_store(store: SettingsStore | None) -> None:
    """Make `store` the one the app's views use (the main window installs its own); None: read
    the file again on next use (tests, which give each test its own settings folder)."""
    global _shared
    _shared = store
