"""One call from a scenario to a PDF memo: what the window's "Export memo" and `memo` CLI use.

Threading contract (what the window relies on when it calls `export_memo` from a worker):

* A `QGuiApplication` must exist before a worker thread calls this. The GUI always has one;
  headless callers (the CLI, tests) get one from `ensure_gui_application`, which must run on
  the main thread because Qt creates its application object there.
* Rendering uses only QtGui's reentrant classes (`QPdfWriter`, `QPainter` on it, `QFont`,
  `QFontMetricsF`), each created and used within the one call, so exports can run on any
  thread as long as two calls do not share one output path.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import date
from pathlib import Path

from app.domain.evaluation import SpotcheckSummary
from app.domain.scenario import Scenario
from app.report.content import build_memo_content
from app.report.memo_data import MemoContent
from app.report.render import PAGE_SIZES, render_memo_pdf
from app.storage.regular_files import FileRefusedError, os_problem

PAGE_SIZE_NAMES: tuple[str, ...] = tuple(PAGE_SIZES)


class MemoExportError(Exception):
    """The memo could not be written; the message is one line naming the file and the problem."""


def ensure_gui_application() -> None:
    """Create the QGuiApplication that fonts need, when none exists (offscreen without a display).

    Must be called on the main thread. A QApplication created by the window counts too.
    """
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        return
    if threading.current_thread() is not threading.main_thread():
        raise MemoExportError("no Qt application exists: create one on the main thread before exporting")
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if not has_display and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Kept on the function so it lives as long as the process (Qt needs exactly one).
    ensure_gui_application.app = QGuiApplication(["specialist-studio"])  # type: ignore[attr-defined]


def export_memo(
    scenario: Scenario,
    path: Path | str,
    *,
    spotcheck: SpotcheckSummary | None = None,
    page_size: str = "A4",
    author: str = "",
    today: date | None = None,
) -> Path:
    """Write the decision memo for `scenario` to `path` (PDF) and return the path.

    `spotcheck` adds the spot-check section; `page_size` is "A4" or "Letter"; `author` goes on the
    memo and in the PDF metadata. Safe from a worker thread once a QGuiApplication exists.
    """
    target = Path(path)
    if page_size not in PAGE_SIZES:
        raise MemoExportError(f"page size must be {' or '.join(PAGE_SIZE_NAMES)}, not {page_size!r}")
    content = build_memo(scenario, spotcheck=spotcheck, author=author, today=today)
    return render_memo(content, target, page_size)


def render_memo(content: MemoContent, path: Path | str, page_size: str = "A4") -> Path:
    """Write already-built memo content to `path` (PDF): a memo re-rendered from its JSON, say.

    Same checks and errors as `export_memo`; nothing is recomputed. Safe from a worker thread once
    a QGuiApplication exists.
    """
    target = Path(path)
    if page_size not in PAGE_SIZES:
        raise MemoExportError(f"page size must be {' or '.join(PAGE_SIZE_NAMES)}, not {page_size!r}")
    ensure_gui_application()
    try:
        render_memo_pdf(content, target, page_size)
    except FileRefusedError as exc:
        raise MemoExportError(str(exc)) from exc
    except OSError as exc:
        raise MemoExportError(f"{target}: cannot write the memo ({os_problem(exc)})") from exc
    return target


def build_memo(
    scenario: Scenario,
    *,
    spotcheck: SpotcheckSummary | None = None,
    author: str = "",
    today: date | None = None,
) -> MemoContent:
    """The memo as plain data (no Qt), e.g. for a preview or a test."""
    return build_memo_content(scenario, spotcheck=spotcheck, author=author, today=today)
