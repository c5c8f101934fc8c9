"""The memo's Inputs section: every number the scenario holds, and how old its prices are.

Labels, units and the way each value reads come from the field catalogue (`app.domain.fields`), the
same the inputs panel and `calc` use; only what is not a scenario number (the price sources, the
one-time lines the engine computes, whether an eval exists) is worded here.
"""

from __future__ import annotations

from datetime import date

from app.domain.costs import CostSummary
from app.domain.fields import field_for, fields_in, groups_in_use
from app.domain.formatting import (
    format_age_days,
    format_money,
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


# The one-time lines the engine computes from other inputs (not inputs themselves, so not in the
# field catalogue), spelled the way the rest of the memo is.
_COMPUTED_ONE_TIME = {
    "teacher_labeling": "Teacher labelling (computed)",
    "human_review": "Human review (computed)",
}
# The model table's number columns: one catalogue field each, for both models.
_MODEL_COLUMNS = ("input_tokens", "output_tokens", "input_price_per_mtok", "output_price_per_mtok")


def _model_table(scenario: Scenario, today: date) -> tuple[Table, Table]:
    """Both models' token counts and prices (headed by the catalogue), and where each price is from."""
    model_rows = []
    sources = []
    for side, role, model in (("large", "Large", scenario.large), ("small", "Specialist", scenario.small)):
        source, as_of = _price_cell(model, today)
        measured = "*" if model.tokens_measured else ""
        label = model_label(model, role.lower())
        # A self-hosted specialist is billed by the GPU-hour (see Self-hosting below), not per token:
        # "$0" per million tokens would read as free.
        gpu_billed = side == "small" and scenario.self_hosting.enabled
        cells = []
        for column in _MODEL_COLUMNS:
            entry = field_for(f"{side}.{column}")
            if entry.unit == "price":
                cells.append("GPU-hour" if gpu_billed else entry.format_value(entry.value_in(scenario)))
            else:
                cells.append(entry.format_value(entry.value_in(scenario)) + measured)
        model_rows.append(
            (role, label, *cells, "see Self-hosting" if gpu_billed and as_of == "no date" else as_of)
        )
        sources.append((f"{role} ({label}):", source))
    any_measured = scenario.large.tokens_measured or scenario.small.tokens_measured
    # The catalogue's labels; the unit of the prices is the caption's (a "($/Mtok)" in a narrow
    # heading broke after the slash).
    headings = tuple(field_for(f"large.{column}").label for column in _MODEL_COLUMNS)
    models = Table(
        columns=("Role", "Model", *headings, "Prices as of"),
        rows=tuple(model_rows),
        weights=(1.0, 2.0, 0.9, 0.9, 1.0, 1.0, 2.0),
        numeric=frozenset({2, 3, 4, 5}),
        caption="Prices in USD per million tokens, and when each was checked."
        + (" * Token counts measured in the playground." if any_measured else ""),
    )
    # Sources get the full width: URLs do not wrap well inside a table cell.
    price_sources = Table(columns=("Price source", ""), rows=tuple(sources), weights=(1.6, 6.0))
    return models, price_sources


def _settings_rows(scenario: Scenario, summary: CostSummary) -> list[tuple[str, str]]:
    """(label, value) for every shown catalogue field, with the lines the engine adds to them."""
    rows: list[tuple[str, str]] = []
    # The two models have a table of their own.
    for group in (group for group in groups_in_use(scenario) if group not in ("Large model", "Specialist")):
        for entry in fields_in(group):
            value = entry.value_in(scenario)
            text = entry.describe(value)
            if entry.key == "routing.escalation_rate":
                text = f"{text} of traffic escalated to the large model ({scenario.routing.mode})"
            elif entry.key == "quality.task_change_months" and value is None:
                text = "not given"
            rows.append((entry.label, text))
        if group == "One-time costs":
            for key, amount in summary.one_time_breakdown.items():
                if amount and key in _COMPUTED_ONE_TIME:
                    rows.append((_COMPUTED_ONE_TIME[key], format_money(amount)))
            rows.append(("One-time total", format_money(summary.one_time_cost)))
        elif group == "Quality and task":
            quality = scenario.quality
            if quality.measured_from.strip():
                rows.append(("Quality measured from", sanitize_text(quality.measured_from)))
            rows.append(("Eval exists", {True: "yes", False: "no", None: "unknown"}[quality.eval_exists]))
    return rows


def inputs_section(scenario: Scenario, summary: CostSummary, today: date) -> Section:
    """Every input of the scenario, described by the field catalogue: models and prices, volumes,
    costs, extras and quality."""
    models, price_sources = _model_table(scenario, today)
    settings = Table(
        columns=("Input", "Value"), rows=tuple(_settings_rows(scenario, summary)), weights=(1.0, 3.2)
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
