"""What makes a label usable: the answer set of a classification task, as llama.cpp will see it.

Labels become a GBNF grammar that constrains the local model's answer. llama.cpp reads the grammar
as a C string, so a NUL cuts it short, and other control characters or unpaired surrogates make a
grammar it cannot parse; either used to crash the model process. Labels are checked where they
enter (the playground's field, a spot-check template, `--labels`) and again before a grammar is
built, and a problem is one line naming the label.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_LABELS = 200
MAX_LABEL_CHARS = 200


def _char_name(char: str) -> str:
    names = {"\x00": "NUL", "\t": "a tab", "\n": "a line break", "\r": "a carriage return"}
    return names.get(char, f"U+{ord(char):04X}")


def label_problem(label: str) -> str | None:
    """Why `label` cannot be used as a label, or None."""
    if not label.strip():
        return "is empty"
    if label != label.strip():
        return "starts or ends with a space"
    if len(label) > MAX_LABEL_CHARS:
        return f"is {len(label)} characters long (at most {MAX_LABEL_CHARS})"
    for char in label:
        category = unicodedata.category(char)
        if category == "Cs":
            return f"contains an unpaired surrogate ({_char_name(char)}), which is not text"
        if category in ("Cc", "Cn") or char in "\u2028\u2029":
            return f"contains a control character ({_char_name(char)})"
    return None


def check_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """The labels when all are usable and distinct; else `ValueError` naming the first problem."""
    checked = tuple(labels)
    if not checked:
        raise ValueError("the label list is empty")
    if len(checked) > MAX_LABELS:
        raise ValueError(f"{len(checked)} labels; at most {MAX_LABELS} are supported")
    seen: set[str] = set()
    for number, label in enumerate(checked, start=1):
        problem = label_problem(label)
        if problem is not None:
            shown = label.encode("unicode_escape").decode("ascii")
            raise ValueError(f'label {number} ("{shown}") {problem}')
        if label in seen:
            raise ValueError(f'label {number} ("{label}") repeats an earlier label')
        seen.add(label)
    return checked


__all__ = ["MAX_LABELS", "MAX_LABEL_CHARS", "check_labels", "label_problem"]
