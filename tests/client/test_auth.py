"""REST auth and device API against navilink_sim (real aiohttp server, no mocks)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from aionavilink import (
    InvalidCredentialsError,
    NaviLinkApi,
    NaviLinkAuth,
    NaviLinkConnectionError,
    Tokens,
)


def make_auth(
    sim: Any, account: dict[str, Any], websession: aiohttp.ClientSession, **kw: Any
) -> NaviLinkAuth:
    return NaviLinkAuth(
        websession,
        account["email"],
        kw.pop("password", account["password"]),
        api_url=sim.api_url,
        expiry_margin=kw.pop("expiry_margin", 0.0),
        **kw,
    )


async def test_sign_in_issues_tokens_and_aws_credentials(
    sim: Any, sim_account: dict[str, Any], websession: aiohttp.ClientSession
) -> None:
    auth = make_auth(sim, sim_account, websession)
    seen: list[Tokens] = []
    auth.add_listener(seen.append)
    tokens = await auth.sign_in()
    assert tokens.aws_access_key_id.startswith("ASIA")
    assert tokens.access_token.count(".") == 2  # JWT-shaped
    assert tokens.aws_expires_at is not None and tokens.access_expires_at > 0
    assert seen == [tokens]
    devices = await NaviLinkApi(auth).list_devices()
    assert [d.mac for d in devices] == sim_account["devices"]
    info = await NaviLinkApi(auth).device_info(devices[0].mac, devices[0].additional_value)
    assert info.mac == devices[0].mac and info.online is True


async def test_persisted_tokens_are_reused_without_signing_in(
    sim: Any, sim_account: dict[str, Any], websession: aiohttp.ClientSession
) -> None:
    first = make_auth(sim, sim_account, websession)
    tokens = await first.sign_in()
    restored = Tokens.from_dict(tokens.as_dict())
    assert restored == tokens
    second = make_auth(sim, sim_account, websession, tokens=restored)
    await NaviLinkApi(second).list_devices()
    assert second.sign_ins == 0 and second.refreshes == 0


async def test_expired_access_token_is_refreshed_and_expired_aws_keys_sign_in(
    sim: Any, sim_account: dict[str, Any], websession: aiohttp.ClientSession
) -> None:
    tokens = await make_auth(sim, sim_account, websession).sign_in()
    auth = make_auth(sim, sim_account, websession, tokens=replace(tokens, access_expires_at=0.0))
    refreshed = await auth.ensure_valid()
    assert auth.refreshes == 1 and auth.sign_ins == 0
    assert refreshed.access_token != tokens.access_token
    auth = make_auth(sim, sim_account, websession, tokens=replace(refreshed, aws_expires_at=0.0))
    await auth.ensure_valid()
    assert auth.sign_ins == 1


async def test_a_401_gets_one_refresh_and_one_retry(
    sim: Any, sim_account: dict[str, Any], websession: aiohttp.ClientSession, sim_control: Any
) -> None:
    auth = make_auth(sim, sim_account, websession)
    await auth.sign_in()
    await sim_control.expire_credentials()  # access tokens die; refresh tokens still work
    devices = await NaviLinkApi(auth).list_devices()
    assert devices and auth.refreshes == 1


async def test_wrong_password_and_deleted_account_are_invalid_credentials(
    sim: Any, sim_account: dict[str, Any], websession: aiohttp.ClientSession, sim_control: Any
) -> None:
    with pytest.raises(InvalidCredentialsError):
        await make_auth(sim, sim_account, websession, password="nope").sign_in()
    await sim_control.delete_account(sim_account["email"])
    with pytest.raises(InvalidCredentialsError):
        await make_auth(sim, sim_account, websession).sign_in()
    await sim_control.restore_account(sim_account["email"])
    assert (await make_auth(sim, sim_account, websession).sign_in()).access_token


async def test_server_errors_and_timeouts_are_transient(
    sim: Any, sim_account: dict[str, Any], websession: aiohttp.ClientSession, sim_control: Any
) -> None:
    await sim_control.rest_fault(status=500, count=1)
    with pytest.raises(NaviLinkConnectionError):
        await make_auth(sim, sim_account, websession).sign_in()
    await sim_control.rest_fault(delay_s=5, count=1)
    with pytest.raises(NaviLinkConnectionError):
        await make_auth(sim, sim_account, websession, request_timeout=0.3).sign_in()
    assert (await make_auth(sim, sim_account, websession).sign_in()).access_token


async def test_unreachable_api_is_a_connection_error(websession: aiohttp.ClientSession) -> None:
    auth = NaviLinkAuth(websession, "a@b.c", "x", api_url="http://127.0.0.1:9/api/v2.1")
    with pytest.raises(NaviLinkConnectionError):
        await auth.sign_in()


async def test_api_url_rules(websession: aiohttp.ClientSession) -> None:
    def api_url(url: str) -> str:
        return NaviLinkAuth(websession, "a@b.c", "x", api_url=url).api_url

    assert api_url("https://example.com/api/v2.1/") == "https://example.com/api/v2.1"
    assert api_url("http://127.0.0.1:8300/api/v2.1").startswith("http://127.0.0.1")
    with pytest.raises(ValueError, match="loopback"):
        api_url("http://example.com/api/v2.1")
    with pytest.raises(ValueError):
        api_url("ftp://example.com")


def test_incomplete_persisted_tokens_are_ignored() -> None:
    assert Tokens.from_dict({"access_token": "x"}) is None
    assert Tokens.from_dict({}) is None
