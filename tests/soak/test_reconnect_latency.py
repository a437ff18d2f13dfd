"""Regression found by the chaos soak: a reconnect after a dropped link must not wait out the
old connection. awscrt never completes the disconnect of an interrupted connection, so the
session issues it and moves on; recovery follows the policy (here: 0.02 s, cap 0.2 s), not a
hidden 5 s disconnect timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from aionavilink import ConnectionState, Endpoints, MqttTransport, NaviLinkSession
from navilink_sim.testing import SimControl, SimInfo

from .test_chaos import CHAOS_OPTIONS


async def test_reconnect_after_a_drop_does_not_wait_for_the_old_connection(
    sim: SimInfo,
    sim_account: dict[str, Any],
    sim_control: SimControl,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waited: list[str] = []
    original = MqttTransport.disconnect

    async def spy(self: MqttTransport, timeout: float = 5.0) -> None:
        waited.append(self.client_id)
        await original(self, timeout)

    monkeypatch.setattr(MqttTransport, "disconnect", spy)
    async with aiohttp.ClientSession() as websession:
        session = NaviLinkSession(
            websession,
            sim_account["email"],
            sim_account["password"],
            endpoints=Endpoints(api_url=sim.api_url, mqtt_url=sim.mqtt_url, ca_file=sim.ca_file),
            options=CHAOS_OPTIONS,
        )
        try:
            await session.start()
            for _ in range(2):
                lost = asyncio.Event()
                unsub = session.add_connection_listener(
                    lambda e, lost=lost: (
                        lost.set() if e.state is ConnectionState.DISCONNECTED else None
                    )
                )
                await sim_control.drop()
                await asyncio.wait_for(lost.wait(), 30)
                unsub()
                while not session.connected:
                    await asyncio.sleep(0.01)
            # the interrupted connections were closed without waiting on awscrt
            assert waited == []
            assert session.health.counters.connects == 3
        finally:
            await session.stop()
        assert waited == [session.client_id]  # stop() on a live link is graceful
