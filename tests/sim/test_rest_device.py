"""The REST endpoints beyond sign-in and the device list: firmware, TOU, push token."""

from __future__ import annotations

from typing import Any

import aiohttp

from navilink_sim.testing import SimControl, SimInfo
from tests.sim.helpers import connected_client, sign_in

WEEKDAY_WINTER = [0] * 7 + [1] * 7 + [0] * 10  # 00-06 off-peak, 07-13 peak, 14-23 off-peak
WEEKDAY_SUMMER = [1] * 24
WINTER = (1, 2, 3, 4, 11, 12)
OPENEI_PLAN: dict[str, Any] = {
    "utility": "Simulated Power & Light",
    "name": "EV Rate A",
    "sector": "Residential",
    "energyratestructure": [
        [{"rate": 0.31, "unit": "kWh", "adj": 0.00794}],
        [{"rate": 0.46016, "unit": "kWh"}],
    ],
    "energyweekdayschedule": [
        WEEKDAY_WINTER if m in WINTER else WEEKDAY_SUMMER for m in range(1, 13)
    ],
    "energyweekendschedule": [[0] * 24] * 12,
}


async def call(
    sim: SimInfo,
    method: str,
    path: str,
    token: str | None,
    body: dict[str, Any] | None = None,
    *,
    params: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    headers = {"authorization": token} if token is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, f"{sim.api_url}{path}", json=body, params=params, headers=headers
        ) as resp,
    ):
        assert resp.content_type == "application/json"
        return resp.status, await resp.json()


async def _access(sim: SimInfo, account: dict[str, Any]) -> tuple[str, str]:
    token = await sign_in(sim, account["email"], account["password"])
    return token["accessToken"], account["devices"][0]


async def _serial(sim: SimInfo, account: dict[str, Any]) -> str:
    """The controller serial number, as the heater's feature payload (MQTT) reports it."""
    token = await sign_in(sim, account["email"], account["password"])
    mac = account["devices"][0]
    client = await connected_client(sim, token, mac)
    try:
        reply = await client.request(mac, "st/did", 16777217)
    finally:
        await client.disconnect()
    return str(reply["response"]["feature"]["controllerSerialNumber"])


async def test_firmware_info(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    access, mac = await _access(sim, sim_account)
    body = {"macAddress": mac, "additionalValue": "5322", "userId": sim_account["email"]}
    status, doc = await call(sim, "POST", "/device/firmware/info", access, body)
    assert (status, doc["code"], doc["msg"]) == (200, 200, "SUCCESS")
    firmwares = doc["data"]["firmwares"]
    assert sorted(f["curSwCode"] for f in firmwares) == [1, 2, 4]  # controller, panel, Wi-Fi
    for firmware in firmwares:
        assert firmware["macAddress"] == mac
        assert firmware["additionalValue"] == "5322"
        assert firmware["deviceType"] == 52
        assert isinstance(firmware["curVersion"], int) and firmware["curVersion"] > 0
        assert firmware["downloadedVersion"] is None
        assert isinstance(firmware["deviceGroup"], str)
    status, doc = await call(sim, "POST", "/device/firmware/info", access, {"macAddress": "0" * 12})
    assert (status, doc["code"]) == (404, 404)
    status, doc = await call(sim, "POST", "/device/firmware/info", None, body)
    assert (status, doc["code"]) == (401, 401)


async def test_tou_get_put_round_trip(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    access, mac = await _access(sim, sim_account)
    serial = await _serial(sim, sim_account)
    query = {
        "additionalValue": "5322",
        "controllerId": serial,
        "macAddress": mac,
        "userId": sim_account["email"],
        "userType": "O",
    }
    status, doc = await call(sim, "GET", "/device/tou", access, params=query)
    assert (status, doc["code"]) == (200, 200)
    assert doc["data"]["registerPath"] == "wifi"
    assert doc["data"]["sourceType"] == "openei"
    info = doc["data"]["touInfo"]
    assert (info["controllerId"], info["schedule"], info["zipCode"]) == (serial, [], 0)
    assert {"manufactureId", "name", "utility"} <= set(info)

    schedule = [{"season": 4095, "interval": [{"week": 124, "startHour": 17, "endHour": 20}]}]
    body = {
        "additionalValue": "5322",
        "macAddress": mac,
        "registerPath": "wifi",
        "sourceData": OPENEI_PLAN,
        "sourceType": "openei",
        "touInfo": {
            "name": "EV Rate A",
            "schedule": schedule,
            "utility": "SP&L",
            "zipCode": "94903",
        },
        "userId": sim_account["email"],
        "userType": "O",
        "zipCode": "94903",
    }
    status, doc = await call(sim, "PUT", "/device/tou", access, body)
    assert (status, doc["code"]) == (200, 200)
    info = doc["data"]["touInfo"]
    assert (info["name"], info["utility"], info["zipCode"]) == ("EV Rate A", "SP&L", 94903)
    assert info["schedule"] == schedule
    status, doc = await call(sim, "GET", "/device/tou", access, params=query)
    assert doc["data"]["touInfo"]["schedule"] == schedule

    status, doc = await call(
        sim, "GET", "/device/tou", access, params={**query, "controllerId": "x"}
    )
    assert (status, doc["code"]) == (400, 400)
    status, doc = await call(sim, "PUT", "/device/tou", access, {**body, "sourceType": "csv"})
    assert (status, doc["code"]) == (400, 400)
    status, doc = await call(sim, "GET", "/device/tou", None, params=query)
    assert (status, doc["code"]) == (401, 401)


async def test_tou_convert_openei_plan(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    access, _ = await _access(sim, sim_account)
    body = {
        "sourceData": [OPENEI_PLAN],
        "sourceType": "openei",
        "sourceVersion": 7,
        "userId": sim_account["email"],
        "userType": "O",
    }
    status, doc = await call(sim, "POST", "/device/tou/convert", access, body)
    assert (status, doc["code"]) == (200, 200)
    (plan,) = doc["data"]["touInfo"]
    assert (plan["utility"], plan["name"]) == ("Simulated Power & Light", "EV Rate A")
    seasons = {s["season"]: s["interval"] for s in plan["schedule"]}
    winter = sum(1 << (m - 1) for m in WINTER)
    assert set(seasons) == {winter, 4095 ^ winter}
    off_peak = {"priceMin": 31794, "priceMax": 31794, "decimalPoint": 5}
    peak = {"priceMin": 46016, "priceMax": 46016, "decimalPoint": 5}
    runs = [
        (124, 0, 6, off_peak),
        (124, 7, 13, peak),
        (124, 14, 23, off_peak),
        (130, 0, 23, off_peak),
    ]
    assert seasons[winter] == [
        {"week": w, "startHour": a, "startMinute": 0, "endHour": b, "endMinute": 59, **price}
        for w, a, b, price in runs
    ]
    assert [(i["week"], i["startHour"], i["endHour"]) for i in seasons[4095 ^ winter]] == [
        (124, 0, 23),
        (130, 0, 23),
    ]
    bad = {**body, "sourceData": [{"name": "no matrices"}]}
    status, doc = await call(sim, "POST", "/device/tou/convert", access, bad)
    assert (status, doc["code"]) == (400, 400)


async def test_update_push_token(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    access, _ = await _access(sim, sim_account)
    body = {
        "modelName": "Python Client",
        "appVersion": "1.0.0",
        "os": "Python",
        "osVersion": "3.14",
        "userId": sim_account["email"],
        "pushToken": "push-token-for-tests",
    }
    status, doc = await call(sim, "POST", "/app/update-push-token", access, body)
    assert (status, doc) == (200, {"code": 200, "msg": "SUCCESS", "data": None})
    accounts = (await sim_control.state())["accounts"]
    (mine,) = [a for a in accounts if a["email"] == sim_account["email"]]
    assert mine["push_token_set"] is True
    status, doc = await call(sim, "POST", "/app/update-push-token", access, {"pushToken": ""})
    assert (status, doc["code"]) == (400, 400)
