"""Regressions: inputs the fuzzing once found to escape as non-NaviLink exceptions
(OverflowError, RecursionError). Each must now end as a NaviLink error or a dropped payload."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from aionavilink import (
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


def test_reservation_entry_with_a_huge_param_is_malformed() -> None:
    entry = {"enable": 2, "week": 64, "hour": 6, "min": 30, "mode": 1, "param": 10**400}
    with pytest.raises(MalformedPayloadError):
        ReservationSchedule.from_wire(2, [entry])


async def test_sign_in_reply_with_a_huge_lifetime_falls_back_to_the_default(
    server: FuzzServer,
) -> None:
    token = {**_SIGN_IN_DATA["token"], "authenticationExpiresIn": 10**400}
    body = {"code": 200, "msg": "SUCCESS", "data": {**_SIGN_IN_DATA, "token": token}}
    server.reply = (200, "application/json", json.dumps(body).encode())
    async with aiohttp.ClientSession() as websession:
        auth = NaviLinkAuth(websession, "a@example.com", "pw", api_url=server.url)
        before = time.time()
        tokens = await auth.sign_in()
    # a nonsensical lifetime is treated as absent: the default hour applies
    assert before + 3500 < tokens.access_expires_at < time.time() + 3700


async def test_deeply_nested_rest_reply_is_a_navilink_error(server: FuzzServer) -> None:
    server.reply = (200, "application/json", b"[" * 100_000 + b"]" * 100_000)
    async with aiohttp.ClientSession() as websession:
        auth = NaviLinkAuth(websession, "a@example.com", "pw", api_url=server.url)
        with pytest.raises(NaviLinkError):
            await auth.sign_in()


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
