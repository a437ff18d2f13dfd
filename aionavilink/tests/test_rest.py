"""REST sign-in, token refresh and the device API against the fake cloud, on the fake clock."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from conftest import MAC

from aionavilink import (
    InvalidCredentialsError,
    NaviLinkApi,
    NaviLinkAuth,
    NaviLinkConnectionError,
    NaviLinkProtocolError,
    Tokens,
)
from aionavilink.testing import FakeClock, FakeCloud, FakeHeater


def auth_for(cloud: FakeCloud, clock: FakeClock, **kw: object) -> NaviLinkAuth:
    return NaviLinkAuth(
        cloud.websession,  # type: ignore[arg-type]
        cloud.email,
        str(kw.pop("password", cloud.password)),
        clock=clock,
        expiry_margin=60.0,
        **kw,  # type: ignore[arg-type]
    )


async def test_sign_in_hands_out_tokens_and_tells_listeners(
    cloud: FakeCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    auth = auth_for(cloud, clock)
    seen: list[Tokens] = []
    auth.add_listener(seen.append)
    remove = auth.add_listener(lambda t: (_ for _ in ()).throw(RuntimeError("bug")))
    with caplog.at_level(logging.ERROR):
        tokens = await auth.sign_in()
    assert "tokens listener failed" in caplog.text
    remove()
    assert seen == [tokens] and auth.tokens == tokens
    assert tokens.user_seq == 7 and tokens.aws_access_key_id == cloud.aws_key
    assert tokens.access_expires_at == clock.time() + 3600
    assert Tokens.from_dict(tokens.as_dict()) == tokens
    assert auth.sign_ins == 1


async def test_a_wrong_password_is_invalid_credentials(cloud: FakeCloud, clock: FakeClock) -> None:
    auth = auth_for(cloud, clock, password="nope")
    with pytest.raises(InvalidCredentialsError):
        await auth.sign_in()
    auth.update_password(cloud.password)
    assert await auth.sign_in()


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ((200, b"<html>"), NaviLinkConnectionError),
        ((502, b"bad gateway"), NaviLinkConnectionError),
        ((200, [1, 2]), NaviLinkProtocolError),
        ((200, {"code": 503, "msg": "busy"}), NaviLinkConnectionError),
        ((200, {"code": 400, "msg": "bad request"}), NaviLinkProtocolError),
        ((200, {"code": 200, "data": None}), NaviLinkProtocolError),
        ((200, {"code": 200, "data": {"userInfo": {}}}), NaviLinkProtocolError),
        ((200, {"code": 200, "data": {"token": {"refreshToken": "r"}}}), NaviLinkProtocolError),
        ((200, {"code": 200, "data": {"token": {"accessToken": "a"}}}), NaviLinkProtocolError),
        ((403, {"code": "x", "msg": "Unauthorized"}), InvalidCredentialsError),
    ],
)
async def test_sign_in_replies_the_protocol_does_not_allow(
    cloud: FakeCloud, clock: FakeClock, reply: tuple[int, object], error: type[Exception]
) -> None:
    cloud.rest_replies["/user/sign-in"] = [reply]
    with pytest.raises(error):
        await auth_for(cloud, clock).sign_in()


async def test_an_unreachable_cloud_is_a_connection_error(
    cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.rest_down = True
    with pytest.raises(NaviLinkConnectionError, match="ClientConnectionError"):
        await auth_for(cloud, clock).sign_in()


async def test_tokens_are_refreshed_before_they_expire(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.aws_lifetime = None  # AWS keys without a lifetime: only the access token expires
    auth = auth_for(cloud, clock)
    first = await auth.ensure_valid()
    assert await auth.ensure_valid() is first  # still valid: nothing to do
    clock.advance(3600 - 59)  # inside the expiry margin
    second = await auth.ensure_valid()
    assert auth.refreshes == 1 and second.access_token != first.access_token
    cloud.reject_refresh = True  # a rejected refresh token falls back to a sign-in
    third = await auth.ensure_valid(force_refresh=True)
    assert auth.sign_ins == 2 and third.access_token != second.access_token


async def test_expired_aws_credentials_need_a_sign_in(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.aws_lifetime = 100
    auth = auth_for(cloud, clock)
    await auth.sign_in()
    clock.advance(50)
    await auth.ensure_valid()
    assert auth.sign_ins == 2
    cloud.aws_lifetime = None  # keys without a lifetime never expire
    await auth.ensure_valid(force_refresh=True)  # refreshed keys still short: sign in too
    assert auth.tokens is not None and auth.tokens.aws_expires_at is None


async def test_refresh_replies(cloud: FakeCloud, clock: FakeClock) -> None:
    auth = auth_for(cloud, clock)
    tokens = await auth.sign_in()
    flat = {"accessToken": "flat-access", "authenticationExpiresIn": 5e9}
    cloud.rest_replies["/auth/refresh"] = [(200, {"code": 200, "data": flat})]
    refreshed = await auth.ensure_valid(force_refresh=True)
    assert refreshed.access_token == "flat-access"
    assert refreshed.aws_secret_key == tokens.aws_secret_key  # kept
    assert refreshed.access_expires_at == tokens.access_expires_at  # absurd lifetime ignored
    cloud.rest_replies["/auth/refresh"] = [(200, {"code": 200, "data": "x"})]
    with pytest.raises(NaviLinkProtocolError):
        await auth.ensure_valid(force_refresh=True)


async def test_without_a_refresh_token_a_refresh_signs_in(
    cloud: FakeCloud, clock: FakeClock
) -> None:
    tokens = await auth_for(cloud, clock).sign_in()
    auth = auth_for(cloud, clock, tokens=replace(tokens, refresh_token=""))
    await auth.ensure_valid(force_refresh=True)
    assert auth.sign_ins == 1 and auth.refreshes == 0


async def test_a_401_gets_one_refresh_and_one_retry(cloud: FakeCloud, clock: FakeClock) -> None:
    auth = auth_for(cloud, clock)
    api = NaviLinkApi(auth)
    await auth.sign_in()
    cloud.rest_replies["/device/list"] = [(401, {"code": 401, "msg": "expired"})]
    assert [d.mac for d in await api.list_devices()] == [MAC]
    assert auth.refreshes == 1
    cloud.rest_replies["/device/list"] = [(401, {"code": 401, "msg": "x"})] * 2
    with pytest.raises(NaviLinkConnectionError, match="still unauthorized"):
        await api.list_devices()
    cloud.rest_replies["/device/list"] = [(200, {"code": 404, "msg": "gone"})]
    with pytest.raises(NaviLinkProtocolError):
        await api.list_devices()
    cloud.rest_replies["/device/list"] = [
        (401, {"code": 401, "msg": "x"}),
        (200, {"code": 404, "msg": "gone"}),
    ]
    with pytest.raises(NaviLinkProtocolError):
        await api.list_devices()


async def test_the_device_list_is_read_page_by_page(cloud: FakeCloud, clock: FakeClock) -> None:
    for n in range(25):
        heater = FakeHeater(f"0000000000{n:02x}")
        cloud.heaters[heater.mac] = heater
    api = NaviLinkApi(auth_for(cloud, clock))
    devices = await api.list_devices()
    assert len(devices) == 26 and devices[0].mac == MAC
    info = await api.device_info(MAC, "5322")
    assert info.name == "Water heater" and info.online is True
    assert info.redacted_mac == "********fca0"
    cloud.rest_replies["/device/list"] = [(200, {"code": 200, "data": None})]
    assert await api.list_devices() == []
    cloud.rest_replies["/device/list"] = [(200, {"code": 200, "data": {"x": 1}})]
    with pytest.raises(NaviLinkProtocolError):
        await api.list_devices()


def test_api_url_rules(cloud: FakeCloud) -> None:
    def api_url(url: str) -> str:
        return NaviLinkAuth(cloud.websession, "a", "b", api_url=url).api_url  # type: ignore[arg-type]

    assert api_url("https://example.com/api/v2.1/") == "https://example.com/api/v2.1"
    assert api_url("http://localhost:8300/api").startswith("http://localhost")
    assert api_url("http://[::1]:8300/api").startswith("http://[::1]")
    with pytest.raises(ValueError, match="loopback"):
        api_url("http://example.com/api/v2.1")
    with pytest.raises(ValueError):
        api_url("ftp://example.com")


def test_persisted_tokens_of_another_shape_are_ignored() -> None:
    assert Tokens.from_dict({"access_token": "x"}) is None
    assert Tokens.from_dict({}) is None
    tokens = Tokens("a", "r", "i", 10.0, "k", "s", "t", None)
    assert not tokens.access_valid(20.0, 0.0) and tokens.aws_valid(1e12, 60.0)
    assert not replace(tokens, aws_secret_key="").aws_valid(0.0, 0.0)
