"""Plain data shared by the local model, the frontier client and the spot-check runner. No Qt."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

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


TokenCallback = Callable[[str], None]


class TextGenerator(Protocol):
    """Anything that answers a prompt: the local specialist or a frontier endpoint."""

    @property
    def display_name(self) -> str: ...

    def generate(
        self,
        request: GenerationRequest,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationResult:
        """Run one request, streaming text pieces to `on_token`; never raises for API faults."""
        ...


@dataclass
class Usage:
    """Running token totals over a session, for the 'Use in scenario' action."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    latencies_s: list[float] = field(default_factory=list)
