"""The calculator view: inputs on the left, the three charts in the middle, the decision on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.domain.formatting import format_money, format_months, format_number
from app.domain.plan import GoalSeekAnswer
from app.domain.scenario import Scenario
from app.ui.charts import BreakEvenVolumeChart, CostBreakdownChart, CumulativeCostChart
from app.ui.decision_panel import DecisionPanel
from app.ui.document import ScenarioDocument
from app.ui.inputs_panel import InputsPanel
from app.ui.theme import Theme

# Side panel widths at full size, and the narrowest the inputs get on a small window.
INPUTS_WIDTH = 430
DECISION_WIDTH = 410
INPUTS_MIN_WIDTH = 320


def _titled(title: str, widget: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.setSpacing(0)
    caption = QLabel(title)
    caption.setObjectName("ruleTitle")
    layout.addWidget(caption)
    layout.addWidget(widget, 1)
    return holder


class CalculatorView(QWidget):
    """Subscribes to the document once and redraws every chart and the rules from each change."""

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.inputs = InputsPanel(document)
        self.cumulative_chart = CumulativeCostChart()
        self.volume_chart = BreakEvenVolumeChart()
        self.breakdown_chart = CostBreakdownChart()
        self.decision = DecisionPanel(document)

        charts = QSplitter(Qt.Orientation.Vertical)
        charts.addWidget(_titled("Cumulative cost over the horizon", self.cumulative_chart))
        charts.addWidget(_titled("Break-even against monthly volume", self.volume_chart))
        charts.addWidget(_titled("Cost per 1,000 requests", self.breakdown_chart))
        charts.setStretchFactor(0, 5)
        charts.setStretchFactor(1, 4)
        charts.setStretchFactor(2, 3)
        charts.setChildrenCollapsible(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.inputs)
        self.splitter.addWidget(charts)
        self.splitter.addWidget(self.decision)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([INPUTS_WIDTH, 590, DECISION_WIDTH])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.decision.goal_seek.answered.connect(self._mark_goal)
        self.splitter.splitterMoved.connect(lambda _pos, _index: self._user_sized())
        self._user_sized_panels = False
        document.reloaded.connect(self._reset_charts)
        document.changed.connect(self.refresh)
        self.refresh(document.scenario)

    def _mark_goal(self, answer: GoalSeekAnswer | None) -> None:
        """Mark a goal-seek answer on the break-even-vs-volume chart (hidden when there is none)."""
        if answer is None or not answer.found:
            self.volume_chart.show_goal(None, None)
            return
        if answer.volume_per_month is not None:
            volume = answer.volume_per_month
            text = f"goal: {format_number(volume)}/month → {format_months(answer.target_months, 'whole')}"
        else:
            volume = self.document.scenario.volume_per_month
            text = (
                f"goal: large at {format_money(answer.input_price_per_mtok, 'price')} / "
                f"{format_money(answer.output_price_per_mtok, 'price')} per Mtok → "
                f"{format_months(answer.target_months, 'whole')}"
            )
        self.volume_chart.show_goal(volume, answer.target_months, text)

    def _user_sized(self) -> None:
        self._user_sized_panels = True

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """On a narrow window, narrow the side panels so the charts keep a readable width."""
        super().resizeEvent(event)
        self.balance_panels()

    def balance_panels(self) -> None:
        """Side panels take at most ~30% of the width each (down to their minimums) unless the
        user dragged the splitter; the charts get the rest."""
        if self._user_sized_panels:
            return
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        inputs = min(INPUTS_WIDTH, max(INPUTS_MIN_WIDTH, int(total * 0.3)))
        decision = min(DECISION_WIDTH, max(self.decision.minimumWidth(), int(total * 0.3)))
        wanted = [inputs, total - inputs - decision, decision]
        if wanted != self.splitter.sizes():
            self.splitter.setSizes(wanted)

    def _reset_charts(self) -> None:
        # A new scenario gets tight axes; only edits within one keep them steady.
        for chart in (self.cumulative_chart, self.volume_chart, self.breakdown_chart):
            chart.reset_ranges()

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark on every chart and the decision panel."""
        for chart in (self.cumulative_chart, self.volume_chart, self.breakdown_chart):
            chart.apply_theme(theme)
        self.decision.apply_theme(theme)

    def refresh(self, _scenario: Scenario | None = None) -> None:
        """Redraw the charts and the decision from the document (computed once per change)."""
        self.cumulative_chart.update_from(self.document)
        self.volume_chart.update_from(self.document)
        self.breakdown_chart.update_from(self.document)
        self.decision.update_from(self.document)
