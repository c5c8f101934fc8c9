"""Labels llama.cpp can take: control characters, NUL, surrogates, blanks and repeats are named."""

from __future__ import annotations

import pytest

from app.domain.labels import MAX_LABEL_CHARS, check_labels, label_problem


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("neg\x00ative", "contains a control character (NUL)"),
        ("a\x07b", "contains a control character (U+0007)"),
        ("two\nlines", "contains a control character (a line break)"),
        ("bad\ud800", "contains an unpaired surrogate (U+D800), which is not text"),
        ("   ", "is empty"),
        (" padded", "starts or ends with a space"),
        ("x" * (MAX_LABEL_CHARS + 1), f"is {MAX_LABEL_CHARS + 1} characters long"),
    ],
)
def test_unusable_labels_are_named(label: str, problem: str) -> None:
    assert problem in (label_problem(label) or "")


def test_good_labels_pass_and_repeats_do_not() -> None:
    assert check_labels(["billing", "café", "日本語", 'say "hi"']) == (
        "billing",
        "café",
        "日本語",
        'say "hi"',
    )
    with pytest.raises(ValueError, match=r'label 3 \("billing"\) repeats an earlier label'):
        check_labels(["billing", "other", "billing"])
    with pytest.raises(ValueError) as caught:
        check_labels(["positive", "neg\x00ative"])
    assert str(caught.value) == 'label 2 ("neg\\x00ative") contains a control character (NUL)'
    with pytest.raises(ValueError, match="the label list is empty"):
        check_labels([])
