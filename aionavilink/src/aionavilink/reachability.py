"""Is the path to the MQTT endpoint back? A cheap TCP probe while the session is disconnected.

The reconnect backoff grows to minutes, so after a long outage the next scheduled attempt may
come long after the network returned. While the session waits for that attempt, the probe
opens a plain TCP connection to the MQTT endpoint every few seconds (no TLS, no MQTT, closed
at once) and ends the wait early when the endpoint turns reachable again after having been
unreachable during this outage. It wakes the session once per unreachable -> reachable
transition: when the endpoint answers but the cloud still refuses (a cloud-side failure), the
session keeps backing off, and the probe goes quiet until the next wait.

At most one probe is in flight, each bounded by a timeout; all waiting goes through the
injected clock, so tests drive it with a fake one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from .clock import Clock

type Opener = Callable[[str, int], Awaitable[None]]

DEFAULT_PROBE_INTERVAL = 2.0  # seconds between probes while the endpoint is unreachable
DEFAULT_PROBE_TIMEOUT = 3.0  # a probe that has not connected by then counts as unreachable


async def tcp_open_close(host: str, port: int) -> None:
    """Open a TCP connection and close it at once; raises OSError when unreachable."""
    _reader, writer = await asyncio.open_connection(host, port)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


@dataclass(slots=True)
class ProbeCounters:
    """What the probe did since the session started (diagnostics)."""

    probes: int = 0
    unreachable: int = 0
    path_returns: int = 0  # unreachable -> reachable transitions that ended a wait early

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class PathProbe:
    """Ends a reconnect wait early when the MQTT endpoint becomes reachable again."""

    def __init__(
        self,
        host: str,
        port: int,
        clock: Clock,
        *,
        enabled: bool = True,
        interval: float = DEFAULT_PROBE_INTERVAL,
        timeout: float = DEFAULT_PROBE_TIMEOUT,
        opener: Opener = tcp_open_close,
    ) -> None:
        if interval <= 0 or timeout <= 0:
            raise ValueError("probe interval and timeout must be > 0")
        self.host = host
        self.port = port
        self.enabled = enabled
        self.interval = interval
        self.timeout = timeout
        self.counters = ProbeCounters()
        self._clock = clock
        self._opener = opener
        self._seen_unreachable = False

    def connected(self) -> None:
        """The session is connected: the next outage starts afresh."""
        self._seen_unreachable = False

    async def wait(self, delay: float) -> bool:
        """Sleep `delay` seconds; return True early when the path came back meanwhile."""
        if not self.enabled or delay <= 0:
            await self._clock.sleep(delay)
            return False
        sleeper = asyncio.ensure_future(self._clock.sleep(delay))
        watcher = asyncio.ensure_future(self._watch())
        try:
            await asyncio.wait({sleeper, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, watcher):
                task.cancel()
            await asyncio.gather(sleeper, watcher, return_exceptions=True)
        return watcher.done() and not watcher.cancelled() and watcher.result()

    async def _watch(self) -> bool:
        """Probe until the path returns (True). A reachable endpoint that was never seen
        unreachable in this outage is a cloud-side failure: stop probing, let the wait run."""
        while True:
            if await self._reachable():
                if not self._seen_unreachable:
                    await asyncio.Future()  # quiet until the wait ends (cancelled then)
                self._seen_unreachable = False
                self.counters.path_returns += 1
                return True
            self._seen_unreachable = True
            await self._clock.sleep(self.interval)

    async def _reachable(self) -> bool:
        self.counters.probes += 1
        attempt = asyncio.ensure_future(self._opener(self.host, self.port))
        limit = asyncio.ensure_future(self._clock.sleep(self.timeout))
        try:
            await asyncio.wait({attempt, limit}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (attempt, limit):
                task.cancel()
            await asyncio.gather(attempt, limit, return_exceptions=True)
        ok = attempt.done() and not attempt.cancelled() and attempt.exception() is None
        if not ok:
            self.counters.unreachable += 1
        return ok
