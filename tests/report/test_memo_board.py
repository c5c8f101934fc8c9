"""Page one's answer for a board: annual and horizon terms, what it would take, how sure.

The expected figures are worked out here by hand from the cost formulas (per-request cost =
tokens × price / 1e6; net = (large − specialist) × volume − ops; payback = one-time ÷ net), not
read from the engine.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

from memo_samples import MEMO_DAY

from app.domain.scenario import Scenario
from app.domain.uncertainty import analyse
from app.report.content import build_memo_content
from app.report.export import render_memo
from app.storage.presets import load_preset

LARGE_PER_REQUEST = (1000 * 5.0 + 200 * 15.0) / 1e6  # $0.008
SMALL_PER_REQUEST = (200 * 0.30 + 200 * 1.20) / 1e6  # $0.0003
ONE_TIME = 8000 + 1500 + 4000
OPS = 700


def simple(volume: float) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "Simple",
            "volume_per_month": volume,
            "horizon_months": 24,
            "large": {
                "input_tokens": 1000,
                "output_tokens": 200,
                "input_price_per_mtok": 5.0,
                "output_price_per_mtok": 15.0,
            },
            "small": {
                "input_tokens": 200,
                "output_tokens": 200,
                "input_price_per_mtok": 0.30,
                "output_price_per_mtok": 1.20,
            },
            "one_time": {"data_curation": 8000, "training_runs": 1500, "eval_build": 4000},
            "monthly_ops": OPS,
            "quality": {
                "specialist_accuracy": 0.95,
                "quality_bar": 0.9,
                "eval_exists": True,
                "task_change_months": 24,
            },
        }
    )


def test_a_paying_plan_reads_in_annual_and_horizon_terms() -> None:
    net = (LARGE_PER_REQUEST - SMALL_PER_REQUEST) * 1_000_000 - OPS  # $7,000 a month
    floor = (ONE_TIME / 24 + OPS) / (LARGE_PER_REQUEST - SMALL_PER_REQUEST)  # 164.0K requests/month
    content = build_memo_content(simple(1_000_000), today=MEMO_DAY)
    assert content.verdict.verdict == "specialize"
    assert content.verdict.board_line == (
        f"Saves ${net * 12 / 1000:.0f}K a year and ${(net * 24 - ONE_TIME) / 1000:.1f}K over 24 months, for "
        f"${ONE_TIME / 1000:.1f}K up front; pays back in {ONE_TIME / net:.1f} months. It keeps paying back "
        f"within 24 months as long as volume stays above {floor / 1000:.1f}K requests/month."
    )


def test_keep_large_says_what_it_would_take() -> None:
    volume = 20_000
    floor = (ONE_TIME / 24 + OPS) / (LARGE_PER_REQUEST - SMALL_PER_REQUEST)  # 163,961 requests/month
    # Large-model cost per request x with one-time + 24 × (specialist + ops) = 24 × x × volume.
    factor = (ONE_TIME + 24 * (SMALL_PER_REQUEST * volume + OPS)) / (24 * volume) / LARGE_PER_REQUEST
    content = build_memo_content(simple(volume), today=MEMO_DAY)
    assert content.verdict.verdict == "keep_large"
    line = content.verdict.board_line
    assert line.startswith("What it would take to pay back within 24 months: ")
    # Thresholds read rounded up to three digits, so the rounded answer still pays back.
    assert f"from {math.ceil(floor / 1000):.0f}K requests/month ({floor / volume:.1f}× today's 20K)" in line
    assert f"({math.ceil(factor * 100) / 100:.2f}× today's $5.00 in / $15.00 out)" in line
    assert "saves" not in line.lower()  # no savings of the plan the verdict rejects


def test_uncertainty_puts_the_chance_of_payback_and_a_tornado_on_page_one(qapp, tmp_path: Path) -> None:
    scenario = load_preset("support-ticket-triage")
    result = analyse(scenario, draws=400, seed=3)
    assert result is not None
    content = build_memo_content(scenario, today=MEMO_DAY, uncertainty=result)
    tornado = content.tornado
    assert tornado is not None
    swings = [abs(row.at_high - row.at_low) for row in tornado.rows]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    assert min(row.at_low for row in tornado.rows) <= tornado.base <= max(row.at_high for row in tornado.rows)
    path = render_memo(content, tmp_path / "risk.pdf")
    page_one = " ".join(
        subprocess.run(
            ["pdftotext", "-raw", "-f", "1", "-l", "1", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    paying = round(result.p_payback_within_horizon * 400)
    assert "HOW SURE IS THE PAYBACK" in page_one and "What moves the savings at 24 months most" in page_one
    assert ("in all 400 draws" if paying == 400 else f"{round(paying / 4)}% chance") in page_one
    assert "P10–P90: break-even" in page_one and "400 draws" in page_one
    assert "Requests per month (" in page_one  # the largest swing of this preset, by its catalogue label


def test_without_uncertainty_nothing_is_invented() -> None:
    content = build_memo_content(load_preset("support-ticket-triage"), today=MEMO_DAY)
    assert content.tornado is None
    assert all(notice.title != "How sure is the payback" for notice in content.notices)
    assert "P10" not in content.verdict.board_line


def test_keep_large_never_shows_the_rejected_swap_as_green_savings() -> None:
    content = build_memo_content(load_preset("hr-policy-questions"), today=MEMO_DAY)
    assert content.verdict.verdict == "keep_large"
    assert all(tile.tone != "good" for tile in content.headline_numbers)
    assert any("(rejected swap)" in tile.label for tile in content.headline_numbers)


def test_route_shows_the_routed_plan_and_names_the_rejected_swap() -> None:
    scenario = load_preset("code-review-comments")
    content = build_memo_content(scenario, today=MEMO_DAY)
    assert content.verdict.verdict == "keep_large_and_route"
    rate = scenario.routing.escalation_rate
    assert rate > 0
    # The routed plan is the configured path (its escalation included): its net savings, by hand.
    large = (
        scenario.large.input_tokens * scenario.large.input_price_per_mtok
        + scenario.large.output_tokens * scenario.large.output_price_per_mtok
    ) / 1e6
    small = (
        scenario.small.input_tokens * scenario.small.input_price_per_mtok
        + scenario.small.output_tokens * scenario.small.output_price_per_mtok
    ) / 1e6
    path = small + rate * large if scenario.routing.mode == "cascade" else (1 - rate) * small + rate * large
    net = (large - path) * scenario.volume_per_month - scenario.monthly_ops
    tiles = {tile.label: tile for tile in content.headline_numbers}
    assert tiles["Net monthly savings (routed plan)"].value == f"${net:,.0f}"
    line = content.verdict.board_line
    assert line.startswith(f"Routed plan: {rate * 100:.1f}% of traffic stays on the large model: saves ")
    assert line.endswith("Rejected: the full swap (the specialist alone misses the bar).")
