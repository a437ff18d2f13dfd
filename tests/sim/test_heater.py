"""One simulated heater, driven in-process through its message handler (no broker needed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from navilink_sim.heater import Heater

MAC = "04aa00bb11cc"
CID = "navien-client-0000abcd"
CTRL = 33554437


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
