"""The memo as plain data: formatting, sanitising and what each part says (no Qt needed)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from memo_samples import MEMO_DAY, SECRET_KEY, USER_FOLDER, leaky_scenario, triage_scenario

from app.domain.costs import break_even_vs_volume, cumulative_curves, summarize, volume_range
from app.domain.formatting import (
    format_age_days,
    format_interval,
    format_money,
    format_months,
    format_per_request,
    format_price_per_mtok,
    format_ratio,
    format_share,
)
from app.domain.rules import evaluate
from app.report.content import build_memo_content
from app.report.inputs_section import price_age_days
from app.report.memo_data import Bullets, Chart, Paragraph, Table
from app.report.sanitize import sanitize_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "$0"),
        (12.5, "$12.50"),
        (950, "$950"),
        (12_500, "$12.5K"),
        (13_000, "$13K"),
        (1_234_567, "$1.2M"),
        (999_960, "$1M"),
        (3.4e9, "$3.4B"),
        (-2_100, "-$2.1K"),
        (math.inf, "n/a"),
    ],
)
def test_money_is_compact(value: float, text: str) -> None:
    assert format_money(value, "compact") == text


def test_other_number_styles() -> None:
    assert format_ratio(19.53) == "19.5×"
    assert format_ratio(7.8123) == "7.81×"
    assert format_ratio(None) == "n/a"
    assert format_months(3.44) == "3.4 months"
    assert format_months(None) == "never"
    assert format_per_request(0.0155) == "$0.0155"
    assert format_price_per_mtok(5) == "$5.00"
    assert format_price_per_mtok(0.075) == "$0.075"
    assert format_share(0.912) == "91.2%"
    assert format_share(None) == "unknown"
    assert format_interval(0.881, 0.94) == "88.1%–94.0%"
    assert format_age_days(0) == "today"
    assert format_age_days(12) == "12 days"
    assert format_age_days(175) == "5.7 months"
    assert format_age_days(800) == "2.2 years"


def test_sanitize_keeps_file_names_and_urls_but_drops_folders_and_keys() -> None:
    text = (
        f"see {USER_FOLDER}/prices.csv and C:\\Users\\bob\\run.jsonl, https://example.org/a/b "
        f"key {SECRET_KEY} token=abc123 Bearer xyz"
    )
    clean = sanitize_text(text)
    assert "prices.csv" in clean and "run.jsonl" in clean
    assert "https://example.org/a/b" in clean
    for leaked in (USER_FOLDER, "alice", "Users", "bob", SECRET_KEY, "abc123", "xyz"):
        assert leaked not in clean, leaked


def test_price_age_is_days_since_as_of() -> None:
    scenario = triage_scenario()
    assert price_age_days(scenario.large, MEMO_DAY) == (MEMO_DAY - date(2026, 6, 1)).days
    assert price_age_days(scenario.large.model_copy(update={"price_as_of": ""}), MEMO_DAY) is None


@pytest.mark.parametrize(
    ("as_of", "checked"),
    [("2026-03", date(2026, 3, 1)), ("2026", date(2026, 1, 1)), ("2026-03-15", date(2026, 3, 15))],
)
def test_price_age_reads_month_and_year_dates(as_of: str, checked: date) -> None:
    """The catalog and presets give months ("2026-03"); the memo still ages them."""
    model = triage_scenario().large.model_copy(update={"price_as_of": as_of})
    assert price_age_days(model, MEMO_DAY) == (MEMO_DAY - checked).days


@pytest.mark.parametrize("as_of", ["soon", "2026-13", "03/2026"])
def test_price_age_is_unknown_for_unreadable_dates(as_of: str) -> None:
    model = triage_scenario().large.model_copy(update={"price_as_of": as_of})
    assert price_age_days(model, MEMO_DAY) is None


def test_headline_numbers_are_the_engines() -> None:
    scenario = triage_scenario()
    summary = summarize(scenario)
    content = build_memo_content(scenario, today=MEMO_DAY, author="Jane Doe")
    tiles = {tile.label: tile.value for tile in content.headline_numbers}
    # The window's four figures; the per-request costs behind the ratio are under it.
    assert tiles == {
        "Net monthly savings": format_money(summary.net_monthly_savings, "figure"),
        "Break-even": format_months(summary.break_even_months),
        "One-time investment": format_money(summary.one_time_cost, "figure"),
        "Cost ratio": format_ratio(summary.cost_ratio),
    }
    ratio_detail = content.headline_numbers[-1].detail
    assert format_per_request(summary.large_cost_per_request) in ratio_detail
    assert format_per_request(summary.specialist_cost_per_request) in ratio_detail
    recommendation = evaluate(scenario, summary)
    assert content.verdict.verdict == recommendation.verdict
    assert content.verdict.label == recommendation.label
    assert content.verdict.deciding_rule.startswith(f"Rule {recommendation.deciding_rule} ")
    assert content.author == "Jane Doe"
    assert content.memo_date == MEMO_DAY


def test_decision_chart_is_the_cumulative_curves_with_the_break_even() -> None:
    scenario = triage_scenario()
    curves = cumulative_curves(scenario)
    chart = build_memo_content(scenario, today=MEMO_DAY).decision_chart
    by_role = {series.role: series for series in chart.series}
    np.testing.assert_allclose(by_role["large"].ys, curves.large_only)
    np.testing.assert_allclose(by_role["specialist"].ys, curves.specialist)
    np.testing.assert_allclose(by_role["specialist_only"].ys, curves.specialist_only)  # escalation is on
    (marker,) = chart.markers
    assert marker.x == curves.break_even_months and marker.y == curves.break_even_cost


def test_no_break_even_means_no_marker() -> None:
    scenario = triage_scenario().with_changes(volume_per_month=1000)
    content = build_memo_content(scenario, today=MEMO_DAY)
    assert content.decision_chart.markers == ()
    tiles = {tile.label: tile for tile in content.headline_numbers}
    # Keep the large model: the swap's figures are the rejected plan's, labelled so and never green.
    assert tiles["Break-even (rejected swap)"].value == "never"
    assert all(tile.tone != "good" for tile in content.headline_numbers)


def test_sections_in_order_and_volume_chart_matches_engine(spotcheck) -> None:
    scenario = triage_scenario()
    without = build_memo_content(scenario, today=MEMO_DAY)
    assert [s.title for s in without.sections] == [
        "Inputs",
        "Decision rules",
        "Break-even vs volume",
        "Assumptions and caveats",
    ]
    with_check = build_memo_content(scenario, spotcheck=spotcheck, today=MEMO_DAY)
    assert [s.title for s in with_check.sections][3] == "Spot-check"
    chart = with_check.sections[2].blocks[0]
    assert isinstance(chart, Chart) and chart.log_x
    volumes = volume_range(scenario)
    np.testing.assert_allclose(chart.series[0].xs, volumes)
    np.testing.assert_array_equal(chart.series[0].ys, break_even_vs_volume(scenario, volumes))


def test_decision_table_has_every_rule_with_its_reason() -> None:
    scenario = triage_scenario()
    recommendation = evaluate(scenario)
    table = build_memo_content(scenario, today=MEMO_DAY).sections[1].blocks[0]
    assert isinstance(table, Table)
    assert [row[0] for row in table.rows] == [str(rule.id) for rule in recommendation.rules]
    assert [row[3] for row in table.rows] == [rule.reason for rule in recommendation.rules]


def test_inputs_name_every_price_source_and_date() -> None:
    scenario = triage_scenario()
    blocks = build_memo_content(scenario, today=MEMO_DAY).sections[0].blocks
    prices, sources = blocks[0], blocks[1]
    assert isinstance(prices, Table) and isinstance(sources, Table)
    large, small = prices.rows
    assert large[6].startswith("2026-06-01 (") and small[6] == "2026-11-01 (22 days old)"
    assert sources.rows == (
        ("Large (frontier-large):", "https://example.org/pricing"),
        ("Specialist (triage-specialist):", "vendor price list"),
    )


def test_spotcheck_section_gives_intervals(spotcheck) -> None:
    content = build_memo_content(triage_scenario(), spotcheck=spotcheck, today=MEMO_DAY)
    section = content.sections[3]
    models = section.blocks[1]
    assert isinstance(models, Table)
    acc = spotcheck.specialist.accuracy
    assert acc.low is not None and acc.high is not None and acc.estimate is not None
    assert models.rows[0][2:5] == (
        f"{acc.successes}/{acc.total}",
        format_share(acc.estimate),
        format_interval(acc.low, acc.high),
    )
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert any("Agreement is not correctness" in text for text in texts)
    assert any("ood items" in text for text in texts)  # the summariser's warnings are carried over


def test_caveats_cover_teacher_mistakes_ood_and_price_age(spotcheck) -> None:
    content = build_memo_content(triage_scenario(), spotcheck=spotcheck, today=MEMO_DAY)
    bullets = content.sections[-1].blocks[0]
    assert isinstance(bullets, Bullets)
    leads = [lead for lead, _ in bullets.items]
    assert leads[:3] == [
        "Distillation copies the teacher's mistakes.",
        "Out-of-distribution risk and the escalation path.",
        "How old the prices are.",
    ]
    text = " ".join(body for _, body in bullets.items)
    assert "2,000 training examples" in text
    assert "10.0% of traffic" in text
    assert "12 out-of-distribution items" in text
    assert "175 days" not in text and format_age_days((MEMO_DAY - date(2026, 6, 1)).days) in text
    assert "older than three months" in text


def test_no_key_or_folder_reaches_the_content() -> None:
    content = build_memo_content(leaky_scenario(), today=MEMO_DAY)
    dump = repr(content)
    assert SECRET_KEY not in dump and "sk-proj" not in dump
    assert USER_FOLDER not in dump and "alice" not in dump
    assert "frontier-prices.csv" in dump and "triage-results.jsonl" in dump


def _caveat_text(content: object) -> str:
    bullets = content.sections[-1].blocks[0]  # type: ignore[attr-defined]
    assert isinstance(bullets, Bullets)
    return " ".join(body for _, body in bullets.items)


def test_no_escalation_is_said_in_words_not_as_zero_percent() -> None:
    scenario = triage_scenario().with_changes(routing={"escalation_rate": 0.0, "mode": "cascade"})
    text = _caveat_text(build_memo_content(scenario, today=MEMO_DAY))
    assert "0.0% of traffic" not in text
    assert "the costs above assume no traffic is escalated" in text


def test_a_self_hosted_specialist_is_not_shown_as_free_per_token() -> None:
    from app.storage.presets import load_preset

    content = build_memo_content(load_preset("contract-clause-tagging"), today=MEMO_DAY)
    models = next(
        b for s in content.sections for b in s.blocks if isinstance(b, Table) and b.columns[0] == "Role"
    )
    specialist = models.rows[1]
    assert specialist[4:7] == ("GPU-hour", "GPU-hour", "see Self-hosting")
    assert models.rows[0][4] == "$3.00"


def test_spotcheck_without_a_specialist_run_reads_well(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.cli import main
    from app.storage.resources import resource_path
    from app.storage.spotcheck_results import load_spotcheck_results

    results = tmp_path / "r.jsonl"
    demo = str(resource_path("spotcheck", "support_triage.jsonl"))
    assert main(["spotcheck", demo, "--no-local", "--json", "-o", str(results)]) == 0
    content = build_memo_content(triage_scenario(), spotcheck=load_spotcheck_results(results), today=MEMO_DAY)
    section = next(s for s in content.sections if s.title == "Spot-check")
    facts = section.blocks[0]
    assert isinstance(facts, Paragraph) and "scorer: one of 5 labels" in facts.text
    slices = [b for b in section.blocks if isinstance(b, Table)][1]
    names = [row[0] for row in slices.rows]
    assert names[:3] == ["In-distribution", "Out-of-distribution", "Gibberish"]
    assert "Multi-intent" in names
    text = _caveat_text(content)
    assert "scored unknown" not in text
    assert (
        "19 out-of-distribution items the specialist has no graded answers and the large model scored 84.2%"
        in (" ".join(text.split()))
    )
    # quality figures come from the scenario even with a spot-check attached: say where to look
    assert "not measured on a spot-check" not in text
    assert "the spot-check section shows what was measured" in text


def test_off_the_shelf_memo_says_the_training_is_not_needed_and_says_it_once() -> None:
    from app.storage.presets import load_preset

    content = build_memo_content(load_preset("review-sentiment"), today=MEMO_DAY)
    assert content.verdict.verdict == "use_off_the_shelf"
    tiles = {tile.label: tile for tile in content.headline_numbers}
    # the tiles price the recommended plan: no training runs ($800 left out), as the board line does
    summary = summarize(load_preset("review-sentiment"))
    assert tiles["One-time investment"].detail == "curation, eval; off the shelf saves the $800 training"
    assert tiles["One-time investment"].value == format_money(summary.one_time_cost - 800, "figure")
    assert format_money(summary.one_time_cost - 800, "compact") in content.verdict.board_line
    # the headline already quotes rule 2's reason: the block does not print it a second time
    assert "no training needed" in content.verdict.headline
    assert content.verdict.reason == ""
    assert content.verdict.deciding_rule.startswith("Rule 2")


def test_specialize_memo_keeps_the_deciding_reason_and_spells_labelling_one_way() -> None:
    from app.storage.presets import load_preset

    content = build_memo_content(load_preset("invoice-field-extraction"), today=MEMO_DAY)
    assert content.verdict.reason.startswith("Break-even 6.8 months is within the 24-month horizon")
    dump = repr(content)
    assert "Teacher labelling" in dump and "labeling" not in dump


def test_a_break_even_past_ten_years_reads_in_years() -> None:
    assert format_months(2687.5) == "224 years"  # not "2,687.5 months"
    assert format_months(120) == "10 years"
    assert format_months(119.9) == "119.9 months"
    assert format_months(44.05) == "44.0 months"


def test_a_year_only_price_date_gives_its_age_as_a_bound() -> None:
    from app.storage.presets import load_preset

    scenario = load_preset("code-review-comments")  # the specialist's prices are dated "2026"
    assert scenario.small.price_as_of == "2026"
    content = build_memo_content(scenario, today=MEMO_DAY)
    dump = repr(content)
    age = format_age_days((MEMO_DAY - date(2026, 1, 1)).days)
    assert f"2026 (up to {age} old)" in dump
    assert f"checked 2026, up to {age} old" in dump
    assert (
        f"2026-03 ({format_age_days((MEMO_DAY - date(2026, 3, 1)).days)} old)" in dump
    )  # month dates as before


def test_a_relabelled_catalogue_relabels_the_memos_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo's input labels come from the catalogue, not from text that happens to match it."""
    import dataclasses

    from app.domain import fields

    renamed = tuple(dataclasses.replace(entry, label=f"<{entry.label}>") for entry in fields.FIELDS)
    monkeypatch.setattr(fields, "FIELDS", renamed)
    monkeypatch.setattr(fields, "_BY_KEY", {entry.key: entry for entry in renamed})
    inputs = build_memo_content(triage_scenario(), today=MEMO_DAY).sections[0]
    tables = [block for block in inputs.blocks if isinstance(block, Table)]
    labels = {row[0] for table in tables for row in table.rows} | {
        c for table in tables for c in table.columns
    }
    for label in ("<Requests per month>", "<Horizon>", "<Quality bar>", "<Input tokens>", "<Data curation>"):
        assert label in labels, label
    assert "Requests per month" not in labels
