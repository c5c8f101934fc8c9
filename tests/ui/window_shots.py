"""Screenshots of the window for every preset, size and theme, with the layout checks' findings.

Run on a real display (or Xvfb) to see what a user sees:

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python -m tests.ui.window_shots OUT_DIR

Writes OUT_DIR/<theme>-<width>x<height>-<preset>.png (QWidget.grab) and prints one line per
finding of `layout_checks.unreadable` on the calculator view; exit status 1 when any is found.
Sizes and presets can be narrowed: --sizes 1024x700 --presets review-sentiment --themes dark.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.storage.presets import list_presets
from app.storage.settings import Settings
from app.ui.main_window import MainWindow
from tests.ui.conftest import ScriptedPrompter
from tests.ui.layout_checks import unreadable

SIZES = ("1024x700", "1440x900", "1920x1080")


def settle(app: QApplication, rounds: int = 6) -> None:
    """Let layouts and deferred resizes finish."""
    for _ in range(rounds):
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    parser.add_argument("--presets", nargs="*", default=None)
    parser.add_argument("--themes", nargs="*", default=["light", "dark"])
    parser.add_argument("--view", choices=["calculator", "playground", "spot-check"], default="calculator")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    names = args.presets or [info.name for info in list_presets()]
    problems = 0
    with tempfile.TemporaryDirectory() as home:
        # Settings and autosave in a throwaway folder, never the user's.
        os.environ["SPECIALIST_STUDIO_HOME"] = home
        for theme in args.themes:
            window = MainWindow(settings=Settings(theme=theme), prompter=ScriptedPrompter())
            window.show()
            tab = {"calculator": 0, "playground": 1, "spot-check": 2}[args.view]
            window.tabs.setCurrentIndex(tab)
            for size in args.sizes:
                width, height = (int(part) for part in size.split("x"))
                window.resize(width, height)
                settle(app)
                for name in names:
                    window.open_preset(name)
                    settle(app)
                    image = window.grab()
                    path = args.out_dir / f"{theme}-{size}-{name}.png"
                    image.save(str(path))
                    findings = unreadable(window.calculator) if args.view == "calculator" else []
                    for finding in findings:
                        print(f"{theme} {size} {name}: {finding}")
                    problems += len(findings)
            window.close()
    print(f"{problems} findings")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
