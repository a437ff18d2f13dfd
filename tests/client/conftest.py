"""Fixtures for the client tests: real sessions against navilink_sim, with scaled-down timings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from aionavilink import (
    ConnectionEvent,
    ConnectionEventType,
    ConnectionState,
    Endpoints,
    NaviLinkSession,
    ReconnectPolicy,
    SessionOptions,
)

# Seconds instead of minutes: the same code paths, a scaled clock.
FAST_POLICY = ReconnectPolicy(
    initial_delay=0.05,
    multiplier=2.0,
    max_delay=0.4,
    jitter=0.2,
    deep_every=10,
    auth_retry_interval=0.5,
    stable_after=5.0,
)
FAST_OPTIONS = SessionOptions(
    policy=FAST_POLICY,
    status_interval=0.5,
    watchdog_misses=2,
    command_timeout=5.0,
    queue_ttl=30.0,
    keep_alive_secs=2,
    ping_timeout_ms=1000,
    operation_timeout=5.0,
    connect_timeout=3.0,
    expiry_margin=0.0,
    device_refresh_interval=0,
    resubscribe_retry=0.2,
    initial_data_timeout=5.0,
    sdk_reconnect_min_secs=30,
    sdk_reconnect_max_secs=60,
)


async def wait_for(
    predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition"
) -> None:
    """Poll until `predicate()` holds; fail with `what` when it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Recorder:
    """Collects connection events."""

    def __init__(self) -> None:
        self.events: list[ConnectionEvent] = []

    def __call__(self, event: ConnectionEvent) -> None:
        self.events.append(event)

    def types(self) -> list[ConnectionEventType]:
        return [e.type for e in self.events]

    def since(self, index: int) -> list[ConnectionEventType]:
        return [e.type for e in self.events[index:]]


type SessionFactory = Callable[..., Awaitable[tuple[NaviLinkSession, Recorder]]]


@pytest.fixture
async def websession() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def make_session(
    sim: Any, sim_account: dict[str, Any], websession: aiohttp.ClientSession
) -> AsyncIterator[SessionFactory]:
    """Build (and at the end stop) sessions for this test's fresh simulator account."""
    sessions: list[NaviLinkSession] = []

    async def factory(
        *,
        start: bool = True,
        password: str | None = None,
        clock: Any = None,
        **overrides: Any,
    ) -> tuple[NaviLinkSession, Recorder]:
        policy_overrides = {
            k[len("policy_") :]: overrides.pop(k)
            for k in list(overrides)
            if k.startswith("policy_")
        }
        options = replace(
            FAST_OPTIONS, policy=replace(FAST_POLICY, **policy_overrides), **overrides
        )
        session = NaviLinkSession(
            websession,
            sim_account["email"],
            password if password is not None else sim_account["password"],
            endpoints=Endpoints(api_url=sim.api_url, mqtt_url=sim.mqtt_url, ca_file=sim.ca_file),
            options=options,
            clock=clock,
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
        assert session.state is ConnectionState.STOPPED
