"""What a heater does with a request: parse it, apply it to the settings, build the reply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from navilink_sim.profiles import MODE_FLAGS
from navilink_sim.protocol import (
    AIR_FILTER_STEP_H,
    AIR_FILTER_STEPS,
    ANTI_LEGIONELLA_DAYS,
    DEVICE_TYPE,
    PROTOCOL_VERSION,
    RECIRC_MODES,
    SUFFIX_CONTROL,
    SUFFIX_ENERGY,
    SUFFIX_FEATURE,
    SUFFIX_RESERVATION_READ,
    SUFFIX_RESERVATION_WRITE,
    SUFFIX_STATUS,
    SUFFIX_TOU,
    VACATION_DAYS,
    DhwMode,
    Flag,
    device_prefix,
)
from navilink_sim.settings import RESERVATION_KEYS, Settings
from navilink_sim.tank import Tank

# Requests arrive under cmd/52/navilink-{mac}/st/... and .../ctrl/...; the rest of the
# heater's topic tree carries replies.
REQUEST_ROOTS = frozenset({SUFFIX_STATUS, SUFFIX_CONTROL})
# The requests a heater answers. Others under st/ and ctrl/ (the newer public client's hourly
# or monthly energy, diagnostics, firmware download info, session end) get no reply, which is
# how units that do not know a query behave.
ANSWERED = frozenset(
    {
        SUFFIX_STATUS,
        SUFFIX_FEATURE,
        SUFFIX_RESERVATION_READ,
        SUFFIX_RESERVATION_WRITE,
        SUFFIX_ENERGY,
        SUFFIX_TOU,
        SUFFIX_CONTROL,
    }
)


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
    if suffix.split("/", 1)[0] not in REQUEST_ROOTS:
        return None  # e.g. a client's ack topic {cid}/res: nothing the heater answers
    mode = body.get("mode")
    kind = str(mode) if suffix == SUFFIX_CONTROL and isinstance(mode, str) else suffix
    response_topic = msg.get("responseTopic")
    if not isinstance(response_topic, str) or not response_topic:
        response_topic = f"{prefix}{msg.get('clientID', '')}/res"
    return Request(topic, suffix, kind, msg, body, response_topic)


# Every mode/param control a heater knows, with the feature flag it needs (None: ungated).
MODE_GATES: dict[str, str | None] = {
    "power-on": "powerUse",
    "power-off": "powerUse",
    "dhw-mode": "dhwUse",
    "dhw-temperature": None,  # gated by dhwTemperatureSettingUse, checked below
    "anti-leg-on": "antiLegionellaSettingUse",
    "anti-leg-off": "antiLegionellaSettingUse",
    "tou-on": "programReservationUse",
    "tou-off": "programReservationUse",
    "dr-on": "drSettingUse",
    "dr-off": "drSettingUse",
    "air-filter-reset": None,
    "air-filter-life": None,
    "goout-day": "holidayUse",
    "cond-fault-reset": None,
    "recirc-mode": "recirculationUse",
    "recirc-hotbtn": "recirculationUse",
    "reservation-mode": "programReservationUse",
    "intelligent-on": None,
    "intelligent-off": None,
    "frez-temp": "freezeProtectionUse",
    "smart-diagnostic": None,
    "ota-check": None,
    "wifi-reconnect": None,
    "wifi-reset": None,
}
# Modes whose first parameter is required and bounded: by the feature payload's (min, max) keys
# (inclusive), or by a fixed range.
RANGED: dict[str, tuple[str, str] | range] = {
    "dhw-temperature": ("dhwTemperatureMin", "dhwTemperatureMax"),
    "frez-temp": ("freezeProtectionTempMin", "freezeProtectionTempMax"),
    "anti-leg-on": ANTI_LEGIONELLA_DAYS,
    "recirc-mode": RECIRC_MODES,
    "recirc-hotbtn": range(1, 2),
    "goout-day": VACATION_DAYS,
}


@dataclass(frozen=True)
class Refusal:
    """Why a heater refused a command (the simulator's reply shape, see docs/protocol.md)."""

    reason: str  # unknown_command, unsupported, invalid_param, out_of_range
    detail: str

    def as_dict(self, request: Request) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason, "detail": self.detail}
        if request.suffix == SUFFIX_CONTROL and "mode" in request.body:
            out["mode"] = request.body.get("mode")
            out["param"] = request.body.get("param")
        return out


def has(feature: dict[str, Any], name: str) -> bool:
    """A capability flag of the feature payload is present (2)."""
    return feature.get(name) == Flag.ON


def _unsupported(name: str) -> Refusal:
    return Refusal("unsupported", f"this model reports {name} absent")


def check_mode(feature: dict[str, Any], mode: str, raw: object) -> Refusal | None:
    """None if the heater accepts `mode` with parameters `raw`, else why it refuses."""
    if mode not in MODE_GATES:
        return Refusal("unknown_command", f"unknown mode {mode!r}")
    gate = MODE_GATES[mode]
    if gate is not None and not has(feature, gate):
        return _unsupported(gate)
    if mode == "dhw-temperature" and feature.get("dhwTemperatureSettingUse") in (0, 1):
        return _unsupported("dhwTemperatureSettingUse")
    if not isinstance(raw, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in raw
    ):
        return Refusal("invalid_param", "param must be a list of integers")
    param: list[int] = raw
    if mode == "dhw-mode":
        return _check_dhw_mode(feature, param)
    if mode == "air-filter-life":
        if not param:
            return Refusal("invalid_param", "air-filter-life needs a period")
        if param[0] != 0 and param[0] not in AIR_FILTER_STEPS:
            low, high = AIR_FILTER_STEPS.start, AIR_FILTER_STEPS.stop - 1
            return Refusal(
                "out_of_range", f"air-filter-life takes 0 (off) or {low}..{high}, got {param[0]}"
            )
        return None
    bounds = RANGED.get(mode)
    if bounds is None:
        return None
    if not param:
        return Refusal("invalid_param", f"{mode} needs a parameter")
    if isinstance(bounds, range):
        low, high = bounds.start, bounds.stop - 1
    else:
        low, high = int(feature[bounds[0]]), int(feature[bounds[1]])
    if not low <= param[0] <= high:
        return Refusal("out_of_range", f"{mode} takes {low}..{high}, got {param[0]}")
    return None


def _check_dhw_mode(feature: dict[str, Any], param: list[int]) -> Refusal | None:
    if not param:
        return Refusal("invalid_param", "dhw-mode needs a mode")
    if param[0] not in MODE_FLAGS:
        return Refusal("out_of_range", f"dhw-mode takes 1..5, got {param[0]}")
    mode = DhwMode(param[0])
    if not has(feature, MODE_FLAGS[mode]):
        return _unsupported(MODE_FLAGS[mode])
    if mode is DhwMode.VACATION:
        if len(param) < 2:
            return Refusal("invalid_param", "vacation needs a day count: [5, days]")
        if param[1] not in VACATION_DAYS:
            low, high = VACATION_DAYS.start, VACATION_DAYS.stop - 1
            return Refusal("out_of_range", f"vacation takes {low}..{high} days, got {param[1]}")
    return None


def apply_mode(settings: Settings, tank: Tank, mode: str, param: list[int]) -> None:
    """Apply a mode/param control that `check_mode` accepted."""
    first = param[0] if param else 0
    if mode == "power-off":
        if settings.mode is not DhwMode.POWER_OFF:
            settings.last_mode = settings.mode
            settings.mode = DhwMode.POWER_OFF
    elif mode == "power-on":
        if settings.mode is DhwMode.POWER_OFF:
            settings.mode = settings.last_mode
    elif mode == "dhw-mode":
        if first == DhwMode.VACATION:
            if settings.mode is not DhwMode.POWER_OFF:
                settings.last_mode = settings.mode
            settings.mode = DhwMode.VACATION
            settings.vacation_days = param[1]
            tank.vacation_elapsed_s = 0
        else:
            settings.mode = settings.last_mode = DhwMode(first)
    elif mode == "dhw-temperature":
        settings.setpoint_raw = first
    elif mode == "anti-leg-on":
        settings.anti_leg = True
        settings.anti_leg_period = first
    elif mode == "anti-leg-off":
        settings.anti_leg = False
    elif mode in ("tou-on", "tou-off"):
        settings.tou = mode == "tou-on"
    elif mode in ("dr-on", "dr-off"):
        settings.dr = mode == "dr-on"
    elif mode == "frez-temp":
        settings.freeze_raw = first
    elif mode == "air-filter-reset":
        tank.air_filter_elapsed_h = 0
    elif mode == "air-filter-life":
        settings.air_filter_period_h = first * AIR_FILTER_STEP_H
    elif mode == "goout-day":
        settings.vacation_days = first
    elif mode == "recirc-mode":
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


def _commit_ota(settings: Settings, commit: dict[str, Any]) -> Refusal | None:
    """Install a downloaded firmware: ``commitOta {swCode, swVersion}`` (simulator's choice:
    installed at once; a commit without those fields is accepted and changes nothing)."""
    code, version = commit.get("swCode"), commit.get("swVersion")
    if code is None and version is None:
        return None
    if (
        not isinstance(code, int)
        or not isinstance(version, int)
        or settings.downloaded.get(code) != version
    ):
        return Refusal("invalid_param", f"no downloaded firmware {version} for swCode {code}")
    settings.firmware[code] = version
    del settings.downloaded[code]
    return None


def _control(device: Device, body: dict[str, Any]) -> Refusal | None:
    settings = device.settings
    feature = device.feature_payload()
    mode = body.get("mode")
    if isinstance(mode, str):
        param = body.get("param", [])
        refusal = check_mode(feature, mode, param)
        if refusal is not None:
            return refusal
        apply_mode(settings, device.tank, mode, param)
        # the ack shows the heat sources of the new mode
        device.tank.control(settings.mode, settings.setpoint_c)
    elif "mode" in body:
        return Refusal("unknown_command", "mode must be a string")
    elif isinstance(body.get("reservation"), list):  # weekly reservation
        if not has(feature, "programReservationUse"):
            return _unsupported("programReservationUse")
        settings.weekly = list(body["reservation"])
        if isinstance(body.get("reservationUse"), int):
            settings.weekly_use = body["reservationUse"]
    elif isinstance(body.get("schedule"), list):  # recirculation schedule
        if not has(feature, "recircReservationUse"):
            return _unsupported("recircReservationUse")
        settings.recirc_schedule = [e for e in body["schedule"] if isinstance(e, dict)]
    elif isinstance(body.get("commitOta"), dict):
        return _commit_ota(settings, body["commitOta"])
    else:
        return Refusal("unknown_command", "ctrl needs a mode, reservation, schedule or commitOta")
    return None


@dataclass(frozen=True)
class Reply:
    """What a heater publishes on the request's response topic."""

    payload: bytes
    refusal: Refusal | None = None


def _answer(device: Device, request: Request, response: dict[str, Any]) -> Refusal | None:
    """Fill ``response`` with the reply body; a refusal leaves the settings unchanged."""
    body = request.body
    settings = device.settings
    suffix = request.suffix
    refusal: Refusal | None = None
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
            return Refusal("invalid_param", "energy usage needs year (int) and month (list)")
        response.update(device.energy_payload(year, [m for m in months if isinstance(m, int)]))
    elif suffix == SUFFIX_TOU:
        if isinstance(body.get("reservation"), list) and not has(
            device.feature_payload(), "programReservationUse"
        ):
            refusal = _unsupported("programReservationUse")
        else:
            _store_tou(settings, body)
        response["reservationUse"] = settings.tou_use
        response["reservation"] = settings.tou_periods
    else:  # SUFFIX_CONTROL
        refusal = _control(device, body)
        response["status"] = device.status_payload()
    return refusal


def respond(device: Device, request: Request) -> Reply | None:
    """Apply ``request`` and build the reply (None: no reply); a refused request gets one
    too, saying why."""
    response: dict[str, Any] = {
        "command": request.body.get("command", 0),
        "deviceType": DEVICE_TYPE,
        "macAddress": device.mac,
        "additionalValue": device.additional_value,
    }
    if request.suffix not in ANSWERED:
        return None  # a query this heater does not know: real units stay silent
    refusal = _answer(device, request, response)
    if refusal is not None:
        response["refusal"] = refusal.as_dict(request)
    msg = request.message
    reply = {
        "protocolVersion": msg.get("protocolVersion", PROTOCOL_VERSION),
        "clientID": msg.get("clientID"),
        "sessionID": msg.get("sessionID"),
        "requestTopic": msg.get("requestTopic", request.topic),
        "responseTopic": request.response_topic,
        "response": response,
    }
    return Reply(json.dumps(reply).encode(), refusal)
