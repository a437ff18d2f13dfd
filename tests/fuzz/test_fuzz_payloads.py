"""Property-based fuzzing of every inbound path: MQTT payloads, models, REST replies, live session.

The contract under test: whatever arrives, only NaviLinkError subclasses escape the client
(for MQTT: MalformedPayloadError, which the session counts and drops); the last good status
is kept; nothing escapes into the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aionavilink import (
    DeviceFeature,
    DeviceStatus,
    Endpoints,
    EnergyUsage,
    MalformedPayloadError,
    MessageKind,
    NaviLinkApi,
    NaviLinkAuth,
    NaviLinkDevice,
    NaviLinkError,
    NaviLinkSession,
    ReservationSchedule,
    Tokens,
    parse_inbound,
)
from aionavilink.testing import FakeClock, FakeCloud, FakeHeater, settle
from navilink_sim.testing import SimControl, SimInfo

from . import strategies as fz

FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=300,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)


# --------------------------------------------------------------------------- known bugs

# --------------------------------------------------------------------------- the oracle


def exercise_models(kind: MessageKind, body: Any) -> None:
    """Everything the client does with a parsed body: parse into models, read properties.

    Only MalformedPayloadError may come out.
    """
    if kind is MessageKind.STATUS:
        status = DeviceStatus.from_payload(body)
        _ = (status.usable_energy, status.error_present)
    elif kind is MessageKind.FEATURE:
        feature = DeviceFeature.from_payload(body)
        _ = feature.supported_modes
    # the command matchers run these on whatever arrives on the client topics
    usage = EnergyUsage.from_payload(body)
    _ = usage.total.total_wh, [m.totals.total_wh for m in usage.months]
    schedule = ReservationSchedule.from_wire(body.get("reservationUse"), body.get("reservation"))
    _ = schedule.to_wire(), schedule.to_hex(), schedule.matches(schedule)


def expected_effect(topic: str, payload: bytes) -> tuple[str, str | None, DeviceStatus | None]:
    """What `NaviLinkSession._on_message` must do: ("malformed" | "ignored" | kind, mac, status)."""
    try:
        message = parse_inbound(topic, payload)
    except MalformedPayloadError:
        return "malformed", None, None
    if message is None:
        return "ignored", None, None
    if message.kind is MessageKind.STATUS and message.mac:
        return "status", message.mac, DeviceStatus.from_payload(message.body)
    return message.kind.value, message.mac, None


def check_inbound(topic: str, payload: bytes) -> None:
    try:
        message = parse_inbound(topic, payload)
    except MalformedPayloadError:
        return
    if message is None:
        return
    assert isinstance(message.body, dict)
    with contextlib.suppress(MalformedPayloadError):
        exercise_models(message.kind, message.body)


# --------------------------------------------------------------------------- pure parsers


@FUZZ
@given(topic=fz.topics, payload=fz.raw_payloads)
def test_parse_inbound_arbitrary_bytes(topic: str, payload: bytes) -> None:
    check_inbound(topic, payload)


@FUZZ
@given(envelope=fz.envelopes())
def test_realistic_envelopes_with_mutated_values(envelope: tuple[str, dict[str, Any]]) -> None:
    topic, doc = envelope
    check_inbound(topic, fz.to_bytes(doc))


@FUZZ
@given(body=st.one_of(fz.mutated(fz.STATUS, 12), fz.json_values))
def test_status_model(body: Any) -> None:
    try:
        status = DeviceStatus.from_payload(body)
    except MalformedPayloadError:
        assert not isinstance(body, dict)
        return
    _ = (status.usable_energy, status.error_present)


@FUZZ
@given(body=st.one_of(fz.mutated(fz.FEATURE, 12), fz.json_values))
def test_feature_model(body: Any) -> None:
    try:
        feature = DeviceFeature.from_payload(body)
    except MalformedPayloadError:
        assert not isinstance(body, dict)
        return
    _ = feature.supported_modes


@FUZZ
@given(body=st.one_of(fz.mutated(fz.ENERGY, 6), fz.json_values))
def test_energy_model(body: Any) -> None:
    try:
        usage = EnergyUsage.from_payload(body)
    except MalformedPayloadError:
        return
    _ = usage.total.total_wh, [m.totals for m in usage.months]


@FUZZ
@given(
    use=st.one_of(st.sampled_from((1, 2)), fz.json_values),
    reservation=st.one_of(
        st.just(fz.RESERVATION_HEX),
        st.text(alphabet="0123456789abcdef", max_size=48),
        st.lists(fz.mutated(fz.RESERVATION_ENTRY, 4), max_size=4),
        fz.json_values,
    ),
)
def test_reservation_model(use: Any, reservation: Any) -> None:
    schedule = None
    try:
        schedule = ReservationSchedule.from_wire(use, reservation)
    except MalformedPayloadError:
        return
    if schedule is None:
        return
    assert schedule.matches(schedule)
    assert ReservationSchedule.from_wire(schedule.reservation_use, schedule.to_hex()).matches(
        schedule
    )


_REST_DEVICE = {
    "deviceInfo": {
        "homeSeq": 7,
        "macAddress": fz.MAC,
        "additionalValue": "5322",
        "deviceType": 52,
        "deviceName": "NWP500",
        "connected": 2,
        "installType": "R",
    },
    "location": {"state": "CA", "city": "Irvine", "latitude": 33.68},
}


@FUZZ
@given(
    obj=st.one_of(
        st.builds(
            lambda info, rest: {**rest, "deviceInfo": info},
            fz.mutated(_REST_DEVICE["deviceInfo"], 5),
            fz.mutated(_REST_DEVICE, 2),
        ),
        fz.json_values,
    )
)
def test_rest_device_model(obj: Any) -> None:
    try:
        info = NaviLinkDevice.from_rest(obj)
    except NaviLinkError:
        return
    assert info.mac == info.mac.lower()
    _ = info.redacted_mac


_TOKENS = {
    "access_token": "a",
    "refresh_token": "r",
    "id_token": "i",
    "access_expires_at": 1.0e9,
    "aws_access_key_id": "AK",
    "aws_secret_key": "SK",
    "aws_session_token": "ST",
    "aws_expires_at": 1.0e9,
    "user_seq": 3,
}


@FUZZ
@given(data=st.one_of(fz.mutated(_TOKENS, 4), st.dictionaries(st.text(max_size=8), fz.scalars)))
def test_persisted_tokens(data: dict[str, Any]) -> None:
    """Tokens.from_dict: None for anything of another shape, never an exception."""
    tokens = None
    tokens = Tokens.from_dict(data)
    if tokens is not None:
        assert Tokens.from_dict(tokens.as_dict()) == tokens


# ---------------------------------------------------------- the session pipeline, offline


async def _run_pipeline(messages: list[tuple[str, bytes]]) -> None:
    """A session on the library's in-memory cloud; the messages arrive on its connection."""
    cloud = FakeCloud(FakeHeater(fz.MAC))
    session = NaviLinkSession(
        cloud.websession,  # type: ignore[arg-type]
        cloud.email,
        cloud.password,
        client_id=fz.CLIENT_ID,
        clock=FakeClock(),
        transport_factory=cloud.transport,
    )
    listener_errors: list[str] = []

    def on_status(mac: str, status: DeviceStatus) -> None:
        if not isinstance(status, DeviceStatus):
            listener_errors.append(f"{mac}: {status!r}")

    session.add_status_listener(on_status)
    await session.start()
    try:
        transport = cloud.live[0]
        malformed = 0
        expected: dict[str, DeviceStatus | None] = {fz.MAC: session.status(fz.MAC)}
        for topic, payload in messages:
            effect, mac, status = expected_effect(topic, payload)
            if effect == "malformed":
                malformed += 1
            elif effect == "status" and mac is not None and status is not None:
                expected[mac] = status
            transport.deliver(topic, payload)
            await settle(2)
            assert session.health.counters.malformed_messages == malformed
            for known, good in expected.items():
                assert session.status(known) == good
        assert not listener_errors
    finally:
        await session.stop()


@FUZZ
@given(
    messages=st.lists(
        st.one_of(
            fz.envelopes().map(lambda e: (e[0], fz.to_bytes(e[1]))),
            st.tuples(fz.topics, fz.raw_payloads),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_session_inbound_pipeline(messages: list[tuple[str, bytes]]) -> None:
    """What arrives on the connection never raises out of the session: exactly the malformed
    messages are counted, and the last good status per device is kept."""
    asyncio.run(_run_pipeline(messages))


# --------------------------------------------------------------------------- REST replies


class FuzzServer:
    """A tiny local REST server answering every request with the reply set for the example."""

    def __init__(self) -> None:
        self.reply: tuple[int, str, bytes] = (200, "application/json", b"{}")
        self.by_path: dict[str, tuple[int, str, bytes]] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        status, content_type, body = self.by_path.get(request.path, self.reply)
        response = web.Response(status=status, body=body)
        if content_type:
            response.headers["Content-Type"] = content_type
        else:
            response.headers.pop("Content-Type", None)
        return response

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/api/v2.1"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def fuzz_server() -> AsyncIterator[FuzzServer]:
    server = FuzzServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def websession() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


_SIGN_IN_DATA = {
    "userInfo": {"userType": "O", "userSeq": 11, "userStatus": "NORMAL"},
    "token": {
        "idToken": "id",
        "accessToken": "acc",
        "refreshToken": "ref",
        "authenticationExpiresIn": 3600,
        "accessKeyId": "AKIA",
        "secretKey": "secret",
        "sessionToken": "session",
        "authorizationExpiresIn": 3600,
    },
    "legal": [],
}

statuses = st.one_of(
    st.sampled_from((200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503)),
    st.integers(100, 599).filter(lambda s: s not in (101, 204, 304) and s >= 200),
)
content_types = st.sampled_from(
    (
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "text/html",
        "text/plain",
        "",
    )
)


def _envelope(code: Any, msg: Any, data: Any) -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": data}


bodies = st.one_of(
    st.builds(
        _envelope,
        st.one_of(st.sampled_from((200, 401, 500)), fz.scalars),
        st.one_of(st.sampled_from(("SUCCESS", "Invalid credentials", "x")), fz.scalars),
        st.one_of(
            fz.mutated(_SIGN_IN_DATA, 3),
            st.builds(
                lambda tok, rest: {**rest, "token": tok},
                fz.mutated(_SIGN_IN_DATA["token"], 4),
                fz.mutated(_SIGN_IN_DATA, 2),
            ),
            st.lists(st.one_of(fz.mutated(_REST_DEVICE, 3), fz.json_values), max_size=3),
            fz.mutated(_REST_DEVICE, 3),
            fz.json_values,
        ),
    ).map(fz.to_bytes),
    fz.json_values.map(fz.to_bytes),
    fz.raw_payloads,
)
replies = st.tuples(statuses, content_types, bodies)

_GOOD_SIGN_IN = (200, "application/json", fz.to_bytes(_envelope(200, "SUCCESS", _SIGN_IN_DATA)))


async def _drive_rest(auth: NaviLinkAuth) -> None:
    """Every REST operation the client performs; only NaviLinkError may escape."""
    api = NaviLinkApi(auth)
    for operation in (
        auth.sign_in,
        lambda: auth.ensure_valid(force_refresh=True),
        auth.ensure_valid,
        api.list_devices,
        lambda: api.device_info(fz.MAC, "5322"),
    ):
        with contextlib.suppress(NaviLinkError):
            await operation()


@settings(FUZZ, max_examples=200)
@given(reply=replies, sign_in_ok=st.booleans())
@example(reply=(200, "application/json", b"[" * 100_000 + b"]" * 100_000), sign_in_ok=False)
@example(
    reply=(
        200,
        "application/json",
        fz.to_bytes(
            _envelope(
                200,
                "SUCCESS",
                {
                    **_SIGN_IN_DATA,
                    "token": {**_SIGN_IN_DATA["token"], "authenticationExpiresIn": 10**400},
                },
            )
        ),
    ),
    sign_in_ok=False,
)
async def test_rest_replies(
    reply: tuple[int, str, bytes],
    sign_in_ok: bool,
    fuzz_server: FuzzServer,
    websession: aiohttp.ClientSession,
) -> None:
    """Arbitrary status / content type / body for every endpoint (with sign-in good or not)."""
    fuzz_server.reply = reply
    fuzz_server.by_path = {"/api/v2.1/user/sign-in": _GOOD_SIGN_IN} if sign_in_ok else {}
    auth = NaviLinkAuth(
        websession, "fuzz@example.com", "pw", api_url=fuzz_server.url, request_timeout=5
    )
    await _drive_rest(auth)


# --------------------------------------------------------------------------- a live session


def _draw(strategy: st.SearchStrategy[Any], n: int) -> list[Any]:
    """`n` deterministic examples of `strategy` (no shrinking: each failure names its payload)."""
    out: list[Any] = []

    @settings(
        derandomize=True,
        deadline=None,
        max_examples=n,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    collect()
    return out[:n]


def _text_payload(payload: bytes) -> str | None:
    """The control API carries text: keep what is valid UTF-8 (surrogates excluded)."""
    try:
        text = payload.decode("utf-8")
        text.encode("utf-8")
    except UnicodeError:
        return None
    return text


LIVE_INJECTIONS = 300

LIVE_OPTIONS = {
    "status_interval": 0.0,  # no probes: the only traffic is what we inject
    "device_refresh_interval": 0.0,
}


async def test_live_session_fuzzed_injection(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    """300 fuzzed payloads through the real broker into a live session."""
    from tests.client.conftest import FAST_OPTIONS

    mac = sim_account["devices"][0]
    loop = asyncio.get_running_loop()
    loop_errors: list[str] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(
        lambda _loop, ctx: loop_errors.append(f"{ctx.get('message')}: {ctx.get('exception')!r}")
    )
    log_errors: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            log_errors.append(record)

    handler = Collect(logging.ERROR)
    logging.getLogger("custom_components.navilink").addHandler(handler)

    async with aiohttp.ClientSession() as websession:
        session = NaviLinkSession(
            websession,
            sim_account["email"],
            sim_account["password"],
            endpoints=Endpoints(api_url=sim.api_url, mqtt_url=sim.mqtt_url, ca_file=sim.ca_file),
            options=replace(FAST_OPTIONS, **LIVE_OPTIONS),
        )
        try:
            await session.start()
            assert session.status(mac) is not None
            cid = session.client_id
            live_topics = [
                f"cmd/52/navilink-{mac}/{cid}/res",
                f"cmd/52/{cid}/res/energy-usage-daily-query/rd",
                f"cmd/52/{cid}/res/rsv/rd",
            ]
            # quiet line: no more traffic from the start-up fetches
            counters = session.health.counters
            while True:
                seen = counters.messages
                await asyncio.sleep(0.3)
                if counters.messages == seen:
                    break

            candidates = _draw(
                st.one_of(
                    fz.envelopes().map(lambda e: fz.to_bytes(e[1])),
                    fz.envelopes().map(lambda e: fz.to_bytes(e[1])),  # weighted 2:1
                    fz.raw_payloads,
                ),
                LIVE_INJECTIONS * 2,
            )
            texts = [t for t in (_text_payload(p) for p in candidates) if t]
            texts = [t.replace(fz.MAC, mac).replace(fz.CLIENT_ID, cid) for t in texts]
            texts = texts[:LIVE_INJECTIONS]
            assert len(texts) >= LIVE_INJECTIONS * 0.8

            expected_status = session.status(mac)
            malformed = counters.malformed_messages
            tally: dict[str, int] = {}
            for index, text in enumerate(texts):
                topic = live_topics[index % len(live_topics)]
                payload = text.encode()
                effect, effect_mac, status = expected_effect(topic, payload)
                tally[effect] = tally.get(effect, 0) + 1
                before = counters.messages
                await sim_control.inject(mac, text, topic=topic)
                deadline = loop.time() + 10
                while counters.messages == before:
                    assert loop.time() < deadline, f"injection {index} never arrived: {text!r}"
                    await asyncio.sleep(0.005)
                assert counters.messages == before + 1, text
                if effect == "malformed":
                    malformed += 1
                if effect == "status" and effect_mac == mac:
                    expected_status = status
                assert counters.malformed_messages == malformed, (index, text)
                assert session.status(mac) == expected_status, (index, text)
                assert not loop_errors, (index, text, loop_errors)
            assert tally.get("malformed", 0) >= 20 and tally.get("status", 0) >= 20, tally
            assert session.connected
            # the session still works after the storm
            fresh = await session.request_status(mac)
            assert fresh.dhw_temperature is not None
        finally:
            await session.stop()
            loop.set_exception_handler(previous_handler)
            logging.getLogger("custom_components.navilink").removeHandler(handler)
    assert not loop_errors
    assert not [r.getMessage() for r in log_errors]
