"""`specialist-studio memo`: a PDF from a file or a preset, spot-check section, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.domain.evaluation import ItemResult, ScorerSpec, SideResult, summarize_results
from app.storage.presets import load_preset, preset_names
from app.storage.scenario_files import save_scenario
from app.storage.spotcheck_results import RESULTS_FORMAT, RESULTS_VERSION

ROOT = Path(__file__).resolve().parents[2]


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "triage.json"
    save_scenario(load_preset(preset_names()[0]), path)
    return path


def write_results(path: Path) -> Path:
    """A spot-check results file as the runner writes it: header, items, summary."""
    items = [
        ItemResult(
            item_id=f"t{i}",
            input=f"ticket {i}",
            expected="billing",
            tags=("ood",) if i < 5 else (),
            specialist=SideResult(output="billing", correct=i % 6 != 0),
            frontier=SideResult(output="billing", correct=True),
            agree=i % 6 != 0,
        )
        for i in range(30)
    ]
    summary = summarize_results(
        items,
        set_name="support_triage",
        run_date="2026-11-20",
        scorer=ScorerSpec(),
        specialist_name="local-specialist",
        frontier_name="frontier",
    )
    lines = [
        {
            "type": "header",
            "format": RESULTS_FORMAT,
            "version": RESULTS_VERSION,
            "set_name": "support_triage",
        },
        *(item.to_json() for item in items),
        summary.to_json(),
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_memo_from_a_file_with_spotcheck(qapp, scenario_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "memo.pdf"
    results = write_results(tmp_path / "run.jsonl")
    code = main(["memo", str(scenario_file), "--spotcheck", str(results), "-o", str(out), "--author", "Jane"])
    assert code == 0, capsys.readouterr().err
    text = pdf_text(out)
    scenario = load_preset(preset_names()[0])
    assert scenario.name in text
    assert "Spot-check" in text and "support_triage" in text and "local-specialist" in text
    assert "Jane" in text
    assert str(out) in capsys.readouterr().out


def test_memo_from_a_preset_on_letter(qapp, tmp_path: Path) -> None:
    name = preset_names()[-1]
    out = tmp_path / "preset.pdf"
    assert main(["memo", "--preset", name, "-o", str(out), "--page-size", "letter"]) == 0
    assert load_preset(name).name in pdf_text(out)
    assert "Spot-check" not in pdf_text(out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json", "-o", "{tmp}/m.pdf"], "missing.json"),
        (["-o", "{tmp}/m.pdf"], "give a SCENARIO file or --preset NAME"),
        (["{scenario}", "--preset", "x", "-o", "{tmp}/m.pdf"], "give a SCENARIO file or --preset NAME"),
        (["--preset", "no-such-preset", "-o", "{tmp}/m.pdf"], "no preset named 'no-such-preset'"),
        (["{scenario}", "-o", "{tmp}/nowhere/m.pdf"], "does not exist"),
        (["{scenario}", "-o", "{tmp}"], "is a folder"),
        (["{scenario}", "--spotcheck", "{scenario}", "-o", "{tmp}/m.pdf"], "triage.json"),
        (["{scenario}", "--spotcheck", "{tmp}/junk.jsonl", "-o", "{tmp}/m.pdf"], "junk.jsonl: not UTF-8"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    qapp, scenario_file: Path, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    (tmp_path / "junk.jsonl").write_bytes(b"\x05\x85\xb0\xc0 not a results file")
    filled = [a.format(tmp=tmp_path, scenario=scenario_file) for a in args]
    assert main(["memo", *filled]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "m.pdf").exists()


def test_bad_page_size_is_a_usage_error(scenario_file: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["memo", str(scenario_file), "-o", str(tmp_path / "m.pdf"), "--page-size", "A5"])
    assert exit_info.value.code == 2
    assert "must be A4 or Letter" in capsys.readouterr().err


def test_console_entry_point_runs_headless(scenario_file: Path, tmp_path: Path) -> None:
    """The real command in a fresh process: it makes its own offscreen Qt application."""
    out = tmp_path / "cli.pdf"
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    result = subprocess.run(
        [sys.executable, "-m", "app", "memo", str(scenario_file), "-o", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder no file can be created in")
def test_unwritable_target_gives_the_os_reason_on_one_line(
    qapp, scenario_file: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # /proc exists but takes no new files, even for root; Qt alone said "QPainter::begin():
    # Returned false" and the message repeated itself.
    assert main(["memo", str(scenario_file), "-o", "/proc/memo.pdf"]) == 2
    err = capfd.readouterr().err
    assert err == (
        "specialist-studio memo: /proc/memo.pdf: could not write the decision memo "
        "(No such file or directory); nothing was replaced\n"
    ), err


def test_memo_never_replaces_its_scenario_or_other_non_pdf_files(
    qapp, scenario_file: Path, tmp_path: Path, capsys
) -> None:
    original = scenario_file.read_bytes()
    assert main(["memo", str(scenario_file), "-o", str(scenario_file)]) == 2
    err = capsys.readouterr().err
    assert "exists and is not a PDF; not replacing it" in err and err.count("\n") == 1
    assert scenario_file.read_bytes() == original
    # an earlier memo is simply replaced
    memo_path = tmp_path / "m.pdf"
    assert main(["memo", str(scenario_file), "-o", str(memo_path)]) == 0
    assert main(["memo", str(scenario_file), "-o", str(memo_path)]) == 0
    assert memo_path.read_bytes().startswith(b"%PDF-")
    capsys.readouterr()


def test_memo_json_round_trips_to_the_same_pdf_text(
    qapp, scenario_file: Path, tmp_path: Path, capsys
) -> None:
    """`memo --json` writes the content; `memo --from-json` renders it without recomputing anything."""
    results = write_results(tmp_path / "run.jsonl")
    first_pdf, content, second_pdf = tmp_path / "first.pdf", tmp_path / "memo.json", tmp_path / "second.pdf"
    args = [str(scenario_file), "--spotcheck", str(results), "--author", "Jane", "--page-size", "Letter"]
    assert main(["memo", *args, "-o", str(first_pdf), "--json", str(content)]) == 0
    data = json.loads(content.read_text(encoding="utf-8"))
    assert data["format"] == "specialist-studio-memo" and data["page_size"] == "Letter"
    # The inputs are gone: the content file alone makes the memo again.
    scenario_file.unlink()
    results.unlink()
    assert main(["memo", "--from-json", str(content), "-o", str(second_pdf)]) == 0
    assert pdf_text(first_pdf) == pdf_text(second_pdf)
    assert "Jane" in pdf_text(second_pdf)
    # The results file's items reach the evidence page: 0, 6, 12, 18, 24 of 30 (i % 6 == 0).
    assert "the large model right: all 5 such items" in " ".join(pdf_text(second_pdf).split())
    size = subprocess.run(["pdfinfo", str(second_pdf)], capture_output=True, text=True, check=True).stdout
    assert "612 x 792 pts" in size  # Letter, as the content file says
    assert "second.pdf" in capsys.readouterr().out


def test_memo_json_alone_needs_no_pdf_and_can_go_to_stdout(scenario_file: Path, capsys) -> None:
    assert main(["memo", str(scenario_file), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["content"]["scenario_name"] == load_preset(preset_names()[0]).name
    assert data["content"]["verdict"]["verdict"] in {
        "specialize",
        "use_off_the_shelf",
        "keep_large_and_route",
        "keep_large",
        "needs_eval",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{scenario}"], "give -o PDF, --json CONTENT, or both"),
        (["--from-json", "{tmp}/c.json"], "--from-json needs -o PDF"),
        (["--from-json", "{tmp}/c.json", "{scenario}", "-o", "{tmp}/m.pdf"], "give only -o"),
        (["--from-json", "{scenario}", "-o", "{tmp}/m.pdf"], "triage.json: not a memo content file"),
        (["{scenario}", "--json", "{scenario}"], "is one of the inputs"),
        (["{scenario}", "--json", "{tmp}/other.json"], "exists and is not a memo content file"),
    ],
)
def test_json_options_refuse_with_one_line(
    scenario_file: Path, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    (tmp_path / "c.json").write_text("{}", encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"mine": true}', encoding="utf-8")
    filled = [a.format(tmp=tmp_path, scenario=scenario_file) for a in args]
    assert main(["memo", *filled]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert other.read_text(encoding="utf-8") == '{"mine": true}'
    assert not (tmp_path / "m.pdf").exists()


def test_memo_uncertainty_puts_the_chance_of_payback_on_page_one(qapp, tmp_path: Path, capsys) -> None:
    out = tmp_path / "risk.pdf"
    args = ["memo", "--preset", "support-ticket-triage", "--uncertainty", "--draws", "400", "--seed", "5"]
    assert main([*args, "-o", str(out), "--json", str(tmp_path / "risk.json")]) == 0
    data = json.loads((tmp_path / "risk.json").read_text(encoding="utf-8"))
    assert data["content"]["tornado"]["rows"]
    assert "400 draws" in pdf_text(out).split("Page 1 of")[0]
    capsys.readouterr()


def test_memo_uncertainty_without_ranges_says_so(scenario_file: Path, tmp_path: Path, capsys) -> None:
    plain = tmp_path / "plain.json"
    data = json.loads(scenario_file.read_text(encoding="utf-8"))
    data.pop("ranges", None)
    plain.write_text(json.dumps(data), encoding="utf-8")
    assert main(["memo", str(plain), "--uncertainty", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert "has no ranges: no uncertainty to show" in captured.err
    assert json.loads(captured.out)["content"]["tornado"] is None
