"""The risk view: how sure the payback is, recomputed in a worker whenever the scenario changes.

`RiskController` subscribes to the document, waits for a pause in the edits (a slider drag
sends many), then runs `app.domain.uncertainty.analyse` on a worker thread; the GUI thread
only starts the worker and shows what comes back. A result for a scenario that has changed
since is dropped, and one more run follows for the latest scenario. `RiskView` draws the
distribution of savings at the horizon (or of the break-even month) with P10-P90 marked, the
tornado, and the value of information (its charts are in `app.ui.risk_charts`); the verdict card
shows the headline sentence.

`install_risk(window)` adds the dock (View ▸ Risk) and the Scenario menu's range actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.fields import label_for_key
from app.domain.formatting import format_money, format_months
from app.domain.monte_carlo import DEFAULT_DRAWS, DEFAULT_SEED
from app.domain.probability_seek import ProbabilitySeek, volume_for_probability
from app.domain.range_defaults import default_ranges
from app.domain.scenario import Scenario
from app.domain.uncertainty import UncertaintyResult, analyse, payback_headline
from app.domain.uncertainty_text import NO_RANGES, sample_information_sentence
from app.ui.document import ScenarioDocument
from app.ui.risk_charts import DistributionChart, SpiderChart, TornadoChart
from app.ui.theme import Theme

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.ranges_dialog import RangesDialog

# A slider drag sends a change every few milliseconds: wait for this long a pause first.
DEBOUNCE_MS = 150
WINDOW_DRAWS = DEFAULT_DRAWS
# The view shows no verdict chances (the CLI does): the rules write sentences, far slower than
# the engine, and the view must follow a slider.
WINDOW_VERDICT_SAMPLE = 0
# The inverse goal seek evaluates the engine at ~60 volumes: fewer draws keep it to a moment.
SEEK_DRAWS = 2_000
DRIVER_TITLES = (
    "Tornado: savings at the horizon, each input alone from low to high",
    "Spider: savings at the horizon as each input moves across its range, the others as typed",
)


class _CallThread(QThread):
    """Runs `function()` once for one scenario; `done(scenario, result_or_error)` on the GUI thread."""

    done = Signal(object, object)

    def __init__(
        self, scenario: Scenario, function: Callable[[], object], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.scenario = scenario
        self._function = function

    @staticmethod
    def launch(
        scenario: Scenario,
        function: Callable[[], object],
        parent: QObject,
        on_done: Callable[[Scenario, object], None],
    ) -> _CallThread:
        """A started thread for `function` that reports to `on_done` on the GUI thread."""
        thread = _CallThread(scenario, function, parent)
        thread.done.connect(on_done)
        thread.start()
        return thread

    def run(self) -> None:
        """Worker thread: the computation; any failure is reported as its one-line text."""
        try:
            result = self._function()
        except Exception as exc:  # shown in the view, never lost in a thread
            result = " ".join(str(exc).split()) or type(exc).__name__
        self.done.emit(self.scenario, result)


def _retire(thread: QThread | None) -> None:
    """A worker that reported: let its thread end, then free it on the event loop."""
    if thread is not None:
        thread.wait()
        thread.deleteLater()


class RiskController(QObject):
    """Keeps the uncertainty result of the document's scenario current, computed off the GUI thread."""

    result_ready = Signal(object)  # UncertaintyResult | None (None: the scenario has no ranges)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        document: ScenarioDocument,
        draws: int | None = None,
        seed: int = DEFAULT_SEED,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.draws = draws if draws is not None else WINDOW_DRAWS
        self.seed = seed
        self.result: UncertaintyResult | None = None
        self.result_scenario: Scenario | None = None
        self._thread: _CallThread | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)
        document.changed.connect(lambda _scenario: self.schedule())
        self.schedule()

    @property
    def busy(self) -> bool:
        """True while a run is waiting for a pause or computing."""
        return self._timer.isActive() or self._thread is not None

    def schedule(self) -> None:
        """Recompute after the edits pause (restarts the wait on every change)."""
        self._timer.start()
        self.busy_changed.emit(True)

    def _start(self) -> None:
        if self._thread is not None:
            return  # the running one finishes first; `_finished` starts the next for the latest scenario
        scenario = self.document.scenario
        if scenario == self.result_scenario:
            self.busy_changed.emit(False)
            return
        if not scenario.ranges:
            self._publish(scenario, None)
            return
        draws, seed = self.draws, self.seed
        self._thread = _CallThread.launch(
            scenario,
            lambda: analyse(scenario, draws=draws, seed=seed, verdict_sample=WINDOW_VERDICT_SAMPLE),
            self,
            self._finished,
        )

    def _finished(self, scenario: Scenario, outcome: object) -> None:
        _retire(self._thread)
        self._thread = None
        if scenario != self.document.scenario:
            self._start()  # stale: the scenario moved on while this ran
            return
        if isinstance(outcome, str):
            self.result_scenario = scenario
            self.failed.emit(outcome)
            self.busy_changed.emit(self.busy)
            return
        self._publish(scenario, outcome if isinstance(outcome, UncertaintyResult) else None)

    def _publish(self, scenario: Scenario, result: UncertaintyResult | None) -> None:
        self.result = result
        self.result_scenario = scenario
        self.result_ready.emit(result)
        self.busy_changed.emit(self.busy)

    def shutdown(self) -> None:
        """Stop waiting and let a running computation finish (the window is closing)."""
        self._timer.stop()
        if self._thread is not None:
            self._thread.wait()


class RiskView(QWidget):
    """Headline, distribution with P10-P90, tornado and value of information, from the controller."""

    def __init__(self, controller: RiskController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.headline = QLabel("Computing how sure the payback is…")
        self.headline.setObjectName("riskHeadline")
        self.headline.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("riskStatus")
        self.status.setWordWrap(True)
        self.measure = QComboBox()
        self.measure.addItems(["Savings at the horizon", "Break-even month"])
        self.measure.setAccessibleName("Distribution of")
        self.distribution = DistributionChart()
        self.percentiles = QLabel()
        self.percentiles.setWordWrap(True)
        self.tornado = TornadoChart()
        self.spider = SpiderChart()
        self.drivers_tabs = QTabBar()
        self.drivers_tabs.addTab("Tornado")
        self.drivers_tabs.addTab("Spider")
        self.drivers_tabs.setAccessibleName("Each input alone: tornado or spider")
        self.drivers_stack = QStackedWidget()
        self.drivers_stack.addWidget(self.tornado)
        self.drivers_stack.addWidget(self.spider)
        self._drawn_drivers: set[int] = set()  # which of the two charts show `_drivers_result`
        self._drivers_result: UncertaintyResult | None = None
        self.value_of_information = QLabel()
        self.value_of_information.setWordWrap(True)
        self.target = QSpinBox()
        self.target.setRange(5, 99)
        self.target.setValue(80)
        self.target.setSuffix(" %")
        self.target.setAccessibleName("Target chance of payback")
        self.seek_button = QPushButton("Find the volume")
        self.seek_answer = QLabel()
        self.seek_answer.setObjectName("riskSeekAnswer")
        self.seek_answer.setWordWrap(True)
        self._seek_thread: _CallThread | None = None
        self.seek_button.clicked.connect(self.seek_volume)
        self.edit_button = QPushButton("Edit ranges…")
        self.defaults_button = QPushButton("Apply default ranges")

        top = QHBoxLayout()
        top.addWidget(QLabel("Distribution of"))
        top.addWidget(self.measure, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.defaults_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.headline)
        layout.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.distribution, 3)
        layout.addWidget(self.percentiles)
        self.drivers_title = QLabel()
        self.drivers_title.setObjectName("ruleTitle")
        self.drivers_title.setWordWrap(True)
        layout.addWidget(self.drivers_tabs)
        layout.addWidget(self.drivers_title)
        layout.addWidget(self.drivers_stack, 3)
        layout.addWidget(self.value_of_information)
        seek = QHBoxLayout()
        seek.addWidget(QLabel("Volume for a"))
        seek.addWidget(self.target)
        seek.addWidget(QLabel("chance of payback:"))
        seek.addWidget(self.seek_button)
        seek.addStretch(1)
        layout.addLayout(seek)
        layout.addWidget(self.seek_answer)
        layout.addLayout(buttons)

        self.measure.currentIndexChanged.connect(lambda _index: self._show(controller.result))
        self.drivers_tabs.currentChanged.connect(self._show_drivers_page)
        self._show_drivers_page(0)
        controller.result_ready.connect(self._show)
        controller.failed.connect(lambda message: self.status.setText(f"Could not compute: {message}"))
        controller.busy_changed.connect(self._busy)
        self._show(controller.result)

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        self.distribution.apply_theme(theme)
        self.tornado.apply_theme(theme)
        self.spider.apply_theme(theme)

    def _show_drivers_page(self, index: int) -> None:
        """Tornado or spider: the page, its title, and its chart drawn if the result is newer."""
        self.drivers_stack.setCurrentIndex(index)
        self.drivers_title.setText(DRIVER_TITLES[index])
        self._draw_drivers()

    def _draw_drivers(self) -> None:
        # Only the chart on show is drawn; the other waits until its tab is picked.
        result = self._drivers_result
        index = self.drivers_tabs.currentIndex()
        if index in self._drawn_drivers:
            return
        if result is None:
            self.tornado.clear_bars()
            self.spider.show_lines((), 0.0)
        elif index == 0:
            self.tornado.show_result(result, result.point_savings)
        else:
            self.spider.show_lines(result.spider, result.point_savings)
        self._drawn_drivers.add(index)

    def seek_volume(self) -> None:
        """Goal seek, inverted: the volume at which the chance of payback reaches the target (worker)."""
        if self._seek_thread is not None:
            return
        scenario = self.controller.document.scenario
        if not scenario.ranges:
            self.seek_answer.setText(NO_RANGES)
            return
        target = self.target.value() / 100.0
        seed = self.controller.seed
        self.seek_answer.setText("Searching…")
        self.seek_button.setEnabled(False)
        self._seek_thread = _CallThread.launch(
            scenario,
            lambda: volume_for_probability(scenario, target, draws=SEEK_DRAWS, seed=seed),
            self,
            self._seek_done,
        )

    def _seek_done(self, _scenario: Scenario, outcome: object) -> None:
        _retire(self._seek_thread)
        self._seek_thread = None
        self.seek_button.setEnabled(True)
        self.seek_answer.setText(
            outcome.message if isinstance(outcome, ProbabilitySeek) else f"Could not search: {outcome}"
        )

    def shutdown(self) -> None:
        """Wait for a running search (the window is closing)."""
        if self._seek_thread is not None:
            self._seek_thread.wait()

    def _busy(self, busy: bool) -> None:
        self.status.setText("Updating…" if busy else "")

    def _show(self, result: UncertaintyResult | None) -> None:
        if result is not self._drivers_result:
            self._drivers_result = result
            self._drawn_drivers.clear()
            self._draw_drivers()
        if result is None:
            scenario = self.controller.result_scenario
            if scenario is not None and not scenario.ranges:
                self.headline.setText(NO_RANGES)
            self.percentiles.setText("")
            self.value_of_information.setText("")
            self.distribution.show_values(np.array([]), (None, None, None), money=True)
            return
        self.headline.setText(
            f"{payback_headline(result)} ({result.draws:,} draws over {len(result.fields)} ranged inputs)"
        )
        figures = result.figures
        if self.measure.currentIndex() == 0:
            self.distribution.show_values(figures.savings_at_horizon, result.savings_percentiles, money=True)
            low, mid, high = result.savings_percentiles
            annual = format_money(result.net_monthly_percentiles[1] * 12)
            self.percentiles.setText(
                f"Savings at month {result.horizon_months}: P10 {format_money(low)} · "
                f"P50 {format_money(mid)} · P90 {format_money(high)}. Net a year: P50 {annual}."
            )
        else:
            self.distribution.show_values(
                figures.break_even_months, result.break_even_percentiles, money=False
            )
            low_m, mid_m, high_m = result.break_even_percentiles
            never = float(np.mean(~np.isfinite(figures.break_even_months)))
            tail = f" {never:.0%} of the draws never pay back." if never > 0 else ""
            self.percentiles.setText(
                f"Break-even: P10 {format_months(low_m)} · P50 {format_months(mid_m)} · "
                f"P90 {format_months(high_m)}.{tail}"
            )
        words = [
            f"Deciding with perfect knowledge of every ranged input would be worth up to "
            f"{format_money(result.evpi)} (EVPI)."
        ]
        best = max(result.evppi.items(), key=lambda item: item[1], default=None)
        if best is not None and best[1] > 0:
            words.append(f"Knowing {label_for_key(best[0])} exactly is worth up to {format_money(best[1])}.")
        if result.sample_information is not None:
            words.append(sample_information_sentence(result.sample_information))
        self.value_of_information.setText(" ".join(words))


class RiskParts:
    """What `install_risk` adds to a window: the controller, the dock and view, the actions."""

    def __init__(self, window: MainWindow) -> None:
        from app.ui.ranges_dialog import RangesDialog

        self._dialog_type = RangesDialog
        self.window = window
        self.document = window.document
        self.controller = RiskController(self.document, parent=window)
        self.view = RiskView(self.controller)
        self.dock = QDockWidget("Risk: how sure is the payback?", window)
        self.dock.setObjectName("riskDock")
        self.dock.setWidget(self.view)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.toggle_action = self.dock.toggleViewAction()
        self.toggle_action.setText("&Risk")
        self.toggle_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.toggle_action.setStatusTip("Show how sure the payback is: chances, percentiles, tornado")
        window.addAction(self.toggle_action)
        self.dialog: RangesDialog | None = None

        self.edit_action = QAction("Edit &ranges…", window)
        self.edit_action.setStatusTip("How uncertain each input is: low, high and distribution")
        self.edit_action.triggered.connect(lambda _checked=False: self.edit_ranges())
        self.defaults_action = QAction("Apply &default ranges", window)
        self.defaults_action.setStatusTip("Give estimated inputs a default range, labelled as an assumption")
        self.defaults_action.triggered.connect(lambda _checked=False: self.apply_defaults())
        self.view.edit_button.clicked.connect(self.edit_action.trigger)
        self.view.defaults_button.clicked.connect(self.defaults_action.trigger)

        for menu in window.menuBar().findChildren(QMenu):
            title = menu.title().replace("&", "")
            if title == "View":
                menu.addSeparator()
                menu.addAction(self.toggle_action)
            elif title == "Scenario":
                menu.addSeparator()
                menu.addActions([self.edit_action, self.defaults_action])

        banner = window.calculator.decision.banner
        self.controller.result_ready.connect(
            lambda result: banner.show_risk(payback_headline(result) if result is not None else None)
        )

    def edit_ranges(self) -> RangesDialog:
        """Open the ranges editor (window-modal; the scenario changes only on OK, as one undo step)."""
        dialog = self._dialog_type(self.document, self.window)
        dialog.open()
        self.dialog = dialog
        return dialog

    def apply_defaults(self) -> int:
        """Give every estimated input without a range its default range; returns how many were added."""
        scenario = self.document.scenario
        ranges = {**default_ranges(scenario), **scenario.ranges}  # the user's own ranges win
        added = len(ranges) - len(scenario.ranges)
        if added == 0:
            self.window.statusBar().showMessage("Every input with a default range has one already.", 6000)
            return 0
        self.document.set_scenario(scenario.with_changes(ranges=ranges), "Apply default ranges")
        self.window.statusBar().showMessage(f"Applied {added} default ranges, labelled as assumptions.", 6000)
        return added

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        self.view.apply_theme(theme)

    def shutdown(self) -> None:
        """The window is closing: stop the pending run, wait for a running one."""
        self.controller.shutdown()
        self.view.shutdown()


def install_risk(window: MainWindow) -> RiskParts:
    """The risk dock (View ▸ Risk, Ctrl+Shift+R) and Scenario ▸ Edit ranges… / Apply default ranges."""
    return RiskParts(window)
