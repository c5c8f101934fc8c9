"""Plain data shared by the local model, the frontier client and the spot-check runner. No Qt."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from app.domain.labels import check_labels

PromptMode = Literal["chat", "completion"]


@dataclass(frozen=True)
class GenerationRequest:
    """One prompt to one model."""

    prompt: str
    system: str | None = None
    mode: PromptMode = "chat"
    max_tokens: int = 256
    temperature: float = 0.0
    # When set, the output is constrained (grammar on llama.cpp, instructions elsewhere) to one label.
    labels: tuple[str, ...] | None = None
    stop: tuple[str, ...] = ()
    # Ask for token log-probabilities with this many alternatives per token (0: none). Used for
    # the answer's confidence; endpoints that do not send them simply leave `logprobs` empty.
    logprobs: int = 0


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token, its log-probability and the most likely alternatives at its place."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class GenerationResult:
    """What came back and how fast. Token counts come from the API's usage when it sends them."""

    text: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    tokens_counted: bool  # True when counts were estimated here rather than reported by the API
    time_to_first_token_s: float | None
    total_s: float
    error: str | None = None  # one line for the user, None on success
    cancelled: bool = False
    finish_reason: str | None = None
    logprobs: tuple[TokenLogprob, ...] | None = None  # None when not asked for or not sent
    # The HTTP status of a failure the endpoint answered with (429, 503, 400...), else None: lets
    # callers tell a rate limit from a refused request without parsing the message.
    http_status: int | None = None

    @property
    def tokens_per_second(self) -> float | None:
        """Decode speed: output tokens after the first, over the time after the first token."""
        if not self.output_tokens or self.time_to_first_token_s is None:
            return None
        decode_s = self.total_s - self.time_to_first_token_s
        if self.output_tokens < 2 or decode_s <= 0:
            return None
        return (self.output_tokens - 1) / decode_s

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    @property
    def figures(self) -> dict[str, Any]:
        """What came back and how fast, as plain JSON values (history files, `ask --json`)."""
        return {name: getattr(self, name) for name in _FIGURES}


# The figures a run's record keeps, in the order history files have always written them.
_FIGURES = (
    "text",
    "model",
    "error",
    "cancelled",
    "finish_reason",
    "time_to_first_token_s",
    "tokens_per_second",
    "total_s",
    "input_tokens",
    "output_tokens",
    "tokens_counted",
)

TokenCallback = Callable[[str], None]


@dataclass(frozen=True)
class Live:
    """How a request in progress reports back and is stopped: each text piece as it comes, and a
    flag that cancels it."""

    on_token: TokenCallback | None = None
    cancel: threading.Event | None = None


def refused_result(model: str, error: str) -> GenerationResult:
    """The result of a request that was never sent (e.g. unusable labels), with its reason."""
    return GenerationResult(
        text="",
        model=model,
        input_tokens=None,
        output_tokens=None,
        tokens_counted=False,
        time_to_first_token_s=None,
        total_s=0.0,
        error=error,
    )


class TextGenerator(ABC):
    """Anything that answers a prompt: the local specialist, a served specialist, the frontier."""

    @property
    @abstractmethod
    def display_name(self) -> str:
        """Name shown over its column and in results."""

    @property
    @abstractmethod
    def model_id(self) -> str:
        """The model name its results record."""

    def generate(
        self,
        request: GenerationRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationResult:
        """Run one request, streaming text pieces to `on_token`; never raises for API faults.

        A label list nothing could answer with (an empty label, a control character) is refused
        here, before anything is sent, the same way for every model: a NUL would cut a grammar
        short in llama.cpp, and an instruction naming it reads as garbage to any model.
        """
        if request.labels:
            try:
                check_labels(request.labels)
            except ValueError as exc:
                return refused_result(self.model_id, f"Not sent: {exc}")
        return self._answer(request, Live(on_token, cancel))

    @abstractmethod
    def _answer(self, request: GenerationRequest, live: Live) -> GenerationResult:
        """The model's answer to a request whose labels were checked."""


@dataclass
class Usage:
    """Running token totals over a session, for the 'Use in scenario' action."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    latencies_s: list[float] = field(default_factory=list)
