"""`specialist-studio [FILE]`: the QApplication, the theme, the main window and the start-up file."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import APP_NAME, __version__


def create_application() -> QApplication:
    """The QApplication (reused when one exists, as under tests)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0] if sys.argv else "specialist-studio"])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("specialist-studio")
    app.setDesktopFileName("specialist-studio")
    return app


def run_gui(argv: list[str]) -> int:
    """Open the main window: `argv` is empty (last scenario, or a preset on first run) or one FILE."""
    from app.ui.main_window import MainWindow  # after QApplication: widgets need it

    file_args = [arg for arg in argv if not arg.startswith("-")]
    if len(file_args) > 1:
        print(f"specialist-studio: open one scenario file at a time (got {len(file_args)})", file=sys.stderr)
        return 2
    app = create_application()
    window = MainWindow()
    window.start(Path(file_args[0]) if file_args else None)
    window.show()
    # Offered once the window is on screen, so the question has a parent to sit on.
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()
