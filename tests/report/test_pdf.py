"""The PDF read back with poppler: the numbers are the engine's, pages are real, nothing leaks."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from memo_samples import MEMO_DAY, SECRET_KEY, USER_FOLDER, leaky_scenario, triage_scenario, triage_spotcheck
from PySide6.QtGui import QImage

from app.domain.costs import summarize
from app.domain.fields import field_for, fields_in, groups_in_use
from app.domain.formatting import (
    format_interval,
    format_money,
    format_months,
    format_per_request,
    format_ratio,
    format_share,
)
from app.domain.rules import evaluate
from app.report.export import MemoExportError, export_memo
from app.storage.presets import load_preset, preset_names


def poppler(tool: str, *args: str) -> str:
    """Run a poppler-utils tool and return its stdout."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (apt-get install poppler-utils)")
    result = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return poppler("pdftotext", "-layout", *pages, str(path), "-")


def pdf_info(path: Path) -> dict[str, str]:
    info = {}
    for line in poppler("pdfinfo", str(path)).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


@pytest.fixture(scope="module")
def memo(qapp, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full memo (spot-check section included), rendered once for the read-back tests."""
    path = tmp_path_factory.mktemp("memo") / "memo.pdf"
    export_memo(triage_scenario(), path, spotcheck=triage_spotcheck(), author="Jane Doe", today=MEMO_DAY)
    return path


def test_numbers_read_back_equal_the_engines(memo: Path) -> None:
    scenario = triage_scenario()
    summary = summarize(scenario)
    page_one = pdf_text(memo, 1)
    for figure in (
        format_money(summary.net_monthly_savings, "figure"),
        format_months(summary.break_even_months),
        format_per_request(summary.large_cost_per_request),
        format_per_request(summary.specialist_cost_per_request),
        format_ratio(summary.cost_ratio),
        format_money(summary.one_time_cost, "figure"),
    ):
        assert figure in page_one, f"{figure} not on page one:\n{page_one}"
    recommendation = evaluate(scenario, summary)
    assert recommendation.label in page_one
    assert f"Rule {recommendation.deciding_rule} · " in page_one
    assert "Break-even: " + format_months(summary.break_even_months) in page_one  # the chart's marked point


def test_page_one_is_the_decision_alone(memo: Path) -> None:
    page_one = pdf_text(memo, 1)
    assert "RECOMMENDATION" in page_one and "Cumulative cost over 24 months" in page_one
    for later in ("Price source", "Decision rules", "Assumptions and caveats", "Spot-check"):
        assert later not in page_one


def test_every_section_and_spotcheck_interval_is_there(memo: Path) -> None:
    text = pdf_text(memo)
    for heading in (
        "Inputs",
        "Decision rules",
        "Break-even vs volume",
        "Spot-check",
        "Assumptions and caveats",
    ):
        assert heading in text
    accuracy = triage_spotcheck().specialist.accuracy
    assert accuracy.low is not None and accuracy.high is not None and accuracy.estimate is not None
    assert format_interval(accuracy.low, accuracy.high) in text
    assert format_share(accuracy.estimate) in text
    assert "https://example.org/pricing" in text and "2026-06-01" in text  # price source and date
    assert "teacher's mistakes" in text and "escalation path" in text
    assert "of traffic" in text and "\ufb03" not in text  # no ligatures: copied text reads as typed


def test_page_numbers_metadata_and_size(memo: Path) -> None:
    info = pdf_info(memo)
    pages = int(info["Pages"])
    assert pages >= 3
    assert info["Title"] == "Decision memo: Support ticket triage"
    assert info["Author"] == "Jane Doe"
    assert info["Creator"].startswith("Specialist Studio")
    assert "(A4)" in info["Page size"]
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in pdf_text(memo, page)
    assert "2026-11-23" in pdf_text(memo, 1)


def test_letter_paper(qapp, tmp_path: Path) -> None:
    path = export_memo(triage_scenario(), tmp_path / "letter.pdf", page_size="Letter", today=MEMO_DAY)
    assert "(letter)" in pdf_info(path)["Page size"]


def test_fonts_are_embedded(memo: Path) -> None:
    rows = poppler("pdffonts", str(memo)).splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        # Columns: name type encoding emb sub uni object ID; the embedded flag is the 4th from the end.
        assert row.split()[-5] == "yes", row


def test_charts_are_vectors_not_images(memo: Path) -> None:
    listing = poppler("pdfimages", "-list", str(memo)).splitlines()
    assert listing[2:] == [], "the memo should hold no raster images"


def test_pages_render_with_ink(memo: Path, tmp_path: Path) -> None:
    poppler("pdftoppm", "-r", "40", "-png", str(memo), str(tmp_path / "page"))
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == int(pdf_info(memo)["Pages"])
    for image_path in images:
        image = QImage(str(image_path)).convertToFormat(QImage.Format.Format_Grayscale8)
        assert not image.isNull()
        rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
        pixels = rows[:, : image.width()]
        inked = float(np.mean(pixels < 200))
        assert inked > 0.005, f"{image_path.name} looks blank ({inked:.2%} inked)"


def test_no_api_key_or_user_folder_in_the_pdf(qapp, tmp_path: Path) -> None:
    path = export_memo(leaky_scenario(), tmp_path / "leaky.pdf", today=MEMO_DAY)
    text = pdf_text(path) + "\n".join(pdf_info(path).values())
    squeezed = re.sub(r"\s+", "", text)
    for secret in (SECRET_KEY, "sk-proj", USER_FOLDER, "alice", "Users\\"):
        assert secret not in text and secret not in squeezed, secret
    assert "frontier-prices.csv" in text and "triage-results.jsonl" in text
    assert tmp_path.name not in text  # not even the memo's own folder
    raw = path.read_bytes()  # metadata (Info and XMP) is stored uncompressed
    for folder in (str(tmp_path), "/usr/share/fonts"):
        assert folder.encode() not in raw, folder


def test_export_runs_on_a_worker_thread(qapp, tmp_path: Path) -> None:
    """The window exports off the GUI thread; the PDF must come out the same."""
    errors: list[BaseException] = []
    target = tmp_path / "threaded.pdf"

    def work() -> None:
        try:
            export_memo(triage_scenario(), target, spotcheck=triage_spotcheck(), today=MEMO_DAY)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and errors == []
    assert "Page 1 of" in pdf_text(target, 1)


def test_bad_targets_give_one_line_errors(qapp, tmp_path: Path) -> None:
    with pytest.raises(MemoExportError, match=r"memo\.pdf: folder .*missing does not exist"):
        export_memo(triage_scenario(), tmp_path / "missing" / "memo.pdf")
    with pytest.raises(MemoExportError, match="page size must be A4 or Letter"):
        export_memo(triage_scenario(), tmp_path / "memo.pdf", page_size="A3")
    folder = tmp_path / "taken"
    folder.mkdir()
    with pytest.raises(
        MemoExportError, match="taken: is a folder; give the decision memo a file name"
    ) as caught:
        export_memo(triage_scenario(), folder)
    assert "\n" not in str(caught.value)
    assert not list(tmp_path.glob(".*.part")), "a failed export leaves no partial file behind"


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_puts_its_verdict_and_chart_on_page_one(qapp, tmp_path: Path, name: str) -> None:
    scenario = load_preset(name)
    path = export_memo(scenario, tmp_path / f"{name}.pdf", today=MEMO_DAY)
    page_one = pdf_text(path, 1)
    assert evaluate(scenario).label in page_one
    assert f"Cumulative cost over {scenario.horizon_months} months" in page_one


@pytest.mark.parametrize(
    "changes",
    [
        {"volume_per_month": 0},
        {"description": "A very long description. " * 200},
        {"monthly_ops": 0, "one_time": {"data_curation": 0, "training_runs": 0, "eval_build": 0}},
    ],
    ids=["zero-volume", "long-description", "no-costs"],
)
def test_edge_scenarios_keep_the_decision_on_page_one(
    qapp, tmp_path: Path, changes: dict[str, object]
) -> None:
    scenario = triage_scenario().with_changes(**changes)
    path = export_memo(scenario, tmp_path / "edge.pdf", today=MEMO_DAY)
    page_one = pdf_text(path, 1)
    assert "RECOMMENDATION" in page_one and "Cumulative cost over 24 months" in page_one
    assert "Page 1 of" in page_one


def _word_boxes(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, x_min, y_min, x_max, y_max) for each word on a page, read back with pdftotext -bbox."""
    import re

    html = poppler("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)]


def test_volume_chart_labels_do_not_overlap_and_ticks_read_round(qapp, tmp_path: Path) -> None:
    # The contract preset's horizon (24 months) sits right under its axis top (25): the horizon's
    # label and the "this scenario" label used to print over each other there.
    path = export_memo(load_preset("contract-clause-tagging"), tmp_path / "c.pdf", today=MEMO_DAY)
    page = next(p for p in (2, 3) if "Break-even vs volume" in pdf_text(path, p))
    boxes = _word_boxes(path, page)
    words = [b[0] for b in boxes]

    def label_box(*label: str) -> tuple[float, float, float, float]:
        start = next(i for i in range(len(words)) if tuple(words[i : i + len(label)]) == label)
        parts = boxes[start : start + len(label)]
        return (
            min(p[1] for p in parts),
            min(p[2] for p in parts),
            max(p[3] for p in parts),
            max(p[4] for p in parts),
        )

    hx0, hy0, hx1, hy1 = label_box("horizon", "24", "months")
    sx0, sy0, sx1, sy1 = label_box("this", "scenario:", "2.0M/month")
    assert hx1 <= sx0 or sx1 <= hx0 or hy1 <= sy0 or sy1 <= hy0, ((hx0, hy0, hx1, hy1), (sx0, sy0, sx1, sy1))
    # The ticks, not the caption under the chart (whose sentence quotes a volume in the usual style).
    caption = next(i for i in range(len(words)) if tuple(words[i : i + 3]) == ("How", "long", "the"))
    ticks = set(words[:caption])
    assert {"10K", "100K", "1M", "10M"} <= ticks
    assert not {"10.0K", "100.0K", "1.0M"} & ticks


def test_the_scenario_label_sits_on_white_where_the_curve_crosses_it(qapp, tmp_path: Path) -> None:
    # At 500K/month the triage curve leaves the top of the volume chart right where the
    # "this scenario" label is printed; the label gets a white ground so it stays readable.
    scenario = load_preset("support-ticket-triage").with_changes(
        volume_per_month=500_000, routing={"escalation_rate": 0.2, "mode": "router"}, ranges={}
    )
    path = export_memo(scenario, tmp_path / "b.pdf", today=MEMO_DAY)
    page = next(p for p in (2, 3, 4) if "Break-even vs volume" in pdf_text(path, p))
    boxes = _word_boxes(path, page)
    words = [b[0] for b in boxes]
    start = next(i for i in range(len(words) - 1) if words[i : i + 2] == ["this", "scenario:"])
    x0, y0 = boxes[start][1], min(b[2] for b in boxes[start : start + 3])
    x1, y1 = max(b[3] for b in boxes[start : start + 3]), max(b[4] for b in boxes[start : start + 3])
    dpi = 144
    poppler(
        "pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(path), str(tmp_path / "p")
    )
    image = QImage(str(next(tmp_path.glob("p-*.png")))).convertToFormat(QImage.Format.Format_RGB32)
    scale = dpi / 72
    curve = 0
    for y in range(int(y0 * scale) + 1, int(y1 * scale) - 1):
        for x in range(int(x0 * scale) + 1, int(x1 * scale) - 1):
            colour = image.pixelColor(x, y)
            # the curve's blue (#1f77b4: green 88 above red) against the label's navy (#2f4b7c: 28)
            if colour.green() - colour.red() > 50 and colour.blue() > colour.green():
                curve += 1
    assert curve == 0, f"{curve} curve pixels inside the label"


def test_a_long_author_keeps_clear_of_the_memo_label(qapp, tmp_path: Path) -> None:
    author = "Jane Alexandra Doe-Montgomery, Senior Vice President of Global Customer Support Operations"
    path = export_memo(triage_scenario(), tmp_path / "a.pdf", author=author, today=MEMO_DAY)
    boxes = _word_boxes(path, 1)
    memo_label = next(b for b in boxes if b[0] == "MEMO")
    byline_start = next(b for b in boxes if b[0] == "2026-11-23")
    assert byline_start[1] > memo_label[3], (memo_label, byline_start)  # starts right of "MEMO"
    assert byline_start[2] < memo_label[4]  # on the same line
    assert pdf_info(path)["Author"] == author  # the metadata keeps the whole name


def test_long_names_stay_on_the_page_in_the_legend_and_footer(qapp, tmp_path: Path) -> None:
    long_model = "Claude Sonnet 4.5 via a regional enterprise gateway with extended context"
    scenario = triage_scenario().with_changes(
        name="Support triage and routing for the EMEA, Americas and APAC regions across every product line",
        large={**triage_scenario().large.model_dump(), "name": long_model},
    )
    path = export_memo(scenario, tmp_path / "long.pdf", today=MEMO_DAY)
    page_width = float(pdf_info(path)["Page size"].split()[0])
    boxes = _word_boxes(path, 1)
    assert max(b[3] for b in boxes) <= page_width - 20, "a word runs off the right edge"
    text = pdf_text(path, 1)
    assert "Specialist, no escalation" in text and "Specialist path" in text  # all entries shown
    footer = next(line for line in text.splitlines() if line.startswith("Decision memo: Support triage"))
    pages = int(pdf_info(path)["Pages"])
    assert "… · 2026-11-23" in footer and footer.endswith(f"Page 1 of {pages}"), footer


def test_a_table_never_leaves_its_last_row_alone_on_a_page(qapp, tmp_path: Path) -> None:
    # The invoice memo's rule table once broke before rule 6, which sat alone atop page 3. Put a
    # six-row table where exactly its last row would not fit and see where each row lands.
    from PySide6.QtGui import QPdfWriter

    from app.report.content import build_memo_content
    from app.report.memo_data import Table
    from app.report.pdf_layout import Layout
    from app.report.pdf_tables import draw_table

    writer = QPdfWriter(str(tmp_path / "t.pdf"))
    layout = Layout(writer, build_memo_content(triage_scenario(), today=MEMO_DAY))
    table = Table(columns=("#", "Row"), rows=tuple((str(i), f"row {i}") for i in range(6)))
    header_h = layout.text_height(layout.fonts.small_bold, "Row", layout.width) + 2 * layout.pt(4)
    row_h = layout.text_height(layout.fonts.small, "row 0", layout.width) + 2 * layout.pt(4)
    layout.y = layout.bottom - (header_h + 5.5 * row_h)
    placed: list[tuple[int, str]] = []
    layout.draw_text = lambda rect, text, *args, **kw: placed.append((len(layout.pages), text))  # type: ignore[method-assign]
    draw_table(layout, table)
    pages = {text: page for page, text in placed if text.startswith("row ")}
    assert pages["row 5"] == pages["row 4"] == 2, pages  # the last two rows move over together
    assert pages["row 3"] == 1


def test_the_inputs_section_is_the_field_catalogues(qapp, tmp_path: Path) -> None:
    """Every catalogue field the memo lists appears with its catalogue label and value, read back."""
    base = load_preset("contract-clause-tagging")  # self-hosting, price decline, retraining on
    scenario = base.with_changes(distillation={**base.distillation.model_dump(), "enabled": True})
    path = export_memo(scenario, tmp_path / "inputs.pdf", today=MEMO_DAY)
    text = " ".join(poppler("pdftotext", "-raw", str(path), "-").split())
    listed = [
        entry
        for group in groups_in_use(scenario)
        if group not in ("Large model", "Specialist")
        for entry in fields_in(group)
    ]
    assert {entry.group for entry in listed} >= {
        "Distillation",
        "Self-hosting",
        "Price changes",
        "Retraining",
    }
    for entry in listed:
        value = entry.value_in(scenario)
        shown = "not given" if value is None and entry.unit == "months" else entry.describe(value)
        assert f"{entry.label} {shown}" in text, entry.key
    for name in ("input_tokens", "output_tokens", "input_price_per_mtok", "output_price_per_mtok"):
        assert field_for(f"large.{name}").label in text
    # The preset's numbers, read off its file and written out by hand.
    assert "Requests per month 2.0M requests/month" in text
    assert "GPU price $2.00 per GPU-hour" in text
    assert "Retrain every 6 months" in text and "Cost per retraining $5,000" in text
