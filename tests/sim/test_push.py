"""Benchmark support: stamped statuses and unsolicited status pushes."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from navilink_sim.testing import SimControl, SimControlError, SimInfo
from tests.sim.helpers import DT, connected_client, sign_in, wait_for


async def test_push_stamped_statuses(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    mac = sim_account["devices"][0]
    client = await connected_client(sim, token, mac)
    try:
        await client.request(mac, "st", 16777219)  # registers the client's ack topic
        client.drain()
        await sim_control.stamp(mac, "airFilterAlarmElapsed")
        before = time.time_ns() // 1000
        topics = await sim_control.push(mac, count=5, interval_s=0.02)
        assert topics == [f"cmd/{DT}/navilink-{mac}/{client.client_id}/res"]
        stamps: list[int] = []

        async def got_all() -> bool:
            while not client.messages.empty():
                topic, payload = client.messages.get_nowait()
                doc = json.loads(payload)
                if topic == topics[0] and "response" in doc:
                    assert doc["response"]["macAddress"] == mac
                    stamps.append(doc["response"]["status"]["airFilterAlarmElapsed"])
            return len(stamps) >= 5

        await wait_for(got_all)
        after = time.time_ns() // 1000
        assert stamps == sorted(stamps)
        assert before <= stamps[0] and stamps[-1] <= after
        assert stamps[-1] - stamps[0] >= 4 * 20_000 * 0.9  # paced, not a burst
        state = (await sim_control.state())["devices"][mac]
        assert state["pushed"] == 5 and state["stamp_field"] == "airFilterAlarmElapsed"
        await sim_control.stamp(mac, None)
        reply = await client.request(mac, "st", 16777219)
        assert reply["response"]["status"]["airFilterAlarmElapsed"] < 1_000_000
    finally:
        await client.disconnect()


async def test_push_validation(sim_account: dict[str, Any], sim_control: SimControl) -> None:
    mac = sim_account["devices"][0]
    for body in ({"count": 0}, {"count": "3"}, {"count": 1, "interval_s": -1}):
        with pytest.raises(SimControlError, match="400"):
            await sim_control._call("POST", f"/devices/{mac}/push", body)
    with pytest.raises(SimControlError, match="400"):
        await sim_control.stamp(mac, "no such/field")
    with pytest.raises(SimControlError, match="404"):
        await sim_control.push("0000deadbeef", count=1)


async def test_heater_speed(sim_account: dict[str, Any], sim_control: SimControl) -> None:
    """One heater's physics can run faster (the bench matches a time-compressed push rate)."""
    mac = sim_account["devices"][0]
    start = (await sim_control.state())["devices"][mac]
    await sim_control.speed(mac, 600)
    await wait_for(lambda: _sim_time_past(sim_control, mac, start["sim_time"] + 60), timeout=5)
    assert (await sim_control.state())["devices"][mac]["speed"] == 600
    for body in ({"speed": 0}, {"speed": "2"}, {"speed": True}, {}):
        with pytest.raises(SimControlError, match="400"):
            await sim_control._call("POST", f"/devices/{mac}/speed", body)
    await sim_control.speed(mac, start["speed"])


async def _sim_time_past(sim_control: SimControl, mac: str, at: float) -> bool:
    return bool((await sim_control.state())["devices"][mac]["sim_time"] >= at)
