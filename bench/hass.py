"""A real `hass` process in a temporary config dir, driven over its REST and websocket APIs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent

CONFIGURATION = """\
homeassistant:
  name: NaviLink bench
  latitude: 33.68
  longitude: -117.82
  elevation: 0
  unit_system: metric
  time_zone: UTC
  currency: USD
  country: US
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
person:
websocket_api:
logger:
  default: warning
"""

EventCallback = Callable[[dict[str, Any]], None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HassProcess:
    """`hass -c <dir> --skip-pip` with custom_components/navilink linked in."""

    def __init__(self, config_dir: Path, env: dict[str, str]) -> None:
        self.config_dir = config_dir
        self.port = free_port()
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = config_dir / "hass.log"
        self.started_s = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        (self.config_dir / "configuration.yaml").write_text(CONFIGURATION.format(port=self.port))
        custom = self.config_dir / "custom_components"
        custom.mkdir(exist_ok=True)
        link = custom / "navilink"
        if not link.exists():
            link.symlink_to(REPO / "custom_components" / "navilink")

    async def start(self, timeout: float = 120.0) -> None:
        self.prepare()
        hass_bin = Path(sys.executable).with_name("hass")
        env = {**os.environ, **self.env}
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: ASYNC220 (returns at once)
                [str(hass_bin), "-c", str(self.config_dir), "--skip-pip", "--log-no-color"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        deadline = started + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    code = self.proc.returncode
                    raise RuntimeError(f"hass exited early (code {code}); see {self.log_path}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(f"{self.url}/api/onboarding") as resp:
                        if resp.status == 200:
                            self.started_s = time.monotonic() - started
                            return
                await asyncio.sleep(0.25)
        raise RuntimeError(f"hass did not answer within {timeout} s; see {self.log_path}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self, timeout: float = 30.0) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def cleanup(self) -> None:
        shutil.rmtree(self.config_dir, ignore_errors=True)


class HassApi:
    """Onboarding, REST calls and one websocket connection with subscriptions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = aiohttp.ClientSession()
        self.token = ""
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._next_id = 1
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._handlers: dict[int, EventCallback] = {}
        self._reader: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self.ws is not None:
            await self.ws.close()
        await self.http.close()

    async def onboard(self) -> None:
        client_id = f"{self.url}/"
        async with self.http.post(
            f"{self.url}/api/onboarding/users",
            json={
                "client_id": client_id,
                "name": "Bench",
                "username": "bench",
                "password": "bench-password",
                "language": "en",
            },
        ) as resp:
            body = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"onboarding failed: {resp.status} {body}")
            code = body["auth_code"]
        async with self.http.post(
            f"{self.url}/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": client_id},
        ) as resp:
            token = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"token exchange failed: {resp.status} {token}")
        self.token = token["access_token"]

    async def rest(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
        ) as resp:
            data = await resp.json(content_type=None)
            if resp.status >= 400:
                raise RuntimeError(f"{method} {path}: {resp.status} {data}")
            return data

    async def connect_ws(self) -> None:
        self.ws = await self.http.ws_connect(f"{self.url}/api/websocket", max_msg_size=0)
        hello = await self.ws.receive_json()
        assert hello["type"] == "auth_required", hello
        await self.ws.send_json({"type": "auth", "access_token": self.token})
        ok = await self.ws.receive_json()
        if ok["type"] != "auth_ok":
            raise RuntimeError(f"websocket auth failed: {ok}")
        self._reader = asyncio.create_task(self._read(), name="bench-ws-reader")

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = msg.json()
            for item in data if isinstance(data, list) else [data]:
                mid = item.get("id")
                if item.get("type") == "event":
                    handler = self._handlers.get(mid)
                    if handler is not None:
                        handler(item["event"])
                elif item.get("type") == "result":
                    fut = self._pending.pop(mid, None)
                    if fut is not None and not fut.done():
                        if item.get("success"):
                            fut.set_result(item.get("result"))
                        else:
                            fut.set_exception(RuntimeError(str(item.get("error"))))

    def send_nowait(self, msg: dict[str, Any]) -> asyncio.Future[Any]:
        assert self.ws is not None
        mid = self._next_id
        self._next_id += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[mid] = fut
        asyncio.get_running_loop().create_task(self.ws.send_json({**msg, "id": mid}))
        return fut

    async def call(self, msg: dict[str, Any], timeout: float = 60.0) -> Any:
        return await asyncio.wait_for(self.send_nowait(msg), timeout)

    async def subscribe(self, msg: dict[str, Any], handler: EventCallback) -> int:
        assert self.ws is not None
        mid = self._next_id
        self._next_id += 1
        self._handlers[mid] = handler
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[mid] = fut
        await self.ws.send_json({**msg, "id": mid})
        await asyncio.wait_for(fut, 30)
        return mid

    async def confirm_http_config(self) -> str:
        """Keep this run's HTTP settings: Home Assistant (2026.8+) takes the `http:` YAML as an
        unconfirmed trial and, unconfirmed, returns to port 8123 after 5 minutes (a restart the
        bench would not survive). What scripts/_develop_http.py does for the dev stack."""
        try:
            config = await self.call({"type": "http/config"})
        except RuntimeError:
            return "nothing to confirm (this release has no http/config command)"
        if not (config or {}).get("pending"):
            return "nothing to confirm"
        await self.call({"type": "http/config/promote"})
        return "confirmed"

    async def unsubscribe(self, sub_id: int) -> None:
        await self.call({"type": "unsubscribe_events", "subscription": sub_id})
        self._handlers.pop(sub_id, None)
