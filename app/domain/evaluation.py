"""Spot-check maths: scorers, confidence intervals, sample sizes and run summaries.

Pure functions and plain data (no I/O): the loader lives in `app.storage.testsets`, the runner in
`app.inference.spotcheck`, and the window and the memo both read the `SpotcheckSummary` built here.

Accuracy is measured against ground truth (`expected`). Agreement between the two models is
reported apart, because a specialist that copies its teacher's mistakes agrees perfectly and is
still wrong.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Two-sided 95 %: the 0.975 quantile of the standard normal distribution.
Z_95 = 1.959963984540054
OOD_TAG = "ood"
IN_DISTRIBUTION = "in-distribution"
# Below this many graded items the normal approximation behind "n needed" is rough at best.
MIN_ITEMS_FOR_NORMAL_APPROX = 30

ScorerKind = Literal["exact", "one_of", "regex", "json_fields", "number", "human"]
SCORER_KINDS: tuple[ScorerKind, ...] = ("exact", "one_of", "regex", "json_fields", "number", "human")
SCORER_TITLES: dict[ScorerKind, str] = {
    "exact": "Exact match (case and whitespace ignored)",
    "one_of": "One of the labels",
    "regex": "Regular expression",
    "json_fields": "Valid JSON, field by field",
    "number": "Number within a tolerance",
    "human": "Human grade (thumbs up / down)",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScorerSpec(_Frozen):
    """How an output is checked against an item's `expected` value.

    - `exact`: equal after folding case and collapsing whitespace.
    - `one_of`: the output must be one of `labels` (same normalisation) and equal `expected`.
    - `regex`: `pattern` (or, when empty, the item's `expected`) is searched in the output;
      anchor it with `^...$` for a whole-output match.
    - `json_fields`: the output parses as JSON; when `expected` is a JSON object, each of `fields`
      (all of its keys when empty) must match (strings normalised, numbers within `tolerance`).
    - `number`: the first number in the output is within `tolerance` of `expected`
      (absolute, or a fraction of `expected` when `relative`).
    - `human`: a person grades each output up or down; ungraded items count as not graded.
    """

    kind: ScorerKind = "exact"
    labels: tuple[str, ...] = ()
    pattern: str = ""
    tolerance: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    relative: bool = False
    fields: tuple[str, ...] = ()

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        if value:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from exc
        return value

    @model_validator(mode="after")
    def _labels_for_one_of(self) -> ScorerSpec:
        if self.kind == "one_of" and not self.labels:
            raise ValueError("the one_of scorer needs a list of labels")
        return self

    def describe(self) -> str:
        """A short line for tables and the memo, e.g. `one of 5 labels`."""
        if self.kind == "one_of":
            return f"one of {len(self.labels)} labels"
        if self.kind == "regex":
            return f"regex {self.pattern}" if self.pattern else "regex from each item's expected"
        if self.kind == "number":
            unit = " (relative)" if self.relative else ""
            return f"number within ±{self.tolerance:g}{unit}"
        if self.kind == "json_fields":
            return f"JSON fields {', '.join(self.fields)}" if self.fields else "JSON, all expected fields"
        return SCORER_TITLES[self.kind].split(" (")[0].lower()


class ModelPrompt(_Frozen):
    """How one side of the spot-check turns an item's `input` into a request."""

    mode: Literal["chat", "completion"] = "chat"
    system: str | None = None
    # `{input}` is replaced by the item's input (plain replacement: inputs may contain braces).
    template: str = "{input}"
    max_tokens: int = Field(default=64, ge=1, le=8192)
    stop: tuple[str, ...] = ()

    @field_validator("template")
    @classmethod
    def _has_placeholder(cls, value: str) -> str:
        if "{input}" not in value:
            raise ValueError("must contain {input}")
        return value

    def render(self, item_input: str) -> str:
        """The prompt text for one item."""
        return self.template.replace("{input}", item_input)


class PromptTemplate(_Frozen):
    """A test set's prompts and scorer, stored beside it as `<set>.prompt.json`."""

    schema_version: int = Field(default=1, ge=1, le=1)
    task: str = ""
    description: str = ""
    labels: tuple[str, ...] = ()
    scorer: ScorerSpec = ScorerSpec()
    specialist: ModelPrompt = ModelPrompt(mode="completion", template="Input: {input}\nOutput:")
    frontier: ModelPrompt = ModelPrompt()


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class Score:
    """One output's grade: `correct` is None when it cannot be graded (no expected, no human grade)."""

    correct: bool | None
    detail: str = ""


_LABEL_PUNCTUATION = " .,;:!?\"'`*"


def normalise(text: str) -> str:
    """Fold case and collapse runs of whitespace; strip the ends."""
    return " ".join(text.casefold().split())


_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")


def first_number(text: str) -> float | None:
    """The first number written in `text` (thousands commas allowed), or None."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    try:
        return float(match.group(0).replace(",", ""))
    except ValueError:
        return None


def _strip_code_fence(text: str) -> str:
    stripped = text.strip()
    fence = re.fullmatch(r"```[a-zA-Z0-9]*\s*\n?(.*?)\n?```", stripped, flags=re.DOTALL)
    return fence.group(1).strip() if fence else stripped


def _values_match(got: Any, want: Any, spec: ScorerSpec) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return _within(float(got), float(want), spec)
    if isinstance(want, str) and isinstance(got, str):
        return normalise(got) == normalise(want)
    return bool(got == want)


def _within(got: float, want: float, spec: ScorerSpec) -> bool:
    allowed = spec.tolerance * abs(want) if spec.relative else spec.tolerance
    # A tiny absolute slack so 0.1 + 0.2 == 0.3 with tolerance 0.
    return abs(got - want) <= allowed + 1e-12 * max(1.0, abs(want))


def score_output(output: str, expected: str | None, spec: ScorerSpec, human: bool | None = None) -> Score:
    """Grade one model output against the item's `expected` value with the chosen scorer."""
    if spec.kind == "human":
        if human is None:
            return Score(None, "not graded yet")
        return Score(human, "graded up" if human else "graded down")
    if spec.kind == "regex":
        pattern = spec.pattern or expected
        if not pattern:
            return Score(None, "no pattern and no expected value")
        try:
            found = re.search(pattern, output.strip(), flags=re.DOTALL) is not None
        except re.error as exc:
            return Score(None, f"expected is not a valid regular expression ({exc})")
        return Score(found, "pattern found" if found else "pattern not found")
    if spec.kind == "json_fields":
        return _score_json(output, expected, spec)
    if expected is None:
        return Score(None, "no expected value")
    if spec.kind == "exact":
        same = normalise(output) == normalise(expected)
        return Score(same, "match" if same else "differs")
    if spec.kind == "one_of":
        # Frontier models like to answer "Billing." or "`billing`": the label is what counts.
        got = normalise(output).strip(_LABEL_PUNCTUATION)
        labels = {normalise(label) for label in spec.labels}
        if got not in labels:
            return Score(False, f"not one of the labels: {output.strip()[:40]!r}")
        same = got == normalise(expected)
        return Score(same, "match" if same else f"label {got} instead of {normalise(expected)}")
    # number
    want = first_number(expected)
    if want is None:
        return Score(None, f"expected is not a number: {expected!r}")
    got_number = first_number(output)
    if got_number is None:
        return Score(False, "no number in the output")
    ok = _within(got_number, want, spec)
    return Score(ok, f"{got_number:g} vs {want:g}")


def _score_json(output: str, expected: str | None, spec: ScorerSpec) -> Score:
    try:
        got = json.loads(_strip_code_fence(output))
    except json.JSONDecodeError as exc:
        return Score(False, f"not valid JSON ({exc.msg} at column {exc.colno})")
    if expected is None or not expected.strip():
        return Score(True, "valid JSON")
    try:
        want = json.loads(expected)
    except json.JSONDecodeError:
        return Score(None, "expected is not valid JSON")
    if not isinstance(want, dict):
        same = _values_match(got, want, spec)
        return Score(same, "equal" if same else "differs")
    if not isinstance(got, dict):
        return Score(False, "valid JSON but not an object")
    names = spec.fields or tuple(want)
    wrong = [name for name in names if name not in got or not _values_match(got[name], want.get(name), spec)]
    if wrong:
        return Score(False, f"{len(names) - len(wrong)}/{len(names)} fields match; wrong: {', '.join(wrong)}")
    return Score(True, f"{len(names)}/{len(names)} fields match")


def outputs_agree(first: str, second: str, spec: ScorerSpec) -> bool:
    """Whether the two models said the same thing (by the scorer's notion of 'same')."""
    if spec.kind in {"number"}:
        a, b = first_number(first), first_number(second)
        return a is not None and b is not None and _within(a, b, spec)
    if spec.kind == "json_fields":
        try:
            return bool(json.loads(_strip_code_fence(first)) == json.loads(_strip_code_fence(second)))
        except json.JSONDecodeError:
            return normalise(first) == normalise(second)
    if spec.kind == "one_of":
        return normalise(first).strip(_LABEL_PUNCTUATION) == normalise(second).strip(_LABEL_PUNCTUATION)
    return normalise(first) == normalise(second)


# ---------------------------------------------------------------------------------------------
# Statistics


@dataclass(frozen=True)
class Interval:
    """A proportion with its 95 % interval; all None when nothing was graded."""

    successes: int
    total: int
    estimate: float | None
    low: float | None
    high: float | None

    def describe(self) -> str:
        """`82.0 % (95 % CI 73.1–88.4 %, 41/50)` or `n/a (0 graded)`."""
        if self.estimate is None or self.low is None or self.high is None:
            return f"n/a ({self.total} graded)"
        return (
            f"{self.estimate * 100:.1f} % (95 % CI {self.low * 100:.1f}–{self.high * 100:.1f} %, "
            f"{self.successes}/{self.total})"
        )


def wilson_interval(successes: int, total: int, z: float = Z_95) -> Interval:
    """Wilson score interval for `successes` out of `total` (good at small n and near 0 or 1)."""
    if total < 0 or successes < 0 or successes > total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
    if total == 0:
        return Interval(0, 0, None, None, None)
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    # At p == 0 or 1 the bound on that side is exactly 0 or 1; float noise would say 0.9999999999999999.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return Interval(successes, total, p, low, high)


def sample_size_for_margin(accuracy: float, margin: float, z: float = Z_95) -> int:
    """Items needed so the 95 % interval is about ±`margin` around `accuracy`.

    Normal approximation: n = z² · p(1 − p) / margin², rounded up. At p = 0 or 1 it would say 0,
    so p is kept at least one item's worth away from the edges (p(1 − p) ≥ 0.01).
    """
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be between 0 and 1, got {accuracy}")
    if not 0 < margin < 1:
        raise ValueError(f"margin must be between 0 and 1 (exclusive), got {margin}")
    variance = max(accuracy * (1 - accuracy), 0.01)
    return math.ceil(z * z * variance / (margin * margin) - 1e-9)


def margin_for_sample(accuracy: float, total: int, z: float = Z_95) -> float | None:
    """The ± margin (normal approximation) that `total` items give at this accuracy."""
    if total <= 0:
        return None
    return z * math.sqrt(max(accuracy * (1 - accuracy), 0.01) / total)


def _wilson_items_to_clear(accuracy: float, bar: float, total: int, z: float = Z_95) -> int | None:
    """Smallest n > `total` whose 95 % Wilson interval at `accuracy` no longer contains `bar`."""

    def clears(n: int) -> bool:
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (accuracy + z2 / (2 * n)) / denominator
        half = z * math.sqrt(accuracy * (1 - accuracy) / n + z2 / (4 * n * n)) / denominator
        return centre - half >= bar if accuracy > bar else centre + half < bar

    low, high = total, total + 1
    while not clears(high):  # the interval narrows as n grows, so double until it clears
        low, high = high, high * 2
        if high > 10_000_000:
            return None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if clears(middle) else (middle, high)
    return high


@dataclass(frozen=True)
class ClaimCheck:
    """Whether a set supports the claim 'accuracy ≥ bar'; `supported` is None with no data."""

    supported: bool | None
    message: str
    items_needed: int | None = None


def check_claim(interval: Interval, bar: float, who: str = "the model") -> ClaimCheck:
    """Does the interval support (or refute) `accuracy ≥ bar`? Warns when the set is too small to say.

    Supported when the whole interval lies at or above the bar, refuted when it lies below, too
    small otherwise; then the items needed to settle it at the observed accuracy are given
    (margin = distance from the observed accuracy to the bar).
    """
    if interval.estimate is None or interval.low is None or interval.high is None:
        return ClaimCheck(
            None, f"No graded items for {who}: nothing supports a claim about the {bar:.0%} bar."
        )
    p, low, high = interval.estimate, interval.low, interval.high
    if low >= bar:
        return ClaimCheck(
            True, f"{who}: the whole 95 % interval ({low:.1%}–{high:.1%}) is at or above {bar:.0%}."
        )
    if high < bar:
        return ClaimCheck(
            False, f"{who}: the whole 95 % interval ({low:.1%}–{high:.1%}) is below the {bar:.0%} bar."
        )
    gap = abs(p - bar)
    needed = sample_size_for_margin(p, gap) if gap >= 0.001 else None
    method = "normal approximation"
    if needed is not None and (needed <= interval.total or p * (1 - p) < 0.01):
        # Near 0 % or 100 % the normal approximation undercounts (at 10/10 it says 4 items while
        # 10 already straddle the bar); ask the Wilson interval itself how many items it takes.
        needed = _wilson_items_to_clear(p, bar, interval.total)
        method = "Wilson interval"
    more = (
        f" About {needed} items would settle it at {p:.1%} ({method})."
        if needed is not None
        else " The observed accuracy sits on the bar; no practical set size settles it."
    )
    return ClaimCheck(
        None,
        f"Too few items: {interval.total} graded items give {low:.1%}–{high:.1%} for {who}, "
        f"which straddles the {bar:.0%} bar.{more}",
        needed,
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between order statistics (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


# ---------------------------------------------------------------------------------------------
# Test items, per-item results and the summary


@dataclass(frozen=True)
class TestItem:
    """One row of a test set."""

    __test__ = False  # not a pytest class, whatever its name

    item_id: str
    input: str
    expected: str | None = None
    reference_output: str | None = None  # a recorded frontier answer, for offline reviews
    tags: tuple[str, ...] = ()
    line: int = 0  # where it came from, for messages

    @property
    def is_ood(self) -> bool:
        return OOD_TAG in self.tags


@dataclass(frozen=True)
class TestSet:
    """A loaded test set: its items in file order, where it came from and its fingerprint."""

    __test__ = False

    name: str
    path: Path
    items: tuple[TestItem, ...]
    fingerprint: str  # sha256 of the file's bytes: a results file is resumed only against the same set

    @property
    def ood_count(self) -> int:
        return sum(1 for item in self.items if item.is_ood)

    def limited(self, limit: int | None) -> TestSet:
        """The first `limit` items (all of them when None)."""
        if limit is None:
            return self
        return TestSet(self.name, self.path, self.items[:limit], self.fingerprint)


@dataclass(frozen=True)
class SideResult:
    """One model's answer to one item, as stored in the results file."""

    output: str
    correct: bool | None
    detail: str = ""
    latency_s: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_estimated: bool = False
    error: str | None = None
    source: Literal["live", "recorded", "none"] = "live"

    def to_json(self) -> dict[str, Any]:
        """A plain dict for the JSONL results file."""
        return {
            "output": self.output,
            "correct": self.correct,
            "detail": self.detail,
            "latency_s": self.latency_s,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "tokens_estimated": self.tokens_estimated,
            "error": self.error,
            "source": self.source,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> SideResult:
        """Inverse of `to_json` (raises KeyError/TypeError/ValueError on malformed data)."""
        source = data.get("source", "live")
        if source not in ("live", "recorded", "none"):
            raise ValueError(f"unknown source {source!r}")
        return SideResult(
            output=str(data["output"]),
            correct=_optional_bool(data.get("correct")),
            detail=str(data.get("detail", "")),
            latency_s=_optional_float(data.get("latency_s")),
            input_tokens=_optional_int(data.get("input_tokens")),
            output_tokens=_optional_int(data.get("output_tokens")),
            tokens_estimated=bool(data.get("tokens_estimated", False)),
            error=None if data.get("error") is None else str(data["error"]),
            source=source,
        )


def _optional_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"expected true, false or null, got {value!r}")


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


@dataclass(frozen=True)
class ItemResult:
    """Both models' answers to one test item."""

    item_id: str
    input: str
    expected: str | None
    tags: tuple[str, ...]
    specialist: SideResult
    frontier: SideResult
    agree: bool | None  # None when either side has no output

    @property
    def is_ood(self) -> bool:
        return OOD_TAG in self.tags

    @property
    def disagreement(self) -> bool:
        return self.agree is False

    @property
    def failure(self) -> bool:
        """Either model got it wrong or errored."""
        return (
            self.specialist.correct is False
            or self.frontier.correct is False
            or self.specialist.error is not None
            or self.frontier.error is not None
        )

    def to_json(self) -> dict[str, Any]:
        """A plain dict for one line of the JSONL results file."""
        return {
            "type": "item",
            "id": self.item_id,
            "input": self.input,
            "expected": self.expected,
            "tags": list(self.tags),
            "specialist": self.specialist.to_json(),
            "frontier": self.frontier.to_json(),
            "agree": self.agree,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> ItemResult:
        """Inverse of `to_json`."""
        tags = data.get("tags") or []
        if not isinstance(tags, list):
            raise ValueError("tags must be a list")
        expected = data.get("expected")
        return ItemResult(
            item_id=str(data["id"]),
            input=str(data["input"]),
            expected=None if expected is None else str(expected),
            tags=tuple(str(tag) for tag in tags),
            specialist=SideResult.from_json(data["specialist"]),
            frontier=SideResult.from_json(data["frontier"]),
            agree=_optional_bool(data.get("agree")),
        )

    def with_human_grade(self, side: Literal["specialist", "frontier"], grade: bool | None) -> ItemResult:
        """A copy with one side's human grade set (None clears it)."""
        old = self.specialist if side == "specialist" else self.frontier
        detail = "not graded yet" if grade is None else ("graded up" if grade else "graded down")
        new = SideResult(**{**old.__dict__, "correct": grade, "detail": detail})
        if side == "specialist":
            return ItemResult(**{**self.__dict__, "specialist": new})
        return ItemResult(**{**self.__dict__, "frontier": new})


@dataclass(frozen=True)
class Prices:
    """USD per million tokens for each side (from the scenario's `small` and `large` models)."""

    specialist_input: float
    specialist_output: float
    frontier_input: float
    frontier_output: float


@dataclass(frozen=True)
class ModelSummary:
    """One model over the set: accuracy against ground truth, speed and cost."""

    name: str
    accuracy: Interval
    errors: int
    latency_p50_s: float | None
    latency_p95_s: float | None
    cost_per_item: float | None  # USD; None without prices or token counts
    cost_per_million_items: float | None
    tokens_estimated: bool  # True when some token counts were estimated (recorded answers, no usage)
    source: str  # "live", "recorded" (reference outputs from the set) or "mixed"


@dataclass(frozen=True)
class TagSummary:
    """Accuracy of both models over the items carrying one tag (or none: in-distribution)."""

    tag: str
    items: int
    specialist: Interval
    frontier: Interval


@dataclass(frozen=True)
class SpotcheckSummary:
    """Everything the window strip, the CLI and the memo's spot-check section show.

    `agreement` is how often the two models gave the same answer; it is NOT correctness (a
    specialist distilled from the frontier model agrees with its mistakes too).
    """

    set_name: str
    run_date: str  # ISO date of the run
    scorer: str  # ScorerSpec.describe()
    items: int  # items with results
    set_items: int  # items in the set (after --limit)
    specialist: ModelSummary
    frontier: ModelSummary
    agreement: Interval
    by_tag: tuple[TagSummary, ...]  # in-distribution first, then ood, then other tags A–Z
    warnings: tuple[str, ...] = ()
    complete: bool = True

    @property
    def measured_from(self) -> str:
        """The provenance line written into the scenario: `spot-check support_triage 2026-11-23`."""
        return f"spot-check {self.set_name} {self.run_date}"

    def tag(self, name: str) -> TagSummary | None:
        """The breakdown for one tag (use `IN_DISTRIBUTION` or `OOD_TAG`), or None."""
        return next((entry for entry in self.by_tag if entry.tag == name), None)

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-able dict (the results file's summary line, `spotcheck --json`)."""
        return {"type": "summary", **_plain(self)}


def _plain(value: Any) -> Any:
    if isinstance(value, (SpotcheckSummary, ModelSummary, TagSummary, Interval)):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, (tuple, list)):
        return [_plain(entry) for entry in value]
    return value


def _interval_from(data: dict[str, Any]) -> Interval:
    return wilson_interval(int(data["successes"]), int(data["total"]))


def _model_from(data: dict[str, Any]) -> ModelSummary:
    return ModelSummary(
        name=str(data["name"]),
        accuracy=_interval_from(data["accuracy"]),
        errors=int(data["errors"]),
        latency_p50_s=_optional_float(data.get("latency_p50_s")),
        latency_p95_s=_optional_float(data.get("latency_p95_s")),
        cost_per_item=_optional_float(data.get("cost_per_item")),
        cost_per_million_items=_optional_float(data.get("cost_per_million_items")),
        tokens_estimated=bool(data.get("tokens_estimated", False)),
        source=str(data.get("source", "live")),
    )


def summary_from_json(data: dict[str, Any]) -> SpotcheckSummary:
    """Rebuild a summary from `SpotcheckSummary.to_json()` output (intervals recomputed from counts)."""
    return SpotcheckSummary(
        set_name=str(data["set_name"]),
        run_date=str(data["run_date"]),
        scorer=str(data["scorer"]),
        items=int(data["items"]),
        set_items=int(data["set_items"]),
        specialist=_model_from(data["specialist"]),
        frontier=_model_from(data["frontier"]),
        agreement=_interval_from(data["agreement"]),
        by_tag=tuple(
            TagSummary(
                tag=str(entry["tag"]),
                items=int(entry["items"]),
                specialist=_interval_from(entry["specialist"]),
                frontier=_interval_from(entry["frontier"]),
            )
            for entry in data["by_tag"]
        ),
        warnings=tuple(str(line) for line in data.get("warnings", [])),
        complete=bool(data.get("complete", True)),
    )


def _accuracy(sides: Iterable[SideResult]) -> Interval:
    graded = [side.correct for side in sides if side.correct is not None]
    return wilson_interval(sum(1 for ok in graded if ok), len(graded))


def _cost(side: SideResult, input_price: float, output_price: float) -> float | None:
    if side.input_tokens is None or side.output_tokens is None:
        return None
    return (side.input_tokens * input_price + side.output_tokens * output_price) / 1e6


def _model_summary(
    name: str, sides: Sequence[SideResult], prices: tuple[float, float] | None
) -> ModelSummary:
    latencies = [side.latency_s for side in sides if side.latency_s is not None and side.error is None]
    costs: list[float] = []
    if prices is not None:
        costs = [c for side in sides if side.error is None and (c := _cost(side, *prices)) is not None]
    cost_per_item = sum(costs) / len(costs) if costs else None
    sources = {side.source for side in sides if side.source != "none"}
    return ModelSummary(
        name=name,
        accuracy=_accuracy(sides),
        errors=sum(1 for side in sides if side.error is not None),
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95),
        cost_per_item=cost_per_item,
        cost_per_million_items=None if cost_per_item is None else cost_per_item * 1e6,
        tokens_estimated=any(side.tokens_estimated for side in sides),
        source=sources.pop() if len(sources) == 1 else ("mixed" if sources else "none"),
    )


def summarize_results(
    results: Sequence[ItemResult],
    *,
    set_name: str,
    run_date: str,
    scorer: ScorerSpec,
    specialist_name: str,
    frontier_name: str,
    prices: Prices | None = None,
    set_items: int | None = None,
    quality_bar: float | None = None,
) -> SpotcheckSummary:
    """Accuracy with Wilson intervals, agreement, per-tag breakdown, latency and cost over `results`."""
    specialist = _model_summary(
        specialist_name,
        [r.specialist for r in results],
        None if prices is None else (prices.specialist_input, prices.specialist_output),
    )
    frontier = _model_summary(
        frontier_name,
        [r.frontier for r in results],
        None if prices is None else (prices.frontier_input, prices.frontier_output),
    )
    compared = [r.agree for r in results if r.agree is not None]
    agreement = wilson_interval(sum(1 for same in compared if same), len(compared))

    groups: dict[str, list[ItemResult]] = {IN_DISTRIBUTION: [], OOD_TAG: []}
    for result in results:
        groups[OOD_TAG if result.is_ood else IN_DISTRIBUTION].append(result)
        for tag in result.tags:
            if tag != OOD_TAG:
                groups.setdefault(tag, []).append(result)
    order = [
        IN_DISTRIBUTION,
        OOD_TAG,
        *sorted(name for name in groups if name not in (IN_DISTRIBUTION, OOD_TAG)),
    ]
    by_tag = tuple(
        TagSummary(
            tag=name,
            items=len(groups[name]),
            specialist=_accuracy(r.specialist for r in groups[name]),
            frontier=_accuracy(r.frontier for r in groups[name]),
        )
        for name in order
        if groups[name] or name == IN_DISTRIBUTION
    )
    total = len(results) if set_items is None else set_items
    warnings = _warnings(specialist, frontier, by_tag, quality_bar)
    return SpotcheckSummary(
        set_name=set_name,
        run_date=run_date,
        scorer=scorer.describe(),
        items=len(results),
        set_items=total,
        specialist=specialist,
        frontier=frontier,
        agreement=agreement,
        by_tag=by_tag,
        warnings=tuple(warnings),
        complete=len(results) >= total,
    )


def _warnings(
    specialist: ModelSummary, frontier: ModelSummary, by_tag: Sequence[TagSummary], bar: float | None
) -> list[str]:
    lines: list[str] = []
    for model in (specialist, frontier):
        graded = model.accuracy.total
        low, high = model.accuracy.low, model.accuracy.high
        claim = check_claim(model.accuracy, bar, model.name) if bar is not None else None
        straddles = claim is not None and claim.supported is None and graded > 0
        # When the interval straddles the bar, the "too few items" line below says all this and more.
        if (
            0 < graded < MIN_ITEMS_FOR_NORMAL_APPROX
            and low is not None
            and high is not None
            and not straddles
        ):
            # Quote the interval flat ("59.6%–98.2%"), the way the claim check below does; the
            # full describe() text nested a parenthesis inside this sentence's own.
            lines.append(
                f"{model.name}: only {graded} graded items; the 95 % interval is wide "
                f"({low:.1%}–{high:.1%}) and supports no fine distinction."
            )
        if claim is not None and straddles:
            lines.append(claim.message)
    ood = next((entry for entry in by_tag if entry.tag == OOD_TAG), None)
    if ood is None or ood.items == 0:
        lines.append("No out-of-distribution (ood) items: the set says nothing about odd inputs.")
    elif ood.items < 15:
        lines.append(f"Only {ood.items} ood items: the out-of-distribution accuracy is a rough indication.")
    return lines
