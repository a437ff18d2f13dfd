"""An in-memory NaviLink cloud for tests: REST, broker and heaters, no sockets.

Exported through `aionavilink.testing`. The heaters implement the commands the library sends
(docs/protocol.md) closely enough to confirm them; faults are plain attributes to set.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import aiohttp

from .errors import NaviLinkConnectionError
from .fake_heater import FakeHeater
from .protocol import topic_matches

_OK = 200


class _Response:
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self._body = body

    async def json(self) -> Any:
        if isinstance(self._body, bytes):
            raise aiohttp.ContentTypeError(None, ())  # type: ignore[arg-type]
        return self._body

    async def __aenter__(self) -> _Response:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class FakeWebSession:
    """Stands in for aiohttp.ClientSession: answers the NaviLink REST API from a FakeCloud."""

    def __init__(self, cloud: FakeCloud) -> None:
        self._cloud = cloud

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: Any = None,
    ) -> _Response:
        body = dict(json if json is not None else params or {})
        return self._cloud.rest(url.rsplit("/api/v2.1", 1)[-1], body, dict(headers))


class FakeCloud:
    """REST, broker and heaters. Faults: `rest_down`, `rest_status`, `rest_replies` (canned
    (status, body) per path; a bytes body is not JSON), `password`, `reject_refresh`,
    `connect_errors`, `publish_errors`, `subscribe_errors`, `blackhole`."""

    def __init__(
        self, *heaters: FakeHeater, email: str = "user@example.com", password: str = "secret"
    ) -> None:
        self.email = email
        self.password = password
        self.heaters: dict[str, FakeHeater] = {h.mac: h for h in heaters}
        self.token_lifetime = 3600
        self.aws_lifetime: int | None = 3600
        self.rest_down = False
        self.rest_status: int | None = None  # e.g. 500: every REST call answers that
        self.rest_replies: dict[str, list[tuple[int, Any]]] = {}  # path -> canned replies
        self.reject_refresh = False
        self.connect_errors: list[Exception] = []
        self.publish_errors: list[Exception] = []
        self.subscribe_errors: dict[str, int] = {}  # topic filter -> failures left
        self.blackhole = False  # the broker swallows everything
        self.reachable = True  # False: a bare TCP connect to the MQTT endpoint is refused
        self.path_probes = 0
        self.sign_ins = 0
        self.refreshes = 0
        self.connections: list[FakeTransport] = []
        self.published: list[tuple[str, dict[str, Any]]] = []
        self._serial = 0
        self._access = ""
        self.aws_key = ""
        self.websession = FakeWebSession(self)

    async def open_path(self, host: str, port: int) -> None:
        """The path probe's TCP connect (pass as NaviLinkSession's `probe_opener`)."""
        self.path_probes += 1
        if not self.reachable:
            raise ConnectionRefusedError(host, port)

    # -- REST -----------------------------------------------------------------------------

    def _issue(self) -> dict[str, Any]:
        self._serial += 1
        self._access = f"access-{self._serial}"
        self.aws_key = f"AKIA{self._serial:04d}"
        token: dict[str, Any] = {
            "accessToken": self._access,
            "refreshToken": f"refresh-{self._serial}",
            "idToken": f"id-{self._serial}",
            "authenticationExpiresIn": self.token_lifetime,
            "accessKeyId": self.aws_key,
            "secretKey": f"secret-{self._serial}",
            "sessionToken": f"session-{self._serial}",
        }
        if self.aws_lifetime is not None:
            token["authorizationExpiresIn"] = self.aws_lifetime
        return token

    def rest(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> _Response:
        if self.rest_down:
            raise aiohttp.ClientConnectionError("the fake cloud is down")
        if self.rest_status is not None:
            return _Response(self.rest_status, {"code": self.rest_status, "msg": "fault"})
        if self.rest_replies.get(path):
            return _Response(*self.rest_replies[path].pop(0))
        if path == "/user/sign-in":
            self.sign_ins += 1
            if body.get("userId") != self.email or body.get("password") != self.password:
                return _Response(_OK, {"code": 401, "msg": "Invalid password"})
            data = {"userInfo": {"userSeq": 7}, "token": self._issue()}
            return _Response(_OK, {"code": _OK, "msg": "SUCCESS", "data": data})
        if path == "/auth/refresh":
            self.refreshes += 1
            if self.reject_refresh or body.get("refreshToken") != f"refresh-{self._serial}":
                return _Response(_OK, {"code": 401, "msg": "expired"})
            return _Response(_OK, {"code": _OK, "msg": "SUCCESS", "data": {"token": self._issue()}})
        if headers.get("authorization") != self._access:
            return _Response(401, {"code": 401, "msg": "Unauthorized"})
        if path == "/device/list":
            items = [h.rest_record() for h in self.heaters.values()]
            offset, count = int(body.get("offset", 0)), int(body.get("count", 20))
            return _Response(
                _OK, {"code": _OK, "msg": "SUCCESS", "data": items[offset : offset + count]}
            )
        if path == "/device/info":
            heater = self.heaters.get(str(body.get("macAddress")))
            if heater is None:
                return _Response(_OK, {"code": 404, "msg": "no such device"})
            return _Response(_OK, {"code": _OK, "msg": "SUCCESS", "data": heater.rest_record()})
        return _Response(404, {"code": 404, "msg": "not found"})

    # -- broker ---------------------------------------------------------------------------

    def transport(
        self,
        loop: asyncio.AbstractEventLoop,
        endpoint: Any,
        credentials: Any,
        client_id: str,
        **kwargs: Any,
    ) -> FakeTransport:
        """A transport factory for NaviLinkSession(transport_factory=cloud.transport)."""
        return FakeTransport(self, loop, credentials, client_id, **kwargs)

    @property
    def live(self) -> list[FakeTransport]:
        return [t for t in self.connections if t.connected]

    def route(self, topic: str, doc: dict[str, Any]) -> None:
        """Deliver a document to every subscriber; heaters answer what is addressed to them."""
        self.published.append((topic, doc))
        if self.blackhole:
            return
        payload = json.dumps(doc).encode()
        for transport in self.live:
            if any(topic_matches(f, topic) for f in transport.subscriptions):
                transport.deliver(topic, payload)
        parts = topic.split("/")
        if (
            "request" in doc
            and len(parts) > 2
            and parts[0] == "cmd"
            and parts[2].startswith("navilink-")
        ):
            heater = self.heaters.get(parts[2][len("navilink-") :])
            if heater is not None and heater.online:
                for reply_topic, reply in heater.handle(doc):
                    self.route(reply_topic, reply)

    def drop(self, reason: str = "AWS_ERROR_MQTT_UNEXPECTED_HANGUP") -> None:
        """Every live connection is interrupted."""
        for transport in self.live:
            transport.interrupt(reason)


class FakeTransport:
    """One fake MQTT connection; the same constructor and methods as MqttTransport."""

    def __init__(
        self,
        cloud: FakeCloud,
        loop: asyncio.AbstractEventLoop,
        credentials: Any,
        client_id: str,
        *,
        on_message: Callable[[str, bytes], None],
        on_interrupted: Callable[[Any, str], None],
        on_resumed: Callable[[Any, bool], None],
        **settings: Any,
    ) -> None:
        self.cloud = cloud
        self._loop = loop
        self.credentials = credentials
        self.client_id = client_id
        self._on_message = on_message
        self._on_interrupted = on_interrupted
        self._on_resumed = on_resumed
        self.settings = settings
        self.subscriptions: list[str] = []
        self.connected = False
        self.closed = False
        self.silenced = False
        cloud.connections.append(self)

    async def connect(self, timeout: float | None = None) -> bool:
        await asyncio.sleep(0)
        if self.cloud.connect_errors:
            raise self.cloud.connect_errors.pop(0)
        if self.credentials.access_key_id != self.cloud.aws_key:
            raise NaviLinkConnectionError("connect: AWS_ERROR_HTTP_WEBSOCKET_UPGRADE_FAILURE")
        self.connected = not self.closed
        return False

    async def subscribe(self, topic: str) -> None:
        await asyncio.sleep(0)
        left = self.cloud.subscribe_errors.get(topic, 0)
        if left or not self.connected:
            self.cloud.subscribe_errors[topic] = max(0, left - 1)
            raise NaviLinkConnectionError(f"subscribe {topic}: refused")
        if topic not in self.subscriptions:
            self.subscriptions.append(topic)

    async def publish(self, topic: str, payload: bytes) -> None:
        await asyncio.sleep(0)
        if self.cloud.publish_errors:
            raise self.cloud.publish_errors.pop(0)
        if not self.connected:
            raise NaviLinkConnectionError("publish: not connected")
        self.cloud.route(topic, json.loads(payload))

    def deliver(self, topic: str, payload: bytes) -> None:
        self._loop.call_soon(self._deliver, topic, payload)

    def _deliver(self, topic: str, payload: bytes) -> None:
        if self.connected and not self.silenced:
            self._on_message(topic, payload)

    def interrupt(self, reason: str) -> None:
        """The link drops (the SDK would now try to resume it)."""
        self.connected = False
        if not self.silenced and not self.closed:
            self._loop.call_soon(self._on_interrupted, self, reason)

    def resume(self, session_present: bool = False) -> None:
        """The SDK's own reconnect succeeded."""
        self.connected = True
        if not session_present:
            self.subscriptions.clear()
        if not self.silenced and not self.closed:
            self._loop.call_soon(self._on_resumed, self, session_present)

    def silence(self) -> None:
        self.silenced = True

    def close(self) -> None:
        self.closed = True
        self.connected = False

    async def disconnect(self, timeout: float = 5.0) -> None:
        self.close()
