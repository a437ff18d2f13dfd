"""Connection health: state, transition events, counters, command latency, event log.

Plain containers mutated by the session on the event loop; everything renders to
JSON-safe dicts for diagnostics.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .clock import SYSTEM_CLOCK
from .policy import ReconnectTier


def utcnow() -> datetime:
    return SYSTEM_CLOCK.now()


class ConnectionState(StrEnum):
    """Where the session's connection stands."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"
    AUTH_FAILED = "auth_failed"
    STOPPED = "stopped"


class ConnectionEventType(StrEnum):
    """What happened: the kind of each ConnectionEvent."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"
    DEEP_RECONNECT = "deep_reconnect"
    AUTH_FAILED = "auth_failed"
    RECONNECT_FAILED = "reconnect_failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """One state transition (also what connection listeners receive)."""

    type: ConnectionEventType
    state: ConnectionState
    previous_state: ConnectionState
    reason: str = ""
    tier: ReconnectTier | None = None
    attempt: int = 0
    at: datetime = field(default_factory=utcnow)
    next_retry_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": str(self.type),
            "state": str(self.state),
            "previous_state": str(self.previous_state),
            "reason": self.reason,
            "tier": None if self.tier is None else str(self.tier),
            "attempt": self.attempt,
            "at": self.at.isoformat(),
            "next_retry_at": None if self.next_retry_at is None else self.next_retry_at.isoformat(),
        }


@dataclass(slots=True)
class Counters:
    """Monotonic counters since the session started."""

    connects: int = 0
    quick_reconnects: int = 0
    deep_reconnects: int = 0
    messages: int = 0
    malformed_messages: int = 0
    commands_sent: int = 0
    commands_confirmed: int = 0
    commands_failed: int = 0
    commands_refused: int = 0
    commands_expired: int = 0
    commands_evicted: int = 0
    resubscribe_failures: int = 0
    auth_retries: int = 0
    credential_rotations: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --------------------------------------------------------------------------- latency

HISTOGRAM_BINS = 30  # 1-second bins "0-1s" ... "29-30s", then "30s+"
RESERVOIR_SIZE = 1024
WINDOW_MAX_SAMPLES = 4096


def _bin_label(index: int) -> str:
    return f"{HISTOGRAM_BINS}s+" if index >= HISTOGRAM_BINS else f"{index}-{index + 1}s"


def _bin_index(seconds: float) -> int:
    return min(int(seconds), HISTOGRAM_BINS)


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty sorted list."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _summary(
    count: int, total: float, low: float | None, high: float | None, sample: list[float]
) -> dict[str, Any]:
    ordered = sorted(sample)
    return {
        "count": count,
        "min_ms": _ms(low),
        "avg_ms": _ms(total / count) if count else None,
        "max_ms": _ms(high),
        "p50_ms": _ms(_percentile(ordered, 50)) if ordered else None,
        "p95_ms": _ms(_percentile(ordered, 95)) if ordered else None,
    }


def _histogram(bins: dict[int, int]) -> dict[str, int]:
    return {_bin_label(i): bins[i] for i in sorted(bins) if bins[i]}


class LatencyStats:
    """Command round-trip latency (seconds in, milliseconds out).

    Memory is bounded:

    * since start: count/sum/min/max are exact; the 1-second histogram is exact (31 bins,
      the last one open-ended); p50/p95 come from a uniform reservoir sample of at most
      1024 values (Vitter's algorithm R, seeded, so results are exact until 1024 samples
      and a statistically fair estimate after);
    * last minute (``window`` seconds by ``clock``): every sample in the window, capped at
      4096 entries (older ones drop first), so everything is exact below that rate.
    """

    def __init__(
        self,
        clock: Callable[[], float] = SYSTEM_CLOCK.monotonic,
        window: float = 60.0,
        *,
        reservoir_size: int = RESERVOIR_SIZE,
        seed: int = 0,
    ) -> None:
        self._clock = clock
        self._window = window
        self._count = 0
        self._sum = 0.0
        self._min: float | None = None
        self._max: float | None = None
        self._bins: dict[int, int] = {}
        self._reservoir: list[float] = []
        self._reservoir_size = max(1, reservoir_size)
        self._rng = random.Random(seed)
        self._recent: deque[tuple[float, float]] = deque(maxlen=WINDOW_MAX_SAMPLES)

    def record(self, seconds: float) -> None:
        """Add one latency sample (non-finite values ignored, negatives clamp to 0)."""
        if not math.isfinite(seconds):
            return
        value = max(0.0, float(seconds))
        self._count += 1
        self._sum += value
        self._min = value if self._min is None else min(self._min, value)
        self._max = value if self._max is None else max(self._max, value)
        index = _bin_index(value)
        self._bins[index] = self._bins.get(index, 0) + 1
        if len(self._reservoir) < self._reservoir_size:
            self._reservoir.append(value)
        else:
            slot = self._rng.randrange(self._count)
            if slot < self._reservoir_size:
                self._reservoir[slot] = value
        self._recent.append((self._clock(), value))

    def _window_values(self) -> list[float]:
        cutoff = self._clock() - self._window
        while self._recent and self._recent[0][0] < cutoff:
            self._recent.popleft()
        return [value for _, value in self._recent]

    @property
    def count(self) -> int:
        return self._count

    def snapshot(self) -> dict[str, Any]:
        recent = self._window_values()
        since_start = _summary(self._count, self._sum, self._min, self._max, self._reservoir)
        since_start["histogram"] = _histogram(self._bins)
        last_minute = _summary(
            len(recent),
            sum(recent),
            min(recent) if recent else None,
            max(recent) if recent else None,
            recent,
        )
        recent_bins: dict[int, int] = {}
        for value in recent:
            recent_bins[_bin_index(value)] = recent_bins.get(_bin_index(value), 0) + 1
        last_minute["histogram"] = _histogram(recent_bins)
        return {"since_start": since_start, "last_minute": last_minute}

    def _quantile(self, pct: float) -> float | None:
        recent = self._window_values()
        sample = recent or self._reservoir
        return _percentile(sorted(sample), pct) if sample else None

    @property
    def p50(self) -> float | None:
        """Median latency in **seconds** over the last minute (since start if empty)."""
        return self._quantile(50)

    @property
    def p95(self) -> float | None:
        """95th percentile in **seconds** over the last minute (since start if empty)."""
        return self._quantile(95)


# --------------------------------------------------------------------------- event log


class EventLog:
    """The last ``maxlen`` connection events."""

    def __init__(self, maxlen: int = 50) -> None:
        self._events: deque[ConnectionEvent] = deque(maxlen=maxlen)

    def append(self, event: ConnectionEvent) -> None:
        self._events.append(event)

    def as_list(self) -> list[ConnectionEvent]:
        """Oldest first, newest last."""
        return list(self._events)

    def __len__(self) -> int:
        return len(self._events)


# --------------------------------------------------------------------------- health


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(slots=True)
class Health:
    """Everything diagnostics shows about the connection.

    The connection fields (state, attempt, tier, next retry, timestamps, last reason) are
    written only by its `record_*` methods; the counters by the part of the session that
    does what they count.
    """

    state: ConnectionState = ConnectionState.DISCONNECTED
    counters: Counters = field(default_factory=Counters)
    latency: LatencyStats = field(default_factory=LatencyStats)
    events: EventLog = field(default_factory=EventLog)
    attempt: int = 0
    tier: ReconnectTier | None = None
    next_retry_at: datetime | None = None
    last_connected_at: datetime | None = None
    last_disconnected_at: datetime | None = None
    last_disconnect_reason: str | None = None
    connected_since: datetime | None = None

    def record_transition(self, event: ConnectionEvent) -> None:
        """Apply a transition: log it, copy state/attempt/tier/next retry and keep the
        connected/disconnected timestamps. Counters are **not** touched: the session
        counts connects and reconnect attempts itself."""
        self.events.append(event)
        self.state = event.state
        self.attempt = event.attempt
        self.tier = event.tier
        self.next_retry_at = event.next_retry_at
        if event.type is ConnectionEventType.CONNECTED:
            self.last_connected_at = event.at
            self.connected_since = event.at
        if (
            event.previous_state is ConnectionState.CONNECTED
            and event.state is not ConnectionState.CONNECTED
        ):
            self.last_disconnected_at = event.at
            self.last_disconnect_reason = event.reason
            self.connected_since = None

    def record_stable(self) -> None:
        """The connection has been stable: the reconnect attempt counter is back at 0."""
        self.attempt = 0

    def record_connect_failure(self, reason: str) -> None:
        """A connect attempt failed (no state change: the reconnect loop goes on)."""
        self.last_disconnect_reason = reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": str(self.state),
            "attempt": self.attempt,
            "tier": None if self.tier is None else str(self.tier),
            "next_retry_at": _iso(self.next_retry_at),
            "last_connected_at": _iso(self.last_connected_at),
            "last_disconnected_at": _iso(self.last_disconnected_at),
            "last_disconnect_reason": self.last_disconnect_reason,
            "connected_since": _iso(self.connected_since),
            "counters": self.counters.as_dict(),
            "latency": self.latency.snapshot(),
            "events": [event.as_dict() for event in self.events.as_list()],
        }
