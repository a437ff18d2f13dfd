"""Bugs the fuzzing found, pinned down. Each is a strict xfail: fixing the bug makes it XPASS,
which fails the run until the marker (and the matching KNOWN_BUGS entry in
test_fuzz_payloads.py) is removed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.navilink.client import (
    MalformedPayloadError,
    NaviLinkAuth,
    NaviLinkError,
    ReservationSchedule,
    Tokens,
)

from .test_fuzz_payloads import _SIGN_IN_DATA, FuzzServer


@pytest.fixture
async def server() -> AsyncIterator[FuzzServer]:
    srv = FuzzServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.mark.xfail(
    strict=True,
    raises=OverflowError,
    reason="models.py Reservation._from_values: `temperature=param / 2` overflows for a huge "
    "int param; only OutOfRangeError is mapped to MalformedPayloadError",
)
def test_reservation_entry_with_a_huge_param_is_malformed() -> None:
    entry = {"enable": 2, "week": 64, "hour": 6, "min": 30, "mode": 1, "param": 10**400}
    with pytest.raises(MalformedPayloadError):
        ReservationSchedule.from_wire(2, [entry])


@pytest.mark.xfail(
    strict=True,
    raises=OverflowError,
    reason="auth.py _parse_tokens.lifetime: `now + float(value)` overflows for a huge int "
    "lifetime in a sign-in / refresh reply",
)
async def test_sign_in_reply_with_a_huge_lifetime_is_a_navilink_error(
    server: FuzzServer,
) -> None:
    token = {**_SIGN_IN_DATA["token"], "authenticationExpiresIn": 10**400}
    body = {"code": 200, "msg": "SUCCESS", "data": {**_SIGN_IN_DATA, "token": token}}
    server.reply = (200, "application/json", json.dumps(body).encode())
    async with aiohttp.ClientSession() as websession:
        auth = NaviLinkAuth(websession, "a@example.com", "pw", api_url=server.url)
        with pytest.raises(NaviLinkError):
            await auth.sign_in()


@pytest.mark.xfail(
    strict=True,
    raises=RecursionError,
    reason="auth.py NaviLinkAuth._post: `await resp.json()` raises RecursionError for deeply "
    "nested JSON; only ContentTypeError/ValueError are mapped",
)
async def test_deeply_nested_rest_reply_is_a_navilink_error(server: FuzzServer) -> None:
    server.reply = (200, "application/json", b"[" * 100_000 + b"]" * 100_000)
    async with aiohttp.ClientSession() as websession:
        auth = NaviLinkAuth(websession, "a@example.com", "pw", api_url=server.url)
        with pytest.raises(NaviLinkError):
            await auth.sign_in()


@pytest.mark.xfail(
    strict=True,
    raises=OverflowError,
    reason="auth.py Tokens.from_dict: float(huge int) raises OverflowError, which the "
    "`except (KeyError, TypeError, ValueError)` does not cover",
)
def test_persisted_tokens_with_a_huge_expiry_are_rejected() -> None:
    data = {
        "access_token": "a",
        "refresh_token": "r",
        "access_expires_at": 10**400,
        "aws_access_key_id": "AK",
        "aws_secret_key": "SK",
        "aws_session_token": "ST",
        "aws_expires_at": None,
    }
    assert Tokens.from_dict(data) is None
