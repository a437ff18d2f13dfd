"""Time, injectable: every timer, sleep and timestamp in the library goes through a Clock.

`SystemClock` is the real one; `aionavilink.testing.FakeClock` is a manual one for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


class TimerHandle(Protocol):
    """What `Clock.call_later` returns: something that can be cancelled."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Monotonic time, wall time, sleeping and timers."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (durations, deadlines)."""
        ...

    def time(self) -> float:
        """Wall-clock epoch seconds (token and credential expiry)."""
        ...

    def now(self) -> datetime:
        """The wall clock as an aware UTC datetime (event timestamps)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep; zero or negative yields once."""
        ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Call `callback()` on the running loop after `delay` seconds."""
        ...


class SystemClock:
    """The real clock: `time.monotonic`, `time.time` and the running asyncio loop."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)


SYSTEM_CLOCK = SystemClock()
