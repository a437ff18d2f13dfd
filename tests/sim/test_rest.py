"""REST API of the simulator, seen by a real aiohttp client."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from typing import Any

import aiohttp
import pytest

from navilink_sim.testing import SimControl, SimInfo
from tests.sim.helpers import connected_client


async def post(
    sim: SimInfo, path: str, body: dict[str, Any], token: str | None = None, timeout: float = 15
) -> tuple[int, str, dict[str, Any]]:
    headers = {"authorization": token} if token is not None else {}
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.post(f"{sim.api_url}{path}", json=body, headers=headers) as resp,
    ):
        return resp.status, resp.content_type, await resp.json()


async def sign_in(sim: SimInfo, email: str, password: str) -> tuple[int, dict[str, Any]]:
    status, ctype, body = await post(sim, "/user/sign-in", {"userId": email, "password": password})
    assert ctype == "application/json"
    return status, body


def _jwt_exp(token: str) -> int:
    parts = token.split(".")
    assert len(parts) == 3
    for part in parts:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", part)
    payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    return int(payload["exp"])


async def test_sign_in_shapes(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    status, body = await sign_in(sim, sim_account["email"], sim_account["password"])
    assert status == 200
    assert (body["code"], body["msg"]) == (200, "SUCCESS")
    data = body["data"]
    assert data["userInfo"]["userType"] == "O"
    assert isinstance(data["legal"], list)
    token = data["token"]
    for key in ("idToken", "accessToken", "refreshToken"):
        assert _jwt_exp(token[key]) > time.time()
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", token["accessKeyId"])
    assert len(token["secretKey"]) == 40
    assert len(token["sessionToken"]) > 300
    assert token["authenticationExpiresIn"] == 3600
    assert token["authorizationExpiresIn"] == 3600


async def test_config_changes_lifetimes(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    await sim_control.config(credential_ttl=1800, token_ttl=900)
    _, body = await sign_in(sim, sim_account["email"], sim_account["password"])
    assert body["data"]["token"]["authorizationExpiresIn"] == 1800
    assert body["data"]["token"]["authenticationExpiresIn"] == 900


async def test_bad_password_and_unknown_paths(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    status, body = await sign_in(sim, sim_account["email"], "wrong")
    assert status == 401
    assert body == {"code": 401, "msg": "Invalid credentials", "data": None}
    status, ctype, body = await post(sim, "/no/such/path", {})
    assert (status, ctype, body["code"]) == (404, "application/json", 404)


async def test_device_list_info_and_auth(sim: SimInfo, sim_account: dict[str, Any]) -> None:
    _, body = await sign_in(sim, sim_account["email"], sim_account["password"])
    access = body["data"]["token"]["accessToken"]
    email = sim_account["email"]
    status, _, body = await post(
        sim, "/device/list", {"offset": 0, "count": 20, "userId": email}, access
    )
    assert status == 200
    (device,) = body["data"]
    info = device["deviceInfo"]
    assert info["macAddress"] == sim_account["devices"][0]
    assert re.fullmatch(r"[0-9a-f]{12}", info["macAddress"])
    assert info["deviceType"] == 52
    assert info["connected"] == 2
    assert isinstance(info["homeSeq"], int)
    assert isinstance(info["additionalValue"], str)
    assert {"deviceName", "installType"} <= set(info)
    assert isinstance(device["location"], dict)
    status, _, body = await post(
        sim,
        "/device/info",
        {"macAddress": info["macAddress"], "additionalValue": "5322", "userId": email},
        access,
    )
    assert status == 200
    assert body["data"]["deviceInfo"]["macAddress"] == info["macAddress"]
    # Bearer prefix and unknown tokens are refused
    for bad in (f"Bearer {access}", "nonsense", None):
        status, ctype, body = await post(sim, "/device/list", {"userId": email}, bad)
        assert (status, ctype, body["code"]) == (401, "application/json", 401)


async def test_refresh_returns_tokens_and_credentials(
    sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    _, body = await sign_in(sim, sim_account["email"], sim_account["password"])
    old = body["data"]["token"]
    status, _, body = await post(sim, "/auth/refresh", {"refreshToken": old["refreshToken"]})
    assert status == 200
    new = body["data"]
    assert new["accessToken"] != old["accessToken"]
    assert new["accessKeyId"] != old["accessKeyId"]
    assert {"idToken", "refreshToken", "authenticationExpiresIn", "secretKey"} <= set(new)
    for access in (old["accessToken"], new["accessToken"]):  # nothing else invalidated
        status, _, _ = await post(sim, "/device/list", {"userId": sim_account["email"]}, access)
        assert status == 200
    status, _, body = await post(sim, "/auth/refresh", {"refreshToken": "bogus"})
    assert (status, body["code"]) == (401, 401)


async def test_expire_credentials_gives_401_then_refresh_works(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    _, body = await sign_in(sim, sim_account["email"], sim_account["password"])
    token = body["data"]["token"]
    await sim_control.expire_credentials()
    status, _, body = await post(sim, "/device/list", {}, token["accessToken"])
    assert (status, body["code"]) == (401, 401)
    status, _, body = await post(sim, "/auth/refresh", {"refreshToken": token["refreshToken"]})
    assert status == 200
    status, _, _ = await post(sim, "/device/list", {}, body["data"]["accessToken"])
    assert status == 200


async def test_account_delete_and_restore(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    email, password = sim_account["email"], sim_account["password"]
    _, body = await sign_in(sim, email, password)
    token = body["data"]["token"]
    await sim_control.delete_account(email)
    status, body = await sign_in(sim, email, password)
    assert (status, body["code"], body["msg"]) == (401, 401, "Invalid credentials")
    status, _, _ = await post(sim, "/auth/refresh", {"refreshToken": token["refreshToken"]})
    assert status == 401
    status, _, _ = await post(sim, "/device/list", {}, token["accessToken"])
    assert status == 401
    await sim_control.restore_account(email)
    status, body = await sign_in(sim, email, password)
    assert status == 200


async def test_rest_fault_status(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    await sim_control.rest_fault(status=500, count=2)
    for _ in range(2):
        status, body = await sign_in(sim, sim_account["email"], sim_account["password"])
        assert (status, body["code"]) == (500, 500)
    status, _ = await sign_in(sim, sim_account["email"], sim_account["password"])
    assert status == 200


async def test_rest_fault_delay(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    await sim_control.rest_fault(delay_s=5, count=1)
    body = {"userId": sim_account["email"], "password": sim_account["password"]}
    with pytest.raises(asyncio.TimeoutError):
        await post(sim, "/user/sign-in", body, timeout=0.5)
    status, _, _ = await post(sim, "/user/sign-in", body)
    assert status == 200


async def test_device_added_and_removed(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    email = sim_account["email"]
    mac = await sim_control.add_device(email)
    _, body = await sign_in(sim, email, sim_account["password"])
    access = body["data"]["token"]["accessToken"]
    _, _, body = await post(sim, "/device/list", {"userId": email}, access)
    assert [d["deviceInfo"]["macAddress"] for d in body["data"]] == [*sim_account["devices"], mac]
    await sim_control.remove_device(email, mac)
    _, _, body = await post(sim, "/device/list", {"userId": email}, access)
    assert [d["deviceInfo"]["macAddress"] for d in body["data"]] == sim_account["devices"]
    assert mac not in (await sim_control.state())["devices"]


async def test_session_refresh_and_secured_sign_in_renew_aws_credentials(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    """The newer public client renews AWS credentials with its access token before it falls
    back to the password."""
    _, body = await sign_in(sim, sim_account["email"], sim_account["password"])
    old = body["data"]["token"]
    aws = {"accessKeyId", "secretKey", "sessionToken", "authorizationExpiresIn"}
    user = {"userId": sim_account["email"]}
    status, _, body = await post(sim, "/auth/session/refresh", user, old["accessToken"])
    assert (status, body["code"]) == (200, 200)
    assert set(body["data"]) == aws
    assert body["data"]["accessKeyId"] != old["accessKeyId"]
    renewed = {**old, **body["data"]}
    client = await connected_client(sim, renewed)  # the new credential opens the gateway
    await client.disconnect()

    status, _, body = await post(sim, "/user/secured-sign-in", user, old["accessToken"])
    assert (status, body["code"]) == (200, 200)
    assert body["data"]["userInfo"]["userType"] == "O"
    assert set(body["data"]["token"]) == aws  # the JWTs are kept
    assert isinstance(body["data"]["legal"], list)

    await sim_control.expire_credentials()  # access tokens expire too
    for path in ("/auth/session/refresh", "/user/secured-sign-in"):
        status, ctype, body = await post(sim, path, user, old["accessToken"])
        assert (status, ctype, body["code"]) == (401, "application/json", 401)


async def test_other_products_are_listed(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    """A product added with the control API is in the device list with its own type."""
    email = sim_account["email"]
    mac = await sim_control.add_product(email, 7, "Tankless")
    status, body = await sign_in(sim, email, sim_account["password"])
    assert status == 200
    access = body["data"]["token"]["accessToken"]
    status, _, listed = await post(
        sim, "/device/list", {"offset": 0, "count": 20, "userId": email}, access
    )
    assert status == 200
    infos = {d["deviceInfo"]["macAddress"]: d["deviceInfo"] for d in listed["data"]}
    assert infos[mac]["deviceType"] == 7
    assert infos[mac]["deviceName"] == "Tankless"
    assert infos[sim_account["devices"][0]]["deviceType"] == 52
