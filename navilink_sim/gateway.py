"""TLS websocket gateway: SigV4-checked upgrade at /mqtt, then a byte relay to Mosquitto."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import socket
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import WSMsgType, web

from navilink_sim import sigv4
from navilink_sim.accounts import AccountStore, AwsCredential

_LOGGER = logging.getLogger(__name__)

NetworkState = Literal["up", "down", "blackhole"]
CLOSE_TIMEOUT_S = 1.0


def parse_connect_client_id(data: bytes) -> str | None:
    """Client id of an MQTT CONNECT packet at the start of ``data`` (None if unparsable)."""
    try:
        if not data or data[0] >> 4 != 1:
            return None
        pos = 1
        for _ in range(4):  # remaining length varint
            byte = data[pos]
            pos += 1
            if not byte & 0x80:
                break
        name_len = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2 + name_len + 1 + 1 + 2  # protocol name, level, flags, keepalive
        if data[pos - 4] == 5:  # MQTT 5: skip the properties
            prop_len = 0
            shift = 0
            while True:
                byte = data[pos]
                pos += 1
                prop_len |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            pos += prop_len
        cid_len = int.from_bytes(data[pos : pos + 2], "big")
        cid = data[pos + 2 : pos + 2 + cid_len]
        if len(cid) != cid_len:
            return None
        return cid.decode("utf-8")
    except IndexError, UnicodeDecodeError:
        return None


_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


def _ack_at_once(sock: Any) -> None:
    """Acknowledge what was just read now, not after the kernel's delayed-ACK timer.

    awscrt offers no TCP_NODELAY: a client that writes a PUBACK and then its next PUBLISH has
    the PUBLISH held (Nagle) until the PUBACK is acknowledged, and with nothing to send back
    the kernel waits up to 40 ms to do that. Setting TCP_QUICKACK sends a pending ACK at once.
    """
    if sock is not None and _QUICKACK is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)


@dataclass
class Relay:
    """One accepted websocket connection relayed to the broker."""

    conn_id: int
    credential: AwsCredential
    remote: str
    since: float = field(default_factory=time.time)
    client_id: str | None = None
    transport: asyncio.Transport | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
        for task in self.tasks:
            task.cancel()

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.conn_id,
            "client_id": self.client_id,
            "access_key_id": "****" + self.credential.access_key_id[-4:],
            "email": self.credential.email,
            "remote": self.remote,
            "since": self.since,
        }


class Gateway:
    """The wss://127.0.0.1:P/mqtt endpoint."""

    def __init__(
        self,
        accounts: AccountStore,
        broker_port: Callable[[], int],
        ssl_context: ssl.SSLContext,
        port: int = 0,
        payload_hash: str = sigv4.PAYLOAD_HASH,
    ) -> None:
        self.accounts = accounts
        self.broker_port = broker_port
        self.ssl_context = ssl_context
        self.port = port
        self.payload_hash = payload_hash
        self.network: NetworkState = "up"
        self._not_blackholed = asyncio.Event()
        self._not_blackholed.set()
        self._state_changed = asyncio.Event()
        self.relays: dict[int, Relay] = {}
        self.refusal_count = 0
        self.refusals: deque[dict[str, Any]] = deque(maxlen=20)
        self.accepted_count = 0
        # connections aborted because their broker side ended first (a broker restart)
        self.broker_hangup_count = 0
        # A CONNECT whose client id another live relay already carries: the broker will close
        # one of the two. A client that keeps two connections alive fights itself this way.
        self.takeover_count = 0
        self.takeovers: deque[dict[str, Any]] = deque(maxlen=20)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._site: web.SockSite | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/mqtt", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await self._listen()
        self._watchdog = asyncio.create_task(self._watch_credentials(), name="gw-watchdog")
        _LOGGER.info("gateway listening on wss://127.0.0.1:%s/mqtt", self.port)

    async def _listen(self) -> None:
        """Accept connections on `self.port` (a fresh port the first time)."""
        assert self._runner is not None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._site = web.SockSite(self._runner, sock, ssl_context=self.ssl_context)
        await self._site.start()

    async def _unlisten(self) -> None:
        """Refuse new TCP connections (a network that is down), keep the port for later."""
        site, self._site = self._site, None
        if site is not None:
            await site.stop()

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        self.drop_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ faults
    def drop_all(self) -> int:
        relays = list(self.relays.values())
        for relay in relays:
            relay.abort()
        return len(relays)

    async def set_network(self, state: NetworkState) -> None:
        """up: normal. down: live connections dropped and new TCP connections refused (what a
        reachability probe sees). blackhole: traffic and upgrades stall, connects still open."""
        if state == "down":
            await self._unlisten()
        elif self._site is None:
            await self._listen()
        self.network = state
        if state == "blackhole":
            self._not_blackholed.clear()
        else:
            self._not_blackholed.set()
        if state == "down":
            self.drop_all()
        self._state_changed.set()
        self._state_changed = asyncio.Event()

    def drop_where(self, predicate: Callable[[Relay], bool]) -> int:
        victims = [r for r in self.relays.values() if predicate(r)]
        for relay in victims:
            relay.abort()
        return len(victims)

    async def _watch_credentials(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            dropped = self.drop_where(lambda r: not self.accounts.credential_usable(r.credential))
            if dropped:
                _LOGGER.info("dropped %d connection(s) with expired/revoked credentials", dropped)

    # -------------------------------------------------------------- handshake
    def _refuse(self, request: web.Request, reason: str) -> web.Response:
        self.refusal_count += 1
        self.refusals.append(
            {"time": time.time(), "reason": reason, "remote": request.remote or ""}
        )
        _LOGGER.info("refused websocket upgrade: %s", reason)
        return web.json_response({"message": reason, "code": 403}, status=403)

    def _check(self, request: web.Request) -> AwsCredential | str:
        try:
            query = sigv4.parse_query(request.query_string)
        except sigv4.SigV4Error as err:
            return f"malformed presign: {err}"
        cred = self.accounts.credential(query.access_key_id)
        if cred is None:
            return "unknown access key"
        if cred.revoked or self.accounts.active(cred.email) is None:
            return "revoked access key"
        if not cred.valid():
            return "expired access key"
        if query.security_token != cred.session_token:
            return "session token does not belong to the access key"
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            sigv4.verify(
                query,
                cred.secret_key,
                method=request.method,
                path=request.path,
                headers=headers,
                now=dt.datetime.now(dt.UTC),
                payload_hash=self.payload_hash,
            )
        except sigv4.SigV4Error as err:
            return str(err)
        return cred

    async def _wait_network(self, request: web.Request) -> bool:
        """False if the connection must be aborted (network down)."""
        while self.network == "blackhole":
            await self._state_changed.wait()
        if self.network == "down":
            if request.transport is not None:
                request.transport.abort()
            return False
        return True

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if not await self._wait_network(request):
            return web.Response(status=503)  # never reaches the aborted client
        checked = self._check(request)
        if isinstance(checked, str):
            return self._refuse(request, checked)
        # timeout: how long a close we start waits for the client's close frame. A broker that
        # goes away does not take that path: the relay aborts the connection (see below).
        ws = web.WebSocketResponse(
            protocols=("mqtt",), autoping=True, max_msg_size=0, timeout=CLOSE_TIMEOUT_S
        )
        if not ws.can_prepare(request).ok:
            return self._refuse(request, "not a websocket upgrade")
        await ws.prepare(request)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.broker_port())
        except OSError as err:
            _LOGGER.warning("broker unreachable: %s", err)
            await ws.close()
            return ws
        relay = Relay(
            conn_id=next(self._ids),
            credential=checked,
            remote=request.remote or "",
            transport=request.transport,
        )
        self.relays[relay.conn_id] = relay
        self.accepted_count += 1
        up = asyncio.create_task(self._client_to_broker(ws, writer, relay))
        down = asyncio.create_task(self._broker_to_client(reader, ws))
        relay.tasks = [up, down]
        try:
            await asyncio.wait([up, down], return_when=asyncio.FIRST_COMPLETED)
            if down.done() and not up.done():
                # The broker hung up (restart, crash). Tell the client now: a websocket close
                # would wait up to CLOSE_TIMEOUT_S for a close frame awscrt is slow to send.
                self.broker_hangup_count += 1
                relay.abort()
        finally:
            self.relays.pop(relay.conn_id, None)
            for task in (up, down):
                task.cancel()
            await asyncio.gather(up, down, return_exceptions=True)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            with contextlib.suppress(Exception):
                await ws.close()
        return ws

    async def _client_to_broker(
        self, ws: web.WebSocketResponse, writer: asyncio.StreamWriter, relay: Relay
    ) -> None:
        first = True
        client_sock = None if relay.transport is None else relay.transport.get_extra_info("socket")
        async for msg in ws:
            _ack_at_once(client_sock)
            if msg.type == WSMsgType.BINARY:
                data: bytes = msg.data
            elif msg.type == WSMsgType.TEXT:
                data = str(msg.data).encode()
            else:
                break
            if first:
                first = False
                relay.client_id = parse_connect_client_id(data)
                self._note_client_id(relay)
            await self._not_blackholed.wait()
            writer.write(data)
            await writer.drain()

    def _note_client_id(self, relay: Relay) -> None:
        if relay.client_id is None:
            return
        if any(r is not relay and r.client_id == relay.client_id for r in self.relays.values()):
            self.takeover_count += 1
            self.takeovers.append({"time": time.time(), "client_id": relay.client_id})
            _LOGGER.info(
                "client id %s connected again while its old connection lives", relay.client_id
            )

    async def _broker_to_client(
        self, reader: asyncio.StreamReader, ws: web.WebSocketResponse
    ) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            await self._not_blackholed.wait()
            await ws.send_bytes(data)

    def state(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "port": self.port,
            "connections": [r.describe() for r in self.relays.values()],
            "accepted": self.accepted_count,
            "broker_hangups": self.broker_hangup_count,
            "takeovers": {"count": self.takeover_count, "last": list(self.takeovers)},
            "refusals": {"count": self.refusal_count, "last": list(self.refusals)},
        }
