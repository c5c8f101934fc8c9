"""Token log-probabilities: both wire formats, the answer's confidence, and the app's own server."""

from __future__ import annotations

import math

import pytest

from app.inference.local_generator import LocalSpecialist
from app.inference.local_server import LocalModelServer
from app.inference.logprobs import (
    TOP_LOGPROBS,
    answer_confidence,
    label_confidence,
    mean_token_confidence,
    parse_logprobs,
)
from app.inference.types import GenerationRequest, TokenLogprob

LABELS = ("billing", "shipping", "technical")


def test_completion_format() -> None:
    data = {
        "tokens": [" bill", "ing"],
        "token_logprobs": [-0.5, -0.1],
        "top_logprobs": [{" bill": -0.5, " ship": -1.5}, {"ing": -0.1}],
    }
    tokens = parse_logprobs(False, data)
    assert tokens == [
        TokenLogprob(" bill", -0.5, ((" bill", -0.5), (" ship", -1.5))),
        TokenLogprob("ing", -0.1, (("ing", -0.1),)),
    ]


def test_chat_format_and_junk() -> None:
    data = {
        "content": [
            {"token": "yes", "logprob": -0.2, "top_logprobs": [{"token": "yes", "logprob": -0.2}]},
            {"token": "odd", "logprob": None},  # skipped, not a crash
        ]
    }
    assert parse_logprobs(True, data) == [TokenLogprob("yes", -0.2, (("yes", -0.2),))]
    assert parse_logprobs(True, None) == []
    assert parse_logprobs(False, {"tokens": ["x"], "token_logprobs": [True]}) == []


def test_label_confidence_is_the_chosen_labels_share_among_the_labels() -> None:
    # first token: " billing" p = e^-0.5, " shipping" e^-1.5, " payment" (no label) e^-1.0,
    # " tech" starts "technical": e^-3. Share of billing = e^-0.5 / (e^-0.5 + e^-1.5 + e^-3).
    first = TokenLogprob(
        " billing", -0.5, ((" billing", -0.5), (" shipping", -1.5), (" payment", -1.0), (" tech", -3.0))
    )
    expected = math.exp(-0.5) / (math.exp(-0.5) + math.exp(-1.5) + math.exp(-3.0))
    assert label_confidence([first], LABELS, " Billing.") == pytest.approx(expected)
    assert label_confidence([first], LABELS, "refund") is None  # not a label: no label confidence


def test_mean_token_confidence_is_the_geometric_mean() -> None:
    tokens = [TokenLogprob("a", math.log(0.5)), TokenLogprob("b", math.log(0.125))]
    # exp((ln 0.5 + ln 0.125)/2) = √(0.0625) = 0.25
    assert mean_token_confidence(tokens) == pytest.approx(0.25)
    assert answer_confidence(tokens, None, "ab") == pytest.approx(0.25)
    assert answer_confidence(None, LABELS, "billing") is None


@pytest.mark.slow
def test_the_local_server_sends_log_probabilities(local_model_server: LocalModelServer) -> None:
    specialist = LocalSpecialist(local_model_server)
    prompt = (
        "Message: I was charged twice\nCategory: billing\n\nMessage: my parcel is late\n"
        "Category: shipping\n\nMessage: the app crashes on start\nCategory:"
    )
    try:
        labelled = specialist.generate(
            GenerationRequest(prompt, mode="completion", labels=LABELS, max_tokens=4, logprobs=TOP_LOGPROBS)
        )
        plain = specialist.generate(
            GenerationRequest("The sky is", mode="completion", max_tokens=5, logprobs=5)
        )
        silent = specialist.generate(GenerationRequest("The sky is", mode="completion", max_tokens=2))
    finally:
        specialist.close()
    assert labelled.ok and plain.ok, (labelled.error, plain.error)
    assert labelled.logprobs and plain.logprobs
    assert silent.logprobs is None  # nothing asked, nothing sent
    for token in (*labelled.logprobs, *plain.logprobs):
        assert token.logprob <= 0
        assert dict(token.top)[token.token] == token.logprob  # the chosen token is among its alternatives
        assert sum(math.exp(value) for _, value in token.top) <= 1 + 1e-6  # a distribution's part
    assert "".join(token.token for token in plain.logprobs) == plain.text
    confidence = answer_confidence(labelled.logprobs, LABELS, labelled.text)
    assert confidence is not None and 0 < confidence <= 1
