"""Benchmark: the cost engine behind one slider move in the calculator view.

Run: python tests/benchmarks/bench_engine.py [--runs N]
One "update" is what the window recomputes per change: summarize + evaluate (the six rules) +
cumulative_curves + break_even_vs_volume over 60 volumes. Timed per call (p50, p95 over N calls)
for the DESIGN example and for the same scenario with every extra on (price decline, monthly
retraining steps, self-hosting: the curve-crossing path). The baseline is validating the
scenario (what building the changed scenario costs anyway), measured in the same run.
Prints name=value lines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "domain"))

from domain_helpers import design_example

from app.domain import costs, goal_seek
from app.domain.rules import evaluate
from app.domain.scenario import Scenario

# The DESIGN §1 example is defined once, in the domain tests' helpers; the benchmark adds the
# escalation and quality inputs a real calculator session has, so all six rules are exercised.
DESIGN_EXAMPLE: dict[str, Any] = design_example(
    routing={"escalation_rate": 0.05, "mode": "cascade"},
    quality={"specialist_accuracy": 0.93, "eval_exists": True, "task_change_months": 12},
).model_dump()
WITH_EXTRAS: dict[str, Any] = {
    **DESIGN_EXAMPLE,
    "price_decline_per_year": 0.3,
    "retraining": {"every_months": 1, "cost": 2000},
    "self_hosting": {
        "enabled": True,
        "gpu_price_per_hour": 2.5,
        "requests_per_second_per_gpu": 15,
        "min_gpus": 1,
    },
}


def update(scenario: Scenario) -> None:
    """Everything the calculator view recomputes after one change."""
    summary = costs.summarize(scenario)
    evaluate(scenario, summary)
    costs.cumulative_curves(scenario)
    costs.break_even_vs_volume(scenario, costs.volume_range(scenario, 60))


def timings_ms(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up: first-call imports and caches are not what a user waits for
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()

    baseline = timings_ms(lambda: Scenario.model_validate(DESIGN_EXAMPLE), args.runs)
    baseline_p50 = statistics.median(baseline)
    print(f"engine_baseline_validate_p50_ms={baseline_p50:.4f}")
    for label, data in (("plain", DESIGN_EXAMPLE), ("extras", WITH_EXTRAS)):
        scenario = Scenario.model_validate(data)
        samples = timings_ms(lambda scenario=scenario: update(scenario), args.runs)
        p50 = statistics.median(samples)
        print(f"engine_update_{label}_p50_ms={p50:.4f}")
        print(f"engine_update_{label}_p95_ms={percentile(samples, 0.95):.4f}")
        print(f"engine_update_{label}_vs_validate_ratio={p50 / baseline_p50:.2f}")
        seeks = timings_ms(
            lambda scenario=scenario: (
                goal_seek.goal_seek_volume(scenario, 6),
                goal_seek.goal_seek_large_price(scenario, 6),
            ),
            max(1, args.runs // 10),
        )
        print(f"engine_goal_seek_{label}_p50_ms={statistics.median(seeks):.4f}")
    print(f"engine_runs={args.runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
