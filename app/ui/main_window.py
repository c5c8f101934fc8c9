"""The main window: the calculator and the extra views, the verdict strip, themes and window state.

Its other parts live beside it: the scenario files, autosave and recovery (`window_files`), and the
actions and menus (`window_menus`); `MainWindow` wires them to the views and the document.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.domain.rules import verdict_tone
from app.domain.scenario import Scenario
from app.storage.autosave import AutosaveSlot
from app.storage.settings import Settings
from app.ui.calculator import CalculatorView
from app.ui.decision_panel import tone_colour, verdict_strip_text
from app.ui.dialogs import Prompter
from app.ui.document import ScenarioDocument
from app.ui.memo_export import MemoExporter
from app.ui.risk import install_risk
from app.ui.settings_store import SettingsStore, shared_settings_store, use_shared_settings_store
from app.ui.theme import LIGHT, Theme, apply_theme
from app.ui.views import extra_views
from app.ui.welcome import WelcomePanel
from app.ui.widgets import ElidedLabel
from app.ui.window_files import first_run_scenario, preset_infos
from app.ui.window_menus import WindowMenus

AUTOSAVE_DELAY_MS = 1500  # after the last edit
AUTOSAVE_INTERVAL_MS = 60_000  # and at least this often while there are unsaved edits
STRIP_WIDTH = 560  # the verdict strip's width when the window has room for it


class MainWindow(WindowMenus, QMainWindow):
    """One scenario document, the calculator and the extra views, with File/Edit/Scenario/View/Help."""

    def __init__(
        self,
        settings: Settings | None = None,
        prompter: Prompter | None = None,
        scenario: Scenario | None = None,
        parent: QWidget | None = None,
        settings_store: SettingsStore | None = None,
    ) -> None:
        super().__init__(parent)
        # The app's one settings store: this window's views read and change the settings through it.
        if settings_store is None:
            settings_store = SettingsStore(settings) if settings is not None else shared_settings_store()
        self.settings_store = settings_store
        use_shared_settings_store(settings_store)
        self.prompter = prompter if prompter is not None else Prompter()
        self.document = ScenarioDocument(
            scenario if scenario is not None else first_run_scenario(), parent=self
        )
        self.theme: Theme = LIGHT
        self.compare_windows: list[QWidget] = []
        # Warning lines of the last opened file (a decisive cost left out, counted as $0).
        self.open_warnings: tuple[str, ...] = ()
        # Windows opened for the second and later recovered slots (kept so they stay open).
        self.recovered_windows: list[MainWindow] = []
        # This window's own recovery slot: another window's edits never overwrite it, and this
        # window's clean exit deletes only it.
        self.autosave_slot = AutosaveSlot()
        self.help_windows: list[QWidget] = []
        self.setWindowIcon(_app_icon())
        self.resize(1440, 900)

        self.calculator = CalculatorView(self.document)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.calculator, "Calculator")
        for title, view in extra_views(self.document):
            self.tabs.addTab(view, title)
        self.verdict_strip = ElidedLabel()
        self.verdict_strip.setObjectName("verdictStrip")
        self.verdict_strip.setAccessibleName("Verdict summary")
        # A fixed size: Qt then skips the re-layout a new text asks for, which in the tab corner
        # would repaint the whole tab page (every chart) a second time on each change. The width
        # follows the window (`_fit_strip`); a text too long for it ends in "…" with a tooltip.
        self.verdict_strip.setFixedSize(STRIP_WIDTH, 26)
        self.verdict_strip.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.verdict_strip.setAutoFillBackground(True)
        self._strip_tone = ("", "")
        self.welcome = WelcomePanel(preset_infos())
        self.welcome.preset_chosen.connect(self.open_preset)
        self.welcome.open_requested.connect(self.open_dialog)
        self.welcome.dismissed.connect(self.dismiss_welcome)
        self.welcome.setVisible(not self.settings.welcome_dismissed)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.welcome)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.path_label = QLabel()
        self.statusBar().addPermanentWidget(self.path_label)
        self.calculator.inputs.notice.connect(lambda message: self.statusBar().showMessage(message, 8000))

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_interval = QTimer(self)
        self._autosave_interval.setInterval(AUTOSAVE_INTERVAL_MS)
        self._autosave_interval.timeout.connect(self.autosave_now)
        self._autosave_interval.start()

        self._build_actions()
        self._build_menus()
        self.memo_exporter = MemoExporter(self)
        self._add_memo_button()
        self.risk = install_risk(self)
        self.document.changed.connect(self._on_changed)
        # Opening a preset or a file is the step the guide asks for: it has done its job.
        self.document.reloaded.connect(self.dismiss_welcome)
        self.document.dirty_changed.connect(lambda _dirty: self._update_title())
        self.document.path_changed.connect(lambda _path: self._update_title())
        self._on_changed(self.document.scenario, autosave=False)
        self._restore_geometry()
        self.apply_theme_choice(self.settings.theme, save=False)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)
        self._following_scheme = True

    # -- actions and menus -----------------------------------------------------------------
    def _add_memo_button(self) -> None:
        """The verdict strip and, beside it, the memo button: the answer and the way to forward it."""
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.verdict_strip)
        self.memo_button = QToolButton()
        self.memo_button.setDefaultAction(self.export_memo_action)
        self.memo_button.setText("Export memo…")
        self.memo_button.setAccessibleName("Export decision memo")
        row.addWidget(self.memo_button)
        # Fixed like the strip inside it, so a new verdict text never re-lays out the tab bar.
        corner.setFixedSize(corner.sizeHint())
        self.strip_corner = corner
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)

    # -- document events ---------------------------------------------------------------------
    def _on_changed(self, _scenario: Scenario, autosave: bool = True) -> None:
        self.verdict_strip.setText(verdict_strip_text(self.document))
        self._paint_strip()
        self._update_title()
        if autosave:
            # Started on every change: while the undo stack is still pushing, `dirty` is not yet
            # true; the timer's slot checks it when it fires.
            self._autosave_timer.start()

    def _paint_strip(self) -> None:
        tone = verdict_tone(self.document.recommendation.verdict)
        if (tone, self.theme.name) == self._strip_tone:
            return  # palette changes re-polish the label: only when the tone or theme changes
        self._strip_tone = (tone, self.theme.name)
        # A style sheet of its own, not a palette: the label is styled by the application's sheet,
        # whose re-polish on a theme change put back the palette it first saw (light green
        # behind light text when the window opened in dark).
        colour = tone_colour(self.theme, tone)
        self.verdict_strip.setStyleSheet(
            f"QLabel#verdictStrip {{ background: {colour}; color: {self.theme.text}; }}"
        )

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — {APP_NAME}")
        self.setWindowModified(self.document.dirty)
        path = self.document.path
        state = " (unsaved changes)" if self.document.dirty else ""
        self.path_label.setText(f"{path if path is not None else 'not saved yet'}{state}")

    def _recovery_window(self) -> MainWindow:
        """A window of its own for a further recovered scenario (kept so it stays open)."""
        window = MainWindow(
            prompter=self.prompter, scenario=self.document.scenario, settings_store=self.settings_store
        )
        self.recovered_windows.append(window)
        window.show()
        return window

    # -- view --------------------------------------------------------------------------------
    def apply_theme_choice(self, choice: str, save: bool = True) -> None:
        """View > Theme: 'system', 'light' or 'dark'."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.theme = apply_theme(app, choice)
        self.calculator.apply_theme(self.theme)
        self.risk.apply_theme(self.theme)
        self._paint_strip()
        action = self.theme_actions.get(choice, self.theme_actions["system"])
        action.setChecked(True)
        if save and choice != self.settings.theme and choice in ("system", "light", "dark"):
            self._save_settings(theme=choice)

    def _on_system_scheme_changed(self, _scheme: object) -> None:
        if self.settings.theme == "system":
            self.apply_theme_choice("system", save=False)

    def show_welcome(self) -> None:
        """Help > Getting started: the first-launch guide again."""
        self.welcome.setVisible(True)

    def dismiss_welcome(self) -> None:
        """Hide the first-launch guide and remember it (a preset or a file was opened, or Got it)."""
        if self.welcome.isHidden() and self.settings.welcome_dismissed:
            return
        self.welcome.setVisible(False)
        if not self.settings.welcome_dismissed:
            self._save_settings(welcome_dismissed=True)

    # -- window state ------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Give the verdict strip the room right of the tabs, up to its full width."""
        super().resizeEvent(event)
        self._fit_strip()

    def _fit_strip(self) -> None:
        corner = getattr(self, "strip_corner", None)
        button = self.memo_button.sizeHint().width() + 4 if corner is not None else 0
        room = self.width() - self.tabs.tabBar().sizeHint().width() - button - 24
        width = max(160, min(STRIP_WIDTH, room))
        if width != self.verdict_strip.width():
            self.verdict_strip.setFixedWidth(width)
            if corner is not None:
                corner.setFixedSize(corner.sizeHint())

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode("ascii")))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Ask before losing unsaved changes; a clean exit empties the recovery slot."""
        if not self.maybe_save():
            event.ignore()
            return
        self._autosave_timer.stop()
        self._autosave_interval.stop()
        self.memo_exporter.shutdown()
        self.autosave_slot.close()
        self.risk.shutdown()
        geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        self._save_settings(window_geometry=geometry)
        # A closed window stops following the desktop's colour scheme: each follower restyles
        # the whole application, and a window kept alive after closing would do so for nothing.
        # Once only: a window closed twice would ask Qt to undo a connection it no longer has.
        if self._following_scheme:
            self._following_scheme = False
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_system_scheme_changed)
        event.accept()


def _app_icon() -> QIcon:
    try:
        from app.storage.resources import resource_path

        return QIcon(str(resource_path("icons", "specialist-studio.svg")))
    except Exception:
        return QIcon()
