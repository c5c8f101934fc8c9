"""The decision memo as plain data: what it says, before anything is drawn.

`build_memo_content` turns a scenario (plus optional spot-check results) into a `MemoContent`:
the verdict, the headline numbers already formatted, tables, chart series and caveats. The
renderer (`app.report.render`) only lays this out; tests can inspect it without Qt.

Everything user-typed that reaches the memo passes `sanitize_text`, which keeps file names but
drops their folders and blanks anything shaped like an API key: the memo gets forwarded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal

import numpy as np

from app.domain.costs import (
    CostCurves,
    CostSummary,
    break_even_vs_volume,
    cumulative_curves,
    summarize,
    volume_range,
)
from app.domain.evaluation import (
    IN_DISTRIBUTION,
    OOD_TAG,
    Interval,
    ItemResult,
    ModelSummary,
    RoutingPrices,
    SpotcheckSummary,
)
from app.domain.plan import PlanFigures, recommended_plan
from app.domain.rules import Recommendation, RuleResult, VerdictTone, evaluate, verdict_tone
from app.domain.scenario import ModelCost, Scenario
from app.domain.uncertainty import UncertaintyResult
from app.report.board import board_line, horizon_savings, old_price_lines
from app.report.evidence import (
    EvidenceCheck,
    evidence_check,
    page_one_lines,
    page_one_tone,
    scenario_evidence_lines,
)
from app.report.evidence_page import (
    ItemEvidence,
    item_evidence,
    paired_rows,
    paired_sentences,
    routing_caption,
    wrong_item_rows,
)
from app.report.formatting import (
    format_age_days,
    format_date,
    format_interval,
    format_money,
    format_months,
    format_per_request,
    format_price_per_mtok,
    format_ratio,
    format_share,
    format_tokens,
    format_volume,
)
from app.report.risk import bar_label, largest_swings, risk_lines

Tone = Literal["good", "bad", "warn", "neutral"]
SeriesRole = Literal["large", "specialist", "specialist_only", "volume"]
AxisFormat = Literal["money", "months", "count", "percent"]

# Prices older than this get a warning in the caveats: vendors cut prices several times a year.
STALE_PRICE_DAYS = 90
# Page one shows this much of the scenario's description; the rest would push the chart off it.
PAGE_ONE_DESCRIPTION_CHARS = 280
# The break-even vs volume chart clips its y axis here (times the horizon) so "never" stays drawable.
VOLUME_CHART_Y_CAP_HORIZONS = 2.0

# The memo's colour for each domain verdict tone (the tones themselves live in app.domain.rules).
_TONE_COLOURS: dict[VerdictTone, Tone] = {"good": "good", "caution": "warn", "bad": "bad", "neutral": "warn"}
_STATUS_TEXT = {"pass": "holds", "fail": "does not hold", "unknown": "unknown"}
_STATUS_TONES: dict[str, Tone] = {"pass": "good", "fail": "neutral", "unknown": "warn"}


# --- memo building blocks --------------------------------------------------------------------


@dataclass(frozen=True)
class HeadlineNumber:
    """One tile on page one: a label, the formatted figure and a short line under it."""

    label: str
    value: str
    detail: str = ""
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Paragraph:
    """Flowing text; `note` is the smaller grey style."""

    text: str
    style: Literal["body", "note"] = "body"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list; each item may start with a bold lead-in (`lead`)."""

    items: tuple[tuple[str, str], ...]  # (lead, text); lead may be ""


@dataclass(frozen=True)
class Table:
    """A table with a header row. `weights` share the width; `numeric` columns are right-aligned."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...] = ()
    numeric: frozenset[int] = frozenset()
    row_tones: tuple[Tone, ...] = ()  # colours the first cell's marker (rule status)
    caption: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table row has {len(row)} cells for {len(self.columns)} columns: {row!r}")


@dataclass(frozen=True)
class Series:
    """One line on a chart. Non-finite y values break the line (e.g. "never" break-even)."""

    name: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    role: SeriesRole
    dashed: bool = False


@dataclass(frozen=True)
class ChartMarker:
    """A labelled point (the break-even) or, with `vertical`, a labelled vertical line."""

    x: float
    y: float | None
    label: str
    vertical: bool = False


@dataclass(frozen=True)
class Chart:
    """A line chart drawn as vectors."""

    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    x_format: AxisFormat
    y_format: AxisFormat
    markers: tuple[ChartMarker, ...] = ()
    log_x: bool = False
    y_max: float | None = None  # clip above this (values beyond are drawn at the edge)
    horizontal_line: tuple[float, str] | None = None  # e.g. the horizon, with its label
    caption: str = ""


Block = Paragraph | Bullets | Table | Chart


@dataclass(frozen=True)
class TornadoRow:
    """One driver: savings at the horizon with it at the low and at the high end of its range."""

    label: str
    at_low: float
    at_high: float


@dataclass(frozen=True)
class TornadoChart:
    """Horizontal bars around the savings at the most likely values (`base`), largest swing first."""

    title: str
    base: float
    rows: tuple[TornadoRow, ...]
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of the memo after page one."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class VerdictBlock:
    """The answer, first thing on page one."""

    verdict: str  # the rules' verdict code, e.g. "specialize"
    label: str  # "Specialize"
    headline: str  # one sentence with the numbers
    deciding_rule: str  # "Rule 1 · High volume, narrow stable task, quality proven" or "No single rule"
    reason: str  # the deciding rule's reason, with its numbers
    tone: Tone
    board_line: str = ""  # the answer in annual and horizon terms (app.report.board)


@dataclass(frozen=True)
class Notice:
    """A boxed note on page one (what the evidence says, prices that are old): (lead, text) lines."""

    title: str
    lines: tuple[tuple[str, str], ...]
    tone: Tone = "neutral"


@dataclass(frozen=True)
class MemoContent:
    """The whole memo as data, ready to render."""

    title: str  # PDF title metadata and the page header
    scenario_name: str
    description: str
    author: str
    memo_date: date
    verdict: VerdictBlock
    headline_numbers: tuple[HeadlineNumber, ...]
    decision_chart: Chart
    sections: tuple[Section, ...]
    notices: tuple[Notice, ...] = ()  # page one, between the verdict and the figures
    tornado: TornadoChart | None = None  # page one, when an uncertainty result was given
    source_note: str = ""  # where the scenario's numbers come from
    generator: str = "Specialist Studio"
    extra: dict[str, str] = field(default_factory=dict)  # raw figures for tests and debugging


# --- sanitising ------------------------------------------------------------------------------

# Shapes of secrets: vendor prefixes (sk-, sk-proj-, rk-, pk-, gsk_, xai-, hf_, AIza...) and
# long opaque tokens. Generous on purpose: a redacted word costs nothing, a leaked key does.
_KEY_PATTERNS = (
    re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"\b(?:gsk|hf|xai|ghp|gho|github_pat)[_-][A-Za-z0-9_\-]{8,}"),
    re.compile(r"\bAIza[A-Za-z0-9_\-]{20,}"),
    re.compile(r"\bBearer\s+\S+", re.IGNORECASE),
    re.compile(r"(?i)\b(api[_-]?key|token|secret|password)\s*[=:]\s*\S+"),
    re.compile(r"\b(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}\b"),
)
_REDACTED = "[redacted]"
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|^\\\\")


def _strip_folders(word: str) -> str:
    """A path becomes its file name; URLs and plain words pass through."""
    if "://" in word:
        return word
    core = word.strip("\"'(),;[]<>")
    if not core:
        return word
    is_posix_path = core.startswith(("/", "~/", "./", "../")) and len(core) > 1
    is_windows_path = bool(_WINDOWS_PATH.match(core))
    if not (is_posix_path or is_windows_path):
        return word
    name = PureWindowsPath(core).name if is_windows_path else PurePosixPath(core).name
    return word.replace(core, name or "(folder)")


def sanitize_text(text: str) -> str:
    """Text safe to forward: folders dropped from paths, anything key-shaped redacted."""
    for pattern in _KEY_PATTERNS:
        text = pattern.sub(_REDACTED, text)
    return " ".join(_strip_folders(word) for word in text.split(" "))


# --- building --------------------------------------------------------------------------------


def _model_label(model: ModelCost, fallback: str) -> str:
    return sanitize_text(model.name) if model.name.strip() else fallback


def _parse_date(text: str) -> date | None:
    """An ISO date; catalogs often give only the month ("2026-03"), read as its first day."""
    text = text.strip()
    for candidate in (text[:10], f"{text[:7]}-01", f"{text[:4]}-01-01"):
        try:
            parsed = date.fromisoformat(candidate)
        except ValueError:
            continue
        # Only fall back to a coarser form when the text really is that coarse.
        if len(text) >= len(candidate) or candidate.startswith(text):
            return parsed
    return None


def price_age_days(model: ModelCost, today: date) -> int | None:
    """Days since the model's prices were checked, None when no as-of date is given."""
    as_of = _parse_date(model.price_as_of)
    return None if as_of is None else (today - as_of).days


def _unless_repeated(reason: str, stated: str, headline: str) -> str:
    """The deciding rule's reason as stated, or "" when the headline already says it word for word."""
    return "" if reason.strip().lower() in headline.lower() else sanitize_text(stated)


def _verdict_block(
    recommendation: Recommendation, stated: Callable[[RuleResult], str], board: str = ""
) -> VerdictBlock:
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


def _headline_numbers(
    scenario: Scenario, summary: CostSummary, recommendation: Recommendation
) -> tuple[HeadlineNumber, ...]:
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
            f"{_model_label(scenario.large, 'large model')} "
            f"{format_per_request(summary.large_cost_per_request)} ÷ specialist path "
            f"{format_per_request(summary.specialist_cost_per_request)} per request; {specialist_detail}",
            "good" if (summary.cost_ratio or 0) > 1 else "neutral",
        ),
    )


def _plan_tiles(
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


def _decision_chart(scenario: Scenario, summary: CostSummary, curves: CostCurves) -> Chart:
    months = tuple(float(m) for m in curves.months)
    series = [
        Series(
            _model_label(scenario.large, "Large model") + " only", months, _floats(curves.large_only), "large"
        ),
        Series("Specialist path", months, _floats(curves.specialist), "specialist"),
    ]
    if not np.allclose(curves.specialist_only, curves.specialist):
        series.append(
            Series(
                "Specialist, no escalation", months, _floats(curves.specialist_only), "specialist_only", True
            )
        )
    markers: tuple[ChartMarker, ...] = ()
    if curves.break_even_months is not None and curves.break_even_cost is not None:
        markers = (
            ChartMarker(
                curves.break_even_months,
                curves.break_even_cost,
                f"Break-even: {format_months(curves.break_even_months)}, "
                f"{format_money(curves.break_even_cost, 'compact')}",
            ),
        )
    caption = (
        "Cumulative spend from today, one-time investment included. The lines cross where the specialist "
        "has paid for itself."
        if markers
        else "Cumulative spend from today. The lines do not cross within the horizon: no break-even."
    )
    return Chart(
        title=f"Cumulative cost over {scenario.horizon_months} months",
        x_label="months",
        y_label="cumulative cost (USD)",
        series=tuple(series),
        x_format="months",
        y_format="money",
        markers=markers,
        caption=caption,
    )


def _floats(values: Sequence[float] | np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def _volume_chart(scenario: Scenario, summary: CostSummary) -> Chart:
    volumes = volume_range(scenario)
    months = break_even_vs_volume(scenario, volumes)
    cap = scenario.horizon_months * VOLUME_CHART_Y_CAP_HORIZONS
    current = summary.break_even_months
    markers = []
    # A log axis has no place for zero volume: no "this scenario" line then.
    if scenario.volume_per_month > 0:
        markers.append(
            ChartMarker(
                scenario.volume_per_month,
                None,
                f"this scenario: {format_volume(scenario.volume_per_month)}/month",
                vertical=True,
            )
        )
    if current is not None and current <= cap and scenario.volume_per_month > 0:
        markers.append(ChartMarker(scenario.volume_per_month, current, format_months(current)))
    never = [float(v) for v, m in zip(volumes, months, strict=True) if not math.isfinite(float(m))]
    caption = "How long the one-time investment takes to pay back at other volumes (log scale)."
    if never:
        caption += f" Below {format_volume(max(never))} requests a month it never pays back."
    return Chart(
        title="",  # the section heading names it
        x_label="requests per month",
        y_label="months to break even",
        series=(Series("Break-even", _floats(volumes), _floats(months), "volume"),),
        x_format="count",
        y_format="months",
        markers=tuple(markers),
        log_x=True,
        y_max=cap,
        horizontal_line=(float(scenario.horizon_months), f"horizon {scenario.horizon_months} months"),
        caption=caption,
    )


def _age_text(model: ModelCost, age_days: int) -> str:
    """`8.8 months old`; a year-only date ("2026") is read as 1 January, so its age is at most that."""
    bound = "up to " if len(model.price_as_of.strip()) == 4 else ""
    return f"{bound}{format_age_days(age_days)} old"


def _price_cell(model: ModelCost, today: date) -> tuple[str, str]:
    source = sanitize_text(model.price_source) if model.price_source.strip() else "not given"
    age = price_age_days(model, today)
    if age is None:
        as_of = "no date"
    else:
        as_of = f"{model.price_as_of[:10]} ({_age_text(model, age)})" if age > 0 else model.price_as_of[:10]
    return source, as_of


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


# Row names for the engine's one-time breakdown keys, spelled the way the rest of the memo is.
_ONE_TIME_LABELS = {"teacher_labeling": "teacher labelling"}


def _inputs_section(scenario: Scenario, summary: CostSummary, today: date) -> Section:
    model_rows = []
    sources = []
    for role, model in (("Large", scenario.large), ("Specialist", scenario.small)):
        source, as_of = _price_cell(model, today)
        measured = "*" if model.tokens_measured else ""
        label = _model_label(model, role.lower())
        # A self-hosted specialist is billed by the GPU-hour (see Self-hosting below), not per token:
        # "$0" per million tokens would read as free.
        gpu_billed = role == "Specialist" and scenario.self_hosting.enabled
        model_rows.append(
            (
                role,
                label,
                format_tokens(model.input_tokens) + measured,
                format_tokens(model.output_tokens) + measured,
                "GPU-hour" if gpu_billed else format_price_per_mtok(model.input_price_per_mtok),
                "GPU-hour" if gpu_billed else format_price_per_mtok(model.output_price_per_mtok),
                "see Self-hosting" if gpu_billed and as_of == "no date" else as_of,
            )
        )
        sources.append((f"{role} ({label}):", source))
    any_measured = scenario.large.tokens_measured or scenario.small.tokens_measured
    models = Table(
        columns=("Role", "Model", "Input tok", "Output tok", "$/Mtok in", "$/Mtok out", "Prices as of"),
        rows=tuple(model_rows),
        weights=(1.0, 2.2, 0.9, 0.9, 0.9, 0.9, 2.0),
        numeric=frozenset({2, 3, 4, 5}),
        caption="Prices in USD per million tokens, and when each was checked."
        + (" * Token counts measured in the playground." if any_measured else ""),
    )
    # Sources get the full width: URLs do not wrap well inside a table cell.
    price_sources = Table(
        columns=("Price source", ""),
        rows=tuple(sources),
        weights=(1.6, 6.0),
    )

    general: list[tuple[str, str]] = [
        ("Volume", f"{format_volume(scenario.volume_per_month)} requests per month"),
        ("Horizon", f"{scenario.horizon_months} months"),
        (
            "Monthly operations",
            format_money(scenario.monthly_ops) + " (monitoring, retraining, on-call)",
        ),
        (
            "Routing",
            f"{scenario.routing.mode}, {format_share(scenario.routing.escalation_rate)} "
            "escalated to the large model",
        ),
    ]
    for key, amount in summary.one_time_breakdown.items():
        if amount or key in {"data_curation", "training_runs", "eval_build"}:
            label = _ONE_TIME_LABELS.get(key, key.replace("_", " "))
            general.append((f"One-time: {label}", format_money(amount)))
    general.append(("One-time total", format_money(summary.one_time_cost)))
    if scenario.distillation.enabled:
        d = scenario.distillation
        general.append(
            (
                "Distillation",
                f"{d.examples:,} examples labelled by the large model, "
                f"{format_share(d.human_review_share, 0)} reviewed at "
                f"{format_money(d.review_cost_per_example)} each",
            )
        )
    if scenario.self_hosting.enabled:
        s = scenario.self_hosting
        general.append(
            (
                "Self-hosting",
                f"${s.gpu_price_per_hour:,.2f} per GPU-hour, "
                f"{s.requests_per_second_per_gpu:g} requests/s per GPU, at least {s.min_gpus} GPU(s)",
            )
        )
    if scenario.retraining.every_months:
        general.append(
            (
                "Retraining",
                f"every {scenario.retraining.every_months} months at "
                f"{format_money(scenario.retraining.cost)}",
            )
        )
    if scenario.price_decline_per_year:
        general.append(
            (
                "Frontier price decline",
                f"{format_share(scenario.price_decline_per_year, 0)} cheaper each year",
            )
        )
    q = scenario.quality
    general.append(
        (
            "Quality",
            f"bar {format_share(q.quality_bar)}; off-the-shelf {format_share(q.off_the_shelf_accuracy)}, "
            f"specialist {format_share(q.specialist_accuracy)}, large {format_share(q.large_accuracy)}",
        )
    )
    if q.measured_from.strip():
        general.append(("Quality measured from", sanitize_text(q.measured_from)))
    task_change = "not given" if q.task_change_months is None else f"every {q.task_change_months:g} months"
    general.append(("Task changes", task_change))
    general.append(("Eval exists", {True: "yes", False: "no", None: "unknown"}[q.eval_exists]))
    settings = Table(
        columns=("Input", "Value"),
        rows=tuple(general),
        weights=(1.0, 3.2),
    )
    blocks: list[Block] = [models, price_sources, settings]
    description = " ".join(sanitize_text(scenario.description).split())
    if len(description) > PAGE_ONE_DESCRIPTION_CHARS:
        # Page one shows the start only, so the decision keeps its page; the whole text goes here.
        blocks.insert(0, Paragraph(description))
    if scenario.source.strip():
        blocks.append(
            Paragraph("Source of the scenario's numbers: " + sanitize_text(scenario.source), "note")
        )
    return Section("Inputs", tuple(blocks))


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


def _interval_cells(interval: Interval) -> tuple[str, str, str]:
    """(correct/graded, accuracy, 95 % interval) for a table row; "n/a" when nothing was graded."""
    counts = f"{interval.successes}/{interval.total}"
    if interval.estimate is None or interval.low is None or interval.high is None:
        return counts, "n/a", "n/a"
    return counts, format_share(interval.estimate), format_interval(interval.low, interval.high)


def _model_row(role: str, model: ModelSummary) -> tuple[str, ...]:
    latency = "n/a" if model.latency_p50_s is None else f"{model.latency_p50_s:.2f} s"
    cost = "n/a" if model.cost_per_item is None else format_per_request(model.cost_per_item)
    return (role, sanitize_text(model.name), *_interval_cells(model.accuracy), latency, cost)


def _slice_name(tag: str) -> str:
    if tag == IN_DISTRIBUTION:
        return "In-distribution"
    if tag == OOD_TAG:
        return "Out-of-distribution"
    name = sanitize_text(tag)
    return name[:1].upper() + name[1:]  # row labels read like the two named slices above them


def _spotcheck_section(spotcheck: SpotcheckSummary) -> Section:
    items = (
        f"{spotcheck.items} items"
        if spotcheck.complete
        else f"{spotcheck.items} of {spotcheck.set_items} items (run incomplete)"
    )
    facts = [f"Set: {sanitize_text(spotcheck.set_name)}", items]
    if spotcheck.scorer:
        facts.append(f"scorer: {sanitize_text(spotcheck.scorer)}")
    if spotcheck.run_date:
        facts.append(f"run {sanitize_text(spotcheck.run_date)}")
    blocks: list[Block] = [Paragraph(" · ".join(facts))]
    blocks.append(
        Table(
            columns=("Side", "Model", "Correct", "Accuracy", "95 % interval", "Latency p50", "Cost/item"),
            rows=(_model_row("Specialist", spotcheck.specialist), _model_row("Large", spotcheck.frontier)),
            weights=(1.0, 2.2, 0.9, 0.9, 1.5, 0.9, 1.0),
            numeric=frozenset({2, 3, 4, 5, 6}),
            caption="Accuracy against the expected answers, with Wilson 95 % intervals: with few items "
            "they are wide, so read the interval before the point estimate.",
        )
    )
    slices = tuple(
        (
            _slice_name(entry.tag),
            str(entry.items),
            *_interval_cells(entry.specialist)[1:],
            *_interval_cells(entry.frontier)[1:],
        )
        for entry in spotcheck.by_tag
    )
    if slices:
        blocks.append(
            Table(
                columns=("Slice", "Items", "Specialist", "95 % interval", "Large", "95 % interval"),
                rows=slices,
                weights=(1.8, 0.7, 1.0, 1.5, 1.0, 1.5),
                numeric=frozenset({1, 2, 3, 4, 5}),
            )
        )
    agreement = spotcheck.agreement
    if agreement.estimate is not None and agreement.low is not None and agreement.high is not None:
        blocks.append(
            Paragraph(
                f"The two models give the same answer on {format_share(agreement.estimate)} of items "
                f"(95 % interval {format_interval(agreement.low, agreement.high)}). Agreement is not "
                "correctness: a specialist distilled from the large model agrees with its mistakes too."
            )
        )
    for warning in spotcheck.warnings:
        blocks.append(Paragraph(sanitize_text(warning), "note"))
    return Section("Spot-check", tuple(blocks))


def _slice_score(who: str, interval: Interval) -> str:
    """`the specialist scored 84.2%`, or why there is no score (not run, nothing graded)."""
    if interval.estimate is None:
        return f"{who} has no graded answers"
    return f"{who} scored {format_share(interval.estimate)}"


def _caveats_section(
    scenario: Scenario, spotcheck: SpotcheckSummary | None, today: date, measured_rate: float | None = None
) -> Section:
    large = _model_label(scenario.large, "the large model")
    items: list[tuple[str, str]] = []
    distil = (
        f"{scenario.distillation.examples:,} training examples are labelled by {large}; "
        f"only {format_share(scenario.distillation.human_review_share, 0)} are reviewed by people. "
        if scenario.distillation.enabled
        else ""
    )
    items.append(
        (
            "Distillation copies the teacher's mistakes.",
            distil + "A specialist trained on the large model's answers learns its errors too, and cannot be "
            "better than its labels. Review a sample of the labels and keep a human-checked eval set.",
        )
    )
    escalation = scenario.routing.escalation_rate
    today_share = (
        f"today {format_share(escalation)} of traffic is escalated ({scenario.routing.mode} mode), "
        "and the costs above include it"
        if escalation > 0
        else "the costs above assume no traffic is escalated, so budget for the share that will be"
    )
    if measured_rate is not None and measured_rate != escalation:
        # Page one prices the routed plan at the spot-check's operating point, not the typed rate.
        today_share = (
            f"the scenario escalates {format_share(escalation)}; page one prices the routed plan at the "
            f"{format_share(measured_rate)} the spot-check's routing curve needs to clear the bar"
        )
    ood = (
        "Specialists fail oddly on input unlike their training data (new products, languages, formats). "
        f"Keep the escalation path to {large}: {today_share}. "
        "Probe out-of-distribution input before launch and monitor the escalation rate after."
    )
    ood_slice = spotcheck.tag(OOD_TAG) if spotcheck is not None else None
    if ood_slice is not None and ood_slice.items:
        ood += (
            f" On the spot-check's {ood_slice.items} out-of-distribution items "
            f"{_slice_score('the specialist', ood_slice.specialist)} and "
            f"{_slice_score('the large model', ood_slice.frontier)}."
        )
    items.append(("Out-of-distribution risk and the escalation path.", ood))

    ages: list[str] = []
    stale = False
    for role, model in (("Large", scenario.large), ("Specialist", scenario.small)):
        age = price_age_days(model, today)
        name = _model_label(model, role.lower())
        if age is None:
            ages.append(f"{name}: no as-of date given")
        else:
            ages.append(f"{name}: checked {model.price_as_of[:10]}, {_age_text(model, age)}")
            stale = stale or age > STALE_PRICE_DAYS
    advice = (
        " Prices older than three months are likely out of date; check them before deciding."
        if stale
        else " Frontier prices fall several times a year; re-check them before deciding."
    )
    items.append(("How old the prices are.", "; ".join(ages) + "." + advice))

    decline = (
        f"the frontier price falls {format_share(scenario.price_decline_per_year, 0)} a year"
        if scenario.price_decline_per_year
        else "prices stay as they are"
    )
    items.append(
        (
            "Assumptions.",
            f"Volume stays at {format_volume(scenario.volume_per_month)} requests a month and {decline} over "
            f"{scenario.horizon_months} months. One-time costs are estimates; data curation is usually the "
            "largest and the most often underestimated. Quality figures are "
            + (
                f"measured ({sanitize_text(scenario.quality.measured_from)})."
                if scenario.quality.measured_from.strip()
                else (
                    "as entered in the scenario; the spot-check section shows what was measured."
                    if spotcheck is not None
                    else "as entered, not measured on a spot-check."
                )
            ),
        )
    )
    return Section("Assumptions and caveats", (Bullets(tuple(items)),))


def _item_blocks(items: Sequence[ItemResult], evidence: ItemEvidence | None, bar: float) -> tuple[Block, ...]:
    """What the per-item results add to the spot-check section (nothing without them)."""
    if not items:
        return ()
    blocks: list[Block] = []
    if evidence is not None and evidence.paired.n:
        blocks.append(
            Table(
                columns=(f"Same {evidence.paired.n} items", "Large model right", "Large model wrong"),
                rows=paired_rows(evidence.paired),
                weights=(1.6, 1.2, 1.2),
                numeric=frozenset({1, 2}),
                caption="Both models on the same items (errors count as wrong): the paired comparison.",
            )
        )
        blocks.append(Paragraph(sanitize_text(paired_sentences(evidence.paired))))
    if evidence is not None and evidence.routing.points:
        blocks.append(_routing_chart(evidence, bar))
    if evidence is not None and evidence.labels:
        blocks.append(
            Table(
                columns=("Expected label", "Items", "Specialist", "95 % interval", "Large", "95 % interval"),
                rows=tuple(
                    (
                        sanitize_text(row.label),
                        str(row.items),
                        *_interval_cells(row.specialist)[1:],
                        *_interval_cells(row.frontier)[1:],
                    )
                    for row in evidence.labels
                ),
                weights=(1.8, 0.7, 1.0, 1.5, 1.0, 1.5),
                numeric=frozenset({1, 2, 3, 4, 5}),
                caption="Accuracy per expected label: good on average can hide one class it fails.",
            )
        )
    rows, count = wrong_item_rows(items, sanitize_text)
    if not rows:
        blocks.append(
            Paragraph("On no item was the specialist wrong where the large model was right.", "note")
        )
        return tuple(blocks)
    shown = f"the first {len(rows)} of {count}" if count > len(rows) else f"all {count}"
    blocks.append(
        Table(
            columns=("Input", "Expected", "Specialist", "Large model"),
            rows=rows,
            weights=(3.2, 1.2, 1.4, 1.4),
            caption=f"Where the specialist is wrong and the large model right: {shown} such items, inputs "
            "cut short. These are the inputs an escalation path has to catch.",
        )
    )
    return tuple(blocks)


def _routing_chart(evidence: ItemEvidence, bar: float) -> Chart:
    """Hybrid accuracy against the share escalated, with both models alone as reference lines."""
    curve = evidence.routing
    points = sorted(curve.points, key=lambda point: point.escalation_rate)
    xs = tuple(point.escalation_rate for point in points)
    series = [Series("Specialist + escalation", xs, tuple(point.accuracy for point in points), "specialist")]
    if curve.frontier_accuracy is not None:
        series.append(Series("Large model alone", (0.0, 1.0), (curve.frontier_accuracy,) * 2, "large", True))
    if curve.specialist_accuracy is not None:
        series.append(
            Series("Specialist alone", (0.0, 1.0), (curve.specialist_accuracy,) * 2, "specialist_only", True)
        )
    markers: tuple[ChartMarker, ...] = ()
    if evidence.operating is not None:
        point = evidence.operating
        markers = (
            ChartMarker(
                point.escalation_rate,
                point.accuracy,
                f"{point.escalation_rate * 100:.0f}% escalated: {point.accuracy * 100:.1f}%",
            ),
        )
    return Chart(
        title="Routing curve, measured",
        x_label="share of traffic sent to the large model",
        y_label="accuracy",
        series=tuple(series),
        x_format="percent",
        y_format="percent",
        markers=markers,
        y_max=1.0,
        horizontal_line=(bar, f"bar {bar * 100:.1f}%"),
        caption=routing_caption(curve, evidence.operating, bar),
    )


def _as_given(rule: RuleResult) -> str:
    """A rule's reason as the rules give it (no attached run to weigh it against)."""
    return rule.reason


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


def _tornado(scenario: Scenario, uncertainty: UncertaintyResult | None) -> TornadoChart | None:
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


def _notices(
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
        _inputs_section(scenario, summary, today),
        _decision_section(recommendation, stated),
        Section("Break-even vs volume", (_volume_chart(scenario, summary),)),
    ]
    if spotcheck is not None:
        section = _spotcheck_section(spotcheck)
        more = _item_blocks(spotcheck_items, item_facts, scenario.quality.quality_bar)
        sections.append(Section(section.title, section.blocks + more))
    sections.append(
        _caveats_section(scenario, spotcheck, today, plan.escalation_rate if measured_rate else None)
    )
    name = sanitize_text(scenario.name)
    description = " ".join(sanitize_text(scenario.description).split())
    return MemoContent(
        title=f"Decision memo: {name}",
        scenario_name=name,
        description=_shorten(description, PAGE_ONE_DESCRIPTION_CHARS),
        author=sanitize_text(author.strip()),
        memo_date=today,
        verdict=_verdict_block(
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
        headline_numbers=_plan_tiles(_headline_numbers(scenario, summary, recommendation), plan, summary),
        decision_chart=_decision_chart(scenario, summary, curves),
        sections=tuple(sections),
        notices=_notices(scenario, check, today, uncertainty),
        tornado=_tornado(scenario, uncertainty),
        source_note=sanitize_text(scenario.source),
        extra={"date": format_date(today)},
    )
