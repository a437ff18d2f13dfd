"""Helpers for tests: run the simulator as a subprocess and drive its control API."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp

_REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SimAccount:
    """An account announced by the simulator."""

    email: str
    password: str
    devices: list[str]


@dataclass(frozen=True)
class SimInfo:
    """The JSON line ``python -m navilink_sim`` prints when ready."""

    api_url: str
    mqtt_url: str
    ca_file: str
    control_url: str
    accounts: list[SimAccount] = field(default_factory=list)
    pid: int = 0

    @property
    def gateway_port(self) -> int:
        return int(self.mqtt_url.rsplit(":", 1)[1].split("/", 1)[0])

    @classmethod
    def from_json(cls, line: str, pid: int = 0) -> SimInfo:
        raw = json.loads(line)
        return cls(
            api_url=raw["api_url"],
            mqtt_url=raw["mqtt_url"],
            ca_file=raw["ca_file"],
            control_url=raw["control_url"],
            accounts=[
                SimAccount(a["email"], a["password"], list(a["devices"])) for a in raw["accounts"]
            ],
            pid=pid,
        )


class SimProcess:
    """``python -m navilink_sim`` as a child process (context manager or start/stop)."""

    def __init__(
        self,
        *args: str,
        python: str = sys.executable,
        timeout: float = 20.0,
        log_file: Path | None = None,
    ) -> None:
        self.args = list(args)
        self.log_file = log_file
        self.python = python
        self.timeout = timeout
        self.proc: subprocess.Popen[str] | None = None
        self.info: SimInfo | None = None
        self.startup_s: float = 0.0

    def start(self) -> SimInfo:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        started = time.monotonic()
        log = self.log_file.open("ab") if self.log_file is not None else None
        try:
            self.proc = subprocess.Popen(
                [self.python, "-m", "navilink_sim", *self.args],
                stdout=subprocess.PIPE,
                stderr=log,
                stdin=subprocess.DEVNULL,
                text=True,
                env=env,
                cwd=str(_REPO_ROOT),
            )
        finally:
            if log is not None:
                log.close()
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError("navilink_sim did not print its ready line")
        self.startup_s = time.monotonic() - started
        self.info = SimInfo.from_json(line, pid=self.proc.pid)
        return self.info

    def stop(self, timeout: float = 10.0) -> int | None:
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        return proc.returncode

    def __enter__(self) -> SimInfo:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class SimControlError(Exception):
    """The control API refused a request."""


class SimControl:
    """Async client of the ``/_sim`` control API."""

    def __init__(self, control_url: str, session: aiohttp.ClientSession | None = None) -> None:
        self.control_url = control_url.rstrip("/")
        self._own_session = session is None
        self._session = session

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.session.request(
            method, f"{self.control_url}{path}", json=body if body is not None else {}
        ) as resp:
            data = await resp.json()
            if resp.status >= 400:
                raise SimControlError(f"{method} {path}: {resp.status} {data}")
            return data

    async def drop(self) -> int:
        return int((await self._call("POST", "/faults/drop"))["dropped"])

    async def network(self, state: str) -> None:
        await self._call("POST", "/faults/network", {"state": state})

    async def broker_restart(self) -> dict[str, Any]:
        result: dict[str, Any] = (await self._call("POST", "/faults/broker-restart"))["broker"]
        return result

    async def expire_credentials(self) -> int:
        return int((await self._call("POST", "/credentials/expire"))["dropped"])

    async def delete_account(self, email: str) -> None:
        await self._call("POST", f"/accounts/{email}/delete")

    async def restore_account(self, email: str) -> None:
        await self._call("POST", f"/accounts/{email}/restore")

    async def rest_fault(
        self, status: int | None = None, delay_s: float | None = None, count: int = 1
    ) -> None:
        body: dict[str, Any] = {"count": count}
        if status is not None:
            body["status"] = status
        if delay_s is not None:
            body["delay_s"] = delay_s
        await self._call("POST", "/rest", body)

    async def inject(self, mac: str, payload: str, topic: str | None = None) -> list[str]:
        body: dict[str, Any] = {"payload": payload}
        if topic is not None:
            body["topic"] = topic
        return list((await self._call("POST", f"/devices/{mac}/inject", body))["topics"])

    async def set_online(self, mac: str, online: bool) -> None:
        await self._call("POST", f"/devices/{mac}/online", {"online": online})

    async def draw(self, mac: str, lpm: float, seconds: float) -> None:
        await self._call("POST", f"/devices/{mac}/draw", {"lpm": lpm, "seconds": seconds})

    async def push(self, mac: str, count: int = 1, interval_s: float = 0.0) -> list[str]:
        """Make a heater publish `count` statuses, `interval_s` apart (returns at once)."""
        body = {"count": count, "interval_s": interval_s}
        return list((await self._call("POST", f"/devices/{mac}/push", body))["topics"])

    async def speed(self, mac: str, speed: float) -> None:
        """Run one heater's physics at `speed` simulated seconds per wall second."""
        await self._call("POST", f"/devices/{mac}/speed", {"speed": speed})

    async def stamp(self, mac: str, field: str | None) -> None:
        """Put each status payload's send time (µs since the epoch) in `field` (None: off)."""
        await self._call("POST", f"/devices/{mac}/stamp", {"field": field})

    async def energy_history(self, mac: str, days: list[dict[str, Any]]) -> None:
        """Set past days' energy use (``date``, ``hp_wh``, ``he_wh``)."""
        await self._call("POST", f"/devices/{mac}/energy-history", {"days": days})

    async def firmware_downloaded(self, mac: str, sw_code: int, version: int) -> None:
        """Make the heater report a downloaded, not yet installed firmware."""
        await self._call(
            "POST", f"/devices/{mac}/firmware", {"sw_code": sw_code, "version": version}
        )

    async def state(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/state")
        return result

    async def reset(self) -> None:
        await self._call("POST", "/reset")

    async def add_account(
        self,
        email: str,
        password: str,
        heaters: int = 1,
        *,
        units: str | None = None,
        model: str | None = None,
        absent: list[str] | None = None,
    ) -> dict[str, Any]:
        """A new account; `units` ("metric"/"us"), `model` and `absent` (feature flags to
        report absent) shape its heaters, else the simulator's --units and --model."""
        body = {"email": email, "password": password, "heaters": heaters}
        body.update(_spec(units, model, absent))
        result: dict[str, Any] = await self._call("POST", "/accounts", body)
        return result

    async def add_device(
        self,
        email: str,
        *,
        units: str | None = None,
        model: str | None = None,
        absent: list[str] | None = None,
    ) -> str:
        body = _spec(units, model, absent)
        return str((await self._call("POST", f"/accounts/{email}/devices", body))["mac"])

    async def add_product(
        self, email: str, device_type: int, name: str = "NaviLink product"
    ) -> str:
        """Another NaviLink product on the account (listed over REST, not a heater)."""
        body = {"device_type": device_type, "name": name}
        return str((await self._call("POST", f"/accounts/{email}/products", body))["mac"])

    async def remove_device(self, email: str, mac: str) -> None:
        await self._call("DELETE", f"/accounts/{email}/devices/{mac}")

    async def config(
        self, credential_ttl: float | None = None, token_ttl: float | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if credential_ttl is not None:
            body["credential_ttl"] = credential_ttl
        if token_ttl is not None:
            body["token_ttl"] = token_ttl
        result: dict[str, Any] = await self._call("POST", "/config", body)
        return result


def _spec(units: str | None, model: str | None, absent: list[str] | None) -> dict[str, Any]:
    given = {"units": units, "model": model, "absent": absent}
    return {key: value for key, value in given.items() if value is not None}


@contextlib.contextmanager
def running_sim(state_dir: Path, *args: str) -> Iterator[SimInfo]:
    """A simulator process for the block, its files and log in `state_dir`."""
    with SimProcess(*args, "--state-dir", str(state_dir), log_file=state_dir / "sim.log") as info:
        yield info


@contextlib.asynccontextmanager
async def isolated_control(info: SimInfo) -> AsyncIterator[SimControl]:
    """A control client that clears every fault when the block ends (test isolation)."""
    async with SimControl(info.control_url) as control:
        try:
            yield control
        finally:
            await control.reset()
