"""One MQTT 3.1.1 connection to AWS IoT over SigV4-signed websockets, via awscrt.

awscrt runs its own event-loop threads and calls back on them. Everything that crosses into
this module's owner is handed to the asyncio loop with `call_soon_threadsafe`, and awscrt's
`concurrent.futures.Future`s are awaited through `asyncio.wrap_future`, so the owner only ever
touches its state on the loop and nothing here blocks the loop.

A transport is single-use: connect once, disconnect once. Reconnecting builds a new one, so a
late callback from an old connection can be recognised (and ignored) by its transport object.

Nothing awscrt keeps holds the transport strongly. awscrt keeps the message callback, and an
operation's completion (with its future's done-callbacks), alive in native code until the
native connection is destroyed or the operation ends; the native connection is destroyed only
when the Python `Connection` is collected. A bound method of the transport in there would close
a cycle (transport -> Connection -> native -> callback -> transport) that the garbage collector
cannot see, and every connection ever made would stay, with everything it references. So the
callbacks given to awscrt reach the transport through a weak reference, and the few that must
act after the transport is gone (closing an abandoned connection) hold only the `Connection`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from awscrt import exceptions as crt_exceptions
from awscrt import mqtt as crt_mqtt

from .crt import AwsCredentials, CrtStack, MqttEndpoint
from .errors import NaviLinkConnectionError

_LOGGER = logging.getLogger(__name__)

CLOUD_MQTT_URL = "wss://a1t30mldyslmuq-ats.iot.us-east-1.amazonaws.com/mqtt"


def describe_crt_error(err: BaseException) -> str:
    """A short, secret-free reason for logs and connection events."""
    if isinstance(err, crt_exceptions.AwsCrtError):
        return str(err.name)
    if isinstance(err, TimeoutError):
        return "timeout"
    text = str(err) or type(err).__name__
    return text[:200]


def is_auth_rejection(err: BaseException) -> bool:
    """True when the server was reached but refused the signed upgrade (403 and friends)."""
    name = err.name if isinstance(err, crt_exceptions.AwsCrtError) else str(err)
    return "WEBSOCKET_UPGRADE_FAILURE" in name or "NOT_AUTHORIZED" in name


type MessageHandler = Callable[[str, bytes], None]


def _weak(method: Callable[..., None]) -> Callable[..., None]:
    """`method` of a transport, called only while the transport lives (see the module doc)."""
    ref = weakref.WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> None:
        bound = ref()
        if bound is not None:
            bound(*args, **kwargs)

    return call


def _disconnect(connection: crt_mqtt.Connection, client_id: str) -> Future[Any] | None:
    """Ask awscrt to close `connection`; refusals are only logged."""
    try:
        future: Future[Any] = connection.disconnect()
    except Exception as err:  # awscrt reports most refusals through the future instead
        _LOGGER.debug("disconnect of %s: %s", client_id, describe_crt_error(err))
        return None
    future.add_done_callback(functools.partial(_log_disconnect_refusal, client_id))
    return future


def _log_disconnect_refusal(client_id: str, future: Future[Any]) -> None:
    err = None if future.cancelled() else future.exception()
    if err is not None:
        _LOGGER.debug("disconnect of %s: %s", client_id, describe_crt_error(err))


def _close_when_connected(
    connection: crt_mqtt.Connection, client_id: str, future: Future[Any]
) -> None:
    """An abandoned connect completed: close what it opened. Holds the `Connection` (until
    the connect ends), never the transport, which may be long gone."""
    if not future.cancelled() and future.exception() is None:
        _disconnect(connection, client_id)


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned operation's outcome so asyncio does not report it as lost."""
    if not future.cancelled():
        future.exception()


class _ClosedOrGone:
    """awscrt's success callback (every (re)connect, on an awscrt thread). A connection whose
    transport was closed, or is gone, must not stay connected: awscrt would keep it alive and
    reconnecting beside its replacement."""

    __slots__ = ("_client_id", "_transport")

    def __init__(self, transport: MqttTransport) -> None:
        self._transport = weakref.ref(transport)
        self._client_id = transport.client_id

    def on_success(self, connection: Any, callback_data: Any = None, **kwargs: Any) -> None:
        transport = self._transport()
        if transport is None or transport.closed:
            _disconnect(connection, self._client_id)


class MqttTransport:
    """A single awscrt connection; callbacks arrive on `loop`."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        endpoint: MqttEndpoint,
        credentials: AwsCredentials,
        client_id: str,
        *,
        on_message: MessageHandler,
        on_interrupted: Callable[[MqttTransport, str], None],
        on_resumed: Callable[[MqttTransport, bool], None],
        keep_alive_secs: int = 30,
        ping_timeout_ms: int = 3000,
        operation_timeout: float = 30.0,
        sdk_reconnect_min_secs: int = 5,
        sdk_reconnect_max_secs: int = 60,
        stack: CrtStack | None = None,
    ) -> None:
        self._loop = loop
        self.client_id = client_id
        self._on_message = on_message
        self._on_interrupted = on_interrupted
        self._on_resumed = on_resumed
        self.operation_timeout = operation_timeout
        self.closed = False
        self.silenced = False  # the owner has moved on: late callbacks are ignored
        self._connect_future: Future[Any] | None = None
        closed_or_gone = _ClosedOrGone(self)
        self._connection: crt_mqtt.Connection = (stack or CrtStack(endpoint)).connection(
            credentials,
            client_id,
            on_interrupted=_weak(self._crt_interrupted),
            on_resumed=_weak(self._crt_resumed),
            on_success=closed_or_gone.on_success,
            keep_alive_secs=keep_alive_secs,
            ping_timeout_ms=ping_timeout_ms,
            operation_timeout_ms=int(operation_timeout * 1000),
            reconnect_min_secs=sdk_reconnect_min_secs,
            reconnect_max_secs=sdk_reconnect_max_secs,
        )
        # One handler for every message rather than one per subscription: awscrt holds what it
        # is given for a connection natively until it has destroyed that connection, so that is
        # one callback held, not one per topic.
        self._connection.on_message(_weak(self._crt_message))

    # -- awscrt threads -> loop -----------------------------------------------------------

    def _post(self, callback: Callable[..., None], *args: Any) -> None:
        if self._loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # loop closed between the check and the call
            self._loop.call_soon_threadsafe(callback, *args)

    def _crt_interrupted(self, connection: Any, error: BaseException, **kwargs: Any) -> None:
        self._post(self._deliver_interrupted, describe_crt_error(error))

    def _crt_resumed(
        self, connection: Any, return_code: Any, session_present: bool, **kwargs: Any
    ) -> None:
        self._post(self._deliver_resumed, bool(session_present))

    def _crt_message(self, topic: str, payload: bytes, **kwargs: Any) -> None:
        self._post(self._deliver_message, topic, bytes(payload))

    def silence(self) -> None:
        """Ignore every later callback from this connection (it is being replaced)."""
        self.silenced = True

    def _deliver_interrupted(self, reason: str) -> None:
        if not (self.closed or self.silenced):
            self._on_interrupted(self, reason)

    def _deliver_resumed(self, session_present: bool) -> None:
        if not (self.closed or self.silenced):
            self._on_resumed(self, session_present)

    def _deliver_message(self, topic: str, payload: bytes) -> None:
        if not (self.closed or self.silenced):
            self._on_message(topic, payload)

    # -- operations -----------------------------------------------------------------------

    async def _await(self, future: Future[Any], what: str, timeout: float) -> Any:
        try:
            async with asyncio.timeout(timeout):
                # shield: a timeout must not cancel awscrt's future, which awscrt completes
                # later from its own thread (and would then raise InvalidStateError there);
                # whatever it ends with after we stopped waiting is read and dropped here.
                inner = asyncio.wrap_future(future, loop=self._loop)
                inner.add_done_callback(_consume)
                return await asyncio.shield(inner)
        except TimeoutError as err:
            raise NaviLinkConnectionError(f"{what}: timed out") from err
        except NaviLinkConnectionError:
            raise
        except Exception as err:  # awscrt raises AwsCrtError or plain Exception(return code)
            raise NaviLinkConnectionError(f"{what}: {describe_crt_error(err)}") from err

    async def connect(self, timeout: float | None = None) -> bool:
        """Open the connection; returns session_present."""
        self._connect_future = self._connection.connect()
        result = await self._await(
            self._connect_future, "connect", timeout or self.operation_timeout
        )
        return bool(result.get("session_present")) if isinstance(result, dict) else False

    async def subscribe(self, topic: str) -> None:
        """QoS 1 subscription; raises NaviLinkConnectionError when refused or not acked."""
        try:
            future, _packet = self._connection.subscribe(topic, crt_mqtt.QoS.AT_LEAST_ONCE)
        except Exception as err:  # awscrt refuses some filters before sending anything
            raise NaviLinkConnectionError(f"subscribe {topic}: {describe_crt_error(err)}") from err
        await self._await(future, f"subscribe {topic}", self.operation_timeout)

    async def publish(self, topic: str, payload: bytes) -> None:
        """QoS 1 publish; returns when the broker acknowledged it."""
        try:
            future, _packet = self._connection.publish(topic, payload, crt_mqtt.QoS.AT_LEAST_ONCE)
        except Exception as err:
            raise NaviLinkConnectionError(f"publish: {describe_crt_error(err)}") from err
        await self._await(future, "publish", self.operation_timeout)

    def close(self) -> Future[Any] | None:
        """Issue the disconnect now (also while interrupted, which stops awscrt's own
        reconnecting); returns awscrt's future, or None when already closed.

        awscrt never completes that future for a connection that is interrupted, so callers
        on a recovery path must not wait for it. awscrt refuses to disconnect a connection
        that is still connecting (the future fails with "not connected"); such a connect may
        complete much later (a blackhole that lifts), so it is closed the moment it does.
        """
        if self.closed:
            return None
        self.closed = True
        pending = self._connect_future
        if pending is not None and not pending.done():
            pending.add_done_callback(
                functools.partial(_close_when_connected, self._connection, self.client_id)
            )
        return _disconnect(self._connection, self.client_id)

    async def disconnect(self, timeout: float = 5.0) -> None:
        """Close and wait (bounded) for the broker to see the DISCONNECT; never raises."""
        future = self.close()
        if future is None:
            return
        try:
            await self._await(future, "disconnect", timeout)
        except NaviLinkConnectionError as err:
            _LOGGER.debug("disconnect of %s: %s", self.client_id, str(err))
