"""A heater's MQTT link: its own connection to the broker, replies and unsolicited pushes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable

import aiomqtt

from navilink_sim.protocol import device_prefix

_LOGGER = logging.getLogger(__name__)

ACK_TOPIC_TTL_S = 600.0
RECONNECT_DELAY_S = 0.3
KEEPALIVE_S = 10

# topic, payload -> the (topic, payload) replies to publish
MessageHandler = Callable[[str, bytes], list[tuple[str, bytes]]]
# topic -> an unsolicited status document for it
PushBuilder = Callable[[str], bytes]


class MqttLink:
    """Connects as ``navilink-{mac}``, subscribes to the heater's topics, reconnects."""

    def __init__(self, mac: str, on_message: MessageHandler, status_push: PushBuilder) -> None:
        self.mac = mac
        self.on_message = on_message
        self.status_push = status_push
        self.connected = False
        self.pushed = 0
        self.ack_topics: dict[str, float] = {}
        self._pushes: set[asyncio.Task[None]] = set()
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._connecting = False

    # ------------------------------------------------------------ ack topics
    def note_ack_topic(self, topic: str) -> None:
        """Remember a response topic under the heater's prefix (where pushes go later)."""
        if topic.startswith(device_prefix(self.mac)):
            self.ack_topics[topic] = time.monotonic()

    def recent_ack_topics(self) -> list[str]:
        now = time.monotonic()
        return [t for t, seen in self.ack_topics.items() if now - seen < ACK_TOPIC_TTL_S]

    def push_topics(self) -> list[str]:
        """Where unsolicited statuses go: the recent ack topics, else a default one."""
        return self.recent_ack_topics() or [f"{device_prefix(self.mac)}sim/res"]

    # ------------------------------------------------------------ publishing
    async def publish_raw(self, topic: str, payload: bytes) -> None:
        client = self._client
        if client is None:
            raise RuntimeError(f"heater {self.mac} is not connected to the broker")
        await client.publish(topic, payload, qos=1)

    def start_pushes(self, count: int, interval_s: float) -> list[str]:
        """Publish `count` statuses `interval_s` apart (in the background) on each push topic."""
        if self._client is None:
            raise RuntimeError(f"heater {self.mac} is not connected to the broker")
        topics = self.push_topics()
        task = asyncio.create_task(
            self._push(topics, count, interval_s), name=f"heater-push-{self.mac}"
        )
        self._pushes.add(task)
        task.add_done_callback(self._pushes.discard)
        return topics

    async def _push(self, topics: list[str], count: int, interval_s: float) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(count):
            client = self._client
            if client is None:
                _LOGGER.info("heater %s: push stopped after %d (broker gone)", self.mac, i)
                return
            try:
                for topic in topics:
                    await client.publish(topic, self.status_push(topic), qos=1)
                    self.pushed += 1
            except aiomqtt.MqttError as err:
                _LOGGER.info("heater %s: push stopped after %d: %s", self.mac, i, err)
                return
            if interval_s > 0:
                await asyncio.sleep(max(0.0, start + (i + 1) * interval_s - loop.time()))

    # ------------------------------------------------------------ lifecycle
    def start(self, port: Callable[[], int]) -> None:
        self._task = asyncio.create_task(self._run(port), name=f"heater-{self.mac}")

    async def stop(self) -> None:
        for push in list(self._pushes):
            push.cancel()
        task, self._task = self._task, None
        if task is not None:
            # Cancelling aiomqtt in the middle of its CONNECT handshake makes it log
            # spurious errors; give a pending handshake a moment to finish first.
            for _ in range(20):
                if not self._connecting:
                    break
                await asyncio.sleep(0.05)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, port: Callable[[], int]) -> None:
        while True:
            self._connecting = True
            try:
                async with aiomqtt.Client(
                    "127.0.0.1",
                    port(),
                    identifier=f"navilink-{self.mac}",
                    keepalive=KEEPALIVE_S,
                    clean_session=True,
                    # No Nagle: a heater writes a PUBACK and then its reply (or the next push);
                    # held behind the PUBACK's delayed ACK, each reply would wait 40 ms.
                    socket_options=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),),
                ) as client:
                    await client.subscribe(f"{device_prefix(self.mac)}#", qos=1)
                    self._client = client
                    self.connected = True
                    self._connecting = False
                    _LOGGER.info("heater %s connected to broker", self.mac)
                    async for message in client.messages:
                        raw = message.payload
                        data = raw if isinstance(raw, bytes | bytearray) else str(raw).encode()
                        for reply_topic, reply in self.on_message(str(message.topic), bytes(data)):
                            await client.publish(reply_topic, reply, qos=1)
            except aiomqtt.MqttError as err:
                _LOGGER.info("heater %s broker connection lost: %s", self.mac, err)
            finally:
                self._client = None
                self.connected = False
                self._connecting = False
            await asyncio.sleep(RECONNECT_DELAY_S)
