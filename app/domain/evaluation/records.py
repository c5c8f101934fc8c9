"""Test items, test sets and per-item results as stored in the JSONL results file.

Plain data (no I/O): the loader lives in `app.storage.testsets`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

OOD_TAG = "ood"
IN_DISTRIBUTION = "in-distribution"
# `--limit` samples with this seed unless told otherwise, so two runs of the same command agree.
DEFAULT_SAMPLE_SEED = 0


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

    def limited(self, limit: int | None, seed: int = DEFAULT_SAMPLE_SEED) -> TestSet:
        """A seeded sample of `limit` items, stratified (all of them when None or ≥ the set).

        Never the first N: sets are often sorted (the demo set keeps its ood items at the end),
        so a prefix silently drops whole kinds of input. Items are grouped by ood-or-not and by
        expected answer; each group gets its share of `limit` (largest remainders first, every
        group at least one item while there is room), picked at random with `seed`, and the
        sample keeps file order.
        """
        if limit is None or limit >= len(self.items):
            return self
        picked = stratified_sample(self.items, limit, seed)
        return TestSet(self.name, self.path, picked, self.fingerprint)


def _allocate(sizes: dict[Any, int], limit: int) -> dict[Any, int]:
    """Split `limit` over groups in proportion to their sizes: floors first, then the largest
    remainders; every group gets at least one while `limit` allows it."""
    keys = sorted(sizes)
    total = sum(sizes.values())
    shares = {key: sizes[key] * limit / total for key in keys}
    counts = {key: min(sizes[key], int(shares[key])) for key in keys}
    if limit >= len(keys):
        counts = {key: max(count, 1) for key, count in counts.items()}
    order = sorted(keys, key=lambda key: (-(shares[key] - int(shares[key])), key))
    while sum(counts.values()) < limit and any(counts[key] < sizes[key] for key in keys):
        for key in order:
            if sum(counts.values()) < limit and counts[key] < sizes[key]:
                counts[key] += 1
    while sum(counts.values()) > limit:  # the at-least-one rule overshot: trim the largest group
        largest = max(keys, key=lambda key: (counts[key], key))
        counts[largest] -= 1
    return counts


def stratified_sample(
    items: Sequence[TestItem], limit: int, seed: int = DEFAULT_SAMPLE_SEED
) -> tuple[TestItem, ...]:
    """`limit` items drawn at random with `seed`: first split between ood and the rest in
    proportion, then within each by expected answer; returned in their original order."""
    if limit <= 0:
        return ()
    rng = random.Random(seed)
    outer: dict[bool, list[int]] = {}
    for index, item in enumerate(items):
        outer.setdefault(item.is_ood, []).append(index)
    chosen: list[int] = []
    for ood, count in _allocate({key: len(group) for key, group in outer.items()}, limit).items():
        inner: dict[str, list[int]] = {}
        for index in outer[ood]:
            inner.setdefault(items[index].expected or "", []).append(index)
        for label, picks in _allocate({key: len(group) for key, group in inner.items()}, count).items():
            chosen.extend(rng.sample(inner[label], picks))
    return tuple(items[index] for index in sorted(chosen))


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
    # How sure the model was of this answer, 0–1: for label tasks the probability of the chosen
    # label among the allowed ones, otherwise the geometric mean of the tokens' probabilities
    # (exp of the mean token log-probability). None when the server sent no log-probabilities.
    confidence: float | None = None

    @property
    def counted_correct(self) -> bool | None:
        """The grade that counts: an answer that errored or timed out is wrong, not left out.

        Leaving failures out would flatter a model that times out on exactly the hard items.
        None only when nothing was asked (no model) or nobody has graded the answer yet.
        """
        if self.source == "none":
            return None
        if self.error is not None:
            return False
        return self.correct

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
            "confidence": self.confidence,
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
            confidence=_optional_probability(data.get("confidence")),
        )


def tags_from_json(data: dict[str, Any]) -> tuple[str, ...]:
    """An item's `tags` as stored in a JSON line: a list of strings, absent or null for none."""
    tags = data.get("tags") or []
    if not isinstance(tags, list):
        raise ValueError("tags must be a list")
    return tuple(str(tag) for tag in tags)


def optional_text(value: Any) -> str | None:
    """A JSON value read as text, null kept as None (an answer not given, no expected label)."""
    return None if value is None else str(value)


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


def _optional_probability(value: Any) -> float | None:
    number = _optional_float(value)
    if number is not None and not 0.0 <= number <= 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {number!r}")
    return number


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
        return ItemResult(
            item_id=str(data["id"]),
            input=str(data["input"]),
            expected=optional_text(data.get("expected")),
            tags=tags_from_json(data),
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
