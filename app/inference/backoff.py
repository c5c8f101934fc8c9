"""Parallel requests to one endpoint that slow down instead of failing: a gate and a back-off loop.

The OpenAI-compatible client already retries 429 and 5xx answers itself (honouring
`Retry-After`). A request that still fails with one after those retries means the endpoint is
overloaded or rate limited at the parallelism we use, so the caller halves the number of
requests it keeps in flight, waits (doubling the wait each time) and asks again. The run slows
down instead of failing half its items, and each lowering is reported as one line so the user
knows why (the window shows it, the commands print it on stderr).

Shared by the spot-check (each side that calls an endpoint has its own gate) and the teacher's
labelling. No Qt.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.inference.types import GenerationRequest, GenerationResult, TextGenerator

# HTTP statuses that say "not now" rather than "never": a rate limit or an overloaded server.
THROTTLING_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_ITEM_RETRIES = 2
DEFAULT_FIRST_WAIT_S = 1.0
MAX_WAIT_S = 30.0


def throttled(result: GenerationResult) -> bool:
    """Whether `result` failed with a rate limit or a server error (worth asking again, slower)."""
    return result.error is not None and result.http_status in THROTTLING_STATUSES


@dataclass(frozen=True)
class BackoffPolicy:
    """How often an item is asked again after a throttled failure, and how long to wait first."""

    item_retries: int = DEFAULT_ITEM_RETRIES
    first_wait_s: float = DEFAULT_FIRST_WAIT_S
    max_wait_s: float = MAX_WAIT_S


@dataclass(frozen=True)
class ParallelismReport:
    """What a gate did over a run: the parallelism asked for, the lowest it came down to, the
    final one, and how many throttled failures lowered it."""

    requested: int
    lowest: int
    final: int
    backoffs: int

    def to_json(self) -> dict[str, int]:
        """Plain numbers for `--json`."""
        return {
            "requested": self.requested,
            "lowest": self.lowest,
            "final": self.final,
            "backoffs": self.backoffs,
        }


class ParallelismGate:
    """Lets at most `limit` requests run at once; `lower` halves the limit while requests run."""

    def __init__(self, limit: int) -> None:
        self.requested = max(1, limit)
        self.limit = self.requested
        self.lowest = self.requested
        self.backoffs = 0
        self._running = 0
        self._condition = threading.Condition()

    def enter(self, cancel: threading.Event) -> bool:
        """Wait for a free place (False when `cancel` is set meanwhile: do not send)."""
        with self._condition:
            while self._running >= self.limit:
                if cancel.is_set():
                    return False
                self._condition.wait(0.05)
            if cancel.is_set():
                return False
            self._running += 1
            return True

    def leave(self) -> None:
        """Give the place back."""
        with self._condition:
            self._running -= 1
            self._condition.notify_all()

    def lower(self, said: Callable[[int], object] | None = None) -> int:
        """Halve the limit (never below one request) after a throttled failure; the new limit.

        `said(limit)` is called before the lock is let go, so the lines reporting the lowerings of
        several requests come out in the order the limit went down."""
        with self._condition:
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
            self.backoffs += 1
            if said is not None:
                said(self.limit)
            return self.limit

    def report(self) -> ParallelismReport:
        """The gate's figures so far."""
        with self._condition:
            return ParallelismReport(self.requested, self.lowest, self.limit, self.backoffs)


BackoffNote = Callable[[GenerationResult, int], object]
"""Called after each lowering: (the throttled result, the parallelism now)."""


def backoff_note(result: GenerationResult, limit: int) -> str:
    """'503 Service Unavailable: backing off, 2 in flight now': one line for the user."""
    cause = (result.error or "").split(" from ")[0]
    return f"{cause}: backing off, {limit} in flight now"


def ask_with_backoff(
    generator: TextGenerator,
    request: GenerationRequest,
    gate: ParallelismGate,
    cancel: threading.Event,
    policy: BackoffPolicy | None = None,
    on_backoff: BackoffNote | None = None,
) -> GenerationResult | None:
    """Ask `generator` through `gate`; after a throttled failure lower the gate, wait, ask again.

    Returns the last result (a success, a failure that is not throttling, or the throttled failure
    of the last attempt), or None when cancelled before an answer came.
    """
    policy = policy if policy is not None else BackoffPolicy()
    wait_s = policy.first_wait_s
    for attempt in range(policy.item_retries + 1):
        if not gate.enter(cancel):
            return None
        try:
            result = generator.generate(request, cancel=cancel)
        finally:
            gate.leave()
        if result.cancelled:
            return None
        if not throttled(result) or attempt == policy.item_retries:
            return result
        gate.lower(None if on_backoff is None else functools.partial(on_backoff, result))
        if cancel.wait(wait_s):
            return None
        wait_s = min(wait_s * 2, policy.max_wait_s)
    return None  # not reached: the loop returns on its last attempt
