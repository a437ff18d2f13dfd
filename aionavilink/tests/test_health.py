"""Tests for connection health containers and latency statistics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from aionavilink import (
    ConnectionEvent,
    ConnectionEventType,
    ConnectionState,
    Counters,
    EventLog,
    Health,
    LatencyStats,
    ReconnectTier,
)
from aionavilink.testing import FakeClock


def test_latency_empty() -> None:
    stats = LatencyStats(clock=FakeClock().monotonic)
    snap = stats.snapshot()
    for scope in ("since_start", "last_minute"):
        assert snap[scope] == {
            "count": 0,
            "min_ms": None,
            "avg_ms": None,
            "max_ms": None,
            "p50_ms": None,
            "p95_ms": None,
            "histogram": {},
        }
    assert stats.p50 is None
    assert stats.p95 is None


def test_latency_percentiles_and_histogram() -> None:
    clock = FakeClock()
    stats = LatencyStats(clock=clock.monotonic)
    # 1..20 * 0.1 s = 0.1 .. 2.0 s
    for i in range(1, 21):
        stats.record(i / 10)
    snap = stats.snapshot()["since_start"]
    assert snap["count"] == 20
    assert snap["min_ms"] == 100.0
    assert snap["max_ms"] == 2000.0
    assert snap["avg_ms"] == 1050.0
    assert snap["p50_ms"] == 1000.0  # nearest rank 10 of 20
    assert snap["p95_ms"] == 1900.0  # nearest rank 19 of 20
    assert snap["histogram"] == {"0-1s": 9, "1-2s": 10, "2-3s": 1}
    assert stats.p50 == 1.0
    assert stats.p95 == 1.9


def test_latency_histogram_overflow_bin_and_bad_values() -> None:
    stats = LatencyStats(clock=FakeClock().monotonic)
    stats.record(45.0)
    stats.record(30.0)
    stats.record(-1.0)  # clamped to 0
    stats.record(float("nan"))  # ignored
    snap = stats.snapshot()["since_start"]
    assert snap["count"] == 3
    assert snap["min_ms"] == 0.0
    assert snap["histogram"] == {"0-1s": 1, "30s+": 2}


def test_latency_rolling_window() -> None:
    clock = FakeClock()
    stats = LatencyStats(clock=clock.monotonic, window=60.0)
    stats.record(5.0)
    stats.record(4.0)
    clock.advance(30)
    stats.record(0.5)
    snap = stats.snapshot()
    assert snap["last_minute"]["count"] == 3
    clock.advance(31)  # the first two are now 61 s old
    snap = stats.snapshot()
    assert snap["last_minute"]["count"] == 1
    assert snap["last_minute"]["max_ms"] == 500.0
    assert snap["last_minute"]["histogram"] == {"0-1s": 1}
    assert snap["since_start"]["count"] == 3
    assert snap["since_start"]["histogram"] == {"0-1s": 1, "4-5s": 1, "5-6s": 1}
    assert stats.p50 == 0.5  # last minute
    clock.advance(120)
    assert stats.snapshot()["last_minute"]["count"] == 0
    assert stats.p50 == 4.0  # falls back to since start (nearest rank 2 of 3)
    assert stats.p95 == 5.0


def test_latency_memory_is_bounded() -> None:
    stats = LatencyStats(clock=FakeClock().monotonic, reservoir_size=50)
    for i in range(5000):
        stats.record((i % 10) / 10)
    snap = stats.snapshot()["since_start"]
    assert snap["count"] == 5000
    assert snap["histogram"] == {"0-1s": 5000}
    assert 0 <= snap["p50_ms"] <= 900
    # the last-minute window keeps at most 4096 samples (the oldest drop first)
    assert stats.snapshot()["last_minute"]["count"] == 4096


def test_counters_as_dict() -> None:
    counters = Counters()
    counters.messages += 3
    counters.malformed_messages += 1
    d = counters.as_dict()
    assert d["messages"] == 3
    assert d["malformed_messages"] == 1
    assert {
        "connects",
        "quick_reconnects",
        "deep_reconnects",
        "messages",
        "malformed_messages",
        "commands_sent",
        "commands_confirmed",
        "commands_failed",
        "commands_expired",
        "commands_evicted",
        "resubscribe_failures",
        "auth_retries",
    } <= set(d)


def test_event_log_keeps_newest_last() -> None:
    log = EventLog(maxlen=3)
    events = [
        ConnectionEvent(
            type=ConnectionEventType.RECONNECTING,
            state=ConnectionState.RECONNECTING,
            previous_state=ConnectionState.DISCONNECTED,
            attempt=n,
        )
        for n in range(1, 6)
    ]
    for event in events:
        log.append(event)
    assert [e.attempt for e in log.as_list()] == [3, 4, 5]
    assert len(log) == 3


T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def _event(
    type_: ConnectionEventType,
    state: ConnectionState,
    previous: ConnectionState,
    minutes: int,
    **kwargs: object,
) -> ConnectionEvent:
    return ConnectionEvent(
        type=type_,
        state=state,
        previous_state=previous,
        at=T0 + timedelta(minutes=minutes),
        **kwargs,  # type: ignore[arg-type]
    )


def test_event_as_dict_is_json_safe() -> None:
    event = _event(
        ConnectionEventType.DEEP_RECONNECT,
        ConnectionState.RECONNECTING,
        ConnectionState.DISCONNECTED,
        0,
        reason="attempt 10",
        tier=ReconnectTier.DEEP,
        attempt=10,
        next_retry_at=T0 + timedelta(seconds=90),
    )
    d = event.as_dict()
    assert d == {
        "type": "deep_reconnect",
        "state": "reconnecting",
        "previous_state": "disconnected",
        "reason": "attempt 10",
        "tier": "deep",
        "attempt": 10,
        "at": "2025-05-01T12:00:00+00:00",
        "next_retry_at": "2025-05-01T12:01:30+00:00",
    }
    json.dumps(d)


def test_health_record_transitions() -> None:
    health = Health()
    assert str(health.state) == "disconnected"
    S, E = ConnectionState, ConnectionEventType
    health.record_transition(_event(E.CONNECTING, S.CONNECTING, S.DISCONNECTED, 0))
    health.record_transition(_event(E.CONNECTED, S.CONNECTED, S.CONNECTING, 1))
    assert health.state is S.CONNECTED
    assert health.connected_since == T0 + timedelta(minutes=1)
    health.record_transition(
        _event(E.DISCONNECTED, S.DISCONNECTED, S.CONNECTED, 5, reason="broker closed")
    )
    assert health.as_dict()["connected_since"] is None
    assert health.last_disconnected_at == T0 + timedelta(minutes=5)
    assert health.last_disconnect_reason == "broker closed"
    retry = T0 + timedelta(minutes=6)
    health.record_transition(
        _event(
            E.RECONNECTING,
            S.RECONNECTING,
            S.DISCONNECTED,
            5,
            attempt=1,
            tier=ReconnectTier.QUICK,
            next_retry_at=retry,
        )
    )
    assert health.attempt == 1
    assert health.tier is ReconnectTier.QUICK
    assert health.next_retry_at == retry
    health.record_transition(
        _event(
            E.DEEP_RECONNECT, S.RECONNECTING, S.RECONNECTING, 7, attempt=10, tier=ReconnectTier.DEEP
        )
    )
    health.record_transition(_event(E.CONNECTED, S.CONNECTED, S.RECONNECTING, 8))
    # counters belong to the session: transitions do not bump them
    assert health.counters.connects == 0
    assert health.counters.quick_reconnects == 0
    assert health.last_connected_at == T0 + timedelta(minutes=8)
    assert health.last_disconnect_reason == "broker closed"  # kept after reconnecting
    assert health.attempt == 0
    assert health.next_retry_at is None

    health.latency.record(1.5)
    d = health.as_dict()
    json.dumps(d)
    assert d["state"] == "connected"
    assert d["counters"]["connects"] == 0
    assert len(d["events"]) == 6
    assert d["events"][-1]["type"] == "connected"
    assert d["latency"]["since_start"]["count"] == 1
    assert d["connected_since"] == "2025-05-01T12:08:00+00:00"
