"""Benchmark: a full decision memo (spot-check section included) written as PDF, goal <= 1.5 s.

Run: python tests/benchmarks/bench_memo.py [--runs N]
Prints name=value lines: the p50 of N full exports (content + layout + PDF), the p50 of an empty
one-page QPdfWriter document as a baseline, and their ratio. Built from a bundled preset and a
spot-check summary computed by the real summariser, so it measures what a user gets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtGui import QGuiApplication, QPainter, QPdfWriter

from app.domain.evaluation import ItemResult, ScorerSpec, SideResult, SpotcheckSummary, summarize_results
from app.domain.scenario import Decision
from app.domain.uncertainty import analyse
from app.report.content import build_memo_content
from app.report.export import export_memo, render_memo
from app.storage.presets import load_preset, preset_names

GOAL_SECONDS = 1.5


def spotcheck_summary(items: int = 200) -> SpotcheckSummary:
    """A 200-item run with an out-of-distribution slice, summarised by the real code."""
    results = [
        ItemResult(
            item_id=f"t{i}",
            input=f"ticket {i}",
            expected="billing",
            tags=("ood",) if i % 8 == 0 else (),
            specialist=SideResult(
                output="billing", correct=i % 9 != 0, latency_s=0.04, input_tokens=250, output_tokens=4
            ),
            frontier=SideResult(
                output="billing", correct=i % 13 != 0, latency_s=0.9, input_tokens=2200, output_tokens=4
            ),
            agree=(i % 9 != 0) == (i % 13 != 0),
        )
        for i in range(items)
    ]
    return summarize_results(
        results,
        set_name="support_triage",
        run_date="2026-11-20",
        scorer=ScorerSpec(),
        specialist_name="local-specialist",
        frontier_name="frontier",
        quality_bar=0.9,
    )


def empty_pdf_seconds(path: Path) -> float:
    """Baseline: open a QPdfWriter, paint nothing on one page, close it."""
    start = time.perf_counter()
    writer = QPdfWriter(str(path))
    painter = QPainter(writer)
    painter.end()
    del writer
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    app = QGuiApplication.instance() or QGuiApplication(["bench"])
    scenario = load_preset(preset_names()[0])
    summary = spotcheck_summary()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "memo.pdf"
        # First export loads fonts; report it apart from the steady-state p50.
        start = time.perf_counter()
        export_memo(scenario, out, spotcheck=summary, author="Benchmark")
        first = time.perf_counter() - start
        memo_times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            export_memo(scenario, out, spotcheck=summary, author="Benchmark")
            memo_times.append(time.perf_counter() - start)
        # Everything page one can carry: decision fields, a spot-check, and an uncertainty result
        # (computed once beforehand, as the window's risk view would have; not timed here).
        full = scenario.with_changes(
            decision=Decision(owner="Benchmark", ask="Approve the pilot", pilot_plan="Four weeks at 10 %.")
        )
        uncertainty = analyse(full, draws=400, seed=1)
        full_times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            content = build_memo_content(full, spotcheck=summary, author="Benchmark", uncertainty=uncertainty)
            render_memo(content, out)
            full_times.append(time.perf_counter() - start)
        baseline = statistics.median(empty_pdf_seconds(Path(folder) / "empty.pdf") for _ in range(args.runs))
        memo_bytes = out.stat().st_size
    memo_p50 = statistics.median(memo_times)
    print(f"memo_first_seconds={first:.3f}")
    print(f"memo_seconds={memo_p50:.3f}")
    print(f"empty_pdf_seconds={baseline:.4f}")
    print(f"memo_over_empty_ratio={memo_p50 / baseline:.1f}")
    print(f"memo_bytes={memo_bytes}")
    print(f"memo_goal_seconds={GOAL_SECONDS}")
    full_p50 = statistics.median(full_times)
    print(f"memo_full_seconds={full_p50:.3f}")
    print(f"memo_full_over_empty_ratio={full_p50 / baseline:.1f}")
    print(f"memo_within_goal={str(max(first, memo_p50, full_p50) <= GOAL_SECONDS).lower()}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
