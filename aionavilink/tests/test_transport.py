"""MqttTransport over a stand-in awscrt connection: thread hand-off, error mapping, lifecycle.

awscrt's connection class is replaced (the TLS context and client are real), so these tests
need no broker; the simulator-backed tests in the repository exercise the real one.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

import pytest
from awscrt import mqtt as crt_mqtt
from awscrt.exceptions import AwsCrtError
from awscrt.http import HttpHeaders, HttpRequest

from aionavilink import (
    AwsCredentials,
    CrtStack,
    MqttEndpoint,
    MqttTransport,
    NaviLinkConnectionError,
)


def done(value: Any = None, error: BaseException | None = None) -> Future[Any]:
    future: Future[Any] = Future()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
    return future


class CrtConnection:
    """What the transport calls on an awscrt connection; callbacks come from other threads."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.connect_result: Future[Any] = done({"session_present": True})
        self.subscribe_error: Exception | None = None
        self.publish_result: Future[Any] = done({"packet_id": 1})
        self.disconnect_result: Future[Any] | Exception = done({})
        self.callbacks: dict[str, Any] = {}
        self.published: list[tuple[str, bytes]] = []

    def connect(self) -> Future[Any]:
        return self.connect_result

    def on_message(self, callback: Any) -> None:
        self.callbacks["message"] = callback  # one handler for every subscription

    def subscribe(self, topic: str, qos: Any, callback: Any = None) -> tuple[Future[Any], int]:
        if self.subscribe_error is not None:
            raise self.subscribe_error
        self.subscribed = [*getattr(self, "subscribed", []), topic]
        return done({"topic": topic}), 1

    def publish(self, topic: str, payload: bytes, qos: Any) -> tuple[Future[Any], int]:
        self.published.append((topic, payload))
        return self.publish_result, 2

    def disconnect(self) -> Future[Any]:
        if isinstance(self.disconnect_result, Exception):
            raise self.disconnect_result
        return self.disconnect_result

    def from_thread(self, name: str, *args: Any, **kwargs: Any) -> None:
        # a topic name: a message on it, through the connection's one message handler
        target = self.kwargs[name] if name.startswith("on_") else self.callbacks["message"]
        thread = threading.Thread(target=target, args=args, kwargs=kwargs)
        thread.start()
        thread.join()


class Events:
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.interrupted: list[str] = []
        self.resumed: list[bool] = []


@pytest.fixture
def crt(monkeypatch: pytest.MonkeyPatch) -> list[CrtConnection]:
    built: list[CrtConnection] = []

    def builder(**kwargs: Any) -> CrtConnection:
        built.append(CrtConnection(**kwargs))
        return built[-1]

    monkeypatch.setattr(crt_mqtt, "Connection", builder)
    return built


ENDPOINT = MqttEndpoint.from_url("wss://broker.example:8443/mqtt")


def make(events: Events, **kwargs: Any) -> MqttTransport:
    return MqttTransport(
        asyncio.get_running_loop(),
        ENDPOINT,
        AwsCredentials("AKIA", "secret", "session"),
        "navien-client-0000abcd",
        on_message=lambda t, p: events.messages.append((t, p)),
        on_interrupted=lambda tr, reason: events.interrupted.append(reason),
        on_resumed=lambda tr, present: events.resumed.append(present),
        **kwargs,
    )


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_connect_subscribe_publish_and_messages_from_awscrt_threads(
    crt: list[CrtConnection],
) -> None:
    events = Events()
    transport = make(events, keep_alive_secs=7)
    conn = crt[0]
    assert conn.kwargs["host_name"] == "broker.example" and conn.kwargs["port"] == 8443
    assert conn.kwargs["keep_alive_secs"] == 7 and conn.kwargs["use_websockets"] is True
    assert await transport.connect() is True
    await transport.subscribe("cmd/52/#")
    await transport.publish("cmd/52/x", b"{}")
    assert conn.published == [("cmd/52/x", b"{}")]
    conn.from_thread("cmd/52/#", topic="cmd/52/y", payload=bytearray(b"hi"), dup=False)
    conn.from_thread("on_connection_interrupted", conn, AwsCrtError(1, "AWS_ERROR_X", "m"))
    conn.from_thread("on_connection_resumed", conn, 0, True)
    await settle()
    assert events.messages == [("cmd/52/y", b"hi")]
    assert events.interrupted == ["AWS_ERROR_X"]
    assert events.resumed == [True]


async def test_late_callbacks_after_silence_or_close_are_dropped(
    crt: list[CrtConnection],
) -> None:
    events = Events()
    transport = make(events)
    await transport.subscribe("t")
    transport.silence()
    crt[0].from_thread("t", topic="t", payload=b"x")
    crt[0].from_thread("on_connection_interrupted", crt[0], TimeoutError())
    await settle()
    assert events.messages == [] and events.interrupted == []
    transport.silenced = False
    transport.close()
    crt[0].from_thread("on_connection_resumed", crt[0], 0, False)
    await settle()
    assert events.resumed == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (AwsCrtError(1, "AWS_ERROR_HTTP_WEBSOCKET_UPGRADE_FAILURE", "403"), "UPGRADE_FAILURE"),
        (Exception("5"), "connect: 5"),
        (TimeoutError(), "connect: timed out"),
        (OSError(), "connect: OSError"),
    ],
)
async def test_connect_failures_become_connection_errors(
    crt: list[CrtConnection], error: BaseException, reason: str
) -> None:
    transport = make(Events())
    crt[0].connect_result = done(error=error)
    with pytest.raises(NaviLinkConnectionError, match=reason):
        await transport.connect()


async def test_an_unanswered_operation_times_out(crt: list[CrtConnection]) -> None:
    transport = make(Events(), operation_timeout=0.01)
    late: Future[Any] = Future()
    crt[0].publish_result = late
    with pytest.raises(NaviLinkConnectionError, match="publish: timed out"):
        await transport.publish("t", b"x")
    late.set_exception(AwsCrtError(2, "AWS_ERROR_LATE", "after we stopped waiting"))
    await settle()  # read and dropped, nothing raised on the loop


async def test_refused_operations(crt: list[CrtConnection]) -> None:
    transport = make(Events())
    crt[0].subscribe_error = ValueError("bad filter")
    with pytest.raises(NaviLinkConnectionError, match="subscribe a/#/b: bad filter"):
        await transport.subscribe("a/#/b")
    crt[0].publish = None  # type: ignore[assignment, method-assign]
    with pytest.raises(NaviLinkConnectionError, match="publish"):
        await transport.publish("t", b"x")


async def test_close_and_disconnect(crt: list[CrtConnection]) -> None:
    transport = make(Events())
    await transport.disconnect()
    assert transport.closed
    assert transport.close() is None  # once only
    await transport.disconnect()
    stuck = make(Events())
    crt[1].disconnect_result = Future()  # never confirmed (an interrupted connection)
    await stuck.disconnect(timeout=0.01)  # bounded, never raises
    broken = make(Events())
    crt[2].disconnect_result = RuntimeError("not connected")
    assert broken.close() is None


async def test_connections_of_one_stack_share_its_awscrt_client(
    crt: list[CrtConnection],
) -> None:
    stack = CrtStack(ENDPOINT)
    make(Events(), stack=stack)
    make(Events(), stack=stack)
    make(Events())  # without a stack: one of its own
    clients = [conn.kwargs["client"] for conn in crt]
    assert clients[0] is clients[1]
    assert clients[2] is not clients[0]


class TransformArgs:
    """What awscrt hands the websocket handshake transform."""

    def __init__(self, request: HttpRequest) -> None:
        self.http_request = request
        self.outcome: Future[BaseException | None] = Future()

    def set_done(self, exception: BaseException | None = None) -> None:
        self.outcome.set_result(exception)


async def test_the_websocket_upgrade_is_presigned_with_the_connection_credentials(
    crt: list[CrtConnection],
) -> None:
    make(Events())
    transform = crt[0].kwargs["websocket_handshake_transform"]
    signed = []
    for _ in range(2):  # every (re)connect attempt signs anew
        request = HttpRequest("GET", "/mqtt", HttpHeaders([("Host", "broker.example")]))
        args = TransformArgs(request)
        transform(transform_args=args)
        assert await asyncio.wrap_future(args.outcome) is None
        signed.append(request.path)
    query = signed[0].split("?", 1)[1]
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in query
    assert "X-Amz-Credential=AKIA%2F" in query and "%2Fus-east-1%2Fiotdevicegateway%2F" in query
    assert "X-Amz-Signature=" in query
    assert "X-Amz-Security-Token=session" in query


def test_endpoint_urls() -> None:
    assert MqttEndpoint.from_url("wss://h/mqtt") == MqttEndpoint(host="h")
    with pytest.raises(ValueError, match="wss://"):
        MqttEndpoint.from_url("https://h/mqtt")
    with pytest.raises(ValueError, match="/mqtt"):
        MqttEndpoint.from_url("wss://h/other")
