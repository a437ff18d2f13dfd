"""Liveness: periodic status probes, and a watchdog that notices a silent link.

Every `interval` seconds each device gets a status request, spread over the interval so a
large account's replies do not arrive at once. The requests double as liveness probes: any
inbound message, even the echo of our own request through the device subscription, proves
the path is alive. A streak of probes with nothing at all coming back means a silent
(blackholed) link, and the watchdog escalates: at `misses` unanswered probes it asks for the
subscriptions to be restored, one more and the link is declared lost (quick reconnect), and
a streak beyond that asks for a deep reconnect.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum, auto

from .clock import Clock
from .errors import NaviLinkConnectionError
from .health import LatencyStats
from .protocol import Request, Target, status_request
from .tasks import TaskSet

_LOGGER = logging.getLogger(__package__)


class Verdict(Enum):
    """What the watchdog asks for after a probe round."""

    ALIVE = auto()
    RESUBSCRIBE = auto()
    LOST = auto()


@dataclass(frozen=True, slots=True)
class Check:
    verdict: Verdict
    reason: str = ""
    deep: bool = False


class LivenessWatchdog:
    """Inbound traffic against outstanding probes."""

    def __init__(self, *, clock: Clock, misses: int, latency: LatencyStats, max_latency: float):
        self._clock = clock
        self._limit = misses
        self._latency = latency
        self._max_latency = max_latency
        self._misses = 0
        self._last_inbound = 0.0
        self._outstanding_since: float | None = None
        self._probe_sent_at: dict[str, float] = {}

    def reset(self) -> None:
        """A fresh connection: nothing outstanding, no misses."""
        self._misses = 0
        self._outstanding_since = None
        self._last_inbound = self._clock.monotonic()

    def message_seen(self) -> None:
        """Any inbound message."""
        self._last_inbound = self._clock.monotonic()
        self._outstanding_since = None

    def probe_sent(self, mac: str) -> None:
        """A status probe is going out. Armed only when something is sent."""
        now = self._clock.monotonic()
        if self._outstanding_since is None:
            self._outstanding_since = now
        self._probe_sent_at[mac] = now

    def status_seen(self, mac: str) -> None:
        """A status arrived: the probe's round trip counts as latency when plausible."""
        sent = self._probe_sent_at.pop(mac, None)
        if sent is None:
            return
        elapsed = self._clock.monotonic() - sent
        if elapsed <= self._max_latency:
            self._latency.record(elapsed)

    def check(self) -> Check:
        """Called before each probe round."""
        since = self._outstanding_since
        if since is None or self._last_inbound >= since:
            self._misses = 0
            return Check(Verdict.ALIVE)
        self._misses += 1
        misses, limit = self._misses, self._limit
        if misses < limit:
            return Check(Verdict.ALIVE)
        reason = f"{misses} status requests unanswered"
        if misses == limit:
            _LOGGER.info("NaviLink watchdog: %s; resubscribing", reason)
            return Check(Verdict.RESUBSCRIBE, reason)
        deep = misses > limit + 1
        self._misses = 0 if deep else misses
        self._outstanding_since = None
        return Check(Verdict.LOST, f"watchdog: {reason}", deep=deep)


class StatusProbes:
    """The probe loop: one status request per device and round, published without waiting
    (a failed publish is only logged); what to do about a verdict is the caller's."""

    def __init__(
        self,
        *,
        clock: Clock,
        tasks: TaskSet,
        interval: float,
        watchdog: LivenessWatchdog,
        devices: Callable[[], Mapping[str, object]],
        ready: Callable[[], bool],
        target: Callable[[str], Target | None],
        publish: Callable[[Request], Awaitable[None]],
        on_verdict: Callable[[Check], None],
    ) -> None:
        self._clock = clock
        self._tasks = tasks
        self._interval = interval
        self._watchdog = watchdog
        self._devices = devices
        self._ready = ready
        self._target = target
        self._publish = publish
        self._on_verdict = on_verdict

    async def run(self) -> None:
        """Forever (cancelled on stop); nothing when the interval is 0."""
        if self._interval <= 0:
            return
        while True:
            macs = list(self._devices())
            gap = self._interval / max(1, len(macs))
            if not macs:
                await self._clock.sleep(self._interval)
            for index, mac in enumerate(macs):
                await self._clock.sleep(gap)
                if not self._ready():
                    break
                if index == 0:
                    check = self._watchdog.check()
                    if check.verdict is not Verdict.ALIVE:
                        self._on_verdict(check)
                    if check.verdict is Verdict.LOST:
                        break
                target = self._target(mac)
                if target is None:
                    continue
                self._watchdog.probe_sent(mac)
                self._tasks.spawn(self._send(status_request(target)), "navilink-probe")

    async def _send(self, request: Request) -> None:
        try:
            await self._publish(request)
        except NaviLinkConnectionError as err:
            _LOGGER.debug("NaviLink: probe publish failed: %s", str(err))
