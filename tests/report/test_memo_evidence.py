"""One source of truth: the memo never states an accuracy as meeting the bar against its evidence.

Every preset, without a spot-check and with three kinds of attached run, rendered to PDF and read
back. The test's own Wilson interval (textbook formula, written here) decides whether a run backs
a claim; the memo's text is searched for claims the run does not back.
"""

from __future__ import annotations

import math
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from memo_samples import MEMO_DAY

from app.domain.evaluation import ItemResult, ScorerSpec, SideResult, SpotcheckSummary, summarize_results
from app.domain.scenario import Scenario
from app.report.content import build_memo_content
from app.report.export import render_memo
from app.storage.presets import load_preset, preset_names

# The claim the original memo made on page one against its own page three.
MEETS_CLAIM = re.compile(r"(?:specialist|fine-tuned) accuracy \d+(?:\.\d+)?% meets the", re.IGNORECASE)


def wilson_low(successes: int, total: int) -> float:
    """Lower bound of the 95 % Wilson score interval (z = 1.96), from the textbook formula."""
    z = 1.959963984540054
    p = successes / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - spread) / (1 + z * z / total)


def run_of(model: str, successes: int, total: int, run_date: str = "2026-11-20") -> SpotcheckSummary:
    """A spot-check where `model` got `successes` of `total` right, summarised by the real code."""
    results = [
        ItemResult(
            item_id=f"i{i}",
            input=f"ticket {i}",
            expected="billing",
            tags=("ood",) if i % 5 == 0 else (),
            specialist=SideResult(output="billing" if i < successes else "other", correct=i < successes),
            frontier=SideResult(output="billing", correct=i != 1),
            agree=i < successes,
        )
        for i in range(total)
    ]
    return summarize_results(
        results,
        set_name="support_triage",
        run_date=run_date,
        scorer=ScorerSpec(),
        specialist_name=model,
        frontier_name="frontier-reference",
    )


def pdf_words(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(
        ["pdftotext", "-raw", *pages, str(path), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return " ".join(text.split())


# (label, model: "other" or the scenario's own specialist, successes, total)
RUNS = [
    ("none", None, 0, 0),
    ("weak run of another model", "other", 20, 30),  # the memo that started this: 66.7 % on a base model
    ("five perfect items of the specialist", "own", 5, 5),  # too few to back anything
    ("a strong run of the specialist", "own", 985, 1000),  # backs any bar up to ~97.6 %
]


def _attached(scenario: Scenario, model: str | None, successes: int, total: int) -> SpotcheckSummary | None:
    if model is None:
        return None
    name = scenario.small.name if model == "own" else "gemma-3-270m (base model)"
    return run_of(name, successes, total)


@pytest.mark.parametrize("name", preset_names())
@pytest.mark.parametrize(("label", "model", "successes", "total"), RUNS, ids=[run[0] for run in RUNS])
def test_no_memo_claims_an_accuracy_its_evidence_does_not_back(
    qapp, tmp_path: Path, name: str, label: str, model: str | None, successes: int, total: int
) -> None:
    scenario = load_preset(name)
    spotcheck = _attached(scenario, model, successes, total)
    content = build_memo_content(scenario, spotcheck=spotcheck, today=MEMO_DAY)
    path = render_memo(content, tmp_path / "memo.pdf")
    everything, page_one = pdf_words(path), pdf_words(path, 1)
    bar = scenario.quality.quality_bar
    typed = scenario.quality.specialist_accuracy
    assert content.verdict.label in page_one
    assert f"Cumulative cost over {scenario.horizon_months} months" in page_one  # the chart keeps its page

    if spotcheck is None:
        assert "MEASURED EVIDENCE" not in page_one
        # Control: the search finds the claim where the memo makes it, so it can catch one.
        if typed is not None and typed >= bar:
            assert MEETS_CLAIM.search(everything), name
        return

    # Page one quotes the measurement in full: accuracy, interval, n, model and date.
    measured = successes / total
    assert "MEASURED EVIDENCE" in page_one
    assert f"{measured * 100:.1f}%" in page_one
    assert f"{successes} of {total} items" in page_one
    assert f"95 % CI {wilson_low(successes, total) * 100:.1f}%" in page_one
    assert spotcheck.specialist.name in page_one and "2026-11-20" in page_one
    if model == "other":
        assert "Not the scenario's specialist:" in page_one
    else:
        assert "Not the scenario's specialist" not in page_one

    backed = model == "own" and wilson_low(successes, total) >= bar
    if not backed:
        claims = MEETS_CLAIM.findall(everything)
        assert not claims, f"{name} with {label}: {claims}"
    if typed is not None and typed >= bar and not backed:
        assert "not backed" in page_one


def test_the_first_memo_of_the_report_now_says_what_its_evidence_says(qapp, tmp_path: Path) -> None:
    """The reported memo: typed 93.0 % against a 90 % bar, a base model measured at 20/30."""
    scenario = load_preset("support-ticket-triage")
    run = run_of("gemma-3-270m", 20, 30)
    content = build_memo_content(scenario, spotcheck=run, today=MEMO_DAY)
    page_one = pdf_words(render_memo(content, tmp_path / "memo.pdf"), 1)
    low = wilson_low(20, 30)
    assert f"gemma-3-270m 66.7% (95 % CI {low * 100:.1f}%–" in page_one and "20 of 30 items" in page_one
    assert "the model measured is gemma-3-270m, the scenario's specialist is GPT-4o mini" in page_one
    assert "93.0% meets" not in page_one


def test_prices_older_than_six_months_are_on_page_one(qapp, tmp_path: Path) -> None:
    scenario = load_preset("support-ticket-triage")
    large = scenario.large.model_copy(update={"price_as_of": "2026-03-01"})
    small = scenario.small.model_copy(update={"price_as_of": "2026-10-01"})
    fresh_day = date(2026, 4, 1)
    old = build_memo_content(scenario.with_changes(large=large, small=small), today=MEMO_DAY)
    page_one = pdf_words(render_memo(old, tmp_path / "old.pdf"), 1)
    age_days = (MEMO_DAY - date(2026, 3, 1)).days  # 267 days
    assert "Prices older than six months:" in page_one
    assert f"{scenario.large.name} checked 2026-03-01 ({age_days / 30.44:.1f} months ago)" in page_one
    assert f"{scenario.small.name} checked" not in page_one  # 53 days: fresh
    fresh = build_memo_content(scenario.with_changes(large=large, small=small), today=fresh_day)
    assert not fresh.notices


def test_the_evidence_page_shows_where_the_specialist_is_wrong_and_the_frontier_right(
    qapp, tmp_path: Path
) -> None:
    from memo_samples import SECRET_KEY, USER_FOLDER

    items = [
        ItemResult(
            item_id=f"i{i}",
            input=(f"My key {SECRET_KEY} leaked from {USER_FOLDER}/notes.txt " if i == 3 else f"ticket {i} ")
            + "word " * 60,
            expected="billing",
            tags=("ood",) if i == 3 else (),
            specialist=SideResult(output="other" if i % 3 == 0 else "billing", correct=i % 3 != 0),
            frontier=SideResult(output="billing", correct=i != 6),
            agree=None,
        )
        for i in range(20)
    ]
    # By hand: the specialist is wrong on 0, 3, 6, 9, 12, 15, 18; the frontier is wrong on 6 only.
    expected_ids = [0, 3, 9, 12, 15, 18]
    scenario = load_preset("support-ticket-triage")
    content = build_memo_content(
        scenario, spotcheck=run_of(scenario.small.name, 13, 20), spotcheck_items=items, today=MEMO_DAY
    )
    everything = pdf_words(render_memo(content, tmp_path / "memo.pdf"))
    assert f"the first 5 of {len(expected_ids)} such items" in everything
    for shown in expected_ids[:5]:
        assert ("My key" if shown == 3 else f"ticket {shown} word") in everything
    assert "ticket 18 word" not in everything and "ticket 6 word" not in everything
    assert SECRET_KEY not in everything and USER_FOLDER not in everything and "notes.txt" in everything
    assert "[ood]" in everything and "…" in everything  # the long inputs are cut short


def test_accuracies_applied_from_a_run_say_so_on_page_one() -> None:
    scenario = load_preset("support-ticket-triage")
    quality = scenario.quality.model_copy(update={"measured_from": "spot-check support_triage 2026-11-20"})
    content = build_memo_content(scenario.with_changes(quality=quality), today=MEMO_DAY)
    lines = [
        line for notice in content.notices if notice.title == "Measured evidence" for line in notice.lines
    ]
    assert lines == [
        (
            "Quality inputs measured:",
            "spot-check support_triage 2026-11-20. Attach the run to see its intervals and items.",
        )
    ]


def _paired_items() -> list[ItemResult]:
    """40 items: the specialist is wrong on every 4th, the frontier on every 5th; the specialist is
    sure (0.9) when right and unsure (0.3) when wrong, so a threshold between catches its mistakes."""
    return [
        ItemResult(
            item_id=f"p{i}",
            input=f"case {i}",
            expected="billing" if i % 2 == 0 else "shipping",
            tags=(),
            specialist=SideResult(
                output="x" if i % 4 == 0 else ("billing" if i % 2 == 0 else "shipping"),
                correct=i % 4 != 0,
                confidence=0.3 if i % 4 == 0 else 0.9,
            ),
            frontier=SideResult(output="y" if i % 5 == 0 else "z", correct=i % 5 != 0),
            agree=None,
        )
        for i in range(40)
    ]


def test_the_evidence_page_has_the_paired_table_routing_curve_and_labels(qapp, tmp_path: Path) -> None:
    scenario = load_preset("support-ticket-triage")
    items = _paired_items()
    content = build_memo_content(
        scenario, spotcheck=run_of(scenario.small.name, 30, 40), spotcheck_items=items, today=MEMO_DAY
    )
    everything = pdf_words(render_memo(content, tmp_path / "memo.pdf"))
    # By hand: both right = 40 − (10 + 8 − 2) = 24; only the specialist right: multiples of 5 not of
    # 4 = 6; only the frontier: multiples of 4 not of 5 = 8; both wrong: multiples of 20 = 2.
    assert "Specialist right 24 6" in everything and "Specialist wrong 8 2" in everything
    assert "Exact McNemar p =" in everything and "paired items" in everything
    assert "Routing curve, measured" in everything
    # Escalating the 10 unsure items: 30 kept right + 8 of 10 escalated right = 38 of 40 = 95.0 %.
    assert "CPT50" in everything and "No point's 95 % interval clears the 90.0% bar" in everything
    assert "Expected label" in everything and "billing" in everything and "shipping" in everything


def test_a_routed_plan_runs_at_the_measured_operating_point(qapp, tmp_path: Path) -> None:
    scenario = load_preset("code-review-comments")  # keep the large model and route; bar 80 %
    assert scenario.quality.quality_bar == 0.8
    content = build_memo_content(
        scenario,
        spotcheck=run_of(scenario.small.name, 30, 40),
        spotcheck_items=_paired_items(),
        today=MEMO_DAY,
    )
    assert content.verdict.verdict == "keep_large_and_route"
    # 38 of 40 at 10 of 40 escalated: the Wilson lower bound (test's own formula) clears 80 %; 30 of
    # 40 with nothing escalated does not. So the plan runs at 25.0 % escalated, not the typed rate.
    assert wilson_low(38, 40) >= 0.8 > wilson_low(30, 40)
    assert content.verdict.board_line.startswith("Routed plan: 25.0% of traffic stays on the large model: ")
    assert scenario.routing.escalation_rate != 0.25
    caveats = " ".join(
        text
        for section in content.sections
        for block in section.blocks
        if hasattr(block, "items")
        for _, text in block.items
    )
    assert "page one prices the routed plan at the 25.0%" in caveats


def test_evidence_kept_in_the_scenario_is_quoted_on_page_one(qapp, tmp_path: Path) -> None:
    scenario = load_preset("support-ticket-triage").with_changes(
        evidence={
            "quality.specialist_accuracy": {
                "value": 0.85,
                "n": 40,
                "successes": 34,
                "source": "spot-check support_triage",
                "model": "triage-ft-v2",
                "measured_at": "2026-11-20",
            }
        }
    )
    content = build_memo_content(scenario, today=MEMO_DAY)
    page_one = pdf_words(render_memo(content, tmp_path / "memo.pdf"), 1)
    low = wilson_low(34, 40)  # the test's own formula
    assert "MEASURED EVIDENCE" in page_one
    assert f"Specialist accuracy: 85.0% (95 % CI {low * 100:.1f}%–" in page_one
    assert "34 of 40 items); triage-ft-v2, spot-check support_triage, 2026-11-20." in page_one


def wilson_high(successes: int, total: int) -> float:
    """Upper bound of the 95 % Wilson score interval, from the same textbook formula."""
    z = 1.959963984540054
    p = successes / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre + spread) / (1 + z * z / total)


def test_a_typed_accuracy_the_run_does_not_back_is_worded_from_the_rules_data(qapp, tmp_path: Path) -> None:
    """The decision table says the accuracy is typed and not backed, with the run's figure and interval."""
    scenario = load_preset("support-ticket-triage")  # typed 93.0 % against a 90.0 % bar
    run = run_of("gemma-3-270m", 20, 30)
    content = build_memo_content(scenario, spotcheck=run, today=MEMO_DAY)
    everything = pdf_words(render_memo(content, tmp_path / "memo.pdf"))
    interval = f"{wilson_low(20, 30) * 100:.1f}%–{wilson_high(20, 30) * 100:.1f}%"
    unbacked = (
        "typed specialist accuracy 93.0% against the 90.0% bar, not backed by the attached spot-check "
        f"(measured 66.7%, 95 % CI {interval}, on gemma-3-270m)"
    )
    assert unbacked in everything  # rule 1, mid-sentence
    assert unbacked[:1].upper() + unbacked[1:] in everything  # rule 3 opens with it
    assert not MEETS_CLAIM.search(everything)


def test_an_accuracy_measured_earlier_but_not_backed_by_the_run_says_both(qapp, tmp_path: Path) -> None:
    """Evidence kept in the scenario (47 of 50) and an attached run that does not back it (20 of 30)."""
    base = load_preset("support-ticket-triage")
    quality = base.quality.model_copy(update={"specialist_accuracy": 0.94})
    scenario = base.with_changes(
        quality=quality,
        evidence={
            "quality.specialist_accuracy": {
                "value": 0.94,
                "n": 50,
                "successes": 47,
                "source": "spot-check support_triage",
                "model": base.small.name,
                "measured_at": "2026-11-01",
            }
        },
    )
    run = run_of(base.small.name, 20, 30)
    content = build_memo_content(scenario, spotcheck=run, today=MEMO_DAY)
    everything = pdf_words(render_memo(content, tmp_path / "memo.pdf"))
    earlier = f"{wilson_low(47, 50) * 100:.1f}%–{wilson_high(47, 50) * 100:.1f}%"
    now = f"{wilson_low(20, 30) * 100:.1f}%–{wilson_high(20, 30) * 100:.1f}%"
    assert (
        f"specialist accuracy 94.0%, measured 47 of 50 right (95 % interval {earlier}), against the 90.0% "
        f"bar, not backed by the attached spot-check (measured 66.7%, 95 % CI {now})"
    ) in everything
    assert "typed specialist accuracy" not in everything
    assert not MEETS_CLAIM.search(everything)
