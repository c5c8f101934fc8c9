"""`specialist-studio spotcheck`: headless runs, JSON output, resume and one-line errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from support.fault_server import FaultServer

from app.cli import main
from app.storage.resources import resource_path

DEMO = str(resource_path("spotcheck", "support_triage.jsonl"))
LABELS = {"billing", "shipping", "technical", "account", "other"}


def _json_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["spotcheck", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_recorded_answers_only_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = _json_run(capsys, DEMO, "--no-local")
    assert code == 0
    assert data["set_name"] == "support_triage"
    assert data["frontier_source"] == "recorded"
    frontier = data["frontier"]
    assert isinstance(frontier, dict)
    accuracy = frontier["accuracy"]
    assert accuracy["total"] == 87
    assert accuracy["successes"] == 80  # seven recorded answers differ from expected
    assert 0 < accuracy["low"] < accuracy["estimate"] < accuracy["high"] < 1
    assert [entry["tag"] for entry in data["by_tag"]][:2] == ["in-distribution", "ood"]  # type: ignore[union-attr]
    assert str(data["items_needed"]["method"]).startswith("power")  # type: ignore[index]
    assert "not correctness" in str(data["agreement_note"])


def test_text_report_with_prices_from_a_scenario(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "name": "triage",
                "volume_per_month": 1_000_000,
                "large": {
                    "input_tokens": 2000,
                    "output_tokens": 5,
                    "input_price_per_mtok": 5.0,
                    "output_price_per_mtok": 15.0,
                },
                "small": {
                    "input_tokens": 200,
                    "output_tokens": 5,
                    "input_price_per_mtok": 0.3,
                    "output_price_per_mtok": 1.2,
                },
            }
        ),
        encoding="utf-8",
    )
    code = main(["spotcheck", DEMO, "--no-local", "--limit", "20", "--scenario", str(scenario)])
    out = capsys.readouterr().out
    assert code == 0
    assert "uses the set's recorded reference outputs" in out
    assert "Spot-check support_triage · 20 of 20 items · scorer: one of 5 labels" in out
    assert "not correctness" in out
    assert "cost per item $" in out
    assert "(tokens estimated)" in out
    assert "How many items? (power: 80 % chance" in out
    # the first 20 items are all in-distribution; the stratified sample keeps ood items in it
    assert "No out-of-distribution (ood) items" not in out
    assert "Only 4 ood items" in out


def test_live_frontier_endpoint(capsys: pytest.CaptureFixture[str], fault_server: FaultServer) -> None:
    code, data = _json_run(
        capsys,
        DEMO,
        "--no-local",
        "--limit",
        "6",
        "--frontier-url",
        fault_server.url("ok"),
        "--frontier-model",
        "m",
    )
    assert code == 0
    assert data["frontier_source"] == "live"
    # The fault server answers "Hello from the fault server": never a label.
    assert data["frontier"]["accuracy"]["successes"] == 0  # type: ignore[index]
    assert data["frontier"]["accuracy"]["total"] == 6  # type: ignore[index]


def test_output_file_resumes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    results = tmp_path / "r.jsonl"
    assert main(["spotcheck", DEMO, "--no-local", "--limit", "5", "-o", str(results)]) == 0
    assert main(["spotcheck", DEMO, "--no-local", "--limit", "9", "-o", str(results)]) == 0
    lines = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert [line["type"] for line in lines] == ["header"] + ["item"] * 9 + ["summary"]
    assert lines[-1]["items"] == 9
    capsys.readouterr()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frontier-url", "http://127.0.0.1:9/v1"], "--frontier-url and --frontier-model go together"),
        (["--limit", "0"], "--limit must be at least 1"),
        (["--no-local", "--gguf", "x.gguf"], "--no-local and --gguf contradict each other"),
        (["--scorer", "regex", "--pattern", "(", "--no-local"], "--scorer regex: "),
    ],
)
def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["spotcheck", DEMO, *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_malformed_set_exits_2_naming_line_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"input": "ok"}\n{"expected": "x"}\n', encoding="utf-8")
    assert main(["spotcheck", str(bad), "--no-local"]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl: line 2: input: required field is missing" in err


def test_missing_gguf_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["spotcheck", DEMO, "--gguf", str(tmp_path / "none.gguf")]) == 2
    assert "none.gguf: file not found" in capsys.readouterr().err


@pytest.mark.slow
def test_bundled_model_end_to_end(capsys: pytest.CaptureFixture[str], bundled_model: Path) -> None:
    code, data = _json_run(capsys, DEMO, "--gguf", str(bundled_model), "--limit", "3")
    assert code == 0
    specialist = data["specialist"]
    assert isinstance(specialist, dict)
    assert specialist["source"] == "live"
    assert specialist["accuracy"]["total"] == 3  # the grammar keeps every answer a label
    assert specialist["errors"] == 0
    assert specialist["latency_p50_s"] > 0


def test_bad_regex_names_the_problem_not_a_documentation_link(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spotcheck", DEMO, "--no-local", "--scorer", "regex", "--pattern", "("]) == 2
    err = capsys.readouterr().err
    assert "--scorer regex: pattern: not a valid regular expression (missing )" in err
    assert "errors.pydantic.dev" not in err


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x05\x85\xb0\xc0 junk", "junk.prompt.json: not UTF-8 text (byte 1)"),
        (b"[1, 2]", "junk.prompt.json: expected a JSON object with the template's fields, got list"),
    ],
)
def test_unusable_prompt_template_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, problem: str
) -> None:
    prompt = tmp_path / "junk.prompt.json"
    prompt.write_bytes(content)
    assert main(["spotcheck", DEMO, "--no-local", "--prompt", str(prompt)]) == 2
    err = capsys.readouterr().err
    assert problem in err
    assert len(err.strip().splitlines()) == 1


def test_help_shows_a_plain_percent_sign(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["spotcheck", "--help"])
    out = capsys.readouterr().out
    assert "95% Wilson" in " ".join(out.split())
    assert "%%" not in out


def test_text_report_does_not_name_the_side_twice(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["spotcheck", DEMO, "--no-local", "--limit", "3", "-o", str(tmp_path / "r.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "  specialist  not run: n/a (0 graded)" in out
    assert "specialist  specialist" not in out


def test_results_never_overwrite_the_set_or_another_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # "-o SET --fresh" used to delete the user's test set and write results in its place.
    test_set = tmp_path / "mine.jsonl"
    original = Path(DEMO).read_text(encoding="utf-8")
    test_set.write_text(original, encoding="utf-8")
    (tmp_path / "mine.prompt.json").write_text(
        resource_path("spotcheck", "support_triage.prompt.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for extra in (["--fresh"], []):
        assert main(["spotcheck", str(test_set), "--no-local", "-o", str(test_set), *extra]) == 2
        err = capsys.readouterr().err
        assert "is the SET file; give the results their own file" in err
        assert len(err.strip().splitlines()) == 1
    assert test_set.read_text(encoding="utf-8") == original
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": true}\n', encoding="utf-8")
    assert main(["spotcheck", str(test_set), "--no-local", "-o", str(notes), "--fresh"]) == 2
    err = capsys.readouterr().err
    assert "--fresh: notes.json: not a spot-check results file" in err and "not deleting it" in err
    assert notes.read_text(encoding="utf-8") == '{"mine": true}\n'
    # a real results file is still started over
    results = tmp_path / "r.jsonl"
    assert main(["spotcheck", str(test_set), "--no-local", "--limit", "2", "-o", str(results)]) == 0
    assert (
        main(["spotcheck", str(test_set), "--no-local", "--limit", "3", "-o", str(results), "--fresh"]) == 0
    )
    assert len(results.read_text(encoding="utf-8").splitlines()) == 1 + 3 + 1
    capsys.readouterr()


def test_memo_names_a_test_set_given_as_results(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(["memo", "--preset", "review-sentiment", "--spotcheck", DEMO, "-o", str(tmp_path / "m.pdf")])
        == 2
    )
    err = capsys.readouterr().err
    assert "support_triage.jsonl: not a spot-check results file (no header line" in err
    assert "unknown line type" not in err


def test_a_frontier_that_never_answers_says_why_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [
        "--no-local",
        "--limit",
        "2",
        "--frontier-url",
        f"http://127.0.0.1:{port}/v1",
        "--frontier-model",
        "m",
    ]
    assert main(["spotcheck", DEMO, *args, "-o", str(tmp_path / "r.jsonl")]) == 1
    captured = capsys.readouterr()
    # the report still prints; failed answers count as wrong, and are counted apart too
    assert "frontier    m: 0.0 % (95 % CI 0.0–65.8 %, 0/2), 2 errors" in captured.out
    assert captured.err.startswith("specialist-studio spotcheck: frontier: all 2 items failed (first: ")
    assert "connection refused" in captured.err.lower()
    assert len(captured.err.strip().splitlines()) == 1


@pytest.mark.parametrize("option", ["--frontier-key-env", "--api-key-env"])
def test_key_variable_option_is_named_as_in_ask(option: str) -> None:
    """`ask` and `spotcheck` take the frontier key's variable under the same name."""
    from app.cli import build_parser

    parser, _ = build_parser()
    args = parser.parse_args(["spotcheck", DEMO, option, "MY_KEY"])
    assert args.frontier_key_env == "MY_KEY"
    ask_args = parser.parse_args(["ask", "hello", "--frontier-key-env", "MY_KEY"])
    assert ask_args.frontier_key_env == "MY_KEY"


def _paired_oracle(items: list[dict[str, Any]]) -> dict[str, int]:
    """The 2×2 table counted straight from the results file (an error is a wrong answer)."""
    table = {"both_right": 0, "specialist_only": 0, "frontier_only": 0, "both_wrong": 0, "same": 0}
    for item in items:
        right = []
        for side in ("specialist", "frontier"):
            answer = item[side]
            right.append(False if answer["error"] else answer["correct"])
        if None in right:
            continue
        key = {
            (True, True): "both_right",
            (True, False): "specialist_only",
            (False, True): "frontier_only",
            (False, False): "both_wrong",
        }[(right[0], right[1])]
        table[key] += 1
        if key == "both_wrong" and item["agree"]:
            table["same"] += 1
    return table


@pytest.mark.slow
def test_paired_and_routing_follow_from_the_results_file(
    capsys: pytest.CaptureFixture[str], bundled_model: Path, tmp_path: Path
) -> None:
    results = tmp_path / "r.jsonl"
    code, data = _json_run(
        capsys, DEMO, "--gguf", str(bundled_model), "--limit", "10", "-o", str(results), "--margin", "0.05"
    )
    assert code == 0
    lines = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    items = [line for line in lines if line["type"] == "item"]
    assert len(items) == 10
    assert any("ood" in item["tags"] for item in items)  # the sample is not the first ten
    paired = data["paired"]
    assert isinstance(paired, dict)
    table = _paired_oracle(items)
    n = sum(table[key] for key in ("both_right", "specialist_only", "frontier_only", "both_wrong"))
    assert paired["n"] == n == 10
    for key in ("both_right", "specialist_only", "frontier_only", "both_wrong"):
        assert paired[key] == table[key]
    assert paired["both_wrong_same_answer"] == table["same"]
    b, c = table["specialist_only"], table["frontier_only"]
    # exact McNemar: 2 · Σ_{x ≤ min(b, c)} C(b + c, x) / 2^(b + c), capped at 1
    expected_p = min(1.0, 2 * sum(math.comb(b + c, x) for x in range(min(b, c) + 1)) / 2 ** (b + c))
    assert paired["mcnemar_p"] == pytest.approx(expected_p)
    assert paired["delta"] == pytest.approx((b - c) / n)
    assert paired["delta_low"] <= paired["delta"] <= paired["delta_high"]
    assert paired["margin"] == 0.05
    if paired["delta_low"] > -0.05:
        assert paired["verdict"] == "match_proven"
    elif paired["delta_high"] < -0.05:
        assert paired["verdict"] == "specialist_worse"
    else:
        assert paired["verdict"] == "not_proven"

    routing = data["routing"]
    assert isinstance(routing, dict)
    rows = [
        (
            item["specialist"]["confidence"],
            not item["specialist"]["error"] and item["specialist"]["correct"],
            not item["frontier"]["error"] and item["frontier"]["correct"],
            "ood" in item["tags"],
        )
        for item in items
    ]
    assert all(0 <= row[0] <= 1 for row in rows)  # every local answer carries a confidence
    ood_total = sum(1 for row in rows if row[3])
    for point in routing["points"]:
        sent = [row for row in rows if row[0] < point["threshold"]]
        kept = [row for row in rows if row[0] >= point["threshold"]]
        correct = sum(1 for row in sent if row[2]) + sum(1 for row in kept if row[1])
        assert point["escalation_rate"] == pytest.approx(len(sent) / len(rows))
        assert point["accuracy"] == pytest.approx(correct / len(rows))
        assert point["accuracy_low"] <= point["accuracy"] <= point["accuracy_high"]
        assert point["ood_caught"] == pytest.approx(sum(1 for row in sent if row[3]) / ood_total)
    rates = [point["escalation_rate"] for point in routing["points"]]
    assert rates[0] == 0 and rates[-1] == 1
    assert routing["specialist_accuracy"] == pytest.approx(sum(1 for row in rows if row[1]) / 10)
    assert routing["frontier_accuracy"] == pytest.approx(sum(1 for row in rows if row[2]) / 10)
    specialist = data["specialist"]
    assert isinstance(specialist, dict)
    assert "base model, not fine-tuned" in specialist["name"]
