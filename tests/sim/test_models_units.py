"""°F heaters, heater models and device refusals, end to end over the signed websocket."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from navilink_sim.testing import SimControl, SimControlError, SimInfo
from tests.sim.helpers import connected_client, sign_in
from tests.sim.test_device import check_envelope, check_status


async def _account(control: SimControl, **spec: Any) -> dict[str, Any]:
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    return await control.add_account(email, "pw-" + uuid.uuid4().hex[:8], heaters=1, **spec)


async def test_us_units_heater(sim: SimInfo, sim_control: SimControl) -> None:
    account = await _account(sim_control, units="us")
    mac = account["devices"][0]
    token = await sign_in(sim, account["email"], account["password"])
    client = await connected_client(sim, token, mac)
    try:
        status = (await client.request(mac, "st", 16777219))["response"]["status"]
        check_status(status)
        assert status["temperatureType"] == 2
        assert status["dhwTemperatureSetting"] == 98  # 120 °F, still in half-°C
        # the probes keep their tenth-°C scale: the same water as dhwTemperature (half-°C)
        assert abs(status["tankUpperTemperature"] / 10 - status["dhwTemperature"] / 2) <= 0.5
        feature = (await client.request(mac, "st/did", 16777217))["response"]["feature"]
        assert feature["temperatureType"] == 2
        assert (feature["dhwTemperatureMin"], feature["dhwTemperatureMax"]) == (81, 131)
        status = await client.control(mac, "dhw-temperature", [110], 33554464)
        assert status["dhwTemperatureSetting"] == 110
    finally:
        await client.disconnect()
    assert (await sim_control.state())["devices"][mac]["temperature_type"] == 2


async def test_refusal_answers_at_once(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    mac = sim_account["devices"][0]
    client = await connected_client(sim, token, mac)
    try:
        reply = await client.request(
            mac, "ctrl", 33554464, timeout=5, mode="dhw-temperature", param=[140], paramStr=""
        )
        check_envelope(reply, client, mac, 33554464)
        response = reply["response"]
        assert response["refusal"]["reason"] == "out_of_range"
        assert response["refusal"]["mode"] == "dhw-temperature"
        assert response["refusal"]["param"] == [140]
        check_status(response["status"])  # the unchanged state: strict clients still parse it
        assert response["status"]["dhwTemperatureSetting"] == 120
        reply = await client.request(
            mac, "ctrl", 33554445, timeout=5, mode="recirc-mode", param=[1], paramStr=""
        )
        assert reply["response"]["refusal"]["reason"] == "unsupported"
    finally:
        await client.disconnect()


async def test_recirculation_model(sim: SimInfo, sim_control: SimControl) -> None:
    account = await _account(sim_control, model="nwp500-recirc", absent=["drSettingUse"])
    mac = account["devices"][0]
    token = await sign_in(sim, account["email"], account["password"])
    client = await connected_client(sim, token, mac)
    try:
        feature = (await client.request(mac, "st/did", 16777217))["response"]["feature"]
        assert feature["recircModelTypeCode"] != 0
        assert (feature["recirculationUse"], feature["drSettingUse"]) == (2, 1)
        status = await client.control(mac, "recirc-mode", [3], 33554445)
        assert status["recircOperationMode"] == 3
        reply = await client.request(mac, "ctrl", 33554470, mode="dr-on", param=[], paramStr="")
        assert reply["response"]["refusal"]["reason"] == "unsupported"
    finally:
        await client.disconnect()
    state = (await sim_control.state())["devices"][mac]
    assert (state["model"], state["refused"]) == ("nwp500-recirc", 1)


async def test_control_api_checks_the_heater_spec(
    sim_control: SimControl, sim_account: dict[str, Any]
) -> None:
    for spec in ({"units": "imperial"}, {"model": "nwp999"}, {"absent": ["teleportUse"]}):
        with pytest.raises(SimControlError, match="400"):
            await _account(sim_control, **spec)
    email = sim_account["email"]
    mac = await sim_control.add_device(email, units="us")
    devices = (await sim_control.state())["devices"]
    assert devices[mac]["temperature_type"] == 2
    assert devices[sim_account["devices"][0]]["temperature_type"] == 1
    with pytest.raises(SimControlError, match="400"):
        await sim_control.add_device(email, absent=["teleportUse"])
