"""The Simulator: owns the broker, gateway, REST server, accounts and heaters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from navilink_sim import certs, control, rest
from navilink_sim.accounts import AccountStore
from navilink_sim.backend import RestFault
from navilink_sim.broker import Broker
from navilink_sim.gateway import Gateway, NetworkState
from navilink_sim.heater import Heater
from navilink_sim.profiles import DEFAULT_PROFILE, DEFAULT_UNITS, HeaterSpec
from navilink_sim.protocol import DEVICE_TYPE, device_prefix

_LOGGER = logging.getLogger(__name__)
TICK_S = 0.5


@dataclass
class SimulatorConfig:
    """Start-up options (the CLI flags)."""

    port: int = 0
    gateway_port: int = 0
    accounts: list[tuple[str, str]] = field(default_factory=lambda: [("demo@example.com", "demo")])
    heaters: int = 2
    credential_ttl: float = 3600.0
    token_ttl: float = 3600.0
    speed: float = 1.0
    state_dir: Path | None = None
    units: str = DEFAULT_UNITS  # "us": heaters whose panel shows °F (temperatureType 2)
    model: str = DEFAULT_PROFILE


class Simulator:
    """The whole offline NaviLink cloud in one asyncio process."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.default_spec = HeaterSpec(units=self.config.units, model=self.config.model)
        self.default_spec.resolve()
        self.accounts = AccountStore(self.config.credential_ttl, self.config.token_ttl)
        self.heaters: dict[str, Heater] = {}
        self.rest_fault = RestFault()
        self.rest_requests = 0
        self.tou_plans: dict[str, dict[str, Any]] = {}
        self.started_at = 0.0
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.state_dir = self.config.state_dir or Path()
        self.broker: Broker | None = None
        self.gateway: Gateway | None = None
        self.cert_files: certs.CertFiles | None = None
        self._runner: web.AppRunner | None = None
        self.port = self.config.port
        self._tick: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        self.started_at = time.time()
        if self.config.state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="navilink_sim-")
            self.state_dir = Path(self._tmp.name)
        else:
            self.state_dir = self.config.state_dir.resolve()
            self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.cert_files = certs.generate(self.state_dir)  # EC keys: a few ms, no thread
            self.broker = Broker(self.state_dir)
            await self.broker.start()
            self.gateway = Gateway(
                self.accounts,
                self._broker_port,
                certs.server_context(self.cert_files),
                port=self.config.gateway_port,
            )
            await self.gateway.start()
            app = web.Application(middlewares=[rest.json_errors, rest.make_fault_middleware(self)])
            rest.add_routes(app, self)
            control.add_routes(app, self)
            self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", self.config.port)
            await site.start()
            server = site._server
            assert server is not None
            self.port = (getattr(server, "sockets", None) or [])[0].getsockname()[1]
            for email, password in self.config.accounts:
                self.add_account(email, password, self.config.heaters)
            self._tick = asyncio.create_task(self._physics(), name="sim-physics")
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tick
            self._tick = None
        for heater in list(self.heaters.values()):
            await heater.stop()
        if self.gateway is not None:
            await self.gateway.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.broker is not None:
            await self.broker.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    async def _physics(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            for heater in list(self.heaters.values()):
                heater.advance(now - last)
            last = now

    def _broker_port(self) -> int:
        assert self.broker is not None
        return self.broker.port

    # ---------------------------------------------------------------- info
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2.1"

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/_sim"

    @property
    def mqtt_url(self) -> str:
        assert self.gateway is not None
        return f"wss://127.0.0.1:{self.gateway.port}/mqtt"

    @property
    def ca_file(self) -> Path:
        assert self.cert_files is not None
        return self.cert_files.ca_file

    def ready_info(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "mqtt_url": self.mqtt_url,
            "ca_file": str(self.ca_file),
            "control_url": self.control_url,
            "accounts": [
                {"email": acc.email, "password": acc.password, "devices": list(acc.devices)}
                for acc in self.accounts.accounts.values()
            ],
        }

    def device_objects(self, email: str) -> list[dict[str, Any]]:
        account = self.accounts.active(email)
        if account is None:
            return []
        out: list[dict[str, Any]] = []
        for mac in account.devices:
            heater = self.heaters[mac]
            out.append(
                {
                    "deviceInfo": {
                        "homeSeq": account.home_seq,
                        "macAddress": mac,
                        "additionalValue": heater.additional_value,
                        "deviceType": DEVICE_TYPE,
                        "deviceName": heater.device_name,
                        "connected": 2 if heater.online else 1,
                        "installType": "R",
                    },
                    "location": {
                        "state": "CA",
                        "city": "Irvine",
                        "address": "1 Simulated Way",
                        "latitude": 33.68,
                        "longitude": -117.82,
                        "altitude": None,
                    },
                }
            )
        for mac, (device_type, name) in account.products.items():
            out.append(
                {
                    "deviceInfo": {
                        "homeSeq": account.home_seq,
                        "macAddress": mac,
                        "additionalValue": "",
                        "deviceType": device_type,
                        "deviceName": name,
                        "connected": 2,
                        "installType": "R",
                    },
                    "location": {},
                }
            )
        return out

    def add_product(self, email: str, device_type: int, name: str) -> str:
        """Another NaviLink product (a boiler, a tankless heater, ...): listed, silent."""
        account = self.accounts.get(email)
        if account is None:
            raise KeyError(email)
        mac = self.accounts.new_mac(account)
        account.products[mac] = (device_type, name)
        return mac

    def broker_state(self) -> dict[str, Any]:
        assert self.broker is not None
        return {"pid": self.broker.pid, "port": self.broker.port, "restarts": self.broker.restarts}

    def state(self) -> dict[str, Any]:
        assert self.gateway is not None
        return {
            "devices": {mac: h.state() for mac, h in self.heaters.items()},
            "gateway": self.gateway.state(),
            "broker": self.broker_state(),
            "accounts": [
                {
                    "email": a.email,
                    "deleted": a.deleted,
                    "devices": list(a.devices),
                    "push_token_set": a.push_token is not None,
                }
                for a in self.accounts.accounts.values()
            ],
            "rest": {
                "requests": self.rest_requests,
                "tou_plans": sorted(self.tou_plans),
                "pending_fault": {
                    "count": self.rest_fault.count,
                    "status": self.rest_fault.status,
                    "delay_s": self.rest_fault.delay_s,
                },
            },
            "config": {
                "credential_ttl": self.accounts.credential_ttl,
                "token_ttl": self.accounts.token_ttl,
                "speed": self.config.speed,
                "units": self.config.units,
                "model": self.config.model,
            },
        }

    # ---------------------------------------------------------------- accounts
    def add_account(
        self, email: str, password: str, heaters: int = 1, spec: HeaterSpec | None = None
    ) -> list[str]:
        spec = spec or self.default_spec
        spec.resolve()  # refuse an unknown model or unit before creating anything
        account = self.accounts.add_account(email, password)
        return [self.add_device(account.email, spec) for _ in range(heaters)]

    def add_device(self, email: str, spec: HeaterSpec | None = None) -> str:
        account = self.accounts.get(email)
        if account is None:
            raise KeyError(email)
        profile, units = (spec or self.default_spec).resolve()
        mac = self.accounts.new_mac(account)
        heater = Heater(
            mac,
            account.email,
            len(account.devices),
            speed=self.config.speed,
            profile=profile,
            units=units,
        )
        account.devices.append(mac)
        self.heaters[mac] = heater
        heater.start(self._broker_port)
        return mac

    async def remove_device(self, email: str, mac: str) -> bool:
        account = self.accounts.get(email)
        if account is None or mac not in account.devices:
            return False
        account.devices.remove(mac)
        self.tou_plans.pop(mac, None)
        heater = self.heaters.pop(mac)
        await heater.stop()
        return True

    def delete_account(self, email: str) -> bool:
        if not self.accounts.delete(email):
            return False
        self._drop_unusable()
        return True

    def restore_account(self, email: str) -> bool:
        return self.accounts.restore(email)

    def configure(
        self, credential_ttl: float | None = None, token_ttl: float | None = None
    ) -> None:
        if credential_ttl is not None:
            self.accounts.credential_ttl = float(credential_ttl)
        if token_ttl is not None:
            self.accounts.token_ttl = float(token_ttl)

    # ---------------------------------------------------------------- faults
    def _drop_unusable(self) -> int:
        assert self.gateway is not None
        return self.gateway.drop_where(lambda r: not self.accounts.credential_usable(r.credential))

    def drop_connections(self) -> int:
        assert self.gateway is not None
        return self.gateway.drop_all()

    async def set_network(self, state: NetworkState) -> None:
        assert self.gateway is not None
        await self.gateway.set_network(state)

    async def restart_broker(self) -> None:
        assert self.broker is not None
        await self.broker.restart()

    def expire_credentials(self) -> int:
        self.accounts.expire_all()
        return self._drop_unusable()

    def set_rest_fault(
        self, status: int | None = None, delay_s: float | None = None, count: int = 1
    ) -> None:
        self.rest_fault = RestFault(count=count, status=status, delay_s=delay_s)

    async def reset(self) -> None:
        await self.set_network("up")
        self.rest_fault = RestFault()
        self.accounts.credential_ttl = self.config.credential_ttl
        self.accounts.token_ttl = self.config.token_ttl
        for heater in self.heaters.values():
            heater.online = True
            heater.stamp_field = None

    async def inject(self, mac: str, payload: bytes, topic: str | None = None) -> list[str]:
        heater = self.heaters[mac]
        topics = [topic] if topic else heater.recent_ack_topics()
        if not topics:
            topics = [f"{device_prefix(mac)}sim/res"]
        for t in topics:
            await heater.publish_raw(t, payload)
        return topics

    def set_online(self, mac: str, online: bool) -> None:
        self.heaters[mac].online = online

    def draw(self, mac: str, lpm: float, seconds: float) -> None:
        self.heaters[mac].start_draw(lpm, seconds)
