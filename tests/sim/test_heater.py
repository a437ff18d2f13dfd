"""One simulated heater, driven in-process through its message handler (no broker needed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from navilink_sim.heater import Heater
from navilink_sim.profiles import PROFILES
from navilink_sim.protocol import TemperatureType

MAC = "04aa00bb11cc"
CID = "navien-client-0000abcd"
CTRL = 33554437
SETTING_KEYS = (
    "dhwTemperatureSetting",
    "dhwOperationSetting",
    "vacationDaySetting",
    "antiLegionellaPeriod",
    "freezeProtectionTemperature",
    "recircOperationMode",
)


def request(heater: Heater, suffix: str, command: int, **extra: Any) -> dict[str, Any] | None:
    """Send one request to ``heater``; its reply document (None when it stays silent)."""
    topic = f"cmd/52/navilink-{heater.mac}/{suffix}"
    msg = {
        "clientID": CID,
        "sessionID": "0" * 32,
        "protocolVersion": 2,
        "requestTopic": topic,
        "responseTopic": f"cmd/52/navilink-{heater.mac}/{CID}/res",
        "request": {
            "command": command,
            "deviceType": 52,
            "macAddress": heater.mac,
            "additionalValue": heater.additional_value,
            **extra,
        },
    }
    replies = heater.handle(topic, json.dumps(msg).encode())
    if not replies:
        return None
    ((reply_topic, payload),) = replies
    assert reply_topic == msg["responseTopic"]
    doc: dict[str, Any] = json.loads(payload)
    return doc


def control(heater: Heater, mode: str, param: list[int], command: int = CTRL) -> dict[str, Any]:
    """A mode/param control; the ``response`` of its ack."""
    reply = request(heater, "ctrl", command, mode=mode, param=param, paramStr="")
    assert reply is not None
    response: dict[str, Any] = reply["response"]
    return response


@pytest.mark.parametrize(
    ("mode", "expected"),
    [(1, 32), (2, 96), (3, 64), (4, 96)],
    ids=["heat_pump", "electric", "energy_saver", "high_demand"],
)
def test_operation_mode_follows_the_chosen_mode_while_heating(mode: int, expected: int) -> None:
    heater = Heater(MAC, "op@example.com", 0)
    control(heater, "dhw-temperature", [131], 33554464)  # far above the tank: it heats
    status = control(heater, "dhw-mode", [mode])["status"]
    assert status["dhwOperationSetting"] == mode
    assert status["currentHeatUse"] != 0
    assert status["operationMode"] == expected


def test_operation_mode_is_not_derived_from_the_heat_sources() -> None:
    heater = Heater(MAC, "op@example.com", 0)
    control(heater, "dhw-temperature", [131], 33554464)
    # Energy Saver with the element helping the compressor: still 64, not the boost code
    status = control(heater, "dhw-mode", [3])["status"]
    assert (status["currentHeatUse"], status["operationMode"]) == (3, 64)
    # High Demand with only the compressor (upper half within 2 °C of the setpoint): still 96
    control(heater, "dhw-temperature", [heater.status_payload()["dhwTemperature"] + 2], 33554464)
    status = control(heater, "dhw-mode", [4])["status"]
    assert (status["currentHeatUse"], status["operationMode"]) == (1, 96)


def test_operation_mode_standby_when_not_heating() -> None:
    heater = Heater(MAC, "op@example.com", 0)
    control(heater, "dhw-temperature", [131], 33554464)
    assert control(heater, "power-off", [], 33554433)["status"]["operationMode"] == 0
    control(heater, "power-on", [], 33554434)
    assert control(heater, "dhw-mode", [5, 3])["status"]["operationMode"] == 0
    control(heater, "dhw-mode", [1])
    control(heater, "dhw-temperature", [81], 33554464)  # below the tank: nothing to do
    heater.advance(60)
    status = heater.status_payload()
    assert (status["currentHeatUse"], status["operationMode"]) == (0, 0)
    assert heater.state()["operation_mode"] == 0


def refusal(response: dict[str, Any]) -> tuple[str, Any, Any]:
    r = response["refusal"]
    assert isinstance(r["detail"], str) and r["detail"]
    return r["reason"], r.get("mode"), r.get("param")


@pytest.mark.parametrize(
    ("mode", "param", "reason"),
    [
        ("dhw-temperature", [132], "out_of_range"),
        ("dhw-temperature", [80], "out_of_range"),
        ("dhw-temperature", [], "invalid_param"),
        ("dhw-temperature", ["120"], "invalid_param"),
        ("dhw-mode", [7], "out_of_range"),
        ("dhw-mode", [0], "out_of_range"),
        ("dhw-mode", [5], "invalid_param"),
        ("dhw-mode", [5, 100], "out_of_range"),
        ("goout-day", [0], "out_of_range"),
        ("air-filter-life", [1], "out_of_range"),  # 500 h: below the 1000 h minimum
        ("air-filter-life", [21], "out_of_range"),
        ("air-filter-life", [], "invalid_param"),
        ("anti-leg-on", [31], "out_of_range"),
        ("frez-temp", [21], "out_of_range"),
        ("make-coffee", [], "unknown_command"),
        ("recirc-mode", [2], "unsupported"),  # the default model has no recirculation pump
        ("recirc-hotbtn", [1], "unsupported"),
    ],
)
def test_refused_control_says_why_and_changes_nothing(
    mode: str, param: list[Any], reason: str
) -> None:
    heater = Heater(MAC, "refuse@example.com", 0)
    before = heater.status_payload()
    response = control(heater, mode, param)
    assert refusal(response) == (reason, mode, param)
    status = response["status"]  # the unchanged state, as a normal ack carries it
    for key in SETTING_KEYS:
        assert status[key] == before[key], key
    state = heater.state()
    assert state["refused"] == 1
    assert state["last_refusal"]["reason"] == reason


def test_accepted_controls_carry_no_refusal() -> None:
    heater = Heater(MAC, "ok@example.com", 0)
    for mode, param in [("dhw-temperature", [131]), ("dhw-mode", [5, 99]), ("frez-temp", [20])]:
        assert "refusal" not in control(heater, mode, param)
    # goout-day changes the vacation length without leaving the mode
    status = control(heater, "goout-day", [45], 33554466)["status"]
    assert (status["dhwOperationSetting"], status["vacationDaySetting"]) == (5, 45)
    # air-filter-life counts in 500 h steps; 0 turns the alarm off
    status = control(heater, "air-filter-life", [6], 33554474)["status"]
    assert (status["airFilterAlarmUse"], status["airFilterAlarmPeriod"]) == (2, 3000)
    status = control(heater, "air-filter-life", [0], 33554474)["status"]
    assert (status["airFilterAlarmUse"], status["airFilterAlarmPeriod"]) == (1, 0)
    assert heater.state()["refused"] == 0


def test_other_refusals() -> None:
    heater = Heater(MAC, "refuse@example.com", 0)
    # a query the heater does not know goes unanswered, as on real units
    assert request(heater, "st/energy-usage-hourly-query/rd", 16777224) is None
    assert heater.state()["commands"]["st/energy-usage-hourly-query/rd"] == 1
    reply = request(heater, "ctrl", 33554437, mode=5, param=[1])
    assert reply is not None
    assert reply["response"]["refusal"]["reason"] == "unknown_command"
    reply = request(heater, "st/energy-usage-daily-query/rd", 16777225, year="2026")
    assert reply is not None
    assert reply["response"]["refusal"]["reason"] == "invalid_param"
    reply = request(heater, "ctrl", 33554440, schedule=[{"enable": 2, "week": 254}])
    assert reply is not None
    assert reply["response"]["refusal"]["reason"] == "unsupported"
    # a reply on a client's ack topic is not a request: no answer at all
    topic = f"cmd/52/navilink-{MAC}/{CID}/res"
    assert heater.handle(topic, json.dumps({"request": {"command": 1}}).encode()) == []


def test_model_capabilities_shape_the_feature_and_the_commands() -> None:
    recirc = Heater(MAC, "recirc@example.com", 0, profile=PROFILES["nwp500-recirc"])
    feature = recirc.feature_payload()
    assert feature["recircModelTypeCode"] != 0
    assert (feature["recirculationUse"], feature["recircReservationUse"]) == (2, 2)
    response = control(recirc, "recirc-mode", [2], 33554445)
    assert "refusal" not in response
    assert response["status"]["recircOperationMode"] == 2
    reply = request(recirc, "ctrl", 33554440, schedule=[{"enable": 2, "week": 254}])
    assert reply is not None and "refusal" not in reply["response"]

    no_dr = Heater(MAC, "nodr@example.com", 0, profile=PROFILES["nwp500"].without(["drSettingUse"]))
    assert no_dr.feature_payload()["drSettingUse"] == 1
    assert refusal(control(no_dr, "dr-on", [], 33554470))[0] == "unsupported"
    with pytest.raises(ValueError, match="unknown capability"):
        PROFILES["nwp500"].without(["teleportUse"])


def test_us_units_heater_reports_fahrenheit_with_the_same_raw_scales() -> None:
    metric = Heater(MAC, "metric@example.com", 0)
    us = Heater(MAC, "us@example.com", 0, units=TemperatureType.FAHRENHEIT)
    for payload in (us.status_payload(), us.feature_payload()):
        assert payload["temperatureType"] == 2
    for payload in (metric.status_payload(), metric.feature_payload()):
        assert payload["temperatureType"] == 1
    status = us.status_payload()
    # factory setpoint 120 °F, carried in half-°C like every temperature: 98 = 49.0 °C
    assert status["dhwTemperatureSetting"] == 98
    assert (status["tankUpperTemperature"], status["dhwTemperature"]) == (
        metric.status_payload()["tankUpperTemperature"],
        metric.status_payload()["dhwTemperature"],
    )
    feature = us.feature_payload()
    assert (feature["dhwTemperatureMin"], feature["dhwTemperatureMax"]) == (81, 131)
    # commands take half-°C too: 140 °F = 60 °C = 120
    assert control(us, "dhw-temperature", [120], 33554464)["status"]["dhwTemperatureSetting"] == 120
    assert us.state()["temperature_type"] == 2


def test_schedules_need_program_reservation() -> None:
    heater = Heater(
        MAC, "noprog@example.com", 0, profile=PROFILES["nwp500"].without(["programReservationUse"])
    )
    period = {"season": 4095, "week": 124, "startHour": 17, "startMinute": 0, "endHour": 20}
    reply = request(
        heater, "ctrl/tou/rd", 33554439, controllerSerialNumber="x", reservationUse=2,
        reservation=[period],
    )  # fmt: skip
    assert reply is not None
    response = reply["response"]
    assert response["refusal"]["reason"] == "unsupported"
    assert (response["reservationUse"], response["reservation"]) == (1, [])  # unchanged echo
    reply = request(heater, "ctrl/tou/rd", 33554439, controllerSerialNumber="x")  # a read
    assert reply is not None and "refusal" not in reply["response"]
    reply = request(heater, "ctrl", 33554438, reservationUse=2, reservation=[{"enable": 2}])
    assert reply is not None and reply["response"]["refusal"]["reason"] == "unsupported"
    assert refusal(control(heater, "tou-on", [], 33554476))[0] == "unsupported"
