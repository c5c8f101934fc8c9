"""The memo's page one: the verdict, the decision boxes, the plan's figures and the tornado.

The verdict and its rules are the window's (`app.domain.rules.evaluate`); the figures are the
recommended plan's (`app.domain.plan`), the same the window's verdict card shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.domain.costs import CostSummary
from app.domain.formatting import (
    format_money,
    format_months,
    format_per_request,
    format_ratio,
    format_share,
)
from app.domain.plan import PlanFigures
from app.domain.rules import Recommendation, RuleResult, VerdictTone, verdict_tone
from app.domain.scenario import Scenario
from app.domain.uncertainty import UncertaintyResult
from app.report.board import horizon_savings, old_price_lines
from app.report.evidence import EvidenceCheck, page_one_lines, page_one_tone, scenario_evidence_lines
from app.report.inputs_section import price_age_days
from app.report.memo_data import HeadlineNumber, Notice, Tone, TornadoChart, TornadoRow, VerdictBlock
from app.report.risk import bar_label, largest_swings, risk_lines
from app.report.sanitize import model_label, sanitize_text

# The memo's colour for each domain verdict tone (the tones themselves live in app.domain.rules).
_TONE_COLOURS: dict[VerdictTone, Tone] = {"good": "good", "caution": "warn", "bad": "bad", "neutral": "warn"}


def shorten_at_word(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _unless_repeated(reason: str, stated: str, headline: str) -> str:
    """The deciding rule's reason as stated, or "" when the headline already says it word for word."""
    return "" if reason.strip().lower() in headline.lower() else sanitize_text(stated)


def verdict_block(
    recommendation: Recommendation, stated: Callable[[RuleResult], str], board: str = ""
) -> VerdictBlock:
    """The answer box: the verdict, its headline, the board line and the deciding rule as stated."""
    deciding: RuleResult | None = None
    if recommendation.deciding_rule is not None:
        deciding = next(
            (rule for rule in recommendation.rules if rule.id == recommendation.deciding_rule), None
        )
    return VerdictBlock(
        verdict=recommendation.verdict,
        label=recommendation.label,
        headline=sanitize_text(recommendation.headline),
        deciding_rule=f"Rule {deciding.id} · {deciding.title}" if deciding else "No single rule decided",
        reason=_unless_repeated(deciding.reason, stated(deciding), recommendation.headline)
        if deciding
        else "",
        tone=_TONE_COLOURS[verdict_tone(recommendation.verdict)],
        board_line=sanitize_text(board),
    )


def _one_time_detail(scenario: Scenario, recommendation: Recommendation) -> str:
    """What the one-time tile counts; with an off-the-shelf verdict, that the training is not needed."""
    parts = "curation, training, eval" + (", labelling" if scenario.distillation.enabled else "")
    training = scenario.one_time.training_runs
    if recommendation.verdict == "use_off_the_shelf" and training > 0:
        # The plan's figures leave the training out; say what that saves.
        labelling = ", labelling" if scenario.distillation.enabled else ""
        return (
            f"curation, eval{labelling}; off the shelf saves the {format_money(training, 'compact')} training"
        )
    return parts


def headline_numbers(
    scenario: Scenario, summary: CostSummary, recommendation: Recommendation
) -> tuple[HeadlineNumber, ...]:
    """The window's four figures for the scenario's configured path (`plan_tiles` relabels them)."""
    net = summary.net_monthly_savings
    if summary.break_even_months is None:
        break_even_detail = "the one-time cost never pays back"
    elif summary.break_even_within_horizon:
        break_even_detail = f"within the {scenario.horizon_months}-month horizon"
    else:
        break_even_detail = f"after the {scenario.horizon_months}-month horizon"
    path = "self-hosted" if scenario.self_hosting.enabled else "per-token"
    escalation = scenario.routing.escalation_rate
    specialist_detail = (
        f"{path}, {format_share(escalation, 0)} escalated ({scenario.routing.mode})"
        if escalation > 0
        else f"{path}, no escalation"
    )
    return (
        HeadlineNumber(
            "Net monthly savings",
            format_money(net, "figure"),  # the window's verdict card's style: the same text on both
            f"gross {format_money(summary.monthly_savings, 'compact')} "
            f"less {format_money(scenario.monthly_ops, 'compact')} ops",
            "good" if net > 0 else "bad",
        ),
        HeadlineNumber(
            "Break-even",
            format_months(summary.break_even_months),
            break_even_detail,
            "good" if summary.break_even_within_horizon else "bad",
        ),
        HeadlineNumber(
            "One-time investment",
            format_money(summary.one_time_cost, "figure"),
            _one_time_detail(scenario, recommendation),
        ),
        # The window's four figures, in one row: page one keeps room for the evidence and the chart.
        HeadlineNumber(
            "Cost ratio",
            format_ratio(summary.cost_ratio),
            f"{model_label(scenario.large, 'large model')} "
            f"{format_per_request(summary.large_cost_per_request)} ÷ specialist path "
            f"{format_per_request(summary.specialist_cost_per_request)} per request; {specialist_detail}",
            "good" if (summary.cost_ratio or 0) > 1 else "neutral",
        ),
    )


def plan_tiles(
    numbers: tuple[HeadlineNumber, ...], plan: PlanFigures, summary: CostSummary
) -> tuple[HeadlineNumber, ...]:
    """Page one's figures for the plan the verdict recommends, never the rejected swap's as its own.

    A routed plan with a rate shows its own money (the configured path with its escalation); a verdict
    that keeps the large model, or a routed plan with no rate to price it, shows the swap's figures
    labelled as the rejected plan, in neutral colours.
    """
    if plan.kind in {"routed", "off_the_shelf"} and plan.money is not None:
        # The plan's own money: the routed path with its escalation, or the swap without training.
        money = plan.money
        suffix = " (routed plan)" if plan.kind == "routed" else ""
        marked = []
        for tile in numbers:
            if tile.label == "Net monthly savings":
                tile = HeadlineNumber(
                    tile.label + suffix,
                    format_money(money.net_monthly_savings, "figure"),
                    tile.detail,
                    "good" if money.net_monthly_savings > 0 else "bad",
                )
            elif tile.label == "Break-even":
                tile = HeadlineNumber(
                    tile.label + suffix,
                    format_months(money.break_even_months),
                    tile.detail,
                    "good" if money.pays_back else "bad",
                )
            elif tile.label == "One-time investment":
                tile = HeadlineNumber(tile.label, format_money(money.one_time_cost, "figure"), tile.detail)
            marked.append(tile)
        return tuple(marked)
    if plan.kind in {"keep", "routed"}:
        marked = []
        for tile in numbers:
            if tile.label in {"Net monthly savings", "Break-even", "Cost ratio"}:
                tile = HeadlineNumber(f"{tile.label} (rejected swap)", tile.value, tile.detail, "neutral")
            marked.append(tile)
        return tuple(marked)
    return numbers


def _decision_notice(scenario: Scenario) -> Notice | None:
    """The decision fields the user filled in (the ask, owner, date, pilot plan), or None."""
    decision = scenario.decision
    if decision.empty:
        return None
    lines = []
    if decision.ask.strip():
        lines.append(("The ask:", sanitize_text(" ".join(decision.ask.split()))))
    who = []
    if decision.owner.strip():
        who.append(f"owner {sanitize_text(decision.owner.strip())}")
    if decision.decision_date:
        who.append(f"decide by {decision.decision_date}")
    if who:
        lines.append(("Decision:", "; ".join(who) + "."))
    if decision.pilot_plan.strip():
        lines.append(("Pilot plan:", sanitize_text(" ".join(decision.pilot_plan.split()))))
    return Notice("For decision", tuple(lines), "neutral")


def tornado_chart(scenario: Scenario, uncertainty: UncertaintyResult | None) -> TornadoChart | None:
    """The largest swings of savings at the horizon, one driver at a time (None without a result)."""
    if uncertainty is None:
        return None
    bars = largest_swings(uncertainty)
    if not bars:
        return None
    return TornadoChart(
        title=f"What moves the savings at {scenario.horizon_months} months most",
        base=horizon_savings(scenario),
        rows=tuple(
            TornadoRow(sanitize_text(bar_label(bar)), bar.savings_at_low, bar.savings_at_high) for bar in bars
        ),
        caption="Each input alone at the ends of its range, the others at their most likely value. The "
        "ranges are estimates too: the chances say how the payback moves within them, not that inputs stay "
        "inside.",
    )


def notices(
    scenario: Scenario, check: EvidenceCheck | None, today: date, uncertainty: UncertaintyResult | None = None
) -> tuple[Notice, ...]:
    """Page one's boxes: what the attached evidence says about the verdict, then prices gone stale."""
    notices = []
    decision = _decision_notice(scenario)
    if decision is not None:
        notices.append(decision)
    if check is not None:
        lines = tuple((lead, sanitize_text(text)) for lead, text in page_one_lines(check))
        notices.append(Notice("Measured evidence", lines, page_one_tone(check)))
    elif scenario.evidence:
        # Measured earlier and applied through the review: each field with the sample it rests on.
        lines = tuple((lead, sanitize_text(text)) for lead, text in scenario_evidence_lines(scenario))
        notices.append(Notice("Measured evidence", lines))
    elif scenario.quality.measured_from.strip():
        # Measured earlier and applied to the scenario, run not attached: say where the figures are from.
        source = sanitize_text(scenario.quality.measured_from.strip())
        notices.append(
            Notice(
                "Measured evidence",
                (("Quality inputs measured:", f"{source}. Attach the run to see its intervals and items."),),
            )
        )
    if uncertainty is not None:
        chance = uncertainty.p_payback_within_horizon
        tone: Tone = "good" if chance >= 0.8 else ("warn" if chance >= 0.5 else "bad")
        notices.append(Notice("How sure is the payback", risk_lines(uncertainty), tone))
    old = tuple(
        (lead, sanitize_text(text)) for lead, text in old_price_lines(scenario, today, price_age_days)
    )
    if old:
        notices.append(Notice("", old, "warn"))  # one line, its lead says what it is
    return tuple(notices)
