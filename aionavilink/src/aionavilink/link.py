"""The session's current MQTT connection: build, connect, replace, tear down.

A transport is single-use (see transport.py); the link holds the current one and answers
"is this callback from the current connection?". The factory is injectable: the default is
`MqttTransport` (awscrt, built in an executor thread), whose connections share one `CrtStack`
(TLS context and awscrt client) for the link's life; a custom factory with the same
constructor signature (`aionavilink.testing.FakeCloud.transport`) is called on the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from .auth import Tokens
from .crt import AwsCredentials, CrtStack, MqttEndpoint
from .errors import NaviLinkConnectionError, NaviLinkError
from .protocol import Request, payload_bytes
from .transport import MqttTransport


class Transport(Protocol):
    """One MQTT connection, as the session uses it (MqttTransport is the real one)."""

    async def connect(self, timeout: float | None = None) -> bool: ...

    async def subscribe(self, topic: str) -> None: ...

    async def publish(self, topic: str, payload: bytes) -> None: ...

    def silence(self) -> None: ...

    def close(self) -> Any: ...

    async def disconnect(self, timeout: float = 5.0) -> None: ...


#: Builds a transport: MqttTransport's constructor signature.
type TransportFactory = Callable[..., Transport]


class Link:
    """Holds the current transport of one session."""

    def __init__(
        self,
        *,
        endpoint: MqttEndpoint,
        client_id: str,
        factory: TransportFactory | None,
        on_message: Callable[[str, bytes], None],
        on_interrupted: Callable[[Any, str], None],
        on_resumed: Callable[[Any, bool], None],
        settings: dict[str, Any],
    ) -> None:
        self.endpoint = endpoint
        self._client_id = client_id
        self._factory = factory
        self._on_message = on_message
        self._on_interrupted = on_interrupted
        self._on_resumed = on_resumed
        self._settings = settings
        self._transport: Transport | None = None
        self._stack: CrtStack | None = None  # awscrt's TLS context and client, built once

    @property
    def current(self) -> Transport | None:
        return self._transport

    def is_current(self, transport: object) -> bool:
        return transport is not None and transport is self._transport

    async def open(self, tokens: Tokens, timeout: float) -> Transport:
        """A new connection with these credentials; the old one must be gone already."""
        loop = asyncio.get_running_loop()
        if self._factory is None:
            # Built off the loop: awscrt reads the CA file and package metadata while building.
            transport = await loop.run_in_executor(None, self._build, loop, tokens)
        else:
            transport = self._build(loop, tokens)
        self._transport = transport
        try:
            await transport.connect(timeout)
        except NaviLinkError:
            if self._transport is transport:
                await self.close()
            raise
        if self._transport is not transport:
            raise NaviLinkConnectionError("connection replaced while connecting")
        return transport

    def _build(self, loop: asyncio.AbstractEventLoop, tokens: Tokens) -> Transport:
        settings = dict(self._settings)
        factory: TransportFactory | None = self._factory
        if factory is None:
            factory = MqttTransport
            if self._stack is None:  # in the executor: awscrt reads the CA file here
                self._stack = CrtStack(self.endpoint)
            settings["stack"] = self._stack
        return factory(
            loop,
            self.endpoint,
            AwsCredentials(
                tokens.aws_access_key_id, tokens.aws_secret_key, tokens.aws_session_token
            ),
            self._client_id,
            on_message=self._on_message,
            on_interrupted=self._on_interrupted,
            on_resumed=self._on_resumed,
            **settings,
        )

    async def close(self, *, graceful: bool = False) -> None:
        """Drop the current connection. Only a graceful close (stop, credential renewal, on a
        live link) waits for the broker to see the DISCONNECT: an interrupted awscrt
        connection never confirms it, and recovery must not wait on that."""
        transport, self._transport = self._transport, None
        if transport is None:
            return
        transport.silence()
        if graceful:
            await transport.disconnect(timeout=2.0)
        else:
            transport.close()

    def silence(self) -> None:
        """Ignore the current connection's late callbacks (the watchdog gave up on it)."""
        if self._transport is not None:
            self._transport.silence()

    async def publish(self, request: Request) -> None:
        """QoS 1 publish on the current connection; NaviLinkConnectionError without one."""
        transport = self._transport
        if transport is None:
            raise NaviLinkConnectionError("not connected")
        await transport.publish(request.topic, payload_bytes(request))

    async def subscribe(self, topic: str) -> bool:
        """QoS 1 subscribe on the current connection; False without one."""
        transport = self._transport
        if transport is None:
            return False
        await transport.subscribe(topic)
        return True
