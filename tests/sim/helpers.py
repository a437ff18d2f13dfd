"""Real clients for the simulator tests: aiohttp for REST, awscrt over the signed websocket."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from awscrt import auth, mqtt
from awsiot import mqtt_connection_builder

from navilink_sim.testing import SimInfo

DT = 52


async def sign_in(info: SimInfo, email: str, password: str) -> dict[str, Any]:
    """Sign in and return the ``token`` object."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{info.api_url}/user/sign-in", json={"userId": email, "password": password}
        ) as resp,
    ):
        body = await resp.json()
        assert resp.status == 200, body
        token: dict[str, Any] = body["data"]["token"]
        return token


async def wait_for(
    predicate: Callable[[], Awaitable[bool]], timeout: float = 20.0, interval: float = 0.1
) -> None:
    """Poll until ``predicate`` holds (fails the test after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        if await predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)


class Mqtt:
    """An awscrt MQTT 3.1.1 connection through the simulator's signed websocket gateway."""

    def __init__(self, info: SimInfo, token: dict[str, Any], client_id: str | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.client_id = client_id or f"navien-client-{uuid.uuid4().hex[:8]}"
        self.messages: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self.interrupted = asyncio.Event()
        self.resumed = asyncio.Event()
        self.session_id = uuid.uuid4().hex
        provider = auth.AwsCredentialsProvider.new_static(
            token["accessKeyId"], token["secretKey"], token["sessionToken"]
        )
        self.connection = mqtt_connection_builder.websockets_with_default_aws_signing(
            endpoint="127.0.0.1",
            port=info.gateway_port,
            region="us-east-1",
            credentials_provider=provider,
            ca_filepath=info.ca_file,
            client_id=self.client_id,
            clean_session=True,
            keep_alive_secs=30,
            reconnect_min_timeout_secs=1,
            reconnect_max_timeout_secs=2,
            on_connection_interrupted=self._on_interrupted,
            on_connection_resumed=self._on_resumed,
        )
        self.connected = False

    def _on_interrupted(self, connection: Any, error: Any, **kwargs: Any) -> None:
        self.loop.call_soon_threadsafe(self.interrupted.set)

    def _on_resumed(
        self, connection: Any, return_code: Any, session_present: Any, **kw: Any
    ) -> None:
        self.loop.call_soon_threadsafe(self.resumed.set)

    def _on_message(self, topic: str, payload: bytes, **kwargs: Any) -> None:
        self.loop.call_soon_threadsafe(self.messages.put_nowait, (topic, bytes(payload)))

    async def connect(self, timeout: float = 15.0) -> None:
        await asyncio.wait_for(asyncio.wrap_future(self.connection.connect()), timeout)
        self.connected = True

    async def disconnect(self) -> None:
        await asyncio.wait_for(asyncio.wrap_future(self.connection.disconnect()), 15)
        self.connected = False

    async def subscribe(self, topic: str) -> None:
        future, _ = self.connection.subscribe(topic, mqtt.QoS.AT_LEAST_ONCE, self._on_message)
        await asyncio.wait_for(asyncio.wrap_future(future), 15)

    def publish_nowait(self, topic: str, payload: dict[str, Any] | bytes) -> Any:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        future, _ = self.connection.publish(topic, data, mqtt.QoS.AT_LEAST_ONCE)
        return future

    async def publish(self, topic: str, payload: dict[str, Any] | bytes) -> None:
        await asyncio.wait_for(asyncio.wrap_future(self.publish_nowait(topic, payload)), 15)

    def request_message(
        self, mac: str, suffix: str, command: int, **extra: Any
    ) -> tuple[str, dict[str, Any]]:
        topic = f"cmd/{DT}/navilink-{mac}/{suffix}"
        response_topic = extra.pop(
            "response_topic", f"cmd/{DT}/navilink-{mac}/{self.client_id}/res"
        )
        request: dict[str, Any] = {
            "command": command,
            "deviceType": DT,
            "macAddress": mac,
            "additionalValue": "5322",
            **extra,
        }
        return topic, {
            "clientID": self.client_id,
            "sessionID": self.session_id,
            "protocolVersion": 2,
            "requestTopic": topic,
            "responseTopic": response_topic,
            "request": request,
        }

    async def next_response(
        self, topic: str | None = None, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Next message carrying a ``response`` (optionally on ``topic``)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no response")
            got_topic, payload = await asyncio.wait_for(self.messages.get(), remaining)
            try:
                msg = json.loads(payload)
            except ValueError:
                continue
            if (
                isinstance(msg, dict)
                and "response" in msg
                and (topic is None or topic == got_topic)
            ):
                return msg

    async def request(
        self, mac: str, suffix: str, command: int, timeout: float = 10.0, **extra: Any
    ) -> dict[str, Any]:
        topic, msg = self.request_message(mac, suffix, command, **extra)
        await self.publish(topic, msg)
        return await self.next_response(msg["responseTopic"], timeout)

    async def control(
        self, mac: str, mode: str, param: list[int], command: int = 33554437
    ) -> dict[str, Any]:
        reply = await self.request(mac, "ctrl", command, mode=mode, param=param, paramStr="")
        status: dict[str, Any] = reply["response"]["status"]
        return status

    def drain(self) -> None:
        while not self.messages.empty():
            self.messages.get_nowait()


async def connected_client(info: SimInfo, token: dict[str, Any], mac: str | None = None) -> Mqtt:
    client = Mqtt(info, token)
    await client.connect()
    if mac is not None:
        await client.subscribe(f"cmd/{DT}/navilink-{mac}/#")
    return client
