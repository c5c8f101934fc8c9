"""Benchmark: Monte Carlo over the ranges, as `calc --uncertainty` and the window's risk view run it.

Run: QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_uncertainty.py [--runs N] [--draws N]
The scenario is the DESIGN example with every extra on (distillation, self-hosting, frontier
price decline, retraining every 6 months, a discount rate) and ranges on ten inputs. Figures (p50 over
N runs, milliseconds) and their ratio to one engine pass (`summarize` + `cumulative_curves` of
the same scenario, measured in the same run: machines differ ~2.5x in speed):

* mc_engine: the engine over all draws (`monte_carlo.engine_over_draws`); goal <= 100 ms at 10,000.
* mc_engine_bending_ranged: the same with ranges on what bends the curves too (the frontier's
  decline, the specialist's drift, the retraining cost), which are per-draw arrays in the same pass.
* analyse_cli: everything `calc --uncertainty` computes (rules on 1,000 of the draws).
* window_refresh: what the risk view's worker computes per change (no verdict chances), then the
  window's own refresh: a change in the document to the view showing the new result, the
  debounce wait excluded; goal <= 150 ms.
* window_gui_max_gap: the longest the GUI thread went without running a 5 ms timer while the
  worker computed (the slider's view of it).
Prints name=value lines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "domain"))

from bench_engine import timings_ms
from domain_helpers import design_example

from app.domain import costs, monte_carlo, uncertainty
from app.domain.scenario import Scenario

ALL_EXTRAS: dict[str, Any] = {
    **design_example(
        routing={"escalation_rate": 0.05, "mode": "cascade"},
        quality={"specialist_accuracy": 0.93, "eval_exists": True, "task_change_months": 12},
    ).model_dump(),
    "volume_per_month": 2_000_000,
    "distillation": {
        "enabled": True,
        "examples": 5000,
        "human_review_share": 0.2,
        "review_cost_per_example": 1.5,
    },
    "self_hosting": {
        "enabled": True,
        "gpu_price_per_hour": 2.5,
        "requests_per_second_per_gpu": 15,
        "min_gpus": 1,
    },
    "price_decline_per_year": 0.3,
    "retraining": {"every_months": 6, "cost": 6000},
    "discount_rate_per_year": 0.08,
    "ranges": {
        "volume_per_month": {"low": 1_000_000, "high": 4_000_000, "distribution": "pert"},
        "large.input_tokens": {"low": 1800, "high": 2800, "distribution": "triangular"},
        "large.output_tokens": {"low": 200, "high": 400, "distribution": "uniform"},
        "small.output_tokens": {"low": 200, "high": 400, "distribution": "pert"},
        "one_time.data_curation": {"low": 6000, "high": 15000, "distribution": "pert"},
        "one_time.eval_build": {"low": 3000, "high": 8000, "distribution": "pert"},
        "monthly_ops": {"low": 900, "high": 2000, "distribution": "triangular"},
        "routing.escalation_rate": {"low": 0.02, "high": 0.12, "distribution": "pert"},
        "self_hosting.requests_per_second_per_gpu": {"low": 8, "high": 25, "distribution": "triangular"},
        "quality.specialist_accuracy": {"distribution": "beta", "successes": 186, "trials": 200},
    },
}


# The curve-bending inputs ranged as well: each draw has its own rates and retraining cost.
BENDING_RANGES: dict[str, Any] = {
    "price_decline_per_year": {"low": 0.1, "high": 0.5, "distribution": "pert"},
    "small_price_drift_per_year": {"low": -0.4, "high": 0.2, "distribution": "triangular"},
    "retraining.cost": {"low": 3000, "high": 12000, "distribution": "triangular"},
}


def window_refresh(scenario: Scenario, draws: int, runs: int) -> tuple[list[float], list[float]]:
    """(change-to-shown ms without the debounce wait, longest GUI-thread gap ms) per run."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.document import ScenarioDocument
    from app.ui.risk import RiskController, RiskView

    app = QApplication.instance() or QApplication([])
    document = ScenarioDocument(scenario)
    controller = RiskController(document, draws=draws)
    view = RiskView(controller)
    view.resize(500, 800)
    view.show()
    refresh: list[float] = []
    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(5)
    last_tick = [0.0]
    longest = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        longest[0] = max(longest[0], now - last_tick[0])
        last_tick[0] = now

    ticker.timeout.connect(tick)

    def settle() -> None:
        while controller.busy or controller.result_scenario != document.scenario:
            app.processEvents()
            time.sleep(0.001)

    settle()
    volumes = [1_500_000 + 10_000 * index for index in range(runs + 1)]
    for volume in volumes:
        document.set_field(("volume_per_month",), float(volume), "volume")
        app.processEvents()
        controller._timer.stop()  # skip the debounce wait: time the work, not the pause
        clock.start()
        last_tick[0] = 0.0
        longest[0] = 0.0
        ticker.start()
        controller._start()
        settle()
        refresh.append(clock.nsecsElapsed() / 1e6)
        ticker.stop()
        gaps.append(longest[0])
    controller.shutdown()
    view.close()
    return refresh[1:], gaps[1:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--draws", type=int, default=monte_carlo.DEFAULT_DRAWS)
    args = parser.parse_args()
    scenario = Scenario.model_validate(ALL_EXTRAS)

    def one_pass() -> None:
        costs.cumulative_curves(scenario, summary=costs.summarize(scenario))

    engine = statistics.median(timings_ms(one_pass, max(args.runs, 200)))
    print(f"engine_pass_p50_ms={engine:.4f}")
    inputs = monte_carlo.sample_inputs(scenario, args.draws, seed=1)
    engine_over_draws = statistics.median(
        timings_ms(lambda: monte_carlo.engine_over_draws(scenario, inputs), args.runs)
    )
    print(f"draws={args.draws}")
    print(f"mc_engine_p50_ms={engine_over_draws:.2f}")
    print(f"mc_engine_ratio_to_engine_pass={engine_over_draws / engine:.1f}")
    print(f"mc_engine_per_draw_ratio={engine_over_draws / engine / args.draws:.4f}")
    bending = Scenario.model_validate({**ALL_EXTRAS, "ranges": {**ALL_EXTRAS["ranges"], **BENDING_RANGES}})
    bending_inputs = monte_carlo.sample_inputs(bending, args.draws, seed=1)
    bending_ms = statistics.median(
        timings_ms(lambda: monte_carlo.engine_over_draws(bending, bending_inputs), args.runs)
    )
    print(f"mc_engine_bending_ranged_p50_ms={bending_ms:.2f}")
    print(f"mc_engine_bending_ranged_ratio_to_engine_pass={bending_ms / engine:.1f}")
    cli = statistics.median(timings_ms(lambda: uncertainty.analyse(scenario, args.draws, seed=1), args.runs))
    print(f"analyse_cli_p50_ms={cli:.2f}")
    print(f"analyse_cli_ratio_to_engine_pass={cli / engine:.1f}")
    refresh, gaps = window_refresh(scenario, args.draws, args.runs)
    print(f"window_refresh_p50_ms={statistics.median(refresh):.2f}")
    print(f"window_refresh_max_ms={max(refresh):.2f}")
    print(f"window_refresh_ratio_to_engine_pass={statistics.median(refresh) / engine:.1f}")
    print(f"window_gui_max_gap_p50_ms={statistics.median(gaps):.2f}")
    print(f"window_gui_max_gap_max_ms={max(gaps):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
