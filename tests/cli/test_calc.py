"""`specialist-studio calc`: the JSON contract on every preset, a readable table, one-line errors."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli import main
from app.domain.costs import summarize
from app.domain.fields import field_for, fields_in, groups_in_use
from app.domain.formatting import format_money, format_months, format_per_request
from app.domain.report_data import CONTRACT_KEYS, calc_result
from app.domain.rules import evaluate
from app.storage.presets import load_preset, preset_names
from app.storage.scenario_files import save_scenario

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "scenarios"
VERDICTS = {"specialize", "use_off_the_shelf", "keep_large_and_route", "keep_large", "needs_eval"}


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env=env,
        timeout=120,
        check=False,
    )


# --- the JSON contract, end to end in a real process -----------------------------------------


@pytest.mark.parametrize("name", preset_names())
def test_calc_json_on_every_preset_prints_the_engines_numbers(tmp_path: Path, name: str) -> None:
    scenario_file = tmp_path / f"{name}.json"
    save_scenario(load_preset(name), scenario_file)
    done = _run_cli("calc", str(scenario_file), "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    printed = json.loads(done.stdout)
    for key in CONTRACT_KEYS:
        assert key in printed, key
    # Exactly the engine's numbers: JSON floats round-trip, so compare whole documents.
    expected = json.loads(json.dumps(calc_result(load_preset(name))))
    assert printed == expected
    recommendation = printed["recommendation"]
    assert recommendation["verdict"] in VERDICTS
    assert [rule["id"] for rule in recommendation["rules"]] == [1, 2, 3, 4, 5, 6]
    for rule in recommendation["rules"]:
        assert rule["status"] in {"pass", "fail", "unknown"}
        assert rule["reason"]
    assert printed["break_even_months"] is None or printed["break_even_months"] > 0


def test_calc_json_writes_null_for_never(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "--preset", "hr-policy-questions", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["break_even_months"] is None
    assert printed["recommendation"]["verdict"] == "keep_large"


def test_calc_json_on_the_contract_example(capsys: pytest.CaptureFixture[str]) -> None:
    # DESIGN §1 example, worked by hand: large (2200*5 + 300*15)/1e6 = 0.0155; specialist
    # (250*0.30 + 300*1.20)/1e6 = 0.000435; gross (0.0155 - 0.000435) * 1e7 = 150,650;
    # net 150,650 - 1,200 = 149,450; one-time 13,500; break-even 13,500 / 149,450 months.
    assert main(["calc", str(FIXTURES / "v1_minimal.json"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["large_cost_per_request"] == pytest.approx(0.0155)
    assert printed["specialist_cost_per_request"] == pytest.approx(0.000435)
    assert printed["monthly_savings"] == pytest.approx(150_650)
    assert printed["net_monthly_savings"] == pytest.approx(149_450)
    assert printed["one_time_cost"] == pytest.approx(13_500)
    assert printed["break_even_months"] == pytest.approx(13_500 / 149_450)
    assert round(printed["break_even_months"], 4) == 0.0903
    # 149,450 · 24 - 13,500 = 3,573,300 saved over the 24-month horizon.
    assert printed["cumulative_savings_at_horizon"] == pytest.approx(3_573_300)


def _contract_file(tmp_path: Path, name: str, **changes: object) -> Path:
    document = json.loads((FIXTURES / "v1_minimal.json").read_text(encoding="utf-8"))
    document.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_calc_json_retraining_that_outruns_the_savings_keeps_the_large_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The contract example plus retraining $500,000 every 3 months: ahead after 2.7 days, but each
    # 3-month cycle saves 3 · 149,450 = 448,350 and costs 500,000. At month 24 (8 retrainings):
    # 149,450 · 24 - 13,500 - 4,000,000 = -426,700. It used to say "specialize, pays back in 2.7 days".
    path = _contract_file(tmp_path, "retraining.json", retraining={"every_months": 3, "cost": 500_000})
    assert main(["calc", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["cumulative_savings_at_horizon"] == pytest.approx(-426_700)
    assert printed["break_even_months"] is None
    assert printed["break_even_within_horizon"] is False
    assert printed["recommendation"]["verdict"] in {"keep_large", "keep_large_and_route"}
    assert printed["recommendation"]["deciding_rule"] == 4


def test_calc_json_steep_frontier_price_decline_keeps_the_large_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A specialist at $0.005 per request ((250·2 + 300·15) / 1e6) against a frontier model whose
    # $0.0155 falls 90 % a year: ahead within days, but the frontier is cheaper per request from
    # month 12·ln(0.005/0.0155)/ln(0.1) = 5.9 on. At 24 months, with λ = ln(10)/12 and
    # g(24) = (1 - 0.01)/λ = 5.1594 months of today's spend:
    # 1e7 · (0.0155 · 5.1594 - 0.005 · 24) - 1,200 · 24 - 13,500 = -442,590.
    small = {
        "name": "specialist",
        "input_tokens": 250,
        "output_tokens": 300,
        "input_price_per_mtok": 2.0,
        "output_price_per_mtok": 15.0,
    }
    path = _contract_file(tmp_path, "decline.json", small=small, price_decline_per_year=0.9)
    assert main(["calc", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    g_24 = (1 - 0.1**2) / (math.log(10) / 12)
    expected = 1e7 * (0.0155 * g_24 - 0.005 * 24) - 1_200 * 24 - 13_500
    assert expected < -440_000
    assert printed["cumulative_savings_at_horizon"] == pytest.approx(expected, rel=1e-9)
    assert printed["break_even_months"] is None
    assert printed["recommendation"]["verdict"] in {"keep_large", "keep_large_and_route"}


# --- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["support-ticket-triage", "hr-policy-questions", "contract-clause-tagging"])
def test_table_shows_every_contract_figure_verdict_and_rule(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["calc", "--preset", name]) == 0
    table = capsys.readouterr().out
    scenario = load_preset(name)
    summary = summarize(scenario)
    recommendation = evaluate(scenario, summary)
    assert table.startswith(scenario.name)
    for figure in (
        format_per_request(summary.large_cost_per_request),
        format_per_request(summary.specialist_cost_per_request),
        format_money(summary.monthly_savings),
        format_money(summary.net_monthly_savings),
        format_money(summary.one_time_cost),
        format_months(summary.break_even_months),
    ):
        assert figure in table, figure
    assert f"Verdict: {recommendation.label.upper()}" in table
    for rule in recommendation.rules:
        assert f"  {rule.id}  [{rule.status}]" in table
        assert rule.title in table


def test_table_columns_line_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "--preset", "invoice-field-extraction"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("Per request"))
    value_rows = [
        line for line in lines if line.startswith(("  Model", "  Input tokens", "  Cost per request"))
    ]
    large_column = header.index("Large model")
    specialist_column = header.index("Specialist")
    for row in value_rows:
        assert row[large_column - 1] == " " and row[large_column] != " ", row
        assert row[specialist_column - 1] == " " and row[specialist_column] != " ", row


def test_the_tables_inputs_are_the_field_catalogues(capsys: pytest.CaptureFixture[str]) -> None:
    """Every input the table lists reads as the catalogue labels it; the values as worked by hand."""
    scenario = load_preset("contract-clause-tagging")  # self-hosting, price decline, retraining on
    assert main(["calc", "--preset", "contract-clause-tagging"]) == 0
    rows = {line[2:30].strip(): line[30:].strip() for line in capsys.readouterr().out.splitlines()}
    listed = [
        entry
        for group in groups_in_use(scenario)
        if group not in ("Large model", "Specialist", "One-time costs", "Operations")
        for entry in fields_in(group)
    ]
    assert {entry.label for entry in listed} <= set(rows)
    for name in ("input_tokens", "output_tokens", "input_price_per_mtok", "output_price_per_mtok"):
        assert field_for(f"large.{name}").heading in rows
    for key in ("one_time.data_curation", "one_time.training_runs", "one_time.eval_build", "monthly_ops"):
        assert field_for(key).label in rows
    # The preset's numbers, read off its file: 2,000,000 requests, 24 months, $2.00 a GPU-hour.
    assert rows["Requests per month"] == "2.0M requests/month"
    assert rows["Horizon"] == "24 months"
    assert rows["GPU price"] == "$2.00 per GPU-hour"
    assert rows["Input price ($/Mtok)"].split() == ["$3.00", "GPU-hours", "instead"]
    # Distillation is off in this preset: its numbers feed nothing and are not listed.
    assert "Distillation" not in groups_in_use(scenario)
    assert field_for("distillation.examples").label not in rows


def test_a_relabelled_catalogue_relabels_the_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The labels come from the catalogue, not from text that happens to match it."""
    from app.domain import fields

    renamed = tuple(dataclasses.replace(entry, label=f"<{entry.label}>") for entry in fields.FIELDS)
    monkeypatch.setattr(fields, "FIELDS", renamed)
    monkeypatch.setattr(fields, "_BY_KEY", {entry.key: entry for entry in renamed})
    assert main(["calc", "--preset", "support-ticket-triage"]) == 0
    table = capsys.readouterr().out
    for label in ("<Requests per month>", "<Horizon>", "<Quality bar>", "<Input tokens>", "<Data curation>"):
        assert f"  {label}" in table, label
    assert "  Requests per month" not in table


# --- errors: exit code 2 and one line naming the file, the field and the problem ---------------


def _contract() -> dict[str, object]:
    return json.loads((FIXTURES / "v1_minimal.json").read_text(encoding="utf-8"))


def _broken(tmp_path: Path, case: str) -> tuple[Path, str]:
    path = tmp_path / "scenario.json"
    document = _contract()
    if case == "missing":
        return path, "file not found"
    if case == "folder":
        return tmp_path, "is a folder, not a scenario file"
    if case == "empty":
        path.write_text("", encoding="utf-8")
        return path, "file is empty"
    if case == "malformed":
        path.write_text('{"name": "x"\n "volume_per_month": 5}', encoding="utf-8")
        return path, "line 2, column 2: invalid JSON (Expecting ',' delimiter)"
    if case == "not-utf8":
        path.write_bytes(b'{"name": "\xff"}')
        return path, "byte 10: not UTF-8 text"
    if case == "not-object":
        path.write_text("[]", encoding="utf-8")
        return path, "top level must be a JSON object"
    if case == "negative-price":
        document["large"]["input_price_per_mtok"] = -2  # type: ignore[index]
    elif case == "rate-above-one":
        document["routing"]["escalation_rate"] = 2  # type: ignore[index]
    elif case == "wrong-type":
        document["volume_per_month"] = "a lot"
    elif case == "boolean-volume":
        document["volume_per_month"] = True
    elif case == "quoted-number":
        document["monthly_ops"] = "1200"
    elif case == "not-a-boolean":
        document["quality"] = {"eval_exists": "yes"}
    elif case == "unknown-field":
        document["colour"] = "blue"
    elif case == "newer-version":
        document["schema_version"] = 99
    path.write_text(json.dumps(document), encoding="utf-8")
    problems = {
        "negative-price": "large.input_price_per_mtok: Input should be greater than or equal to 0",
        "rate-above-one": "routing.escalation_rate: Input should be less than or equal to 1",
        # Strict since format version 2: only JSON numbers in numeric fields, only true/false in booleans.
        "wrong-type": "volume_per_month: must be a JSON number, found a string ('a lot')",
        "boolean-volume": "volume_per_month: must be a JSON number, found true",
        "quoted-number": "monthly_ops: must be a JSON number, found a string ('1200')",
        "not-a-boolean": "quality.eval_exists: must be true or false, found a string ('yes')",
        "unknown-field": "colour: unknown field (typo?)",
        "newer-version": "schema_version: 99 is newer than this version of Specialist Studio understands",
    }
    return path, problems[case]


CASES = [
    "missing",
    "folder",
    "empty",
    "malformed",
    "not-utf8",
    "not-object",
    "negative-price",
    "rate-above-one",
    "wrong-type",
    "boolean-volume",
    "quoted-number",
    "not-a-boolean",
    "unknown-field",
    "newer-version",
]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_gives_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    path, problem = _broken(tmp_path, case)
    assert main(["calc", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"specialist-studio calc: {path}: {problem}")


def test_a_boolean_volume_in_a_real_process_exits_2_with_one_line(tmp_path: Path) -> None:
    path, problem = _broken(tmp_path, "boolean-volume")
    done = _run_cli("calc", str(path), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"specialist-studio calc: {path}: {problem}\n"


def test_a_file_without_one_time_or_ops_warns_on_stderr_and_in_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((FIXTURES / "v1_minimal.json").read_text(encoding="utf-8"))
    del document["one_time"], document["monthly_ops"]
    path = tmp_path / "forgot.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["calc", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"warning: {path}: one_time is not in the file: ")
    assert lines[1].startswith(f"warning: {path}: monthly_ops is not in the file: ")
    assert all("count as $0" in line for line in lines)
    result = json.loads(captured.out)  # stdout stays valid JSON
    assert result["warnings"] == [line.removeprefix("warning: ") for line in lines]
    assert result["one_time_cost"] == 0


def test_a_complete_file_has_no_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", str(FIXTURES / "v2_full.json"), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert json.loads(captured.out)["warnings"] == []


def test_a_bad_file_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    path, problem = _broken(tmp_path, "negative-price")
    done = _run_cli("calc", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"specialist-studio calc: {path}: {problem}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calc"], "give a scenario FILE or --preset NAME (one of them)"),
        (["calc", "x.json", "--preset", "support-ticket-triage"], "give a scenario FILE or --preset NAME"),
        (["calc", "--preset", "nope"], "no preset named 'nope' (known presets: "),
    ],
)
def test_argument_mistakes_give_exit_2_and_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"specialist-studio calc: {message}")


def test_calc_reads_standard_input_with_dash() -> None:
    shown = _run_cli("presets", "--show", "review-sentiment")
    done = subprocess.run(
        [sys.executable, "-m", "app", "calc", "-", "--json"],
        input=shown.stdout,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(calc_result(load_preset("review-sentiment"))))


def test_bad_standard_input_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("{oops"))
    assert main(["calc", "-"]) == 2
    assert capsys.readouterr().err.startswith(
        "specialist-studio calc: <stdin>: line 1, column 2: invalid JSON"
    )


def test_version() -> None:
    done = _run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"specialist-studio {__version__}"
