"""Token log-probabilities from OpenAI-compatible responses, and an answer's confidence from them.

Both wire formats are read: completions send `{"tokens", "token_logprobs", "top_logprobs"}`
(alternatives as a token → log-probability map), chat completions send `{"content": [{"token",
"logprob", "top_logprobs": [{"token", "logprob"}]}]}`. Streams send them piece by piece; the
caller concatenates.

Confidence (0–1) of one answer:
- label tasks: the probability of the chosen label among the allowed labels, read from the
  distribution over the answer's first token (each label's mass is the probability of the
  alternatives that start it). Labels outside the alternatives sent count as zero, so with few
  alternatives the confidence leans high; the app's own server sends 20.
- other tasks: the geometric mean of the tokens' probabilities, exp(mean log-probability).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from app.inference.types import TokenLogprob

# Alternatives asked for per token: enough to hold every label of a label task in practice.
TOP_LOGPROBS = 20


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def parse_logprobs(chat: bool, data: Any) -> list[TokenLogprob]:
    """The tokens in one `logprobs` object (a dict, or an SDK model with `model_dump`)."""
    if data is None:
        return []
    if hasattr(data, "model_dump"):
        data = data.model_dump()
    if not isinstance(data, dict):
        return []
    tokens: list[TokenLogprob] = []
    if chat or "content" in data:
        for entry in data.get("content") or ():
            if not isinstance(entry, dict):
                continue
            logprob = _number(entry.get("logprob"))
            if logprob is None:
                continue
            top = tuple(
                (str(alt.get("token", "")), value)
                for alt in entry.get("top_logprobs") or ()
                if isinstance(alt, dict) and (value := _number(alt.get("logprob"))) is not None
            )
            tokens.append(TokenLogprob(str(entry.get("token", "")), logprob, top))
        return tokens
    names = data.get("tokens") or []
    values = data.get("token_logprobs") or []
    tops = data.get("top_logprobs") or []
    for index, name in enumerate(names):
        logprob = _number(values[index]) if index < len(values) else None
        if logprob is None:
            continue
        alternatives = tops[index] if index < len(tops) and isinstance(tops[index], dict) else {}
        top = tuple(
            (str(token), value) for token, raw in alternatives.items() if (value := _number(raw)) is not None
        )
        tokens.append(TokenLogprob(str(name), logprob, top))
    return tokens


def _fold(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .,;:!?\"'`*")


def label_confidence(logprobs: Sequence[TokenLogprob], labels: Iterable[str], output: str) -> float | None:
    """Probability of the chosen label among the allowed labels (None if the output is no label)."""
    folded = {_fold(label): label for label in labels}
    chosen = _fold(output)
    if chosen not in folded:
        return None
    first = next((token for token in logprobs if token.token.strip()), None)
    if first is None:
        return None
    alternatives = dict(first.top)
    alternatives.setdefault(first.token, first.logprob)
    mass = dict.fromkeys(folded, 0.0)
    for token, logprob in alternatives.items():
        start = _fold(token)
        if not start:
            continue
        owners = [name for name in folded if name.startswith(start)]
        if len(owners) == 1:  # a piece shared by two labels says nothing about which one
            mass[owners[0]] += math.exp(logprob)
    if mass[chosen] == 0.0:
        mass[chosen] = math.exp(first.logprob)
    total = sum(mass.values())
    return mass[chosen] / total if total > 0 else None


def mean_token_confidence(logprobs: Sequence[TokenLogprob]) -> float | None:
    """exp(mean token log-probability): the geometric mean of the tokens' probabilities."""
    values = [token.logprob for token in logprobs]
    if not values:
        return None
    return min(1.0, math.exp(sum(values) / len(values)))


def answer_confidence(
    logprobs: Sequence[TokenLogprob] | None, labels: Sequence[str] | None, output: str
) -> float | None:
    """The answer's confidence: by label when the task has labels, else by mean log-probability."""
    if not logprobs:
        return None
    if labels:
        return label_confidence(logprobs, labels, output)
    return mean_token_confidence(logprobs)
