"""Drive the Playground inside the built bundle: load the bundled model, run one prompt, report.

Run by the bundle's own interpreter entry (not collected by pytest), from the repository root:
    specialist-studio -c "import runpy; runpy.run_path('tests/packaging/bundle_playground.py',
        run_name='__main__')" OUT.json [SHOT.png]
It writes a JSON report (the answer, the model process's executable, the GPU note) that the
bundle tests check; the window screenshot is optional.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from app.storage.presets import load_preset
from app.ui.app import create_application
from app.ui.document import ScenarioDocument
from app.ui.playground.view import PlaygroundView

PROMPT = "The capital of France is"
DEADLINE_S = 180.0


def main(report_path: Path, screenshot: Path | None) -> int:
    """Run the prompt through the view and write what happened to `report_path`."""
    app = create_application()
    view = PlaygroundView(ScenarioDocument(load_preset("support-ticket-triage")))
    view.resize(1200, 800)
    view.show()
    finished: list[object] = []
    view.run_finished.connect(finished.append)
    view.prompt.setPlainText(PROMPT)
    view.model_panel.max_tokens.setValue(16)  # enough to prove it streams; keeps the check short
    view.run_both()
    server_exe = ""
    deadline = time.monotonic() + DEADLINE_S
    while not finished and time.monotonic() < deadline:
        app.processEvents()
        if not server_exe and view.server is not None and view.server.pid is not None:
            server_exe = str(Path(f"/proc/{view.server.pid}/exe").readlink())
        time.sleep(0.02)
    # The GPU note is filled by a worker that asks a `-c` child; give it the same deadline.
    while view.model_panel.gpu_note.text().startswith("checking") and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    if screenshot is not None:
        view.grab().save(str(screenshot))
    report = {
        "finished": bool(finished),
        "answer": view.local_column.text.toPlainText(),
        "status": view.local_column.status.text(),
        "model_state": view.model_panel.state.text(),
        "gpu_note": view.model_panel.gpu_note.text(),
        "server_exe": server_exe,
        "interpreter": sys.executable,
    }
    view.shutdown()
    view.close()
    QCoreApplication.processEvents()
    report_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if finished else 1


if __name__ == "__main__":
    shot = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    sys.exit(main(Path(sys.argv[1]), shot))
