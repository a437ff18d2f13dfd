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
_TOU_SOURCE = "openei"  # the only TOU source the service knows
_WEEKDAYS, _WEEKEND = 124, 130  # the ``week`` bits of Mon-Fri and of Sat + Sun


def _openei_prices(plan: Mapping[str, Any]) -> list[int]:
    """Each period's price (first tier, ``rate`` + ``adj``) in 10^-5 $/kWh; [] if malformed."""
    prices: list[int] = []
    structure = plan.get("energyratestructure")
    for tiers in structure if isinstance(structure, list) else ():
        tier = tiers[0] if isinstance(tiers, list) and tiers else None
        if not isinstance(tier, dict) or not isinstance(tier.get("rate"), int | float):
            return []
        adj = tier.get("adj", 0)
        prices.append(round((tier["rate"] + (adj if isinstance(adj, int | float) else 0)) * 1e5))
    return prices


def _openei_matrix(plan: Mapping[str, Any], key: str, periods: int) -> list[list[int]] | None:
    """A 12 x 24 matrix of period indexes below `periods`, or None."""
    rows = plan.get(key)
    if (
        isinstance(rows, list)
        and len(rows) == 12
        and all(
            isinstance(row, list)
            and len(row) == 24
            and all(type(p) is int and 0 <= p < periods for p in row)
            for row in rows
        )
    ):
        return rows
    return None


def _openei_intervals(hours: list[int], week: int, prices: list[int]) -> list[dict[str, int]]:
    """Runs of hours with one period, each a priced interval."""
    starts = [h for h in range(24) if h == 0 or hours[h] != hours[h - 1]]
    return [
        {
            "week": week,
            "startHour": start,
            "startMinute": 0,
            "endHour": end - 1,
            "endMinute": 59,
            "priceMin": prices[hours[start]],
            "priceMax": prices[hours[start]],
            "decimalPoint": 5,
        }
        for start, end in zip(starts, [*starts[1:], 24], strict=True)
    ]


def _convert_openei(plan: object) -> dict[str, Any] | None:
    """One OpenEI rate plan as ``POST /device/tou/convert`` converts it (as
    navilink_sim/tou.py does: months with the same day shapes share a season), or None."""
    if not isinstance(plan, dict):
        return None
    prices = _openei_prices(plan)
    weekday = _openei_matrix(plan, "energyweekdayschedule", len(prices))
    weekend = (
        _openei_matrix(plan, "energyweekendschedule", len(prices))
        if "energyweekendschedule" in plan
        else weekday
    )
    if weekday is None or weekend is None:
        return None
    seasons: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    for month in range(12):
        shape = (tuple(weekday[month]), tuple(weekend[month]))
        seasons[shape] = seasons.get(shape, 0) | 1 << month
    schedule = [
        {
            "season": season,
            "interval": _openei_intervals(list(days), _WEEKDAYS, prices)
            + _openei_intervals(list(ends), _WEEKEND, prices),
        }
        for (days, ends), season in seasons.items()
    ]
    return {
        "utility": str(plan.get("utility", "")),
        "name": str(plan.get("name", "")),
        "schedule": schedule,
    }


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
        return self._cloud.rest(
            url.rsplit("/api/v2.1", 1)[-1], body, dict(headers), method=method.upper()
        )


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
        self.tou_plans: dict[str, dict[str, Any]] = {}  # mac -> plan stored by PUT /device/tou
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

    def rest(
        self, path: str, body: dict[str, Any], headers: dict[str, str], *, method: str = "POST"
    ) -> _Response:
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
        if path == "/device/firmware/info":
            heater = self.heaters.get(str(body.get("macAddress")))
            if heater is None:
                return _Response(_OK, {"code": 404, "msg": "Device not found"})
            data = heater.firmware_record()
            return _Response(_OK, {"code": _OK, "msg": "SUCCESS", "data": data})
        if path == "/device/tou" and method in ("GET", "PUT"):
            return self._tou(method, body)
        if path == "/device/tou/convert":
            plans = body.get("sourceData")
            if body.get("sourceType") != _TOU_SOURCE or not isinstance(plans, list):
                return _Response(_OK, {"code": 400, "msg": "Bad Request"})
            converted = [_convert_openei(plan) for plan in plans]
            if None in converted:
                return _Response(_OK, {"code": 400, "msg": "Bad Request: not an OpenEI rate plan"})
            reply = {"code": _OK, "msg": "SUCCESS", "data": {"touInfo": converted}}
            return _Response(_OK, reply)
        return _Response(404, {"code": 404, "msg": "not found"})

    def _tou(self, method: str, body: dict[str, Any]) -> _Response:
        """``GET``/``PUT /device/tou`` as the simulator answers them: the stored plan (an
        empty one before any PUT); a PUT checks the envelope, stores the plan and returns it."""
        heater = self.heaters.get(str(body.get("macAddress")))
        if heater is None:
            return _Response(_OK, {"code": 404, "msg": "Device not found"})
        serial = heater.feature.get("controllerSerialNumber")
        if method == "GET" and body.get("controllerId") != serial:
            return _Response(_OK, {"code": 400, "msg": "controllerId does not match the device"})
        if method == "PUT":
            info, zip_code = body.get("touInfo"), body.get("zipCode", "")
            if (
                not isinstance(info, dict)
                or not isinstance(info.get("schedule"), list)
                or body.get("sourceType") != _TOU_SOURCE
                or not str(zip_code).isdigit()
            ):
                return _Response(_OK, {"code": 400, "msg": "Bad Request"})
            self.tou_plans[heater.mac] = {
                "registerPath": str(body.get("registerPath", "wifi")),
                "sourceType": _TOU_SOURCE,
                "name": str(info.get("name", "")),
                "utility": str(info.get("utility", "")),
                "zipCode": int(zip_code),
                "schedule": info["schedule"],
            }
        plan = self.tou_plans.get(heater.mac, {})
        data = {
            "registerPath": plan.get("registerPath", "wifi"),
            "sourceType": _TOU_SOURCE,
            "touInfo": {
                "controllerId": serial,
                "manufactureId": heater.mac,
                "name": plan.get("name", ""),
                "utility": plan.get("utility", ""),
                "zipCode": plan.get("zipCode", 0),
                "schedule": plan.get("schedule", []),
            },
        }
        return _Response(_OK, {"code": _OK, "msg": "SUCCESS", "data": data})

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
