"""What a heater does with a request: parse it, apply it to the settings, build the reply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from navilink_sim.protocol import (
    ANTI_LEGIONELLA_DAYS,
    DEVICE_TYPE,
    DHW_MAX,
    DHW_MIN,
    FREEZE_MAX,
    FREEZE_MIN,
    PROTOCOL_VERSION,
    RECIRC_MODES,
    SELECTABLE_MODES,
    SUFFIX_CONTROL,
    SUFFIX_ENERGY,
    SUFFIX_FEATURE,
    SUFFIX_RESERVATION_READ,
    SUFFIX_RESERVATION_WRITE,
    SUFFIX_STATUS,
    SUFFIX_TOU,
    VACATION_DAYS,
    DhwMode,
    device_prefix,
)
from navilink_sim.settings import RESERVATION_KEYS, Settings
from navilink_sim.tank import Tank


class Device(Protocol):
    """What the command handling needs of a heater."""

    @property
    def mac(self) -> str: ...
    @property
    def additional_value(self) -> str: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def tank(self) -> Tank: ...
    def status_payload(self) -> dict[str, Any]: ...
    def feature_payload(self) -> dict[str, Any]: ...
    def energy_payload(self, year: int, months: list[int]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Request:
    """One request a heater received on its device topic."""

    topic: str
    suffix: str  # the part after cmd/52/navilink-{mac}/
    kind: str  # the `mode` of a mode control, else the suffix (what the counters count)
    message: dict[str, Any]
    body: dict[str, Any]  # the `request` object
    response_topic: str


def parse_request(mac: str, topic: str, payload: bytes) -> Request | None:
    """A request on this heater's topics, or None (not ours, a response, malformed)."""
    prefix = device_prefix(mac)
    if not topic.startswith(prefix):
        return None
    try:
        msg = json.loads(payload)
    except ValueError, UnicodeDecodeError:
        return None
    if not isinstance(msg, dict) or "response" in msg:
        return None
    body = msg.get("request")
    if not isinstance(body, dict):
        return None
    suffix = topic[len(prefix) :]
    mode = body.get("mode")
    kind = str(mode) if suffix == SUFFIX_CONTROL and isinstance(mode, str) else suffix
    response_topic = msg.get("responseTopic")
    if not isinstance(response_topic, str) or not response_topic:
        response_topic = f"{prefix}{msg.get('clientID', '')}/res"
    return Request(topic, suffix, kind, msg, body, response_topic)


def apply_mode(settings: Settings, tank: Tank, mode: str, param: list[int]) -> None:
    """Apply a mode/param control; invalid values leave the state unchanged."""
    first = param[0] if param else None
    if mode == "power-off":
        if settings.mode is not DhwMode.POWER_OFF:
            settings.last_mode = settings.mode
            settings.mode = DhwMode.POWER_OFF
    elif mode == "power-on":
        if settings.mode is DhwMode.POWER_OFF:
            settings.mode = settings.last_mode
    elif mode == "dhw-mode":
        if first in SELECTABLE_MODES:
            settings.mode = settings.last_mode = DhwMode(first)
        elif first == DhwMode.VACATION and len(param) > 1 and param[1] in VACATION_DAYS:
            if settings.mode is not DhwMode.POWER_OFF:
                settings.last_mode = settings.mode
            settings.mode = DhwMode.VACATION
            settings.vacation_days = param[1]
            tank.vacation_elapsed_s = 0
    elif mode == "dhw-temperature":
        if first is not None and DHW_MIN <= first <= DHW_MAX:
            settings.setpoint_raw = first
    elif mode == "anti-leg-on":
        if first is not None and first in ANTI_LEGIONELLA_DAYS:
            settings.anti_leg = True
            settings.anti_leg_period = first
    elif mode == "anti-leg-off":
        settings.anti_leg = False
    elif mode in ("tou-on", "tou-off"):
        settings.tou = mode == "tou-on"
    elif mode in ("dr-on", "dr-off"):
        settings.dr = mode == "dr-on"
    elif mode == "frez-temp":
        if first is not None and FREEZE_MIN <= first <= FREEZE_MAX:
            settings.freeze_raw = first
    elif mode == "air-filter-reset":
        tank.air_filter_elapsed_h = 0
    elif mode == "recirc-mode" and first is not None and first in RECIRC_MODES:
        settings.recirc_mode = first


def _store_reservations(settings: Settings, body: dict[str, Any]) -> None:
    use = body.get("reservationUse")
    if isinstance(use, int):
        settings.reservation_use = use
    entries = body.get("reservation")
    if isinstance(entries, list):
        settings.reservations = [
            {k: int(e.get(k, 0)) for k in RESERVATION_KEYS} for e in entries if isinstance(e, dict)
        ]


def _store_tou(settings: Settings, body: dict[str, Any]) -> None:
    if isinstance(body.get("reservation"), list):
        settings.tou_periods = [p for p in body["reservation"] if isinstance(p, dict)]
        if isinstance(body.get("reservationUse"), int):
            settings.tou_use = body["reservationUse"]


def _control(device: Device, body: dict[str, Any]) -> None:
    settings = device.settings
    mode = body.get("mode")
    if isinstance(mode, str):
        raw = body.get("param", [])
        param = [p for p in raw if isinstance(p, int)] if isinstance(raw, list) else []
        apply_mode(settings, device.tank, mode, param)
        # the ack shows the heat sources of the new mode
        device.tank.control(settings.mode, settings.setpoint_c)
    elif isinstance(body.get("reservation"), list):
        settings.weekly = list(body["reservation"])
        if isinstance(body.get("reservationUse"), int):
            settings.weekly_use = body["reservationUse"]


def respond(device: Device, request: Request) -> bytes | None:
    """Apply ``request`` and return the reply document (None: the heater stays silent)."""
    body = request.body
    settings = device.settings
    response: dict[str, Any] = {
        "command": body.get("command", 0),
        "deviceType": DEVICE_TYPE,
        "macAddress": device.mac,
        "additionalValue": device.additional_value,
    }
    suffix = request.suffix
    if suffix == SUFFIX_STATUS:
        response["status"] = device.status_payload()
    elif suffix == SUFFIX_FEATURE:
        response["feature"] = device.feature_payload()
    elif suffix in (SUFFIX_RESERVATION_READ, SUFFIX_RESERVATION_WRITE):
        if suffix == SUFFIX_RESERVATION_WRITE:
            _store_reservations(settings, body)
        response["reservationUse"] = settings.reservation_use
        response["reservation"] = settings.reservation_hex()
    elif suffix == SUFFIX_ENERGY:
        year, months = body.get("year"), body.get("month")
        if not isinstance(year, int) or not isinstance(months, list):
            return None
        response.update(device.energy_payload(year, [m for m in months if isinstance(m, int)]))
    elif suffix == SUFFIX_TOU:
        _store_tou(settings, body)
        response["reservationUse"] = settings.tou_use
        response["reservation"] = settings.tou_periods
    elif suffix == SUFFIX_CONTROL:
        _control(device, body)
        response["status"] = device.status_payload()
    else:
        return None
    msg = request.message
    reply = {
        "protocolVersion": msg.get("protocolVersion", PROTOCOL_VERSION),
        "clientID": msg.get("clientID"),
        "sessionID": msg.get("sessionID"),
        "requestTopic": msg.get("requestTopic", request.topic),
        "responseTopic": request.response_topic,
        "response": response,
    }
    return json.dumps(reply).encode()
