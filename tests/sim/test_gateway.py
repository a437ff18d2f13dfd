"""The signed TLS websocket gateway and the MQTT faults, seen by the real awscrt client."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import ssl
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from navilink_sim import sigv4
from navilink_sim.testing import SimControl, SimInfo
from tests.sim.helpers import Mqtt, connected_client, sign_in, wait_for


def presigned_url(
    sim: SimInfo,
    token: dict[str, Any],
    *,
    secret: str | None = None,
    when: dt.datetime | None = None,
    session_token: str | None = None,
) -> str:
    """Presign like awscrt does (signed headers connection;host, empty payload hash)."""
    when = when or dt.datetime.now(dt.UTC)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    scope = f"{day}/us-east-1/iotdevicegateway/aws4_request"
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{token['accessKeyId']}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-SignedHeaders": "connection;host",
    }

    def enc(v: str) -> str:
        return quote(v, safe="-_.~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    creq = "\n".join(
        [
            "GET",
            "/mqtt",
            query,
            "connection:Upgrade\nhost:127.0.0.1\n",
            "connection;host",
            hashlib.sha256(b"").hexdigest(),
        ]
    )
    sts = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()]
    )
    key = sigv4.signing_key(secret or token["secretKey"], day, "us-east-1", "iotdevicegateway")
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    tok = enc(session_token if session_token is not None else token["sessionToken"])
    return (
        f"wss://127.0.0.1:{sim.gateway_port}/mqtt?{query}"
        f"&X-Amz-Security-Token={tok}&X-Amz-Signature={sig}"
    )


async def ws_status(sim: SimInfo, url: str) -> int:
    ctx = ssl.create_default_context(cafile=sim.ca_file)
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(
                url, protocols=("mqtt",), ssl=ctx, headers={"Host": "127.0.0.1"}
            ) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as err:
            return err.status


async def refusals(control: SimControl) -> dict[str, Any]:
    result: dict[str, Any] = (await control.state())["gateway"]["refusals"]
    return result


async def test_presign_checked(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    assert await ws_status(sim, presigned_url(sim, token)) == 101  # our presign matches awscrt's
    before = (await refusals(sim_control))["count"]
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    cases = {
        "signature mismatch": presigned_url(sim, token, secret="x" * 40),
        "stale X-Amz-Date": presigned_url(sim, token, when=stale),
        "session token does not belong to the access key": presigned_url(
            sim, token, session_token="other"
        ),
        "unknown access key": presigned_url(sim, {**token, "accessKeyId": "ASIA" + "A" * 16}),
    }
    for url in cases.values():
        assert await ws_status(sim, url) == 403
    refused = await refusals(sim_control)
    assert refused["count"] == before + len(cases)
    assert [r["reason"] for r in refused["last"][-len(cases) :]] == list(cases)


async def test_awscrt_connects_and_expired_credentials_refused(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    client = await connected_client(sim, token)
    live = (await sim_control.state())["gateway"]["connections"]
    mine = [c for c in live if c["client_id"] == client.client_id]
    assert mine
    assert mine[0]["access_key_id"] == "****" + token["accessKeyId"][-4:]
    before = (await refusals(sim_control))["count"]
    await sim_control.expire_credentials()
    await asyncio.wait_for(client.interrupted.wait(), 10)
    await client.disconnect()
    again = Mqtt(sim, token)
    with pytest.raises(Exception, match="WEBSOCKET_UPGRADE"):
        await again.connect()
    refused = await refusals(sim_control)
    assert refused["count"] > before
    assert refused["last"][-1]["reason"] == "expired access key"
    # a fresh sign-in works again
    fresh = await connected_client(
        sim, await sign_in(sim, sim_account["email"], sim_account["password"])
    )
    await fresh.disconnect()


async def test_account_delete_drops_connection(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    client = await connected_client(sim, token)
    try:
        await sim_control.delete_account(sim_account["email"])
        await asyncio.wait_for(client.interrupted.wait(), 10)
    finally:
        await client.disconnect()
        await sim_control.restore_account(sim_account["email"])


async def test_drop_interrupts_and_client_resumes(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    mac = sim_account["devices"][0]
    client = await connected_client(sim, token, mac)
    try:
        assert await sim_control.drop() >= 1
        await asyncio.wait_for(client.interrupted.wait(), 10)
        await asyncio.wait_for(client.resumed.wait(), 15)  # awscrt reconnects by itself
        await client.subscribe(f"cmd/52/navilink-{mac}/#")  # clean session: resubscribe
        reply = await client.request(mac, "st", 16777219)
        assert reply["response"]["status"]["dhwOperationSetting"] == 1
    finally:
        await client.disconnect()


async def test_network_down_refuses_and_drops(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    client = await connected_client(sim, token)
    other = Mqtt(sim, token)
    try:
        await sim_control.network("down")
        await asyncio.wait_for(client.interrupted.wait(), 10)
        with pytest.raises(Exception):  # noqa: B017 - any awscrt connect failure
            await other.connect()
        await sim_control.network("up")
        await other.connect()
    finally:
        await client.disconnect()
        if other.connected:
            await other.disconnect()


async def test_blackhole_stalls_traffic_then_resumes(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    mac = sim_account["devices"][0]
    client = await connected_client(sim, token, mac)
    try:
        await sim_control.network("blackhole")
        topic, msg = client.request_message(mac, "st", 16777219)
        client.publish_nowait(topic, msg)
        with pytest.raises(TimeoutError):
            await client.next_response(msg["responseTopic"], timeout=1.5)
        state = await sim_control.state()
        assert state["gateway"]["network"] == "blackhole"
        assert any(c["client_id"] == client.client_id for c in state["gateway"]["connections"])
        assert not client.interrupted.is_set()
        await sim_control.network("up")
        reply = await client.next_response(msg["responseTopic"], timeout=10)
        assert "status" in reply["response"]
    finally:
        await client.disconnect()


async def test_broker_restart(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    mac = sim_account["devices"][0]
    client = await connected_client(sim, token, mac)
    try:
        state = await sim_control.state()
        before, hangups = state["broker"], state["gateway"]["broker_hangups"]
        after = await sim_control.broker_restart()
        assert after["restarts"] == before["restarts"] + 1
        assert after["port"] == before["port"]
        assert after["pid"] != before["pid"]
        # The gateway aborts the relay when the broker hangs up instead of starting a
        # websocket close that waits up to 1 s for awscrt's close frame; the client hears
        # of it at once (the bound is loose, the old path needed a full second).
        await asyncio.wait_for(client.interrupted.wait(), 0.75)
        state = await sim_control.state()
        assert state["gateway"]["broker_hangups"] >= hangups + 1
    finally:
        await client.disconnect()

    async def heater_back() -> bool:
        return bool((await sim_control.state())["devices"][mac]["broker_connected"])

    await wait_for(heater_back)
    fresh = await connected_client(sim, token, mac)

    async def answered() -> bool:
        try:
            reply = await fresh.request(mac, "st", 16777219, timeout=2)
        except TimeoutError:
            return False  # the heater may still be resubscribing
        return "status" in reply["response"]

    try:
        await wait_for(answered)
    finally:
        await fresh.disconnect()


async def test_credential_lifetime_drops_live_connection(
    sim: SimInfo, sim_account: dict[str, Any], sim_control: SimControl
) -> None:
    await sim_control.config(credential_ttl=3)
    token = await sign_in(sim, sim_account["email"], sim_account["password"])
    assert token["authorizationExpiresIn"] == 3
    client = await connected_client(sim, token)
    try:
        await asyncio.wait_for(client.interrupted.wait(), 15)
    finally:
        await client.disconnect()
    state = await sim_control.state()
    assert all(c["client_id"] != client.client_id for c in state["gateway"]["connections"])


async def test_network_down_refuses_tcp_connects_until_up(
    sim: SimInfo, sim_control: SimControl
) -> None:
    """What a reachability probe sees: a down network refuses even a bare TCP connect."""
    port = sim.gateway_port
    await sim_control.network("down")
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    await sim_control.network("blackhole")  # stalls traffic, but the endpoint answers TCP
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    await sim_control.network("up")
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    assert (await sim_control.state())["gateway"]["port"] == port
