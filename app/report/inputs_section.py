"""The memo's Inputs section: every number the scenario holds, and how old its prices are."""

from __future__ import annotations

from datetime import date

from app.domain.costs import CostSummary
from app.domain.formatting import (
    format_age_days,
    format_money,
    format_price_per_mtok,
    format_share,
    format_tokens,
    format_volume,
)
from app.domain.scenario import ModelCost, Scenario
from app.report.memo_data import Block, Paragraph, Section, Table
from app.report.sanitize import model_label, sanitize_text

# Page one shows this much of the scenario's description; the rest would push the chart off it.
PAGE_ONE_DESCRIPTION_CHARS = 280


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


def age_text(model: ModelCost, age_days: int) -> str:
    """`8.8 months old`; a year-only date ("2026") is read as 1 January, so its age is at most that."""
    bound = "up to " if len(model.price_as_of.strip()) == 4 else ""
    return f"{bound}{format_age_days(age_days)} old"


def _price_cell(model: ModelCost, today: date) -> tuple[str, str]:
    source = sanitize_text(model.price_source) if model.price_source.strip() else "not given"
    age = price_age_days(model, today)
    if age is None:
        as_of = "no date"
    else:
        as_of = f"{model.price_as_of[:10]} ({age_text(model, age)})" if age > 0 else model.price_as_of[:10]
    return source, as_of


# Row names for the engine's one-time breakdown keys, spelled the way the rest of the memo is.
_ONE_TIME_LABELS = {"teacher_labeling": "teacher labelling"}


def inputs_section(scenario: Scenario, summary: CostSummary, today: date) -> Section:
    """Every input of the scenario: models and prices, volumes, costs, extras and quality."""
    model_rows = []
    sources = []
    for role, model in (("Large", scenario.large), ("Specialist", scenario.small)):
        source, as_of = _price_cell(model, today)
        measured = "*" if model.tokens_measured else ""
        label = model_label(model, role.lower())
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
