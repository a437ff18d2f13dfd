"""The path probe on a fake clock and a fake TCP opener: no sockets, milliseconds each."""

from __future__ import annotations

import asyncio

import pytest
from conftest import Factory

from aionavilink import NaviLinkConnectionError
from aionavilink.reachability import PathProbe
from aionavilink.testing import FakeClock, FakeCloud


class FakePath:
    """A TCP opener whose reachability the test sets; counts the probes in flight."""

    def __init__(self, reachable: bool) -> None:
        self.reachable = reachable
        self.hang = False  # True: a connect that never answers (blackhole)
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls = 0

    async def __call__(self, host: str, port: int) -> None:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hang:
                await asyncio.Future()
            if not self.reachable:
                raise ConnectionRefusedError(host, port)
        finally:
            self.in_flight -= 1


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def advance(clock: FakeClock, seconds: float, step: float = 0.5) -> None:
    await settle()  # tasks created just before register their sleeps at the current time
    for _ in range(round(seconds / step)):
        clock.advance(step)
        await settle()


def make(path: FakePath, **kwargs: float | bool) -> tuple[PathProbe, FakeClock]:
    clock = FakeClock()
    return PathProbe("cloud.example", 443, clock, opener=path, **kwargs), clock  # type: ignore[arg-type]


async def test_the_wait_ends_when_the_path_comes_back() -> None:
    path = FakePath(reachable=False)
    probe, clock = make(path, interval=2.0)
    waiting = asyncio.ensure_future(probe.wait(120.0))
    await advance(clock, 10.0)
    assert not waiting.done()
    assert probe.counters.unreachable == path.calls > 1
    path.reachable = True
    await advance(clock, 2.0)
    assert waiting.done() and waiting.result() is True
    assert probe.counters.path_returns == 1
    assert clock.monotonic() == pytest.approx(12.0)  # not 120 s


async def test_a_reachable_endpoint_never_seen_down_keeps_the_backoff() -> None:
    """A cloud-side failure: the endpoint answers, the cloud refuses. One probe, then quiet."""
    path = FakePath(reachable=True)
    probe, clock = make(path, interval=2.0)
    waiting = asyncio.ensure_future(probe.wait(30.0))
    await advance(clock, 29.5)
    assert not waiting.done()
    assert path.calls == 1
    await advance(clock, 0.5)
    assert waiting.done() and waiting.result() is False


async def test_one_wake_per_transition() -> None:
    path = FakePath(reachable=False)
    probe, clock = make(path, interval=2.0)
    first = asyncio.ensure_future(probe.wait(60.0))
    await advance(clock, 4.0)
    path.reachable = True
    await advance(clock, 2.0)
    assert first.result() is True
    # the early attempt failed on the cloud side; the next wait runs its whole delay
    second = asyncio.ensure_future(probe.wait(8.0))
    await advance(clock, 7.5)
    assert not second.done()
    await advance(clock, 0.5)
    assert second.result() is False
    assert probe.counters.path_returns == 1


async def test_a_hanging_probe_times_out_and_only_one_is_in_flight() -> None:
    path = FakePath(reachable=False)
    path.hang = True
    probe, clock = make(path, interval=1.0, timeout=3.0)
    waiting = asyncio.ensure_future(probe.wait(20.0))
    await advance(clock, 19.5)
    assert path.max_in_flight == 1
    assert probe.counters.unreachable == path.calls >= 4  # every (3 + 1) s
    path.hang = False
    path.reachable = True
    await advance(clock, 0.5)
    assert waiting.result() is False  # the delay ran out first
    assert path.in_flight == 0


async def test_connected_starts_a_new_outage() -> None:
    path = FakePath(reachable=False)
    probe, clock = make(path, interval=2.0)
    waiting = asyncio.ensure_future(probe.wait(60.0))
    await advance(clock, 2.0)
    probe.connected()  # a connect succeeded meanwhile (e.g. awscrt's own)
    waiting.cancel()
    await settle()
    path.reachable = True
    again = asyncio.ensure_future(probe.wait(4.0))
    await advance(clock, 4.0)
    assert again.result() is False


async def test_disabled_probe_only_sleeps() -> None:
    path = FakePath(reachable=False)
    probe, clock = make(path, enabled=False)
    waiting = asyncio.ensure_future(probe.wait(5.0))
    await advance(clock, 5.0)
    assert waiting.result() is False
    assert path.calls == 0 and probe.counters.probes == 0


def test_bounds_are_checked() -> None:
    with pytest.raises(ValueError):
        PathProbe("h", 1, FakeClock(), interval=0)


# -- wired into the reconnect supervisor, on the fake cloud --------------------------------


async def test_the_session_reconnects_when_the_path_returns_not_when_the_backoff_ends(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _rec = await make_session(path_probe=True, probe_interval=2.0, policy_max_delay=120.0)
    cloud.reachable = False
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")] * 6
    cloud.drop("AWS_IO_SOCKET_CLOSED")
    await clock.run(1.0 + 2.0 + 4.0 + 8.0 + 16.0 + 32.0)  # six failed attempts; next in 64 s
    attempts = session.health.counters.quick_reconnects
    assert attempts == 6 and not session.connected
    assert session.diagnostics()["path_probe"]["unreachable"] > 0
    cloud.reachable = True
    await clock.run(2.0)  # one probe interval, not the 64 s backoff
    assert session.connected
    assert session.health.counters.quick_reconnects == attempts + 1
    assert session.diagnostics()["path_probe"]["path_returns"] == 1


async def test_a_reachable_endpoint_that_refuses_still_backs_off(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    """A cloud-side failure: the path never went away, so the probe never shortens a wait."""
    session, _rec = await make_session(path_probe=True, probe_interval=2.0, policy_max_delay=120.0)
    cloud.connect_errors = [NaviLinkConnectionError("connect: 500")] * 5
    cloud.drop("AWS_ERROR_MQTT_UNEXPECTED_HANGUP")
    await clock.run(1.0 + 2.0 + 4.0 + 8.0 + 16.0)
    assert session.health.counters.quick_reconnects == 5
    await clock.run(31.0)  # the next attempt is due at 32 s: nothing sooner
    assert session.health.counters.quick_reconnects == 5 and not session.connected
    await clock.run(1.0)
    assert session.connected
    assert session.diagnostics()["path_probe"]["path_returns"] == 0
    assert cloud.path_probes <= 6  # one per wait, not one every 2 s
