"""`calc --uncertainty`: the JSON section against an independent simulation, the words, and the edges."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.domain.scenario import Scenario
from app.storage.presets import load_preset, preset_names
from app.storage.scenario_files import save_scenario

CONTRACT = {
    "draws",
    "seed",
    "p_payback_within_horizon",
    "break_even_p10",
    "break_even_p50",
    "break_even_p90",
    "savings_at_horizon_p10",
    "savings_at_horizon_p50",
    "savings_at_horizon_p90",
    "verdict_probabilities",
    "tornado",
    "spider",
    "evpi",
}


def _calc_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["calc", *args, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def _threshold_file(tmp_path: Path) -> Path:
    """The support-triage preset at a volume where the payback within 24 months is a coin toss."""
    preset = load_preset("support-ticket-triage")
    scenario = Scenario.model_validate(
        {
            **preset.model_dump(),
            "volume_per_month": 700_000,
            "ranges": {
                "volume_per_month": {"low": 400_000, "high": 1_100_000, "distribution": "triangular"},
                "monthly_ops": {"low": 1_000, "high": 2_500, "distribution": "uniform"},
            },
        }
    )
    path = tmp_path / "threshold.json"
    save_scenario(scenario, path)
    return path


def _oracle_payback(draws: int, seed: int) -> float:
    """Hand formula for the file above (cascade, 5 % escalated, no extras)."""
    rand = random.Random(seed)
    large = (1800 * 2.0 + 40 * 8.0) / 1e6
    small = (400 * 0.3 + 25 * 1.2) / 1e6
    path = small + 0.05 * large
    one_time = 15_000 + 1_500 + 5_000
    hits = 0
    for _ in range(draws):
        volume = rand.triangular(400_000, 1_100_000, 700_000)
        ops = rand.uniform(1_000, 2_500)
        net = (large - path) * volume - ops
        hits += net > 0 and one_time / net <= 24
    return hits / draws


def test_probability_of_payback_matches_an_independent_simulation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = _calc_json(
        capsys, str(_threshold_file(tmp_path)), "--uncertainty", "--draws", "3000", "--seed", "4"
    )
    section = printed["uncertainty"]
    assert set(section) >= CONTRACT
    assert section["available"] is True and section["draws"] == 3000 and section["seed"] == 4
    expected = _oracle_payback(30_000, seed=8)
    assert 0.2 < expected < 0.9
    spread = math.sqrt(expected * (1 - expected) * (1 / 3000 + 1 / 30_000))
    assert abs(section["p_payback_within_horizon"] - expected) < 4.5 * spread
    assert sum(section["verdict_probabilities"].values()) == pytest.approx(1.0)
    assert [bar["field"] for bar in section["tornado"]] == ["volume_per_month", "monthly_ops"]
    swings = [abs(bar["savings_at_high"] - bar["savings_at_low"]) for bar in section["tornado"]]
    assert swings == sorted(swings, reverse=True)
    assert section["break_even_p10"] <= section["break_even_p50"] <= section["break_even_p90"]
    assert section["net_annual_savings_p50"] == pytest.approx(12 * section["net_monthly_savings_p50"])


def test_the_spider_moves_each_input_across_its_range_as_the_hand_formula_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seven even steps from low to high, the other input at its typed value; savings at month 24
    by hand: ((large - path)·volume - ops)·24 - one-time."""
    section = _calc_json(capsys, str(_threshold_file(tmp_path)), "--uncertainty", "--draws", "200")[
        "uncertainty"
    ]
    large = (1800 * 2.0 + 40 * 8.0) / 1e6
    path = (400 * 0.3 + 25 * 1.2) / 1e6 + 0.05 * large
    one_time = 15_000 + 1_500 + 5_000
    ops_typed = load_preset("support-ticket-triage").monthly_ops

    def savings(volume: float, ops: float) -> float:
        return ((large - path) * volume - ops) * 24 - one_time

    lines = {line["field"]: line["points"] for line in section["spider"]}
    assert [line["field"] for line in section["spider"]] == [bar["field"] for bar in section["tornado"]]
    for index, point in enumerate(lines["volume_per_month"]):
        volume = 400_000 + index * (1_100_000 - 400_000) / 6
        assert point["value"] == pytest.approx(volume)
        assert point["savings_at_horizon"] == pytest.approx(savings(volume, ops_typed), rel=1e-9)
    for index, point in enumerate(lines["monthly_ops"]):
        ops = 1_000 + index * (2_500 - 1_000) / 6
        assert point["value"] == pytest.approx(ops)
        assert point["savings_at_horizon"] == pytest.approx(savings(700_000, ops), rel=1e-9)
    ends = {bar["field"]: (bar["savings_at_low"], bar["savings_at_high"]) for bar in section["tornado"]}
    for field, points in lines.items():
        assert (points[0]["savings_at_horizon"], points[-1]["savings_at_horizon"]) == ends[field]


def test_seeded_runs_print_the_same_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = str(_threshold_file(tmp_path))
    first = _calc_json(capsys, file, "--uncertainty", "--draws", "400", "--seed", "9")
    again = _calc_json(capsys, file, "--uncertainty", "--draws", "400", "--seed", "9")
    assert first == again


def test_without_ranges_it_says_there_is_nothing_to_show(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plain = load_preset("hr-policy-questions").with_changes(ranges={})
    path = tmp_path / "plain.json"
    save_scenario(plain, path)
    section = _calc_json(capsys, str(path), "--uncertainty")["uncertainty"]
    assert section["available"] is False
    assert "no uncertainty to show" in section["reason"]
    assert "p_payback_within_horizon" not in section and "tornado" not in section
    assert main(["calc", str(path), "--uncertainty"]) == 0
    table = capsys.readouterr().out
    assert "no uncertainty to show" in table
    assert "chance" not in table


def test_the_table_says_it_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", str(_threshold_file(tmp_path)), "--uncertainty", "--draws", "500"]) == 0
    table = capsys.readouterr().out
    assert "Uncertainty (500 draws, seed 12)" in table
    assert "% chance it pays back within 24 months." in table
    assert "Tornado: savings at month 24" in table
    assert "Spider: savings at month 24, each input alone at 7 even steps, low to high" in table
    assert "net savings a year" in table
    assert "What this does not prove" in table
    # Inputs are named as the inputs panel names them, never by their dotted path in the file.
    assert "Requests per month" in table
    assert re.search(r"\b[a-z_]+\.[a-z_]+\b", table.replace("e.g.", "")) is None, table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--uncertainty", "--draws", "0"], "--draws must be between 1 and 1,000,000, got 0"),
        (["--draws", "100"], "--draws and --seed go with --uncertainty"),
        (["--uncertainty", "--seed", "-1"], "--seed must be 0 or more, got -1"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["calc", "--preset", "support-ticket-triage", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"specialist-studio calc: {message}")


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_carries_default_ranges_labelled_as_assumptions(name: str) -> None:
    scenario = load_preset(name)
    assert scenario.ranges, name
    assert all(rng.note.startswith("assumption") for rng in scenario.ranges.values())
