"""The playground's work without any Qt: run one prompt on both sides, keep the runs, export them,
and turn measured token counts into scenario fields. Shared by the window and `specialist-studio ask`.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from app.domain.evidence import MeasurementReview, TokenMeasurement, playground_review
from app.domain.formatting import format_count
from app.domain.pricing import request_cost
from app.domain.scenario import ModelCost, Scenario
from app.inference.types import GenerationRequest, GenerationResult, PromptMode, TextGenerator, TokenCallback
from app.storage.atomic import atomic_write_text

Side = Literal["local", "frontier"]


@dataclass(frozen=True)
class SidePrices:
    """Per-million-token prices and where they come from ("catalog ...", "custom", "scenario")."""

    input_per_mtok: float
    output_per_mtok: float
    source: str = "custom"


@dataclass(frozen=True)
class SideRun:
    """One column of one run: what the model answered, or why the column is empty."""

    name: str
    result: GenerationResult | None = None
    empty_reason: str | None = None
    prices: SidePrices | None = None

    @property
    def cost_usd(self) -> float | None:
        """This request's cost at the side's prices (None without prices or counts)."""
        if self.result is None or self.prices is None or self.result.output_tokens is None:
            return None
        if self.result.error and not self.result.output_tokens:
            return None  # a refused request is not billed
        return request_cost(
            self.result.input_tokens or 0,
            self.result.output_tokens,
            self.prices.input_per_mtok,
            self.prices.output_per_mtok,
        )

    @property
    def succeeded(self) -> bool:
        return self.result is not None and self.result.ok

    def answered(self, result: GenerationResult | None) -> SideRun:
        """This side once its run is over: with the answer (no empty reason), or as it was without one."""
        return self if result is None else dataclasses.replace(self, result=result, empty_reason=None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able figures (never any key or secret)."""
        result = self.result
        record: dict[str, Any] = {"name": self.name, "empty_reason": self.empty_reason}
        if result is not None:
            record.update(result.figures)
        if self.prices is not None:
            record.update(
                input_price_per_mtok=self.prices.input_per_mtok,
                output_price_per_mtok=self.prices.output_per_mtok,
                price_source=self.prices.source,
                cost_usd=self.cost_usd,
            )
        return record


@dataclass(frozen=True)
class PlaygroundRun:
    """One prompt run on both sides."""

    prompt: str
    local: SideRun
    frontier: SideRun
    settings: dict[str, Any] = field(default_factory=dict)
    timestamp: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def side(self, which: Side) -> SideRun:
        return self.local if which == "local" else self.frontier

    def to_dict(self) -> dict[str, Any]:
        return {
            "timestamp": self.timestamp,
            "prompt": self.prompt,
            "settings": self.settings,
            "local": self.local.to_dict(),
            "frontier": self.frontier.to_dict(),
        }


@dataclass(frozen=True)
class RunSettings:
    """How a run was made, recorded with it (history, export, `ask --json`)."""

    mode: PromptMode
    max_tokens: int
    temperature: float
    labels: tuple[str, ...] | None
    context_size: int
    threads: int
    gpu_layers: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able settings, in the order the history files have always used."""
        return {
            "mode": self.mode,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "labels": list(self.labels) if self.labels is not None else None,
            "context_size": self.context_size,
            "threads": self.threads,
            "gpu_layers": self.gpu_layers,
        }


@dataclass(frozen=True)
class PendingRun:
    """A run between launch and finish: what was asked, fixed when it started.

    Names, prices and the reasons a side stays empty are taken at launch, so a price edited while
    the answer streams does not leak into the record of this run.
    """

    prompt: str
    local: SideRun
    frontier: SideRun
    settings: RunSettings
    local_failed: bool = False  # a local model was asked for and did not start

    def finish(self, local: GenerationResult | None, frontier: GenerationResult | None) -> PlaygroundRun:
        """The finished run: each side with its answer, or with the reason it stayed empty."""
        return PlaygroundRun(
            prompt=self.prompt,
            local=self.local.answered(local),
            frontier=self.frontier.answered(frontier),
            settings=self.settings.to_dict(),
        )


def parse_examples(text: str) -> list[tuple[str, str]]:
    """Few-shot examples typed one per line as `input => output`; other lines are ignored."""
    examples = []
    for line in text.splitlines():
        if "=>" in line:
            given, expected = line.split("=>", 1)
            if given.strip() and expected.strip():
                examples.append((given.strip(), expected.strip()))
    return examples


def run_both(
    local: TextGenerator | None,
    local_request: GenerationRequest,
    frontier: TextGenerator | None,
    frontier_request: GenerationRequest,
    *,
    on_local_token: TokenCallback | None = None,
    on_frontier_token: TokenCallback | None = None,
    cancel: threading.Event | None = None,
    on_side_done: Callable[[Side, GenerationResult], None] | None = None,
) -> tuple[GenerationResult | None, GenerationResult | None]:
    """Run both sides at the same time (each on its own thread); None for a side not given.

    `on_side_done(side, result)` is called as soon as one side has finished, so its column can
    complete while the other side still streams.
    """
    results: dict[str, GenerationResult | None] = {"local": None, "frontier": None}

    def work(
        name: Side, generator: TextGenerator, request: GenerationRequest, on_token: TokenCallback | None
    ) -> None:
        result = generator.generate(request, on_token=on_token, cancel=cancel)
        results[name] = result
        if on_side_done is not None:
            on_side_done(name, result)

    threads = []
    if frontier is not None:
        threads.append(
            threading.Thread(target=work, args=("frontier", frontier, frontier_request, on_frontier_token))
        )
    for thread in threads:
        thread.start()
    if local is not None:
        work("local", local, local_request, on_local_token)
    for thread in threads:
        thread.join()
    return results["local"], results["frontier"]


def export_jsonl(runs: Sequence[PlaygroundRun], path: Path) -> None:
    """Write one JSON object per run through the one atomic write (raises `FileRefusedError`)."""
    text = "".join(json.dumps(run.to_dict(), ensure_ascii=False) + "\n" for run in runs)
    atomic_write_text(Path(path), text, what="the playground runs")


@dataclass(frozen=True)
class MeasuredTokens:
    """Average token counts of a side over its successful runs."""

    runs: int
    input_tokens: int
    output_tokens: int
    counted: bool  # True when any of the counts were estimated rather than reported


def measured_tokens(runs: Sequence[PlaygroundRun], side: Side) -> MeasuredTokens | None:
    """Average input/output tokens over the side's successful runs; None when there are none."""
    good = [
        run.side(side).result
        for run in runs
        if run.side(side).succeeded and run.side(side).result is not None  # for the type checker
    ]
    # A run cut off at max tokens measured the limit, not the answer: left out (and said so).
    good = [r for r in good if r is not None and r.finish_reason != "length"]
    samples = [
        r for r in good if r is not None and r.input_tokens is not None and r.output_tokens is not None
    ]
    if not samples:
        return None
    return MeasuredTokens(
        runs=len(samples),
        input_tokens=round(statistics.fmean(r.input_tokens or 0 for r in samples)),
        output_tokens=round(statistics.fmean(r.output_tokens or 0 for r in samples)),
        counted=any(r.tokens_counted for r in samples),
    )


def _measured_model(
    model: ModelCost, tokens: MeasuredTokens, prices: SidePrices | None, name: str
) -> ModelCost:
    changes: dict[str, Any] = {
        "input_tokens": tokens.input_tokens,
        "output_tokens": tokens.output_tokens,
        "tokens_measured": True,
    }
    if name:
        changes["name"] = name[:200]
    if prices is not None:
        changes.update(
            input_price_per_mtok=prices.input_per_mtok,
            output_price_per_mtok=prices.output_per_mtok,
            price_source=f"{prices.source}; tokens measured in the playground over {tokens.runs} run(s)"[
                :500
            ],
        )
    return ModelCost.model_validate({**model.model_dump(), **changes})


def apply_measurements(
    scenario: Scenario,
    runs: Sequence[PlaygroundRun],
    local_prices: SidePrices | None,
    frontier_prices: SidePrices | None,
) -> tuple[Scenario, str]:
    """The scenario with measured tokens (and prices) in `small` (local) and `large` (frontier).

    Returns the new scenario and one line saying what changed. Raises ValueError when no side
    has a successful run to measure.
    """
    local = measured_tokens(runs, "local")
    frontier = measured_tokens(runs, "frontier")
    if local is None and frontier is None:
        raise ValueError("no successful run to measure yet: run a prompt first")
    changes: dict[str, Any] = {}
    said: list[str] = []
    if frontier is not None:
        name = next((r.frontier.name for r in reversed(runs) if r.frontier.succeeded), "")
        changes["large"] = _measured_model(scenario.large, frontier, frontier_prices, name)
        runs_text = format_count(frontier.runs, "run")
        said.append(f"large: {frontier.input_tokens} in / {frontier.output_tokens} out ({runs_text})")
    if local is not None:
        name = next((r.local.name for r in reversed(runs) if r.local.succeeded), "")
        changes["small"] = _measured_model(scenario.small, local, local_prices, name)
        said.append(
            f"small: {local.input_tokens} in / {local.output_tokens} out ({format_count(local.runs, 'run')})"
        )
    return scenario.with_changes(**changes), "Measured tokens: " + "; ".join(said)


def truncated_runs(runs: Sequence[PlaygroundRun], side: Side) -> int:
    """How many of the side's successful runs stopped at max tokens."""
    results = [run.side(side).result for run in runs if run.side(side).succeeded]
    return sum(1 for result in results if result is not None and result.finish_reason == "length")


def measurement_review(
    scenario: Scenario,
    runs: Sequence[PlaygroundRun],
    local_prices: SidePrices | None,
    frontier_prices: SidePrices | None,
    *,
    local_is_base_model: bool = False,
) -> MeasurementReview:
    """What 'Use in scenario' would change, for the review dialog (raises ValueError with no run)."""
    # Measured against the scenario without its typed ranges: a measurement replaces the guess,
    # range included, and may well fall outside it (apply_review drops the applied ones).
    proposed, _ = apply_measurements(scenario.with_changes(ranges={}), runs, local_prices, frontier_prices)
    measurements = []
    left_out: list[str] = []
    sides: tuple[Side, ...] = ("frontier", "local")
    for side in sides:
        tokens = measured_tokens(runs, side)
        if tokens is None:
            cut = truncated_runs(runs, side)
            if cut:
                left_out.append(
                    f"All {cut} {side} run(s) stopped at max tokens: they measured the limit, not the "
                    "answer, so that side is left out."
                )
            continue
        name = next((r.side(side).name for r in reversed(runs) if r.side(side).succeeded), "")
        last = next((r.timestamp for r in reversed(runs) if r.side(side).succeeded), "")
        measurements.append(
            TokenMeasurement(
                side=side,
                model=name,
                runs=tokens.runs,
                truncated=truncated_runs(runs, side),
                input_tokens=tokens.input_tokens,
                output_tokens=tokens.output_tokens,
                measured_at=last[:10],
            )
        )
    review = playground_review(scenario, proposed, measurements, local_is_base_model=local_is_base_model)
    return dataclasses.replace(review, warnings=(*review.warnings, *left_out))
