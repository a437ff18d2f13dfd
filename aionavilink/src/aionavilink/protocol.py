"""NaviLink wire protocol, outbound: topics, command codes, request envelopes, temperatures.

Pure functions on plain strings, dicts and bytes (no I/O), described in docs/protocol.md
("Topics", "Request envelope", "Queries", "Controls", "Temperatures"). Inbound parsing is in
inbound.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any, Final

DEVICE_TYPE: Final = 52
PROTOCOL_VERSION: Final = 2

# Command suffixes (published under cmd/52/navilink-{mac}/...).
SUFFIX_STATUS: Final = "st"
SUFFIX_FEATURE: Final = "st/did"
SUFFIX_RESERVATION_READ: Final = "st/rsv/rd"
SUFFIX_ENERGY: Final = "st/energy-usage-daily-query/rd"
SUFFIX_CONTROL: Final = "ctrl"
SUFFIX_RESERVATION_WRITE: Final = "ctrl/rsv/rd"
SUFFIX_TOU: Final = "ctrl/tou/rd"

# Client-keyed response suffixes (device publishes on cmd/52/{cid}/res/{suffix}).
RESPONSE_ENERGY: Final = "energy-usage-daily-query/rd"
RESPONSE_RESERVATION: Final = "rsv/rd"
RESPONSE_TOU: Final = "tou/rd"
CLIENT_RESPONSE_SUFFIXES: Final = (RESPONSE_ENERGY, RESPONSE_RESERVATION, RESPONSE_TOU)

APP_CONNECTION_SUFFIX: Final = "app-connection"


class CommandCode(IntEnum):
    """Every command code the protocol knows (docs/protocol.md, "Queries" and "Controls")."""

    # queries / structured commands (0x01xxxxxx)
    FEATURE = 16777217
    END_CONNECTION = 16777218
    STATUS = 16777219
    RESERVATION_READ = 16777222
    ENERGY_USAGE = 16777225
    RESERVATION_WRITE = 16777226
    SOFTWARE_DOWNLOAD_INFO = 16777227
    # controls (0x02xxxxxx)
    POWER_OFF = 33554433
    POWER_ON = 33554434
    DHW_MODE = 33554437
    WEEKLY_RESERVATION = 33554438
    TOU = 33554439
    RECIRC_SCHEDULE = 33554440
    RESERVATION_MODE = 33554441
    OTA_COMMIT = 33554442
    OTA_CHECK = 33554443
    RECIRC_HOT_BUTTON = 33554444
    RECIRC_MODE = 33554445
    WIFI_RECONNECT = 33554446
    WIFI_RESET = 33554447
    FREEZE_TEMPERATURE = 33554451
    SMART_DIAGNOSTIC = 33554455
    DHW_TEMPERATURE = 33554464
    INTELLIGENT_OFF = 33554467
    INTELLIGENT_ON = 33554468
    DR_OFF = 33554469
    DR_ON = 33554470
    ANTI_LEGIONELLA_OFF = 33554471
    ANTI_LEGIONELLA_ON = 33554472
    AIR_FILTER_RESET = 33554473
    AIR_FILTER_LIFE = 33554474
    TOU_OFF = 33554475
    TOU_ON = 33554476


# The name each control carries in its `mode` field (docs/protocol.md, "Controls").
CONTROL_NAMES: Final[Mapping[CommandCode, str]] = {
    CommandCode.POWER_ON: "power-on",
    CommandCode.POWER_OFF: "power-off",
    CommandCode.DHW_MODE: "dhw-mode",
    CommandCode.DHW_TEMPERATURE: "dhw-temperature",
    CommandCode.ANTI_LEGIONELLA_ON: "anti-leg-on",
    CommandCode.ANTI_LEGIONELLA_OFF: "anti-leg-off",
    CommandCode.TOU_ON: "tou-on",
    CommandCode.TOU_OFF: "tou-off",
    CommandCode.DR_ON: "dr-on",
    CommandCode.DR_OFF: "dr-off",
    CommandCode.AIR_FILTER_RESET: "air-filter-reset",
    CommandCode.AIR_FILTER_LIFE: "air-filter-life",
    CommandCode.RECIRC_MODE: "recirc-mode",
    CommandCode.RECIRC_HOT_BUTTON: "recirc-hotbtn",
    CommandCode.RESERVATION_MODE: "reservation-mode",
    CommandCode.INTELLIGENT_ON: "intelligent-on",
    CommandCode.INTELLIGENT_OFF: "intelligent-off",
    CommandCode.FREEZE_TEMPERATURE: "frez-temp",
    CommandCode.SMART_DIAGNOSTIC: "smart-diagnostic",
    CommandCode.OTA_CHECK: "ota-check",
    CommandCode.WIFI_RECONNECT: "wifi-reconnect",
    CommandCode.WIFI_RESET: "wifi-reset",
}


# --------------------------------------------------------------------------- topics


def device_topic(mac: str, suffix: str) -> str:
    """Command topic for a device: ``cmd/52/navilink-{mac}/{suffix}``."""
    return f"cmd/{DEVICE_TYPE}/navilink-{mac}/{suffix}"


def device_subscription(mac: str) -> str:
    """The one subscription covering status/feature replies and acks of a device."""
    return f"cmd/{DEVICE_TYPE}/navilink-{mac}/#"


def ack_topic(mac: str, client_id: str) -> str:
    """Default ``responseTopic``: ``cmd/52/navilink-{mac}/{cid}/res``."""
    return f"cmd/{DEVICE_TYPE}/navilink-{mac}/{client_id}/res"


def client_response_topic(client_id: str, suffix: str) -> str:
    """Client-keyed query response topic: ``cmd/52/{cid}/res/{suffix}``."""
    return f"cmd/{DEVICE_TYPE}/{client_id}/res/{suffix}"


def client_subscriptions(client_id: str) -> list[str]:
    """The client-keyed response topics to subscribe (energy, reservations, TOU)."""
    return [client_response_topic(client_id, s) for s in CLIENT_RESPONSE_SUFFIXES]


def app_connection_topic(mac: str) -> str:
    """``evt/52/navilink-{mac}/app-connection``."""
    return f"evt/{DEVICE_TYPE}/navilink-{mac}/{APP_CONNECTION_SUFFIX}"


def topic_matches(topic_filter: str, topic: str) -> bool:
    """MQTT topic matching with whole-level ``+`` and ``#``.

    As in the reference client, ``a/#`` also matches the parent level ``a``.
    """
    f_parts = topic_filter.split("/")
    t_parts = topic.split("/")
    for i, part in enumerate(f_parts):
        if part == "#":
            return i == len(f_parts) - 1
        if i >= len(t_parts):
            return False
        if part not in ("+", t_parts[i]):
            return False
    return len(f_parts) == len(t_parts)


# --------------------------------------------------------------------------- temperature


def celsius_to_raw(celsius: float) -> int:
    """°C to the device's half-degree integer (Python ``round``, banker's rounding)."""
    return round(celsius * 2)


def raw_to_celsius(raw: float) -> float:
    """Device half-degree value to °C."""
    return raw / 2


def fahrenheit_to_raw(fahrenheit: float) -> int:
    """°F to half-°C raw, as the reference client computes it (140 °F -> 120)."""
    return round((fahrenheit - 32) * 5 / 9 * 2)


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class Target:
    """Who sends a request and to which device: repeated in every envelope
    (docs/protocol.md, "Request envelope")."""

    client_id: str
    session_id: str
    mac: str
    additional_value: str


class RefusalReason(StrEnum):
    """Why a device refuses a command (``response.refusal.reason``, docs/protocol.md)."""

    UNKNOWN_COMMAND = "unknown_command"
    UNSUPPORTED = "unsupported"
    INVALID_PARAM = "invalid_param"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class Request:
    """A request ready to publish (QoS 1) on ``topic``."""

    topic: str
    payload: dict[str, Any]
    suffix: str
    command: int


def build_request(
    target: Target,
    *,
    suffix: str,
    command: int,
    response_topic: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Request:
    """Build the envelope of docs/protocol.md, "Request envelope"."""
    topic = device_topic(target.mac, suffix)
    inner: dict[str, Any] = {
        "command": int(command),
        "deviceType": DEVICE_TYPE,
        "macAddress": target.mac,
        "additionalValue": target.additional_value,
    }
    if extra:
        inner.update(extra)
    payload: dict[str, Any] = {
        "clientID": target.client_id,
        "sessionID": target.session_id,
        "protocolVersion": PROTOCOL_VERSION,
        "requestTopic": topic,
        "responseTopic": response_topic or ack_topic(target.mac, target.client_id),
        "request": inner,
    }
    return Request(topic=topic, payload=payload, suffix=suffix, command=int(command))


def _client_reply(target: Target, response: str) -> str:
    """Replies that go to the client's own topic rather than the device's ack topic."""
    return client_response_topic(target.client_id, response)


def status_request(target: Target) -> Request:
    """Status query (``st``); the reply carries ``response.status`` on the ack topic."""
    return build_request(target, suffix=SUFFIX_STATUS, command=CommandCode.STATUS)


def feature_request(target: Target) -> Request:
    """Device-info query (``st/did``); the reply carries ``response.feature``."""
    return build_request(target, suffix=SUFFIX_FEATURE, command=CommandCode.FEATURE)


def control_request(
    target: Target, *, command: int, param: Sequence[int] = (), mode: str | None = None
) -> Request:
    """A mode/param control on ``ctrl`` (docs/protocol.md, "Controls").

    ``mode`` defaults to the name in :data:`CONTROL_NAMES` for ``command``.
    """
    if mode is None:
        try:
            mode = CONTROL_NAMES[CommandCode(command)]
        except (ValueError, KeyError) as err:
            raise ValueError(f"no mode name known for command {command}") from err
    return build_request(
        target,
        suffix=SUFFIX_CONTROL,
        command=command,
        extra={"mode": mode, "param": [int(p) for p in param], "paramStr": ""},
    )


def energy_usage_request(target: Target, *, year: int, months: Sequence[int]) -> Request:
    """Energy-usage query; the reply comes on ``cmd/52/{cid}/res/energy-usage-daily-query/rd``."""
    return build_request(
        target,
        suffix=SUFFIX_ENERGY,
        command=CommandCode.ENERGY_USAGE,
        response_topic=_client_reply(target, RESPONSE_ENERGY),
        extra={"year": int(year), "month": [int(m) for m in months]},
    )


def reservation_read_request(target: Target) -> Request:
    """Reservation read; the reply comes on ``cmd/52/{cid}/res/rsv/rd``."""
    return build_request(
        target,
        suffix=SUFFIX_RESERVATION_READ,
        command=CommandCode.RESERVATION_READ,
        response_topic=_client_reply(target, RESPONSE_RESERVATION),
    )


def reservation_write_request(
    target: Target, *, enabled: bool, entries: Sequence[Mapping[str, Any]]
) -> Request:
    """Reservation write (``ctrl/rsv/rd``); ``entries`` are wire dicts
    (see ``ReservationSchedule.to_wire()``). The echo comes on ``.../res/rsv/rd``."""
    return build_request(
        target,
        suffix=SUFFIX_RESERVATION_WRITE,
        command=CommandCode.RESERVATION_WRITE,
        response_topic=_client_reply(target, RESPONSE_RESERVATION),
        extra={"reservationUse": 2 if enabled else 1, "reservation": [dict(e) for e in entries]},
    )


def tou_read_request(target: Target, *, controller_serial_number: str) -> Request:
    """TOU read (``ctrl/tou/rd`` with only the serial); reply on ``.../res/tou/rd``."""
    return build_request(
        target,
        suffix=SUFFIX_TOU,
        command=CommandCode.TOU,
        response_topic=_client_reply(target, RESPONSE_TOU),
        extra={"controllerSerialNumber": controller_serial_number},
    )


def app_connection_payload(client_id: str, now: datetime) -> dict[str, Any]:
    """Payload of the ``app-connection`` event (no reply expected)."""
    moment = now.astimezone(UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return {"clientID": client_id, "timestamp": stamp}


def payload_bytes(request: Request) -> bytes:
    """The UTF-8 JSON bytes to publish."""
    return json.dumps(request.payload).encode("utf-8")
