"""Training sets out of a reviewed distillation run: dedupe, a held-out test slice, a stratified split,
and the four file formats people fine-tune with. Pure (no I/O); `app.storage.distill_files` writes.

Formats (one JSON object per line):
- `openai-chat`: `{"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...]}`,
  OpenAI's chat fine-tuning format.
- `hf-chat`: `{"conversations": [{"role": ..., "content": ...}, ...]}`, the role/content list that
  Hugging Face tokenizers' `apply_chat_template` takes (Kiln and Unsloth read this key).
- `alpaca`: `{"instruction": str, "input": str, "output": str}`.
- `sharegpt`: `{"conversations": [{"from": "system"|"human"|"gpt", "value": str}, ...]}`.

The test slice is written as a spot-check set (`id`, `input`, `expected`), never enters train or
validation, and is drawn first from items a person reviewed in the random sample: those answers are
verified, and the sample is random, so a later spot-check on them is honest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.distill import LabelledItem

ExportFormat = Literal["openai-chat", "hf-chat", "alpaca", "sharegpt"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("openai-chat", "hf-chat", "alpaca", "sharegpt")
DEFAULT_SPLIT = 0.9
DEFAULT_TEST_SHARE = 0.1
DEFAULT_SEED = 13


@dataclass(frozen=True)
class Example:
    """One training example: an input and the answer that goes into training."""

    item_id: str
    input: str
    output: str
    verified: bool  # a person accepted or corrected it
    sampled: bool  # it was in the random review sample


@dataclass(frozen=True)
class SplitResult:
    """The three slices plus what was dropped on the way."""

    train: tuple[Example, ...]
    validation: tuple[Example, ...]
    test: tuple[Example, ...]
    duplicates_removed: int
    conflicting_duplicates: int  # inputs that came with different answers (a verified one was kept)
    unusable: int  # no answer to train on (teacher failed or answered out of form, not corrected)


def examples_from(items: Sequence[LabelledItem]) -> tuple[list[Example], int]:
    """(examples, unusable count): every item with a final answer, in file order."""
    examples: list[Example] = []
    unusable = 0
    for item in items:
        answer = item.final_answer
        if answer is None or not answer.strip():
            unusable += 1
            continue
        examples.append(Example(item.item_id, item.input, answer, item.reviewed, item.queue == "sample"))
    return examples, unusable


def dedupe(examples: Sequence[Example]) -> tuple[list[Example], int, int]:
    """Drop exact duplicate inputs; (kept, removed, conflicting).

    A verified example wins over an unverified one with the same input; otherwise the first one
    in the file. `conflicting` counts inputs that came with more than one different answer.
    """
    chosen: dict[str, Example] = {}
    answers: dict[str, set[str]] = {}
    order: list[str] = []
    removed = 0
    for example in examples:
        answers.setdefault(example.input, set()).add(example.output)
        kept = chosen.get(example.input)
        if kept is None:
            chosen[example.input] = example
            order.append(example.input)
            continue
        removed += 1
        if example.verified and not kept.verified:
            chosen[example.input] = example
    conflicting = sum(1 for outputs in answers.values() if len(outputs) > 1)
    return [chosen[key] for key in order], removed, conflicting


def _rounded_counts(total: int, share: float) -> int:
    return min(total, max(0, round(total * share)))


@dataclass(frozen=True)
class SplitPlan:
    """How a training set is split: shares, seed, and whether each label is split on its own.

    `test_share` goes to the held-out test slice first, then `train_share` of the rest to train
    and the remainder to validation. Checked on creation, so a plan that exists can be used.
    """

    train_share: float = DEFAULT_SPLIT
    test_share: float = DEFAULT_TEST_SHARE
    seed: int = DEFAULT_SEED
    stratify: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.train_share <= 1:
            raise ValueError(f"the train share must be above 0 and at most 1, got {self.train_share}")
        if not 0 <= self.test_share < 1:
            raise ValueError(f"the test share must be at least 0 and below 1, got {self.test_share}")


def stratified_split(
    examples: Sequence[Example], plan: SplitPlan = SplitPlan()
) -> tuple[list[Example], list[Example], list[Example]]:
    """(train, validation, test), each label group split in the same proportions.

    From each group (by answer when `plan.stratify`, else one group) the test share goes to the
    test slice first, preferring verified random-sample items, then the train share of the rest to
    train and the remainder to validation. A group of one item goes to train. Same inputs and
    plan, same split.
    """
    train_share, test_share = plan.train_share, plan.test_share
    rng = random.Random(plan.seed)
    groups: dict[str, list[Example]] = {}
    for example in examples:
        groups.setdefault(example.output if plan.stratify else "", []).append(example)
    train: list[Example] = []
    validation: list[Example] = []
    test: list[Example] = []
    for key in sorted(groups):
        group = list(groups[key])
        rng.shuffle(group)
        # Verified random-sample items first: the test slice takes from the front.
        group.sort(key=lambda example: not (example.verified and example.sampled))
        n_test = _rounded_counts(len(group), test_share) if len(group) > 1 else 0
        test.extend(group[:n_test])
        rest = group[n_test:]
        rng.shuffle(rest)
        n_train = max(1, _rounded_counts(len(rest), train_share)) if rest else 0
        train.extend(rest[:n_train])
        validation.extend(rest[n_train:])
    return train, validation, test


def prepare_split(items: Sequence[LabelledItem], plan: SplitPlan = SplitPlan()) -> SplitResult:
    """Examples from the reviewed items, duplicates removed, split three ways by `plan`."""
    examples, unusable = examples_from(items)
    unique, removed, conflicting = dedupe(examples)
    train, validation, test = stratified_split(unique, plan)
    return SplitResult(tuple(train), tuple(validation), tuple(test), removed, conflicting, unusable)


def format_example(example: Example, export_format: ExportFormat, system: str | None) -> dict[str, Any]:
    """One line of the chosen training format."""
    if export_format == "openai-chat" or export_format == "hf-chat":
        messages = [{"role": "system", "content": system}] if system else []
        messages += [
            {"role": "user", "content": example.input},
            {"role": "assistant", "content": example.output},
        ]
        return {"messages" if export_format == "openai-chat" else "conversations": messages}
    if export_format == "alpaca":
        return {"instruction": system or "", "input": example.input, "output": example.output}
    if export_format == "sharegpt":
        turns = [{"from": "system", "value": system}] if system else []
        turns += [{"from": "human", "value": example.input}, {"from": "gpt", "value": example.output}]
        return {"conversations": turns}
    raise ValueError(f"unknown export format {export_format!r}; use one of {', '.join(EXPORT_FORMATS)}")


def test_set_row(example: Example) -> dict[str, Any]:
    """One line of the held-out test slice, readable by `specialist-studio spotcheck`."""
    row: dict[str, Any] = {"id": example.item_id, "input": example.input, "expected": example.output}
    if example.verified:
        row["tags"] = ["verified"]
    return row


# pytest would otherwise try to collect the function above as a test (its name starts with test_).
test_set_row.__test__ = False  # type: ignore[attr-defined]


def readme_text(
    split: SplitResult,
    *,
    export_format: ExportFormat,
    source: str,
    teacher: str,
    created: str,
    seed: int,
    train_share: float,
    test_share: float,
    system: str | None,
) -> str:
    """The short README.txt beside the exported files: counts, labels, source, date."""
    slices = (("train", split.train), ("validation", split.validation), ("test", split.test))
    labels: dict[str, int] = {}
    for _, part in slices:
        for example in part:
            labels[example.output] = labels.get(example.output, 0) + 1
    is_label_task = len(labels) <= 50 and all(len(label) <= 60 for label in labels)
    lines = [
        "Training set exported by Specialist Studio (distillation)",
        "",
        f"Date: {created}",
        f"Source: {source}",
        f"Teacher: {teacher}",
        f"Format: {export_format} (train.jsonl, validation.jsonl); test.jsonl is a spot-check set",
        f"Split: test {test_share:g} of each label first, then train {train_share:g} / validation "
        f"{1 - train_share:.4g} of the rest, seed {seed}",
        "",
        "Counts:",
    ]
    for name, part in slices:
        verified = sum(1 for example in part if example.verified)
        lines.append(f"  {name:<11} {len(part):>6} examples ({verified} reviewed by a person)")
    lines.append(
        f"  duplicates removed: {split.duplicates_removed} "
        f"({split.conflicting_duplicates} inputs came with different answers)"
    )
    lines.append(f"  left out, no usable answer: {split.unusable}")
    if is_label_task:
        lines += ["", "Labels (all slices):"]
        lines += [f"  {label}: {count}" for label, count in sorted(labels.items())]
    if system:
        lines += ["", "System prompt used in the training files:", f"  {system}"]
    lines += [
        "",
        "The test slice never enters train or validation. Run it with",
        "  specialist-studio spotcheck test.jsonl",
        "to measure a student trained on train.jsonl. Unreviewed answers are the teacher's: a student",
        "learns its mistakes, and a test answer nobody reviewed measures agreement with the teacher,",
        "not correctness (the 'verified' tag marks the reviewed ones).",
    ]
    return "\n".join(lines) + "\n"
