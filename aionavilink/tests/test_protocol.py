"""Tests for topics, request envelopes and inbound parsing."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_models import FULL_FEATURE, FULL_STATUS

from aionavilink import (
    CONTROL_NAMES,
    DEVICE_TYPE,
    CommandCode,
    DeviceFeature,
    DeviceStatus,
    EnergyUsage,
    InboundMessage,
    MalformedPayloadError,
    MessageKind,
    ReservationSchedule,
    Target,
    ack_topic,
    app_connection_payload,
    app_connection_topic,
    build_request,
    celsius_to_raw,
    client_response_topic,
    client_subscriptions,
    control_request,
    device_subscription,
    device_topic,
    energy_usage_request,
    fahrenheit_to_raw,
    feature_request,
    parse_inbound,
    payload_bytes,
    raw_to_celsius,
    reservation_read_request,
    reservation_write_request,
    status_request,
    topic_matches,
    tou_read_request,
)

MAC = "04786332fca0"
CID = "navien-client-1a2b3c4d"
SID = "0123456789abcdef0123456789abcdef"
TARGET = Target(client_id=CID, session_id=SID, mac=MAC, additional_value="5322")


# --------------------------------------------------------------------------- codes, topics


def test_command_codes() -> None:
    assert DEVICE_TYPE == 52
    expected = {
        "STATUS": 16777219,
        "FEATURE": 16777217,
        "RESERVATION_READ": 16777222,
        "ENERGY_USAGE": 16777225,
        "RESERVATION_WRITE": 16777226,
        "POWER_ON": 33554434,
        "POWER_OFF": 33554433,
        "DHW_MODE": 33554437,
        "DHW_TEMPERATURE": 33554464,
        "ANTI_LEGIONELLA_ON": 33554472,
        "ANTI_LEGIONELLA_OFF": 33554471,
        "TOU_ON": 33554476,
        "TOU_OFF": 33554475,
        "DR_ON": 33554470,
        "DR_OFF": 33554469,
        "AIR_FILTER_RESET": 33554473,
        "FREEZE_TEMPERATURE": 33554451,
        "TOU": 33554439,
        "WEEKLY_RESERVATION": 33554438,
    }
    for name, code in expected.items():
        assert CommandCode[name] == code
    assert CONTROL_NAMES[CommandCode.FREEZE_TEMPERATURE] == "frez-temp"
    assert CONTROL_NAMES[CommandCode.ANTI_LEGIONELLA_ON] == "anti-leg-on"


def test_topics() -> None:
    assert device_topic(MAC, "st/did") == f"cmd/52/navilink-{MAC}/st/did"
    assert device_subscription(MAC) == f"cmd/52/navilink-{MAC}/#"
    assert ack_topic(MAC, CID) == f"cmd/52/navilink-{MAC}/{CID}/res"
    assert client_response_topic(CID, "rsv/rd") == f"cmd/52/{CID}/res/rsv/rd"
    assert client_subscriptions(CID) == [
        f"cmd/52/{CID}/res/energy-usage-daily-query/rd",
        f"cmd/52/{CID}/res/rsv/rd",
        f"cmd/52/{CID}/res/tou/rd",
    ]
    assert app_connection_topic(MAC) == f"evt/52/navilink-{MAC}/app-connection"


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("cmd/52/navilink-x/#", "cmd/52/navilink-x/c/res", True),
        ("cmd/52/navilink-x/#", "cmd/52/navilink-x", True),  # '#' matches the parent
        ("cmd/52/navilink-x/#", "cmd/52/navilink-y/st", False),
        ("cmd/52/+/res/rsv/rd", "cmd/52/cid/res/rsv/rd", True),
        ("cmd/52/+/res/rsv/rd", "cmd/52/cid/res/tou/rd", False),
        ("a/b", "a/b", True),
        ("a/b", "a/b/c", False),
        ("a/b/c", "a/b", False),
        ("#", "anything/at/all", True),
        ("a/+", "a/", True),
    ],
)
def test_topic_matches(topic_filter: str, topic: str, expected: bool) -> None:
    assert topic_matches(topic_filter, topic) is expected


def test_temperature_encoding() -> None:
    assert celsius_to_raw(60.0) == 120
    assert celsius_to_raw(40.5) == 81
    assert celsius_to_raw(48.3) == 97
    assert raw_to_celsius(131) == 65.5
    assert fahrenheit_to_raw(140) == 120
    assert fahrenheit_to_raw(120) == 98


# --------------------------------------------------------------------------- requests


def test_status_request_envelope() -> None:
    req = status_request(TARGET)
    topic = f"cmd/52/navilink-{MAC}/st"
    assert req.topic == topic
    assert req.suffix == "st"
    assert req.command == 16777219
    assert req.payload == {
        "clientID": CID,
        "sessionID": SID,
        "protocolVersion": 2,
        "requestTopic": topic,
        "responseTopic": f"cmd/52/navilink-{MAC}/{CID}/res",
        "request": {
            "command": 16777219,
            "deviceType": 52,
            "macAddress": MAC,
            "additionalValue": "5322",
        },
    }
    assert json.loads(payload_bytes(req)) == req.payload


def test_feature_request() -> None:
    req = feature_request(TARGET)
    assert req.topic == f"cmd/52/navilink-{MAC}/st/did"
    assert req.payload["request"]["command"] == 16777217
    assert set(req.payload["request"]) == {"command", "deviceType", "macAddress", "additionalValue"}


def test_control_request_envelope() -> None:
    req = control_request(TARGET, command=CommandCode.DHW_MODE, param=[5, 14])
    assert req.topic == f"cmd/52/navilink-{MAC}/ctrl"
    assert req.payload["request"] == {
        "command": 33554437,
        "deviceType": 52,
        "macAddress": MAC,
        "additionalValue": "5322",
        "mode": "dhw-mode",
        "param": [5, 14],
        "paramStr": "",
    }
    assert req.payload["responseTopic"] == f"cmd/52/navilink-{MAC}/{CID}/res"
    off = control_request(TARGET, command=CommandCode.POWER_OFF)
    assert off.payload["request"]["mode"] == "power-off"
    assert off.payload["request"]["param"] == []
    explicit = control_request(TARGET, command=33554499, mode="custom", param=[1])
    assert explicit.payload["request"]["mode"] == "custom"
    with pytest.raises(ValueError, match="no mode name"):
        control_request(TARGET, command=CommandCode.STATUS)


def test_energy_usage_request_envelope() -> None:
    req = energy_usage_request(TARGET, year=2025, months=[1, 2])
    assert req.topic == f"cmd/52/navilink-{MAC}/st/energy-usage-daily-query/rd"
    assert req.payload["responseTopic"] == f"cmd/52/{CID}/res/energy-usage-daily-query/rd"
    assert req.payload["request"]["command"] == 16777225
    assert req.payload["request"]["year"] == 2025
    assert req.payload["request"]["month"] == [1, 2]


def test_reservation_requests() -> None:
    read = reservation_read_request(TARGET)
    assert read.topic == f"cmd/52/navilink-{MAC}/st/rsv/rd"
    assert read.payload["responseTopic"] == f"cmd/52/{CID}/res/rsv/rd"
    assert read.payload["request"]["command"] == 16777222
    entry = {"enable": 2, "week": 124, "hour": 6, "min": 0, "mode": 1, "param": 120}
    write = reservation_write_request(TARGET, enabled=True, entries=[entry])
    assert write.topic == f"cmd/52/navilink-{MAC}/ctrl/rsv/rd"
    assert write.payload["responseTopic"] == f"cmd/52/{CID}/res/rsv/rd"
    assert write.payload["request"]["command"] == 16777226
    assert write.payload["request"]["reservationUse"] == 2
    assert write.payload["request"]["reservation"] == [entry]
    off = reservation_write_request(TARGET, enabled=False, entries=[])
    assert off.payload["request"]["reservationUse"] == 1


def test_tou_read_and_build_request_extra() -> None:
    tou = tou_read_request(TARGET, controller_serial_number="SER1")
    assert tou.topic == f"cmd/52/navilink-{MAC}/ctrl/tou/rd"
    assert tou.payload["request"]["controllerSerialNumber"] == "SER1"
    assert tou.payload["responseTopic"] == f"cmd/52/{CID}/res/tou/rd"
    custom = build_request(TARGET, suffix="ctrl", command=1, response_topic="x/y", extra={"a": 1})
    assert custom.payload["responseTopic"] == "x/y"
    assert custom.payload["request"]["a"] == 1


def test_app_connection_payload() -> None:
    moment = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert app_connection_payload(CID, moment) == {
        "clientID": CID,
        "timestamp": "2025-01-02T03:04:05.678Z",
    }


# --------------------------------------------------------------------------- inbound


def _reply(body: dict[str, Any], **top: Any) -> bytes:
    doc = {
        "protocolVersion": 2,
        "clientID": CID,
        "sessionID": SID,
        "requestTopic": f"cmd/52/navilink-{MAC}/st",
        "responseTopic": ack_topic(MAC, CID),
        "response": {
            "command": 16777219,
            "deviceType": 52,
            "macAddress": MAC,
            "additionalValue": "5322",
            **body,
        },
        **top,
    }
    return json.dumps(doc).encode()


ACK = f"cmd/52/navilink-{MAC.upper()}/{CID}/res"


def test_parse_status_reply() -> None:
    msg = parse_inbound(ACK, _reply({"status": FULL_STATUS}))
    assert isinstance(msg, InboundMessage)
    assert msg.kind is MessageKind.STATUS
    assert str(msg.kind) == "status"
    assert msg.mac == MAC  # lowercase from the topic
    assert msg.client_id == CID
    assert msg.session_id == SID
    assert msg.command == 16777219
    assert msg.topic == ACK
    assert msg.body == FULL_STATUS
    assert DeviceStatus.from_payload(msg.body).dhw_temperature == 51.5


def test_parse_status_alias_and_top_level() -> None:
    alias = parse_inbound(ACK, _reply({"st": {"dhwTemperature": 100}}))
    assert alias is not None
    assert alias.kind is MessageKind.STATUS
    assert alias.body == {"dhwTemperature": 100}
    top = json.dumps({"clientID": CID, "status": {"dhwTemperature": 90}}).encode()
    top_msg = parse_inbound(ACK, top)
    assert top_msg is not None
    assert top_msg.kind is MessageKind.STATUS
    assert top_msg.body == {"dhwTemperature": 90}
    top_alias = parse_inbound(ACK, json.dumps({"st": {"a": 1}}).encode())
    assert top_alias is not None
    assert top_alias.body == {"a": 1}
    # response.status wins over response.st and top-level status
    both = parse_inbound(ACK, _reply({"status": {"a": 1}, "st": {"a": 2}}, status={"a": 3}))
    assert both is not None
    assert both.body == {"a": 1}


def test_parse_feature_reply() -> None:
    for key in ("feature", "did"):
        msg = parse_inbound(ACK, _reply({key: FULL_FEATURE}))
        assert msg is not None
        assert msg.kind is MessageKind.FEATURE
        assert DeviceFeature.from_payload(msg.body).volume_gallons == 65


def test_own_request_echo_is_ignored() -> None:
    req = status_request(TARGET)
    assert parse_inbound(req.topic, payload_bytes(req)) is None


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"   ",
        b"{}",
        _reply({"status": {}}),
        json.dumps({"response": {}}).encode(),
    ],
)
def test_nothing_to_act_on(payload: bytes) -> None:
    assert parse_inbound(ACK, payload) is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe\x00", "utf-8"),
        (b"{not json", "json"),
        (b"[1, 2]", "top level"),
        (b'"status"', "top level"),
        (json.dumps({"response": [1]}).encode(), "response"),
        (_reply({"status": [1, 2]}), "status"),
        (_reply({"feature": "x"}), "feature"),
        (json.dumps({"st": 5}).encode(), "status"),
    ],
)
def test_malformed(payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayloadError, match=reason):
        parse_inbound(ACK, payload)


def test_energy_reply_by_topic_and_by_keys() -> None:
    body = {
        "typeOfUsage": 1,
        "total": {"hpUsage": 10, "heUsage": 0, "hpTime": 1, "heTime": 0},
        "usage": [],
    }
    topic = client_response_topic(CID, "energy-usage-daily-query/rd")
    msg = parse_inbound(topic, _reply(body, clientID=None))
    assert msg is not None
    assert msg.kind is MessageKind.ENERGY
    assert msg.mac == MAC  # from response.macAddress
    assert msg.client_id == CID  # from the topic
    assert msg.body["typeOfUsage"] == 1
    assert EnergyUsage.from_payload(msg.body).total.heat_pump_wh == 10
    by_keys = parse_inbound("some/other/topic", _reply(body))
    assert by_keys is not None
    assert by_keys.kind is MessageKind.ENERGY


def test_reservation_and_tou_replies() -> None:
    body = {"reservationUse": 2, "reservation": "027c06000178"}
    rsv = parse_inbound(client_response_topic(CID, "rsv/rd"), _reply(body))
    assert rsv is not None
    assert rsv.kind is MessageKind.RESERVATION
    schedule = ReservationSchedule.from_payload(rsv.body)
    assert schedule.enabled is True
    assert schedule.entries[0].temperature == 60.0
    tou = parse_inbound(client_response_topic(CID, "tou/rd"), _reply({"reservationUse": 1}))
    assert tou is not None
    assert tou.kind is MessageKind.TOU
    by_keys = parse_inbound(ACK, _reply(body))
    assert by_keys is not None
    assert by_keys.kind is MessageKind.RESERVATION


def test_other_messages() -> None:
    msg = parse_inbound(ACK, _reply({"something": 1}))
    assert msg is not None
    assert msg.kind is MessageKind.OTHER
    assert msg.body["something"] == 1
    event = app_connection_payload(CID, datetime(2026, 1, 1, tzinfo=UTC))
    ev = parse_inbound(app_connection_topic(MAC), json.dumps(event).encode())
    assert ev is not None
    assert ev.kind is MessageKind.OTHER
    assert ev.mac == MAC


# --------------------------------------------------------------------------- property tests

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
status_like = st.dictionaries(st.sampled_from(sorted(FULL_STATUS)), json_values, max_size=20)
feature_like = st.dictionaries(st.sampled_from(sorted(FULL_FEATURE)), json_values, max_size=20)
reply_bodies = st.dictionaries(
    st.sampled_from(
        [
            "status",
            "st",
            "feature",
            "did",
            "typeOfUsage",
            "total",
            "usage",
            "reservationUse",
            "reservation",
            "command",
            "macAddress",
        ]
    ),
    json_values | status_like | feature_like,
    max_size=4,
)
documents = st.one_of(
    json_values,
    st.fixed_dictionaries({"response": reply_bodies}),
    st.fixed_dictionaries({"response": json_values}),
    st.dictionaries(st.sampled_from(["status", "st", "feature", "did", "request"]), json_values),
)
topics = st.sampled_from(
    [
        ACK,
        f"cmd/52/navilink-{MAC}/st",
        client_response_topic(CID, "energy-usage-daily-query/rd"),
        client_response_topic(CID, "rsv/rd"),
        client_response_topic(CID, "tou/rd"),
        "",
        "cmd/52",
    ]
)


def _consume(msg: InboundMessage | None) -> None:
    """Feed a parsed message to the model that handles its kind."""
    if msg is None:
        return
    if msg.kind is MessageKind.STATUS:
        status = DeviceStatus.from_payload(msg.body)
        _ = (status.usable_energy, status.error_present)
    elif msg.kind is MessageKind.FEATURE:
        _ = DeviceFeature.from_payload(msg.body).supported_modes
    elif msg.kind is MessageKind.ENERGY:
        usage = EnergyUsage.from_payload(msg.body)
        _ = [m.totals for m in usage.months]
    elif msg.kind in (MessageKind.RESERVATION, MessageKind.TOU):
        ReservationSchedule.from_payload(msg.body)


def _parse_and_consume(topic: str, payload: bytes) -> None:
    with contextlib.suppress(MalformedPayloadError):
        _consume(parse_inbound(topic, payload))


@settings(max_examples=300, deadline=None)
@given(topic=topics, payload=st.binary(max_size=200))
def test_arbitrary_bytes_only_raise_malformed(topic: str, payload: bytes) -> None:
    _parse_and_consume(topic, payload)


@settings(max_examples=400, deadline=None)
@given(topic=topics, doc=documents)
def test_arbitrary_json_only_raise_malformed(topic: str, doc: Any) -> None:
    _parse_and_consume(topic, json.dumps(doc).encode())


@settings(max_examples=300, deadline=None)
@given(status=status_like, feature=feature_like)
def test_models_never_raise_for_dicts(status: dict[str, Any], feature: dict[str, Any]) -> None:
    DeviceStatus.from_payload(status)
    DeviceFeature.from_payload(feature)
    EnergyUsage.from_payload(status)
