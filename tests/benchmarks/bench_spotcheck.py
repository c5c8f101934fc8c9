"""Spot-check speed: bookkeeping must stay negligible next to the models.

Run: `python tests/benchmarks/bench_spotcheck.py [--model N]`. Prints `name=value` lines.

- `score_per_item_us`: the one_of scorer on one answer (the baseline).
- `runner_overhead_per_item_us` and `runner_overhead_ratio`: a full run of the demo set with
  recorded answers on both sides of the bookkeeping (request building, scoring, agreement,
  a fsynced JSONL line per item, the summary), per item and as a multiple of scoring alone.
- `summary_10k_items_ms`: summarising 10,000 results (intervals, tags, percentiles, cost).
- with `--model N`: `model_items_per_s` for the bundled model over the first N demo items.
Goal: runner overhead under 5 ms an item (the bundled model needs ~300 ms or more).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.domain.evaluation import (  # noqa: E402
    ItemResult,
    Prices,
    SideResult,
    TestSet,
    score_output,
    summarize_results,
)
from app.inference.spotcheck import RunConfig, run_spotcheck  # noqa: E402
from app.storage.resources import resource_path  # noqa: E402
from app.storage.testsets import default_prompt_for, load_test_set  # noqa: E402


def _best_of(repeats: int, work: object) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=int, default=0, help="also time the bundled model over N items")
    args = parser.parse_args()

    path = resource_path("spotcheck", "support_triage.jsonl")
    demo = load_test_set(path)
    template = default_prompt_for(path)
    assert template is not None
    scorer = template.scorer
    items = demo.items * 10  # 870 answers

    scoring = _best_of(5, lambda: [score_output(i.reference_output or "", i.expected, scorer) for i in items])
    score_us = scoring / len(items) * 1e6
    print(f"score_per_item_us={score_us:.2f}")

    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "r.jsonl"

        def full_run() -> None:
            results.unlink(missing_ok=True)
            run_spotcheck(demo, None, None, RunConfig(prompt=template), results)

        run_s = _best_of(3, full_run)
    overhead_us = run_s / len(demo.items) * 1e6
    print(f"runner_overhead_per_item_us={overhead_us:.1f}")
    print(f"runner_overhead_ratio={overhead_us / score_us:.1f}")

    side = SideResult("billing", True, latency_s=0.3, input_tokens=500, output_tokens=2)
    many = [
        ItemResult(str(n), "x", "billing", ("ood",) if n % 5 == 0 else (), side, side, True)
        for n in range(10_000)
    ]
    prices = Prices(0.3, 1.2, 5.0, 15.0)
    summary_s = _best_of(
        3,
        lambda: summarize_results(
            many,
            set_name="bench",
            run_date="today",
            scorer=scorer,
            specialist_name="a",
            frontier_name="b",
            prices=prices,
            quality_bar=0.9,
        ),
    )
    print(f"summary_10k_items_ms={summary_s * 1000:.1f}")

    if args.model:
        from app.inference.bundled_model import bundled_model_path
        from app.inference.local_generator import LocalSpecialist
        from app.inference.local_server import LocalModelServer

        server = LocalModelServer(bundled_model_path())
        server.start()
        specialist = LocalSpecialist(server)
        try:
            subset = TestSet(demo.name, demo.path, demo.items[: args.model], demo.fingerprint)
            start = time.perf_counter()
            outcome = run_spotcheck(subset, specialist, None, RunConfig(prompt=template))
            elapsed = time.perf_counter() - start
        finally:
            specialist.close()
            server.stop()
        print(f"model_items_per_s={len(outcome.results) / elapsed:.2f}")
        print(f"model_accuracy={outcome.summary.specialist.accuracy.estimate:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
