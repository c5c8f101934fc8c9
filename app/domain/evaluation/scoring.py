"""Scorers: how one model output is graded against an item's `expected` value, and prompt templates.

Pure functions and plain data (no I/O).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
