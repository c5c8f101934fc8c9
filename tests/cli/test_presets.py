"""`specialist-studio presets`: the list, and `--show NAME` as a scenario file `calc` accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.storage.presets import list_presets, load_preset, preset_names
from app.storage.scenario_files import load_scenario


def test_list_names_every_preset_with_its_title(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for info in list_presets():
        line = next(line for line in out.splitlines() if line.startswith(info.name + " "))
        assert line.split(maxsplit=1)[1] == info.title
        assert info.summary.split()[0] in out


def test_list_with_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "--sources"]) == 0
    out = capsys.readouterr().out
    assert out.count("Source: ") == len(preset_names())


@pytest.mark.parametrize("name", ["support-ticket-triage", "contract-clause-tagging"])
def test_show_prints_a_scenario_file_that_calc_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["presets", "--show", name]) == 0
    text = capsys.readouterr().out
    path = tmp_path / "mine.json"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path) == load_preset(name)

    assert main(["calc", str(path), "--json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert main(["calc", "--preset", name, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == from_file


def test_show_an_unknown_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "--show", "support-tickets"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("specialist-studio presets: no preset named 'support-tickets' (known presets: ")


def test_wrapped_text_never_splits_a_hyphenated_word(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets"]) == 0
    listing = capsys.readouterr().out
    assert "off-the-shelf small model" in listing  # it read "off-the-" / "shelf" on two lines
    assert not any(line.rstrip().endswith("-") for line in listing.splitlines())
    assert main(["calc", "--preset", "review-sentiment"]) == 0
    table = capsys.readouterr().out
    assert not any(
        line.rstrip().endswith("-") for line in table.splitlines() if not set(line.strip()) <= {"=", "-"}
    )
