"""A device's refusal fails the command it answers at once, and nothing else."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from conftest import MAC, Factory

from aionavilink import (
    CommandCode,
    CommandRefusedError,
    CommandTimeoutError,
    DeviceRefusal,
    MalformedPayloadError,
    OutOfRangeError,
    RefusalReason,
    UnsupportedCommandError,
    parse_inbound,
)
from aionavilink.testing import FakeClock, FakeCloud, settle


def _our_request(cloud: FakeCloud) -> dict[str, Any]:
    """The last request the session published."""
    return next(doc for _, doc in reversed(cloud.published) if "request" in doc)


def _refusal_reply(
    request: dict[str, Any], refusal: dict[str, Any], **envelope: Any
) -> dict[str, Any]:
    inner = request["request"]
    reply = {
        "clientID": request["clientID"],
        "sessionID": request["sessionID"],
        "requestTopic": request["requestTopic"],
        "response": {"command": inner["command"], "macAddress": MAC, "refusal": refusal},
    }
    reply.update(envelope)
    return reply


async def test_a_setpoint_the_device_refuses_fails_at_once_and_others_still_confirm(
    make_session: Factory, cloud: FakeCloud
) -> None:
    """The session knows 35-65 °C; the heater has since narrowed its maximum to 60 °C."""
    heater = cloud.heaters[MAC]
    session, _ = await make_session()
    heater.feature["dhwTemperatureMax"] = 120
    refused = asyncio.ensure_future(session.set_temperature(MAC, 62.0))
    status = asyncio.ensure_future(session.request_status(MAC))
    await settle()

    assert refused.done() and status.done()
    with pytest.raises(OutOfRangeError, match=r"temperature 62.0 °C: the device refused it"):
        await refused
    assert (await status).dhw_temperature_setting == 60.0  # unchanged
    assert heater.status["dhwTemperatureSetting"] == 120
    counters = session.health.counters
    assert (counters.commands_refused, counters.commands_failed) == (1, 1)
    assert session.pending_commands == 0
    # the next command in range is sent and confirmed as usual
    assert (await session.set_temperature(MAC, 58.0)).dhw_temperature_setting == 58.0


async def test_a_refusal_meant_for_another_request_fails_nothing(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session()
    cloud.heaters[MAC].answers = False
    pending = asyncio.ensure_future(session.set_temperature(MAC, 50.0))
    await settle()
    request = _our_request(cloud)
    topic = request["responseTopic"]
    out_of_range = {"reason": "out_of_range", "detail": "no", "mode": "dhw-temperature"}
    others = [
        _refusal_reply(request, out_of_range, clientID="phone-app"),  # another client
        _refusal_reply(request, out_of_range, sessionID="an-older-session"),
        _refusal_reply(request, {**out_of_range, "param": [90]}),  # another setpoint
        _refusal_reply(request, out_of_range, requestTopic=f"cmd/52/navilink-{MAC}/st"),
    ]
    other_command = _refusal_reply(request, out_of_range)
    other_command["response"]["command"] = CommandCode.DHW_MODE
    for reply in [*others, other_command]:
        cloud.route(topic, reply)
    await settle()
    assert not pending.done()
    assert session.health.counters.commands_refused == 0

    await clock.run(5.5)
    with pytest.raises(CommandTimeoutError):
        await pending


@pytest.mark.parametrize(
    ("refusal", "error", "message"),
    [
        ({"reason": "unsupported", "detail": "absent"}, UnsupportedCommandError, r"\(absent\)"),
        ({"reason": "invalid_param", "detail": "bad"}, OutOfRangeError, r"\(bad\)"),
        ({"reason": "unknown_command", "detail": "what"}, CommandRefusedError, r"\(what\)"),
        ({"reason": "busy"}, CommandRefusedError, r"\(busy\)"),
        ({}, CommandRefusedError, r"\(no reason given\)"),
    ],
)
async def test_each_reason_has_its_error(
    make_session: Factory,
    cloud: FakeCloud,
    refusal: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    session, _ = await make_session()
    cloud.heaters[MAC].answers = False
    pending = asyncio.ensure_future(session.set_tou(MAC, True))
    await settle()
    request = _our_request(cloud)
    cloud.route(request["responseTopic"], _refusal_reply(request, refusal))
    await settle()
    with pytest.raises(error, match=f"time of use on: the device refused it {message}"):
        await pending


def test_parsing_a_refusal() -> None:
    reply = {
        "response": {
            "command": CommandCode.DHW_TEMPERATURE,
            "macAddress": MAC,
            "status": {"dhwTemperatureSetting": 120},
            "refusal": {
                "reason": "out_of_range",
                "detail": "81..131",
                "mode": "dhw-temperature",
                "param": [140],
            },
        }
    }
    message = parse_inbound(f"cmd/52/navilink-{MAC}/cid/res", json.dumps(reply).encode())
    assert message is not None
    assert message.refusal == DeviceRefusal("out_of_range", "81..131", "dhw-temperature", (140,))
    assert message.refusal.reason == RefusalReason.OUT_OF_RANGE
    assert message.body == {"dhwTemperatureSetting": 120}  # the unchanged status still counts
    odd = {"reason": 7, "detail": None, "mode": 3, "param": ["x"]}
    reply["response"]["refusal"] = odd
    message = parse_inbound(f"cmd/52/navilink-{MAC}/cid/res", json.dumps(reply).encode())
    assert message is not None and message.refusal == DeviceRefusal("", "")
    reply["response"]["refusal"] = "no"
    with pytest.raises(MalformedPayloadError, match="refusal is not an object"):
        parse_inbound(f"cmd/52/navilink-{MAC}/cid/res", json.dumps(reply).encode())
