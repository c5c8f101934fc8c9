"""File ▸ Export decision memo…: options, where to save, a worker that writes it, Open / Show in folder.

The flow: the options dialog (author, paper, whether to attach the session's spot-check, whether to
also save the memo's content as JSON) opens without blocking; "Export…" asks where to save; a
worker thread builds the memo's content and renders the PDF while the window stays live (a busy bar
in the status bar says so); the result box offers "Open" and "Show in folder", or names the file
and the reason it could not be written. Nothing the user made is touched on failure: the PDF is
written beside the target and renamed into place.

What goes in is what the window shows: the document's scenario, the Spot-check view's latest
summary when a run has finished in this session, and the scenario's own decision fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from app.domain.evaluation import ItemResult, SpotcheckSummary
from app.domain.scenario import Scenario
from app.domain.uncertainty import UncertaintyResult
from app.storage.atomic import atomic_write_text
from app.storage.settings import MEMO_PAGE_SIZES, MemoSettings
from app.ui.decision_fields import DecisionFieldsDialog
from app.ui.dialog_parts import form_dialog, text_field

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

logger = logging.getLogger(__name__)

PDF_FILTER = "PDF decision memo (*.pdf)"


@dataclass(frozen=True)
class MemoRequest:
    """Everything the worker needs; plain data, so the worker never touches a widget."""

    scenario: Scenario
    spotcheck: SpotcheckSummary | None
    uncertainty: UncertaintyResult | None
    author: str
    spotcheck_items: tuple[ItemResult, ...]
    page_size: str
    pdf_path: Path
    json_path: Path | None


@dataclass(frozen=True)
class MemoOutcome:
    """What an export produced: the files written, or the one-line reason it failed."""

    pdf_path: Path
    json_path: Path | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when every file asked for was written."""
        return self.error is None


def write_memo_files(request: MemoRequest, progress: Callable[[int, str], None]) -> MemoOutcome:
    """Build the memo's content, render the PDF and (when asked) save the content as JSON.

    A plain function run by the worker thread (and testable without it); `progress` gets
    (percent, what is happening). Errors come back in the outcome as one line naming the file.
    """
    # Imported here: the window starts without the memo's layout code until the first export.
    from app.report.content import build_memo_content
    from app.report.export import MemoExportError, render_memo
    from app.report.memo_json import memo_to_json

    progress(10, "Computing the figures…")
    content = build_memo_content(
        request.scenario,
        spotcheck=request.spotcheck,
        author=request.author,
        uncertainty=request.uncertainty,
        spotcheck_items=request.spotcheck_items,
    )
    progress(40, "Writing the PDF…")
    try:
        render_memo(content, request.pdf_path, request.page_size)
    except MemoExportError as exc:
        return MemoOutcome(request.pdf_path, request.json_path, str(exc))
    if request.json_path is not None:
        progress(90, "Saving the memo's content…")
        try:
            atomic_write_text(request.json_path, memo_to_json(content, request.page_size))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return MemoOutcome(
                request.pdf_path,
                request.json_path,
                f"{request.json_path.name}: cannot write the memo content ({reason}); the PDF was written",
            )
    progress(100, "Done")
    return MemoOutcome(request.pdf_path, request.json_path)


class _MemoWorker(QObject):
    """Runs `write_memo_files` on its thread; every exception becomes a failed outcome."""

    progressed = Signal(int, str)
    finished = Signal(object)  # MemoOutcome

    def __init__(self, request: MemoRequest) -> None:
        super().__init__()
        self.request = request

    def run(self) -> None:
        """Thread body."""
        try:
            outcome = write_memo_files(self.request, self.progressed.emit)
        except Exception as exc:  # never let a traceback end the thread silently
            logger.exception("memo export failed")
            outcome = MemoOutcome(
                self.request.pdf_path, self.request.json_path, f"{self.request.pdf_path.name}: {exc}"
            )
        self.finished.emit(outcome)


OPTIONS_INTRO = (
    "The memo shows the verdict, the figures and the charts of the scenario as the window shows them, "
    "with every input, rule and caveat after page one."
)


class MemoOptionsDialog(QDialog):
    """Author, paper size, what to attach; "Export…" goes on to the save dialog."""

    def __init__(
        self, memo_settings: MemoSettings, spotcheck: SpotcheckSummary | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout, form = form_dialog(self, "Export decision memo", "memoOptionsDialog", OPTIONS_INTRO)
        self.author_edit = text_field(memo_settings.author, 200, "shown on the memo (optional)")
        form.addRow("&Author:", self.author_edit)
        self.page_combo = QComboBox()
        self.page_combo.addItems(list(MEMO_PAGE_SIZES))
        self.page_combo.setCurrentText(memo_settings.page_size)
        form.addRow("&Paper:", self.page_combo)
        self.spotcheck_check = QCheckBox()
        if spotcheck is not None:
            self.spotcheck_check.setText(
                f"Attach the spot-check ({spotcheck.set_name}, {spotcheck.items} items"
                + (f", {spotcheck.run_date})" if spotcheck.run_date else ")")
            )
            self.spotcheck_check.setChecked(True)
        else:
            self.spotcheck_check.setText("Attach the spot-check (none has run in this session)")
            self.spotcheck_check.setEnabled(False)
        form.addRow("Evidence:", self.spotcheck_check)
        self.json_check = QCheckBox("Also save the memo's content as JSON (re-render it later, unchanged)")
        form.addRow("Data:", self.json_check)
        self.decision_button = QPushButton("&Decision details…")
        self.decision_button.setToolTip("The owner, the ask, the pilot plan and the decision date")
        form.addRow("Page one:", self.decision_button)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = QPushButton("&Export…")
        self.export_button.setDefault(True)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class MemoExporter(QObject):
    """Owns the export action's flow for one main window."""

    finished = Signal(object)  # MemoOutcome, after the result box is shown
    running_changed = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: MemoOptionsDialog | None = None
        self.decision_dialog: DecisionFieldsDialog | None = None
        self.result_box: QMessageBox | None = None
        self.last_outcome: MemoOutcome | None = None
        # Opening files and folders goes through the desktop; kept as an attribute so a test can
        # watch what would be opened without starting a PDF viewer.
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self._thread: QThread | None = None
        self._worker: _MemoWorker | None = None
        self._spotcheck: SpotcheckSummary | None = None
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setAccessibleName("Memo export progress")
        self.progress_bar.hide()
        # Permanent: a temporary status message (the stage being written) hides ordinary widgets.
        window.statusBar().addPermanentWidget(self.progress_bar)

    # -- what goes in ------------------------------------------------------------------------
    def _spotcheck_view(self) -> QWidget | None:
        """The Spot-check view holding a finished run's summary, when it was opened and one finished."""
        from app.ui.views import LazyView

        for index in range(self.window.tabs.count()):
            page = self.window.tabs.widget(index)
            view = page.view if isinstance(page, LazyView) else page
            if isinstance(getattr(view, "summary", None), SpotcheckSummary):
                return view
        return None

    def current_spotcheck(self) -> SpotcheckSummary | None:
        """The Spot-check view's latest summary, when that view was opened and a run finished."""
        view = self._spotcheck_view()
        summary = getattr(view, "summary", None)
        return summary if isinstance(summary, SpotcheckSummary) else None

    def current_spotcheck_items(self) -> tuple[ItemResult, ...]:
        """The per-item results behind that summary (empty without a run)."""
        model = getattr(self._spotcheck_view(), "items_model", None)
        results = getattr(model, "results", ())
        return tuple(item for item in results if isinstance(item, ItemResult))

    def current_uncertainty(self) -> UncertaintyResult | None:
        """The risk view's result when it is for the scenario as it is now (never a stale one)."""
        controller = getattr(getattr(self.window, "risk", None), "controller", None)
        result = getattr(controller, "result", None)
        if not isinstance(result, UncertaintyResult):
            return None
        return (
            result if getattr(controller, "result_scenario", None) == self.window.document.scenario else None
        )

    @property
    def running(self) -> bool:
        """True while a memo is being written."""
        return self._thread is not None

    # -- the flow ----------------------------------------------------------------------------
    def start(self) -> MemoOptionsDialog | None:
        """File ▸ Export decision memo…: open the options (non-blocking); None while one is running."""
        if self.running:
            self.window.statusBar().showMessage("A memo is being written; wait for it to finish", 5000)
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        self._spotcheck = self.current_spotcheck()
        if self.dialog is not None:
            self.dialog.deleteLater()  # a closed one from an earlier export
        dialog = MemoOptionsDialog(self.window.settings.memo, self._spotcheck, self.window)
        dialog.accepted.connect(self._options_accepted)
        dialog.decision_button.clicked.connect(lambda: self.edit_decision(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_decision(self, parent: QWidget | None = None) -> DecisionFieldsDialog:
        """Scenario ▸ Decision details… (also a button in the export options): opens without blocking."""
        if self.decision_dialog is not None and not self.decision_dialog.isVisible():
            self.decision_dialog.deleteLater()
        dialog = DecisionFieldsDialog(self.window.document, parent or self.window)
        self.decision_dialog = dialog
        dialog.open()
        return dialog

    def _suggested_path(self, memo: MemoSettings) -> Path:
        folder = memo.last_directory or self.window.settings.last_directory or str(Path.home())
        stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in self.window.document.scenario.name)
        stem = "-".join(part for part in stem.lower().split("-") if part) or "scenario"
        return Path(folder) / f"{stem}-memo.pdf"

    def _options_accepted(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        memo = self.window.settings.memo
        chosen, _ = QFileDialog.getSaveFileName(
            self.window, "Export decision memo", str(self._suggested_path(memo)), PDF_FILTER
        )
        if not chosen:
            return
        pdf_path = Path(chosen)
        if pdf_path.suffix.lower() != ".pdf":
            pdf_path = pdf_path.with_name(pdf_path.name + ".pdf")
        author = dialog.author_edit.text().strip()
        attach = dialog.spotcheck_check.isChecked() and self._spotcheck is not None
        page_size = dialog.page_combo.currentText()
        self._remember(pdf_path.parent, page_size, author)
        request = MemoRequest(
            scenario=self.window.document.scenario,
            spotcheck=self._spotcheck if attach else None,
            spotcheck_items=self.current_spotcheck_items() if attach else (),
            uncertainty=self.current_uncertainty(),
            author=author,
            page_size=page_size,
            pdf_path=pdf_path,
            json_path=pdf_path.with_suffix(".json") if dialog.json_check.isChecked() else None,
        )
        self.export(request)

    def _remember(self, folder: Path, page_size: str, author: str) -> None:
        try:
            self.window.settings_store.update(
                memo={"last_directory": str(folder), "page_size": page_size, "author": author}
            )
        except (OSError, ValueError) as exc:
            self.window.statusBar().showMessage(f"Memo settings not saved: {exc}", 8000)

    def export(self, request: MemoRequest) -> None:
        """Write the memo on a worker thread; the result box follows when it is done."""
        if self.running:
            return
        thread = QThread(self)
        worker = _MemoWorker(request)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.finished.connect(thread.quit)
        self._thread, self._worker = thread, worker
        self.window.export_memo_action.setEnabled(False)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.window.statusBar().showMessage(f"Writing {request.pdf_path.name}…")
        self.running_changed.emit(True)
        thread.start()

    def _on_progress(self, percent: int, text: str) -> None:
        self.progress_bar.setValue(percent)
        self.window.statusBar().showMessage(text)

    def _on_finished(self, outcome: MemoOutcome) -> None:
        thread = self._thread
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread, self._worker = None, None
        self.progress_bar.hide()
        self.window.export_memo_action.setEnabled(True)
        self.running_changed.emit(False)
        self.last_outcome = outcome
        self.result_box = self._show_result(outcome)
        self.finished.emit(outcome)

    def _show_result(self, outcome: MemoOutcome) -> QMessageBox:
        if self.result_box is not None:
            self.result_box.close()
        if not outcome.ok:
            self.window.statusBar().showMessage(f"Memo not written: {outcome.error}", 10000)
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Could not export the memo",
                outcome.error or "",
                QMessageBox.StandardButton.Close,
                self.window,
            )
            box.open()
            return box
        written = outcome.pdf_path.name + (f" and {outcome.json_path.name}" if outcome.json_path else "")
        self.window.statusBar().showMessage(f"Memo written: {written}", 8000)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Memo exported",
            f"Wrote {written} in {outcome.pdf_path.parent.name or outcome.pdf_path.parent}.",
            QMessageBox.StandardButton.Close,
            self.window,
        )
        box.setDetailedText(str(outcome.pdf_path))
        self.open_button = box.addButton("&Open", QMessageBox.ButtonRole.ActionRole)
        self.folder_button = box.addButton("Show in &folder", QMessageBox.ButtonRole.ActionRole)
        # Action buttons close the box by default; each opens what it names first.
        self.open_button.clicked.connect(lambda: self.open_url(QUrl.fromLocalFile(str(outcome.pdf_path))))
        self.folder_button.clicked.connect(
            lambda: self.open_url(QUrl.fromLocalFile(str(outcome.pdf_path.parent)))
        )
        box.open()
        return box

    def shutdown(self) -> None:
        """Wait for a memo being written (the window is closing): a PDF is never left half done."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
