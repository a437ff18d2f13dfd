"""Heaters answer over the real signed websocket with complete, valid payloads."""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
from typing import Any

import aiohttp

from navilink_sim.testing import SimControl, SimInfo
from tests.sim.helpers import DT, Mqtt, connected_client, sign_in, wait_for

HALF_C = [
    "dhwTemperature", "dhwTemperature2", "dhwTemperatureSetting", "dhwTargetTemperatureSetting",
    "freezeProtectionTemperature", "hpUpperOnTempSetting", "hpUpperOffTempSetting",
    "hpLowerOnTempSetting", "hpLowerOffTempSetting", "heUpperOnTempSetting",
    "heUpperOffTempSetting", "heLowerOnTempSetting", "heLowerOffTempSetting",
    "heatMinOpTemperature", "recircTempSetting", "recircTemperature", "recircFaucetTemperature",
    "currentInletTemperature", "freezeProtectionTempMin", "freezeProtectionTempMax",
]  # fmt: skip
RAW_C = ["outsideTemperature"]
DECI_C = [
    "tankUpperTemperature", "tankLowerTemperature", "dischargeTemperature", "suctionTemperature",
    "evaporatorTemperature", "ambientTemperature", "targetSuperHeat", "currentSuperHeat",
]  # fmt: skip
DECI_DELTA = [
    "hpUpperOnDiffTempSetting", "hpUpperOffDiffTempSetting", "hpLowerOnDiffTempSetting",
    "hpLowerOffDiffTempSetting", "heUpperOnDiffTempSetting", "heUpperOffDiffTempSetting",
    "heLowerOnTDiffempSetting", "heLowerOffDiffTempSetting",
]  # fmt: skip
PLAIN = [
    "currentDhwFlowRate", "recircDhwFlowRate", "cumulatedDhwFlowRate", "currentInstPower",
    "totalEnergyCapacity", "availableEnergyCapacity", "dhwChargePer", "mixingRate",
    "airFilterAlarmPeriod", "airFilterAlarmElapsed", "cumulatedOpTimeEvaFan",
    "drOverrideStatus", "vacationDaySetting", "vacationDayElapsed", "antiLegionellaPeriod",
    "targetFanRpm", "currentFanRpm", "fanPwm", "eevStep", "specialFunctionStatus",
    "subErrorCode", "smartDiagnostic", "faultStatus1", "faultStatus2", "programReservationType",
    "currentStatenum", "recircPumpOperationStatus", "recircHotBtnReady", "recircOperationReason",
    "recircErrorStatus", "command", "touStatus", "touOverrideStatus", "currentHeatUse",
    "recircOperationMode", "tempFormulaType",
]  # fmt: skip
FLAGS = [
    "didReload", "freezeProtectionUse", "dhwUse", "dhwUseSustained", "programReservationUse",
    "ecoUse", "eevUse", "evaFanUse", "shutOffValveUse", "conOvrSensorUse", "wtrOvrSensorUse",
    "errorBuzzerUse", "scaldUse", "recircOperationBusy", "operationBusy", "compUse",
    "antiLegionellaUse", "antiLegionellaOperationBusy", "heatUpperUse", "heatLowerUse",
    "airFilterAlarmUse", "recircReservationUse",
]  # fmt: skip
OPTIONAL = [
    "temperatureType", "macAddress", "errorCode", "wifiRssi", "drEventStatus",
    "dhwOperationBusy", "operationMode", "dhwOperationSetting",
]  # fmt: skip
ERROR_CODES = {0, 96, 97, 326, 407, 445, 480, 481, 515, 517, 593, 594, 595, 596, 598, 615,
               781, 798, 799, 901, *range(907, 917), 920, 940, 990}  # fmt: skip
FEATURE_REQUIRED = [
    "countryCode", "modelTypeCode", "controlTypeCode", "volumeCode", "controllerSwVersion",
    "panelSwVersion", "wifiSwVersion", "controllerSwCode", "panelSwCode", "wifiSwCode",
    "recircSwVersion", "recircModelTypeCode", "controllerSerialNumber",
    "dhwTemperatureSettingUse",
]  # fmt: skip
FEATURE_FLAGS = [
    "powerUse", "holidayUse", "programReservationUse", "dhwUse", "smartDiagnosticUse",
    "wifiRssiUse", "energyUsageUse", "freezeProtectionUse", "mixingValveUse", "drSettingUse",
    "antiLegionellaSettingUse", "hpwhUse", "dhwRefillUse", "ecoUse", "electricUse",
    "heatpumpUse", "energySaverUse", "highDemandUse", "recirculationUse",
    "recircReservationUse", "title24Use",
]  # fmt: skip


def check_status(status: dict[str, Any]) -> None:
    required = HALF_C + RAW_C + DECI_C + DECI_DELTA + PLAIN + FLAGS
    assert len(set(required) - set(HALF_C + RAW_C + DECI_C)) == 66
    missing = [k for k in [*required, *OPTIONAL] if k not in status]
    assert not missing, missing
    for key in required:
        assert isinstance(status[key], int | float) and not isinstance(status[key], bool), key
    for key in FLAGS:
        assert status[key] in (1, 2), key
    assert status["operationMode"] in (0, 32, 64, 96)
    assert status["dhwOperationSetting"] in (1, 2, 3, 4, 5, 6)
    assert status["currentHeatUse"] in (0, 1, 2, 3)
    assert status["drEventStatus"] in (0, 1, 2, 3, 4, 5)
    assert status["recircOperationMode"] in (0, 1, 2, 3, 4)
    assert status["temperatureType"] in (1, 2)
    assert status["tempFormulaType"] in (0, 1)
    assert status["errorCode"] in ERROR_CODES
    assert 0 <= status["dhwChargePer"] <= 100
    assert 0 <= status["availableEnergyCapacity"] <= status["totalEnergyCapacity"]
    assert status["touOverrideStatus"] in (1, 2)


def check_envelope(reply: dict[str, Any], client: Mqtt, mac: str, command: int) -> None:
    assert reply["clientID"] == client.client_id
    assert reply["sessionID"] == client.session_id
    assert reply["requestTopic"].startswith(f"cmd/{DT}/navilink-{mac}/")
    assert reply["responseTopic"]
    resp = reply["response"]
    assert resp["command"] == command
    assert resp["deviceType"] == DT
    assert resp["macAddress"] == mac
    assert resp["additionalValue"] == "5322"


async def _client(sim: SimInfo, account: dict[str, Any]) -> tuple[Mqtt, str]:
    token = await sign_in(sim, account["email"], account["password"])
    mac = account["devices"][0]
    return await connected_client(sim, token, mac), mac


async def test_status_and_feature_complete(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    client, mac = await _client(sim, sim_account)
    try:
        reply = await client.request(mac, "st", 16777219)
        check_envelope(reply, client, mac, 16777219)
        check_status(reply["response"]["status"])
        reply = await client.request(mac, "st/did", 16777217)
        check_envelope(reply, client, mac, 16777217)
        feature = reply["response"]["feature"]
        for key in FEATURE_REQUIRED:
            assert key in feature, key
        # the default model has no recirculation pump, and says so; everything else is present
        assert feature["recircModelTypeCode"] == 0
        recirc = {"recirculationUse", "recircReservationUse"}
        for key in FEATURE_FLAGS:
            assert feature[key] == (1 if key in recirc else 2), key
        assert feature["volumeCode"] in (1, 2, 3)
        assert feature["dhwTemperatureSettingUse"] in (0, 1, 2, 3, 4)
        assert (feature["dhwTemperatureMin"], feature["dhwTemperatureMax"]) == (81, 131)
        assert (feature["freezeProtectionTempMin"], feature["freezeProtectionTempMax"]) == (12, 20)
        assert feature["temperatureType"] == 1
        assert isinstance(feature["controllerSerialNumber"], str)
    finally:
        await client.disconnect()


async def test_mode_commands_echoed(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    client, mac = await _client(sim, sim_account)
    try:
        steps: list[tuple[str, list[int], int, dict[str, int]]] = [
            ("dhw-mode", [2], 33554437, {"dhwOperationSetting": 2}),
            ("dhw-mode", [3], 33554437, {"dhwOperationSetting": 3}),
            ("dhw-mode", [4], 33554437, {"dhwOperationSetting": 4}),
            ("dhw-mode", [1], 33554437, {"dhwOperationSetting": 1}),
            ("power-off", [], 33554433, {"dhwOperationSetting": 6}),
            ("power-on", [], 33554434, {"dhwOperationSetting": 1}),
            ("dhw-mode", [3], 33554437, {"dhwOperationSetting": 3}),
            ("power-off", [], 33554433, {"dhwOperationSetting": 6}),
            ("power-on", [], 33554434, {"dhwOperationSetting": 3}),
            ("dhw-mode", [5, 10], 33554437, {"dhwOperationSetting": 5, "vacationDaySetting": 10}),
            ("dhw-mode", [5, 100], 33554437, {"dhwOperationSetting": 5, "vacationDaySetting": 10}),
            ("dhw-mode", [1], 33554437, {"dhwOperationSetting": 1}),
            ("dhw-temperature", [100], 33554464, {"dhwTemperatureSetting": 100}),
            ("dhw-temperature", [132], 33554464, {"dhwTemperatureSetting": 100}),
            ("dhw-temperature", [80], 33554464, {"dhwTemperatureSetting": 100}),
            ("dhw-temperature", [131], 33554464, {"dhwTargetTemperatureSetting": 131}),
            ("anti-leg-on", [14], 33554472, {"antiLegionellaUse": 2, "antiLegionellaPeriod": 14}),
            ("anti-leg-off", [], 33554471, {"antiLegionellaUse": 1, "antiLegionellaPeriod": 14}),
            ("tou-on", [], 33554476, {"touStatus": 1}),
            ("tou-off", [], 33554475, {"touStatus": 0}),
            ("dr-on", [], 33554470, {"drEventStatus": 1}),
            ("dr-off", [], 33554469, {"drEventStatus": 0}),
            ("frez-temp", [16], 33554451, {"freezeProtectionTemperature": 16}),
            ("frez-temp", [21], 33554451, {"freezeProtectionTemperature": 16}),
            ("air-filter-reset", [], 33554473, {"airFilterAlarmElapsed": 0}),
            ("smart-diagnostic", [], 33554455, {}),
        ]
        for mode, param, command, expected in steps:
            status = await client.control(mac, mode, param, command)
            check_status(status)
            for key, value in expected.items():
                assert status[key] == value, (mode, param, key, status[key])
        state = (await sim_control.state())["devices"][mac]
        assert state["setpoint_c"] == 65.5
        assert state["commands"]["dhw-mode"] == 8
        assert state["power_on"] is True
    finally:
        await client.disconnect()


async def test_reservations_and_energy(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    client, mac = await _client(sim, sim_account)
    try:
        rsv_topic = f"cmd/{DT}/{client.client_id}/res/rsv/rd"
        energy_topic = f"cmd/{DT}/{client.client_id}/res/energy-usage-daily-query/rd"
        await client.subscribe(rsv_topic)
        await client.subscribe(energy_topic)
        entries = [
            {"enable": 2, "week": 124, "hour": 6, "min": 30, "mode": 1, "param": 120},
            {"enable": 1, "week": 254, "hour": 22, "min": 0, "mode": 3, "param": 100},
        ]
        reply = await client.request(
            mac, "ctrl/rsv/rd", 16777226, response_topic=rsv_topic,
            reservationUse=2, reservation=entries,
        )  # fmt: skip
        assert reply["response"]["reservationUse"] == 2
        assert reply["response"]["reservation"] == "027c061e0178" + "01fe16000364"
        reply = await client.request(mac, "st/rsv/rd", 16777222, response_topic=rsv_topic)
        assert reply["response"]["reservation"] == "027c061e0178" + "01fe16000364"

        today = dt.datetime.now(dt.UTC)
        resp: dict[str, Any] = {}

        async def used_energy() -> bool:
            nonlocal resp
            reply = await client.request(
                mac, "st/energy-usage-daily-query/rd", 16777225, response_topic=energy_topic,
                year=today.year, month=[today.month],
            )  # fmt: skip
            resp = reply["response"]
            # the fresh heater starts below its setpoint and heats with its heat pump
            return bool(resp["total"]["hpUsage"] > 0)

        await wait_for(used_energy)
        assert resp["typeOfUsage"] == 1
        assert set(resp["total"]) == {"hpUsage", "heUsage", "hpTime", "heTime"}
        (month,) = resp["usage"]
        assert (month["year"], month["month"]) == (today.year, today.month)
        assert len(month["data"]) == calendar.monthrange(today.year, today.month)[1]
    finally:
        await client.disconnect()


async def test_thermal_model_heats_toward_setpoint(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    client, mac = await _client(sim, sim_account)
    try:
        status = await client.control(mac, "dhw-temperature", [131], 33554464)
        status = await client.control(mac, "dhw-mode", [2], 33554437)
        start = (await sim_control.state())["devices"][mac]

        async def warmer() -> bool:
            now = (await sim_control.state())["devices"][mac]
            return now["tank_upper_c"] + now["tank_lower_c"] > (
                start["tank_upper_c"] + start["tank_lower_c"] + 1.0
            )

        await wait_for(warmer)
        now = (await sim_control.state())["devices"][mac]
        assert now["current_heat_use"] == 2
        assert now["power_w"] >= 3755
        assert now["mode"] == "electric"
        status = await client.control(mac, "dhw-mode", [1], 33554437)
        assert status["currentHeatUse"] == 1
        assert status["compUse"] == 2
        assert 400 <= status["currentInstPower"] <= 500
        assert status["operationMode"] == 32
        status = await client.control(mac, "power-off", [], 33554433)
        assert status["currentHeatUse"] == 0
        assert status["currentInstPower"] == 0
    finally:
        await client.disconnect()


async def test_draw_cools_tank(sim_control: SimControl, sim_account: dict[str, Any]) -> None:
    mac = sim_account["devices"][0]
    before = (await sim_control.state())["devices"][mac]["tank_upper_c"]
    await sim_control.draw(mac, lpm=12, seconds=600)

    async def cooler() -> bool:
        return (await sim_control.state())["devices"][mac]["tank_upper_c"] < before - 2

    await wait_for(cooler)


async def test_offline_device_is_silent(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    client, mac = await _client(sim, sim_account)
    try:
        await sim_control.set_online(mac, False)
        topic, msg = client.request_message(mac, "st", 16777219)
        await client.publish(topic, msg)
        try:
            got = await client.next_response(msg["responseTopic"], timeout=1.5)
        except TimeoutError:
            got = None
        assert got is None
        token = await sign_in(sim, sim_account["email"], sim_account["password"])
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{sim.api_url}/device/list",
                json={"offset": 0, "count": 20, "userId": sim_account["email"]},
                headers={"authorization": token["accessToken"]},
            ) as resp,
        ):
            devices = (await resp.json())["data"]
        assert devices[0]["deviceInfo"]["connected"] == 1
        await sim_control.set_online(mac, True)
        reply = await client.request(mac, "st", 16777219)
        check_status(reply["response"]["status"])
    finally:
        await client.disconnect()


async def test_inject_raw_payload(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    client, mac = await _client(sim, sim_account)
    try:
        topics = await sim_control.inject(mac, '{"response": {"status": [garbage')
        assert topics == [f"cmd/{DT}/navilink-{mac}/sim/res"]
        topic, payload = await asyncio.wait_for(client.messages.get(), 10)
        assert (topic, payload) == (topics[0], b'{"response": {"status": [garbage')
        # after a request, the default target is the client's own ack topic
        await client.request(mac, "st", 16777219)
        client.drain()
        topics = await sim_control.inject(mac, "\x00not json")
        assert topics == [f"cmd/{DT}/navilink-{mac}/{client.client_id}/res"]

        async def got_it() -> bool:
            while not client.messages.empty():
                t, p = client.messages.get_nowait()
                if t == topics[0] and p == b"\x00not json":
                    return True
            return False

        await wait_for(got_it)
    finally:
        await client.disconnect()
