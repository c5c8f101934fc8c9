"""The memo's content as JSON: written, read back equal, rendered to the same PDF text."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest
from memo_samples import MEMO_DAY, triage_scenario, triage_spotcheck

from app.report.content import build_memo_content
from app.report.export import render_memo
from app.report.memo_data import Chart, MemoContent
from app.report.memo_json import (
    MemoJsonError,
    memo_from_data,
    memo_to_data,
    memo_to_json,
    read_memo_json,
)
from app.storage.presets import load_preset, preset_names


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout


def _charts(content: MemoContent) -> list[Chart]:
    charts = [content.decision_chart]
    for section in content.sections:
        charts += [block for block in section.blocks if isinstance(block, Chart)]
    return charts


def _same_series(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Equal, reading every non-finite value as one "no value" (JSON has no infinity)."""
    return len(a) == len(b) and all(
        (not math.isfinite(x) and not math.isfinite(y)) or x == y for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("name", preset_names())
@pytest.mark.parametrize("with_spotcheck", [False, True])
def test_every_preset_round_trips_through_json(name: str, with_spotcheck: bool) -> None:
    content = build_memo_content(
        load_preset(name),
        spotcheck=triage_spotcheck() if with_spotcheck else None,
        author="Dana",
        today=MEMO_DAY,
    )
    text = memo_to_json(content, "Letter")
    json.loads(text)  # strict JSON: no NaN or Infinity tokens
    assert "NaN" not in text and "Infinity" not in text
    back, page_size = memo_from_data(json.loads(text))
    assert page_size == "Letter"
    # Everything but the chart values compares exactly; those compare with "never" as one value.
    assert back.verdict == content.verdict
    assert back.headline_numbers == content.headline_numbers
    assert back.memo_date == content.memo_date and back.author == "Dana"
    for mine, theirs in zip(_charts(back), _charts(content), strict=True):
        assert mine.markers == theirs.markers and mine.title == theirs.title
        for s1, s2 in zip(mine.series, theirs.series, strict=True):
            assert s1.name == s2.name and _same_series(s1.ys, s2.ys) and s1.xs == s2.xs
    # And written again, the text is the same byte for byte: nothing was lost or changed.
    assert memo_to_json(back, page_size) == text


def test_a_never_break_even_survives_as_a_gap() -> None:
    # Low volume: the volume chart has "never" months on its left.
    scenario = triage_scenario().with_changes(volume_per_month=1000)
    content = build_memo_content(scenario, today=MEMO_DAY)
    volume_chart = next(b for s in content.sections for b in s.blocks if isinstance(b, Chart) and b.log_x)
    assert any(not math.isfinite(y) for series in volume_chart.series for y in series.ys)
    back, _ = memo_from_data(memo_to_data(content))
    back_chart = next(b for s in back.sections for b in s.blocks if isinstance(b, Chart) and b.log_x)
    for before, after in zip(volume_chart.series, back_chart.series, strict=True):
        assert [math.isfinite(y) for y in before.ys] == [math.isfinite(y) for y in after.ys]


def test_rendered_from_json_the_pdf_reads_the_same(qapp, tmp_path: Path) -> None:
    content = build_memo_content(
        triage_scenario(), spotcheck=triage_spotcheck(), author="Dana", today=MEMO_DAY
    )
    direct = render_memo(content, tmp_path / "direct.pdf", "A4")
    source = tmp_path / "memo.json"
    source.write_text(memo_to_json(content, "A4"), encoding="utf-8")
    back, page_size = read_memo_json(source)
    again = render_memo(back, tmp_path / "again.pdf", page_size)
    first, second = pdf_text(direct), pdf_text(again)
    assert first == second
    assert "Support ticket triage" in first and "Dana" in first


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON"),
        ('{"format": "something-else"}', "not a memo content file"),
        ('{"format": "specialist-studio-memo", "version": 99, "content": {}}', "version 99"),
        (
            '{"format": "specialist-studio-memo", "version": 1, "content": {"title": 3}}',
            "title: must be text",
        ),
    ],
)
def test_bad_content_files_give_one_line_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "content.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MemoJsonError) as caught:
        read_memo_json(path)
    message = str(caught.value)
    assert message.startswith("content.json: ") and problem in message
    assert "\n" not in message


def test_an_unknown_block_kind_or_field_is_named() -> None:
    data = memo_to_data(build_memo_content(triage_scenario(), today=MEMO_DAY))
    data["content"]["sections"][0]["blocks"][0]["kind"] = "video"
    with pytest.raises(MemoJsonError, match="unknown block kind 'video'"):
        memo_from_data(data)
    data = memo_to_data(build_memo_content(triage_scenario(), today=MEMO_DAY))
    data["content"]["verdict"]["colour"] = "green"
    with pytest.raises(MemoJsonError, match=r"verdict: unknown field 'colour'"):
        memo_from_data(data)
    data = memo_to_data(build_memo_content(triage_scenario(), today=MEMO_DAY))
    data["content"]["verdict"]["tone"] = "loud"
    with pytest.raises(MemoJsonError, match=r"verdict\.tone: must be one of"):
        memo_from_data(data)
