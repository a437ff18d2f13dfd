"""Reconnect policy (pure backoff and tier arithmetic) and a clock abstraction.

Attempt numbers start at 1. The defaults follow the reference library (spec 8.1/8.2):
nominal delays 1, 2, 4, ... capped at 120 s, jitter U(0.5, 1.5), a deep reconnect
(forced token refresh / sign-in) every 10th attempt, unlimited attempts.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

_DEFAULT_RNG = random.Random()


class ReconnectTier(StrEnum):
    """How hard a reconnect attempt tries."""

    QUICK = "quick"  # same tokens (refreshed only if expired), new connection
    DEEP = "deep"  # forced token refresh (or sign-in), new connection


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Backoff parameters. All times are seconds.

    ``stable_after``: once connected this long, the session resets the attempt counter.
    ``auth_retry_interval``: after an ``auth_failed`` stop, retry sign-in this often
    (0 = never; the session decides how to use it).
    """

    initial_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 120.0
    jitter: float = 0.5
    deep_every: int = 10
    max_attempts: int | None = None
    auth_retry_interval: float = 1800.0
    stable_after: float = 60.0

    def validate(self) -> None:
        """Raise ValueError for nonsensical parameters."""
        for name in ("initial_delay", "max_delay", "auth_retry_interval", "stable_after"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if not math.isfinite(self.multiplier) or self.multiplier < 1:
            raise ValueError(f"multiplier must be >= 1, got {self.multiplier!r}")
        if not math.isfinite(self.jitter) or not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be within 0..1, got {self.jitter!r}")
        if self.deep_every < 1:
            raise ValueError(f"deep_every must be >= 1, got {self.deep_every!r}")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1 or None, got {self.max_attempts!r}")

    def base_delay(self, attempt: int) -> float:
        """Nominal delay before ``attempt``: min(initial * multiplier**(attempt-1), max)."""
        exponent = max(0, attempt - 1)
        try:
            nominal = self.initial_delay * self.multiplier**exponent
        except OverflowError:
            return self.max_delay
        return min(nominal, self.max_delay)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Jittered delay: base * U(1-jitter, 1+jitter), capped at ``max_delay``."""
        base = self.base_delay(attempt)
        if self.jitter <= 0:
            return base
        factor = (rng or _DEFAULT_RNG).uniform(1 - self.jitter, 1 + self.jitter)
        return min(base * factor, self.max_delay)

    def tier(self, attempt: int) -> ReconnectTier:
        """DEEP on every ``deep_every``-th attempt, QUICK otherwise."""
        every = max(1, self.deep_every)
        return ReconnectTier.DEEP if attempt >= 1 and attempt % every == 0 else ReconnectTier.QUICK

    def exhausted(self, attempt: int) -> bool:
        """True when ``attempt`` exceeds a finite ``max_attempts``."""
        return self.max_attempts is not None and attempt > self.max_attempts


# --------------------------------------------------------------------------- clocks


class Clock(Protocol):
    """Monotonic time and sleeping, injectable for tests."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A manual clock for tests: ``sleep`` resolves only when ``advance`` passes its deadline.

    ``advance`` is synchronous; the woken tasks run on the next loop iterations, so tests
    usually follow it with ``await asyncio.sleep(0)`` (or a few). A zero/negative sleep
    yields once and returns without needing ``advance``.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._seq = itertools.count()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self._now + seconds, next(self._seq), future)
        heapq.heappush(self._sleepers, entry)
        try:
            await future
        finally:
            if not future.done():
                future.cancel()

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has passed."""
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        self._now += seconds
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    @property
    def sleepers(self) -> int:
        """Number of pending (not cancelled) sleeps."""
        return sum(1 for _, _, f in self._sleepers if not f.done())

    @property
    def next_deadline(self) -> float | None:
        """Monotonic time of the earliest pending sleep, or None."""
        pending = [d for d, _, f in self._sleepers if not f.done()]
        return min(pending) if pending else None
