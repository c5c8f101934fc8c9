"""The decision memo as plain data: what it says, before anything is drawn.

`build_memo_content` turns a scenario (plus optional spot-check results and an uncertainty
result) into a `MemoContent` (`app.report.memo_data`): page one's verdict, boxes and figures
(`page_one`), then the sections: inputs (`inputs_section`), the decision rules, break-even against
volume (`charts`), the spot-check (`spotcheck_section`) and the caveats (`caveats`). The renderer
(`app.report.render`) only lays this out; tests can inspect it without Qt.

Everything user-typed that reaches the memo passes `sanitize_text` (`app.report.sanitize`): the
memo gets forwarded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from app.domain.costs import cumulative_curves, summarize
from app.domain.evaluation import ItemResult, RoutingPrices, SpotcheckSummary
from app.domain.formatting import format_date
from app.domain.plan import recommended_plan
from app.domain.rules import Recommendation, RuleResult, evaluate
from app.domain.scenario import Scenario
from app.domain.uncertainty import UncertaintyResult
from app.report.board import board_line
from app.report.caveats import caveats_section
from app.report.charts import decision_chart, volume_chart
from app.report.evidence import evidence_check
from app.report.evidence_page import item_evidence
from app.report.inputs_section import PAGE_ONE_DESCRIPTION_CHARS, inputs_section
from app.report.memo_data import MemoContent, Section, Table, Tone
from app.report.page_one import (
    headline_numbers,
    notices,
    plan_tiles,
    shorten_at_word,
    tornado_chart,
    verdict_block,
)
from app.report.sanitize import sanitize_text
from app.report.spotcheck_section import item_blocks, spotcheck_section

_STATUS_TEXT = {"pass": "holds", "fail": "does not hold", "unknown": "unknown"}
_STATUS_TONES: dict[str, Tone] = {"pass": "good", "fail": "neutral", "unknown": "warn"}


def _decision_section(recommendation: Recommendation, stated: Callable[[RuleResult], str]) -> Section:
    rows = tuple(
        (
            str(rule.id),
            sanitize_text(rule.title),
            _STATUS_TEXT.get(rule.status, rule.status),
            sanitize_text(stated(rule)),
        )
        for rule in recommendation.rules
    )
    table = Table(
        columns=("#", "Rule", "Condition", "Reason"),
        rows=rows,
        weights=(0.35, 2.2, 1.0, 4.4),
        row_tones=tuple(_STATUS_TONES.get(rule.status, "neutral") for rule in recommendation.rules),
        caption="Each rule is evaluated on this scenario; the verdict names the rule that decided it.",
    )
    return Section("Decision rules", (table,))


def _as_given(rule: RuleResult) -> str:
    """A rule's reason as the rules give it (no attached run to weigh it against)."""
    return rule.reason


def build_memo_content(
    scenario: Scenario,
    *,
    spotcheck: SpotcheckSummary | None = None,
    author: str = "",
    today: date | None = None,
    uncertainty: UncertaintyResult | None = None,
    spotcheck_items: Sequence[ItemResult] = (),
) -> MemoContent:
    """The memo for `scenario` as data: page one's decision, then inputs, rules, charts and caveats."""
    today = today or date.today()
    summary = summarize(scenario)
    recommendation = evaluate(scenario, summary)
    curves = cumulative_curves(scenario)
    item_facts = (
        item_evidence(
            spotcheck_items,
            scenario.quality.quality_bar,
            RoutingPrices(
                summary.small_cost_per_request, summary.large_cost_per_request, scenario.routing.mode
            ),
        )
        if spotcheck is not None and spotcheck_items
        else None
    )
    # The routed plan runs at the measured operating point when the run measured one.
    measured_rate = item_facts.operating.escalation_rate if item_facts and item_facts.operating else None
    plan = recommended_plan(scenario, summary, recommendation, escalation_rate=measured_rate)
    check = evidence_check(scenario, spotcheck)
    stated = check.stated_reason if check is not None else _as_given
    sections = [
        inputs_section(scenario, summary, today),
        _decision_section(recommendation, stated),
        Section("Break-even vs volume", (volume_chart(scenario, summary),)),
    ]
    if spotcheck is not None:
        section = spotcheck_section(spotcheck)
        more = item_blocks(spotcheck_items, item_facts, scenario.quality.quality_bar)
        sections.append(Section(section.title, section.blocks + more))
    sections.append(
        caveats_section(scenario, spotcheck, today, plan.escalation_rate if measured_rate else None)
    )
    name = sanitize_text(scenario.name)
    description = " ".join(sanitize_text(scenario.description).split())
    return MemoContent(
        title=f"Decision memo: {name}",
        scenario_name=name,
        description=shorten_at_word(description, PAGE_ONE_DESCRIPTION_CHARS),
        author=sanitize_text(author.strip()),
        memo_date=today,
        verdict=verdict_block(
            recommendation,
            stated,
            board_line(
                scenario,
                plan,
                (uncertainty.break_even_percentiles[0], uncertainty.break_even_percentiles[2])
                if uncertainty is not None
                else None,
            ),
        ),
        headline_numbers=plan_tiles(headline_numbers(scenario, summary, recommendation), plan, summary),
        decision_chart=decision_chart(scenario, summary, curves),
        sections=tuple(sections),
        notices=notices(scenario, check, today, uncertainty),
        tornado=tornado_chart(scenario, uncertainty),
        source_note=sanitize_text(scenario.source),
        extra={"date": format_date(today)},
    )
