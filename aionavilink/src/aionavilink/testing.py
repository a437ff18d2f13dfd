"""Test helpers that ship with the library: a manual clock and an in-memory NaviLink cloud.

`FakeClock` implements `Clock`: time moves only when a test says so. `FakeCloud` stands in for
both ends of the network: pass `cloud.websession` as the aiohttp session and `cloud.transport`
as the transport factory of a `NaviLinkSession`, and its heaters answer like real ones.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime

from .fake_heater import FakeHeater
from .fakes import FakeCloud, FakeTransport

__all__ = ["FakeClock", "FakeCloud", "FakeHeater", "FakeTransport"]


class _Timer:
    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback: Callable[[], None] | None = callback

    def cancel(self) -> None:
        self.callback = None


class FakeClock:
    """A manual clock: sleeps and timers fire only when `advance` (or `run`) passes them.

    ``advance`` is synchronous: timers run inside it, woken sleepers on the next loop
    iterations. ``await clock.run(seconds)`` advances step by step and lets the loop run in
    between, so chains of sleeps and timers play out as they would in real time.
    """

    EPOCH = 1_800_000_000.0  # the wall clock at monotonic 0

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._seq = itertools.count()
        self._sleepers: list[tuple[float, int, asyncio.Future[None] | _Timer]] = []

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self.EPOCH + self._now

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), future))
        try:
            await future
        finally:
            if not future.done():
                future.cancel()

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Timer:
        timer = _Timer(callback)
        heapq.heappush(self._sleepers, (self._now + max(0.0, delay), next(self._seq), timer))
        return timer

    def advance(self, seconds: float) -> None:
        """Move time forward; fire due timers and wake due sleepers, in deadline order."""
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        target = self._now + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, waiter = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            if isinstance(waiter, _Timer):
                callback, waiter.callback = waiter.callback, None
                if callback is not None:
                    callback()
            elif not waiter.done():
                waiter.set_result(None)
        self._now = target

    async def run(self, seconds: float, *, step: float | None = None) -> None:
        """Advance `seconds` in steps (default: to each next deadline), letting the loop run."""
        end = self._now + seconds
        await settle()
        while True:
            deadline = self.next_deadline
            if deadline is None or deadline > end:
                break
            self.advance(
                max(0.0, min(deadline, self._now + step) if step else deadline) - self._now
            )
            await settle()
        self.advance(end - self._now)
        await settle()

    @property
    def sleepers(self) -> int:
        """Pending sleeps and timers."""
        return sum(1 for _, _, w in self._sleepers if _pending(w))

    @property
    def next_deadline(self) -> float | None:
        """Monotonic time of the earliest pending sleep or timer, or None."""
        pending = [d for d, _, w in self._sleepers if _pending(w)]
        return min(pending) if pending else None


def _pending(waiter: asyncio.Future[None] | _Timer) -> bool:
    if isinstance(waiter, _Timer):
        return waiter.callback is not None
    return not waiter.done()


async def settle(rounds: int = 20) -> None:
    """Let ready tasks run (a few loop iterations)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
