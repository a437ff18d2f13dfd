"""Reconnect policy: pure backoff and tier arithmetic.

Attempt numbers start at 1. The defaults (docs/protocol.md, "Reconnecting"):
nominal delays 1, 2, 4, ... capped at 120 s, jitter U(0.5, 1.5), a deep reconnect
(forced token refresh / sign-in) every 10th attempt, unlimited attempts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

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
