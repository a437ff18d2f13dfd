"""Fast fixtures: sessions on the library's own fake cloud and fake clock (no sockets)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest

from aionavilink import (
    ConnectionEvent,
    ConnectionEventType,
    NaviLinkSession,
    ReconnectPolicy,
    SessionOptions,
)
from aionavilink.testing import FakeClock, FakeCloud, FakeHeater

MAC = "04786332fca0"
OTHER_MAC = "04786332beef"

POLICY = ReconnectPolicy(
    initial_delay=1.0,
    multiplier=2.0,
    max_delay=8.0,
    jitter=0.0,
    deep_every=10,
    auth_retry_interval=60.0,
    stable_after=30.0,
)
OPTIONS = SessionOptions(
    policy=POLICY,
    status_interval=10.0,
    watchdog_misses=2,
    command_timeout=5.0,
    queue_size=3,
    queue_ttl=30.0,
    expiry_margin=60.0,
    device_refresh_interval=0,
    resubscribe_retry=2.0,
    initial_data_timeout=5.0,
    path_probe=False,  # on where a test asks for it, with the fake cloud's opener
)


class Recorder:
    """Collects connection events."""

    def __init__(self) -> None:
        self.events: list[ConnectionEvent] = []

    def __call__(self, event: ConnectionEvent) -> None:
        self.events.append(event)

    def types(self, since: int = 0) -> list[ConnectionEventType]:
        return [e.type for e in self.events[since:]]


type Factory = Callable[..., Awaitable[tuple[NaviLinkSession, Recorder]]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(FakeHeater(MAC))


@pytest.fixture
async def make_session(cloud: FakeCloud, clock: FakeClock) -> AsyncIterator[Factory]:
    """Sessions on the fake cloud; every one is stopped at the end of the test."""
    sessions: list[NaviLinkSession] = []

    async def factory(
        *, start: bool = True, password: str | None = None, **overrides: Any
    ) -> tuple[NaviLinkSession, Recorder]:
        policy = {k[7:]: overrides.pop(k) for k in list(overrides) if k.startswith("policy_")}
        options = replace(OPTIONS, policy=replace(POLICY, **policy), **overrides)
        session = NaviLinkSession(
            cloud.websession,  # type: ignore[arg-type]
            cloud.email,
            cloud.password if password is None else password,
            options=options,
            clock=clock,
            rng=random.Random(7),
            transport_factory=cloud.transport,
            probe_opener=cloud.open_path,
        )
        recorder = Recorder()
        session.add_connection_listener(recorder)
        sessions.append(session)
        if start:
            await session.start()
        return session, recorder

    yield factory
    for session in sessions:
        await session.stop()
