"""What the HTTP layers (`rest`, `control`) need of the simulator, as an interface.

`simulator` imports `rest` and `control` to mount them; they import only this module, so the
three no longer import one another in a circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from navilink_sim.accounts import AccountStore
from navilink_sim.gateway import NetworkState
from navilink_sim.heater import Heater
from navilink_sim.profiles import HeaterSpec


@dataclass
class RestFault:
    """Pending fault for the next ``count`` API requests."""

    count: int = 0
    status: int | None = None
    delay_s: float | None = None


class Backend(Protocol):
    """The simulator as the REST and control endpoints see it."""

    accounts: AccountStore
    rest_fault: RestFault
    rest_requests: int
    default_spec: HeaterSpec  # the heaters --units and --model make
    tou_plans: dict[str, dict[str, Any]]  # mac -> the TOU plan stored with PUT /device/tou

    @property
    def heaters(self) -> Mapping[str, Heater]: ...

    # REST
    def device_objects(self, email: str) -> list[dict[str, Any]]: ...

    # control: state and faults
    def state(self) -> dict[str, Any]: ...
    def broker_state(self) -> dict[str, Any]: ...
    async def reset(self) -> None: ...
    def drop_connections(self) -> int: ...
    async def set_network(self, state: NetworkState) -> None: ...
    async def restart_broker(self) -> None: ...
    def expire_credentials(self) -> int: ...
    def set_rest_fault(
        self, status: int | None = None, delay_s: float | None = None, count: int = 1
    ) -> None: ...
    def configure(
        self, credential_ttl: float | None = None, token_ttl: float | None = None
    ) -> None: ...

    # control: accounts and devices
    def add_account(
        self, email: str, password: str, heaters: int = 1, spec: HeaterSpec | None = None
    ) -> list[str]: ...
    def add_device(self, email: str, spec: HeaterSpec | None = None) -> str: ...
    def add_product(self, email: str, device_type: int, name: str) -> str: ...
    async def remove_device(self, email: str, mac: str) -> bool: ...
    def delete_account(self, email: str) -> bool: ...
    def restore_account(self, email: str) -> bool: ...
    async def inject(self, mac: str, payload: bytes, topic: str | None = None) -> list[str]: ...
    def set_online(self, mac: str, online: bool) -> None: ...
    def draw(self, mac: str, lpm: float, seconds: float) -> None: ...
