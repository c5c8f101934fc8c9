"""The decision side: the verdict banner with the headline numbers, the six rules, and goal seek."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.formatting import format_money, format_months, format_number
from app.domain.plan import GoalSeekAnswer, PlanFigures, Question, answer_goal_seek
from app.domain.rules import (
    RULE_TITLES,
    VERDICT_LABELS,
    Recommendation,
    RuleResult,
    VerdictTone,
    verdict_tone,
)
from app.ui.document import ScenarioDocument
from app.ui.theme import BLOCKING_SYMBOL, LIGHT, STATUS_SYMBOLS, STATUS_WORDS, Theme, rule_mark_pixmap
from app.ui.widgets import ElidedLabel, WrappedText, column_layout

# The window has three verdict colours; the domain's "caution" (keep the large model and route
# the hard tail) is drawn like the other "keep the large model" answer.
FIGURE_VALUE_HEIGHT = 24  # a figure's big number, one line

_TONE_LOOK: dict[VerdictTone, str] = {"good": "good", "caution": "bad", "bad": "bad", "neutral": "neutral"}


def rule_look(result: RuleResult) -> str:
    """How a rule row is drawn: the tone of the verdict it leads to when it holds, else
    'not_holding' or 'unknown'."""
    if result.status == "pass":
        return verdict_look(result.leads_to)
    return "not_holding" if result.status == "fail" else "unknown"


def rule_status_text(result: RuleResult, deciding: bool) -> str:
    """The status line of a rule: symbol and words, never colour alone.

    'Holds → Specialize', '– Does not hold', '? Unknown: needs the fine-tuned specialist's
    accuracy', with ' · decides' on the rule that decided the verdict. What it leads to and what
    it needs come from the rule result itself (the domain owns those meanings).
    """
    if result.status == "pass":
        symbol = STATUS_SYMBOLS["pass"] if verdict_look(result.leads_to) == "good" else BLOCKING_SYMBOL
        text = f"{symbol} {STATUS_WORDS['pass']} → {VERDICT_LABELS[result.leads_to]}"
    elif result.status == "fail":
        text = f"{STATUS_SYMBOLS['fail']} {STATUS_WORDS['fail']}"
    else:
        needs = ", ".join(result.needs) or "more inputs"
        text = f"{STATUS_SYMBOLS['unknown']} {STATUS_WORDS['unknown']}: needs {needs}"
    return f"{text} · decides" if deciding else text


def verdict_look(verdict: str) -> str:
    """'good', 'bad' or 'neutral': the colour family of a verdict's domain tone (banner, strip)."""
    return _TONE_LOOK[verdict_tone(verdict)]


def tone_colour(theme: Theme, tone: str) -> str:
    """The background colour of a verdict tone (the domain's, or its look) in a theme."""
    look = _TONE_LOOK.get(tone, tone)  # type: ignore[call-overload]
    return {"good": theme.verdict_good, "bad": theme.verdict_bad}.get(look, theme.verdict_neutral)


def verdict_strip_text(document: ScenarioDocument) -> str:
    """The header's one-liner: 'verdict: SPECIALIZE · pays back 0.1 mo'."""
    recommendation = document.recommendation
    months = document.summary.break_even_months
    payback = f"pays back {format_months(months)}" if months is not None else "never pays back"
    return f"verdict: {recommendation.label.upper()} · {payback}"


def ratio_text(ratio: float | None) -> str:
    """Large cost per request over the specialist path's, for people: '8.5x' or 'n/a'."""
    if ratio is None:
        return "n/a"  # the specialist path costs nothing
    return f"{ratio:.3g}x"


class _Figure(QWidget):
    """A big number with a caption under it; a value too wide for its column elides (full text in
    the tooltip), a caption wraps."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = column_layout(self, (0, 0, 0, 0), 0)
        # The value is placed by hand over a fixed-height row (see resizeEvent): fixed in both
        # directions, a new value repaints the label alone. With only its height fixed, every new
        # value asked each layout up to the decision panel to recompute, twice the cost of a drag.
        self.value = ElidedLabel("—", self)
        self.value.setObjectName("figureValue")
        self.value.setFixedSize(0, FIGURE_VALUE_HEIGHT)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.caption.setObjectName("figureCaption")
        layout.addSpacing(FIGURE_VALUE_HEIGHT)
        layout.addWidget(self.caption)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """The value spans the figure's width (eliding what does not fit)."""
        super().resizeEvent(event)
        self.value.setFixedSize(self.width(), FIGURE_VALUE_HEIGHT)

    def set(self, text: str) -> None:
        """Show a new value; accessible name carries caption and value for screen readers."""
        self.value.setText(text)
        self.setAccessibleName(f"{self.caption.text()}: {text}")

    def set_caption(self, caption: str) -> None:
        """A new caption (the horizon's length, a payback past the horizon)."""
        if caption != self.caption.text():
            self.caption.setText(caption)


def plan_figure_texts(plan: PlanFigures, cost_ratio: float | None) -> dict[str, str]:
    """The verdict card's figures of the recommended plan, as shown (by caption key)."""
    money = plan.money
    if money is None:
        return {}
    late = money.break_even_months is not None and not money.break_even_within_horizon
    return {
        "net": format_money(money.net_monthly_savings, "figure"),
        "annual": format_money(money.annual_net_savings, "figure"),
        "horizon": format_money(money.horizon_savings, "figure"),
        "break_even": format_months(money.break_even_months) + (" (past the horizon)" if late else ""),
        "one_time": format_money(money.one_time_cost, "figure"),
        "ratio": ratio_text(cost_ratio),
    }


def rejected_text(plan: PlanFigures) -> str:
    """One line for the swap the verdict turns down: its numbers, labelled as not the plan."""
    money = plan.rejected
    if money is None:
        return ""
    payback = (
        f"pays back in {format_months(money.break_even_months)}"
        if money.break_even_months is not None
        else "never pays back"
    )
    return (
        f"{plan.rejected_title}: {format_money(money.net_monthly_savings, 'figure')} net a month, "
        f"{format_money(money.horizon_savings, 'figure')} over {money.horizon_months} months, {payback}."
    )


class VerdictBanner(QFrame):
    """The verdict in words, the recommended plan's figures (monthly, a year, over the horizon),
    the swap it rejects labelled as such, what it would take, and the headline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.setAccessibleName("Verdict")
        self.setAutoFillBackground(True)
        layout = column_layout(self, (12, 10, 12, 10), 6)
        self.title = QLabel()
        self.title.setObjectName("verdictTitle")
        self.title.setWordWrap(True)
        self.plan_title = QLabel()
        self.plan_title.setObjectName("ruleTitle")
        self.plan_title.setWordWrap(True)
        self.headline = WrappedText("verdictHeadline")
        self.figure_box = QWidget()
        figures = QGridLayout(self.figure_box)
        figures.setContentsMargins(0, 0, 0, 0)
        figures.setHorizontalSpacing(16)
        figures.setVerticalSpacing(4)
        self.net_savings = _Figure("net savings / month")
        self.annual = _Figure("a year at this rate")
        self.horizon_total = _Figure("over the horizon, all costs in")
        self.break_even = _Figure("break-even")
        self.one_time = _Figure("one-time cost")
        self.cost_ratio = _Figure("cost ratio, large ÷ plan")
        self.figures = {
            "net": self.net_savings,
            "annual": self.annual,
            "horizon": self.horizon_total,
            "break_even": self.break_even,
            "one_time": self.one_time,
            "ratio": self.cost_ratio,
        }
        for index, figure in enumerate(self.figures.values()):
            figures.addWidget(figure, index // 2, index % 2)
        figures.setColumnStretch(0, 1)
        figures.setColumnStretch(1, 1)
        # "82% chance it pays back within 24 months": set by the risk view's worker when ready.
        self.risk = QLabel()
        self.risk.setObjectName("verdictRisk")
        self.risk.setWordWrap(True)
        self.risk.hide()
        self.rejected = WrappedText("rejectedPlan")
        self.rejected.setAccessibleName("Rejected plan")
        self.would_take = WrappedText("wouldTake")
        self.would_take.setAccessibleName("What it would take")
        layout.addWidget(self.title)
        layout.addWidget(self.plan_title)
        layout.addWidget(self.figure_box)
        layout.addWidget(self.risk)
        layout.addWidget(self.would_take)
        layout.addWidget(self.rejected)
        layout.addWidget(self.headline)
        self._theme: Theme = LIGHT
        self._tone = "neutral"

    def apply_theme(self, theme: Theme) -> None:
        """Background by verdict tone, in the theme's colours."""
        self._theme = theme
        self._paint_tone()

    def _paint_tone(self) -> None:
        colour = tone_colour(self._theme, self._tone)
        # Palette, not a style sheet: re-polishing a style sheet on every verdict change is slow.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(colour))
        self.setPalette(palette)

    def show_risk(self, sentence: str | None) -> None:
        """The chance of paying back within the horizon, in words; None hides it (no ranges)."""
        self.risk.setText(sentence or "")
        self.risk.setVisible(bool(sentence))

    def update_from(self, document: ScenarioDocument) -> None:
        """Show the document's verdict and the figures of the plan it recommends."""
        recommendation = document.recommendation
        plan = document.plan
        deciding = f" (rule {recommendation.deciding_rule})" if recommendation.deciding_rule else ""
        self.title.setText(f"{recommendation.label}{deciding}")
        self.plan_title.setText(plan.title)
        texts = plan_figure_texts(plan, _plan_ratio(document, plan))
        self.figure_box.setVisible(bool(texts))
        if texts and plan.money is not None:
            self.horizon_total.set_caption(f"over {plan.money.horizon_months} months, all costs in")
            for key, text in texts.items():
                self.figures[key].set(text)
        extra = [answer.text for answer in plan.would_take]
        self.would_take.setText(" ".join([plan.note, *extra]).strip())
        self.would_take.setVisible(bool(self.would_take.text()))
        rejected = rejected_text(plan)
        self.rejected.setText(rejected)
        self.rejected.setVisible(bool(rejected))
        self.headline.setText(recommendation.headline)
        tone = verdict_look(recommendation.verdict)
        if tone != self._tone:
            self._tone = tone
            self._paint_tone()
        self.setAccessibleDescription(f"{recommendation.label}{deciding}. {recommendation.headline}")


def _plan_ratio(document: ScenarioDocument, plan: PlanFigures) -> float | None:
    """Large cost per request over the plan's path (the configured one for the swap)."""
    if plan.money is None or plan.money.cost_per_request <= 0:
        return None
    return document.summary.large_cost_per_request / plan.money.cost_per_request


def _set_text_colour(label: QLabel, colour: str) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(palette)


class RuleRow(QFrame):
    """One rule: a shaped mark, number and title, a status line in words, and its reason.

    A rule that holds takes the colour of the verdict it leads to; one that does not hold stays
    neutral grey (often good news); unknown is its own violet "?" and says what it needs.
    """

    def __init__(self, rule_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rule_id = rule_id
        self.status = ""
        self.look = ""  # a RuleLook once shown
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        self.icon = QLabel()
        self.icon.setFixedSize(18, 18)
        self.title = QLabel(f"{rule_id}. {RULE_TITLES.get(rule_id, '')}")
        self.title.setObjectName("ruleTitle")
        self.title.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setObjectName("ruleStatus")
        # "Holds → Keep the large model and route the hard tail · decides" is wider than the panel.
        self.status_label.setWordWrap(True)
        bold = self.status_label.font()
        bold.setBold(True)
        self.status_label.setFont(bold)
        self.reason = WrappedText("ruleReason")
        grid.addWidget(self.icon, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.title, 0, 1)
        grid.addWidget(self.status_label, 1, 1)
        grid.addWidget(self.reason, 2, 1)
        grid.setColumnStretch(1, 1)
        self._theme: Theme = LIGHT
        self._deciding = False

    def apply_theme(self, theme: Theme) -> None:
        """Mark and status colour for light or dark."""
        self._theme = theme
        if self.look:
            self._paint_look()

    def _paint_look(self) -> None:
        colour = self._theme.rule_marks[self.look]
        self.icon.setPixmap(rule_mark_pixmap(self.look, colour, 18))
        _set_text_colour(self.status_label, colour)

    def show_result(self, result: RuleResult, deciding: bool) -> None:
        """Show one rule's outcome; `deciding` marks the rule that decided the verdict."""
        self.status = result.status
        look = rule_look(result)
        if look != self.look:
            self.look = look
            self._paint_look()
        status_text = rule_status_text(result, deciding)
        self.status_label.setText(status_text)
        self.title.setText(f"{result.id}. {result.title}")
        self.reason.setText(result.reason)
        if deciding != self._deciding:
            self._deciding = deciding
            # A frame, not a style sheet, marks the deciding rule (cheap to toggle while dragging).
            self.setFrameShape(QFrame.Shape.Box if deciding else QFrame.Shape.NoFrame)
        self.setAccessibleName(f"Rule {result.id}, {result.title}: {status_text}")
        self.setAccessibleDescription(result.reason)


class RulesTable(QWidget):
    """The six rules, in order, live."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = column_layout(self, (0, 0, 0, 0), 2)
        self.rows = [RuleRow(rule_id) for rule_id in range(1, 7)]
        for row in self.rows:
            layout.addWidget(row)
        self.setAccessibleName("Decision rules")

    def apply_theme(self, theme: Theme) -> None:
        """Pass the theme to each row."""
        for row in self.rows:
            row.apply_theme(theme)

    def show_recommendation(self, recommendation: Recommendation) -> None:
        """Show all six rules."""
        for row, result in zip(self.rows, recommendation.rules, strict=True):
            row.show_result(result, deciding=result.id == recommendation.deciding_rule)

    def displayed(self) -> list[tuple[int, str, str]]:
        """(rule id, status, reason) as shown, for checks and screen readers."""
        return [(row.rule_id, row.status, row.reason.text()) for row in self.rows]


class GoalSeekBox(QFrame):
    """'What volume / what large-model price pays back in N months?', answered in place.

    The answer reads like the inputs (6.44M requests/month; $9.15 in / $27.50 out per Mtok),
    stays live as the scenario changes, is marked on the chart (`answered`), and Apply puts it
    into the scenario as one undo step.
    """

    answered = Signal(object)  # GoalSeekAnswer | None

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._question: Question | None = None  # asked once; answers then stay live
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 6)
        heading = QLabel("Goal seek")
        heading.setObjectName("ruleTitle")
        row = QHBoxLayout()
        row.addWidget(QLabel("Pay back within"))
        self.months = QSpinBox()
        self.months.setRange(1, 120)
        self.months.setValue(6)
        self.months.setSuffix(" months")
        self.months.setAccessibleName("Goal seek target months")
        self.months.setToolTip("The payback you want; the answers say what it takes")
        self.months.valueChanged.connect(self._on_months)
        row.addWidget(self.months)
        row.addStretch(1)
        buttons = QHBoxLayout()
        self.volume_button = QPushButton("What volume?")
        self.volume_button.setToolTip(
            "The requests per month from which the specialist pays back in that time (Ctrl+G)"
        )
        self.volume_button.clicked.connect(lambda: self.ask("volume"))
        self.price_button = QPushButton("What price?")
        self.price_button.setToolTip(
            "The large model's price per million tokens at which the specialist pays back in that time "
            "(Ctrl+Shift+G)"
        )
        self.price_button.clicked.connect(lambda: self.ask("price"))
        buttons.addWidget(self.volume_button)
        buttons.addWidget(self.price_button)
        buttons.addStretch(1)
        self.answer = QLabel("Ask a question to see what it takes.")
        self.answer.setWordWrap(True)
        self.answer.setAccessibleName("Goal seek answer")
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Put this answer into the scenario (one step: Ctrl+Z undoes it)")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.apply_button)
        apply_row.addStretch(1)
        layout.addWidget(heading)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.answer)
        layout.addLayout(apply_row)
        self.result: GoalSeekAnswer | None = None
        document.changed.connect(lambda _scenario: self._refresh_answer())
        document.reloaded.connect(self.clear)

    def _on_months(self, _months: int) -> None:
        self.months.setSuffix(" month" if self.months.value() == 1 else " months")
        self._refresh_answer()

    def ask(self, question: Question) -> GoalSeekAnswer:
        """Answer 'volume' or 'price' for the current target; the answer follows later edits."""
        self._question = question
        answer = self._refresh_answer()
        assert answer is not None  # a question is set
        return answer

    def clear(self) -> None:
        """Forget the question (a different scenario was loaded)."""
        self._question = None
        self.result = None
        self.answer.setText("Ask a question to see what it takes.")
        self.apply_button.setEnabled(False)
        self.answered.emit(None)

    def apply(self) -> bool:
        """Put the current answer into the scenario as one undoable edit; False when there is none."""
        answer = self.result
        if answer is None or answer.scenario is None:
            return False
        if answer.question == "volume":
            what = f"volume {format_number(answer.volume_per_month or 0)} requests/month"
        else:
            what = "large-model prices"
        self._document.set_scenario(answer.scenario, f"Goal seek: {what}")
        return True

    def _refresh_answer(self) -> GoalSeekAnswer | None:
        if self._question is None:
            return None
        answer = answer_goal_seek(self._document.scenario, self._question, float(self.months.value()))
        self.result = answer
        self.answer.setText(answer.text)
        self.apply_button.setEnabled(answer.found and answer.scenario != self._document.scenario)
        self.answered.emit(answer)
        return answer


class DecisionPanel(QScrollArea):
    """Verdict banner, rules and goal seek, stacked."""

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(330)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        layout = column_layout(content, (6, 6, 8, 6), 8)
        self.banner = VerdictBanner()
        heading = QLabel("Decision rules")
        heading.setObjectName("ruleTitle")
        self.rules = RulesTable()
        self.goal_seek = GoalSeekBox(document)
        layout.addWidget(self.banner)
        layout.addWidget(heading)
        layout.addWidget(self.rules)
        layout.addWidget(self.goal_seek)
        layout.addStretch(1)
        self.setWidget(content)

    def apply_theme(self, theme: Theme) -> None:
        """Colours for light or dark."""
        self.banner.apply_theme(theme)
        self.rules.apply_theme(theme)

    def update_from(self, document: ScenarioDocument) -> None:
        """Show the document's verdict and rules."""
        self.banner.update_from(document)
        self.rules.show_recommendation(document.recommendation)
