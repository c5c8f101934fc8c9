"""The memo's caveats: distillation, out-of-distribution risk and the escalation path, price age,
the assumptions the figures rest on."""

from __future__ import annotations

from datetime import date

from app.domain.evaluation import OOD_TAG, Interval, SpotcheckSummary
from app.domain.formatting import (
    format_share,
    format_volume,
    format_yearly_change,
)
from app.domain.scenario import Scenario
from app.report.inputs_section import age_text, price_age_days
from app.report.memo_data import Bullets, Section
from app.report.sanitize import model_label, sanitize_text

# Prices older than this get a warning in the caveats: vendors cut prices several times a year.
STALE_PRICE_DAYS = 90


def _slice_score(who: str, interval: Interval) -> str:
    """`the specialist scored 84.2%`, or why there is no score (not run, nothing graded)."""
    if interval.estimate is None:
        return f"{who} has no graded answers"
    return f"{who} scored {format_share(interval.estimate)}"


def caveats_section(
    scenario: Scenario, spotcheck: SpotcheckSummary | None, today: date, measured_rate: float | None = None
) -> Section:
    """What the figures rest on and where they can mislead, as bullets."""
    large = model_label(scenario.large, "the large model")
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
        name = model_label(model, role.lower())
        if age is None:
            ages.append(f"{name}: no as-of date given")
        else:
            ages.append(f"{name}: checked {model.price_as_of[:10]}, {age_text(model, age)}")
            stale = stale or age > STALE_PRICE_DAYS
    advice = (
        " Prices older than three months are likely out of date; check them before deciding."
        if stale
        else " Frontier prices fall several times a year; re-check them before deciding."
    )
    items.append(("How old the prices are.", "; ".join(ages) + "." + advice))

    moves = []
    if scenario.price_decline_per_year:
        moves.append(f"the frontier price falls {format_share(scenario.price_decline_per_year, 0)} a year")
    if scenario.small_price_drift_per_year:
        moves.append(
            f"the specialist's prices get {format_yearly_change(scenario.small_price_drift_per_year, 0)}"
        )
    decline = " and ".join(moves) if moves else "prices stay as they are"
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
