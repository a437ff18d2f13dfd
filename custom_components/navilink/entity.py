"""Base entities for the Navien NaviLink integration."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.device_registry import (
    CONNECTION_NETWORK_MAC,
    DeviceEntryType,
    DeviceInfo,
)
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .client.models import DeviceFeature, DeviceStatus
from .const import DOMAIN
from .coordinator import NaviLinkCoordinator

MANUFACTURER = "Navien"
MODEL = "NWP500"


def _firmware(feature: DeviceFeature | None) -> str | None:
    if feature is None or feature.controller_sw_version is None:
        return None
    return f"{feature.controller_sw_version:08x}"


def _format_mac(mac: str) -> str:
    return ":".join(mac[i : i + 2] for i in range(0, len(mac), 2))


class NaviLinkEntity(CoordinatorEntity[NaviLinkCoordinator]):
    """An entity of one water heater."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: NaviLinkCoordinator, mac: str, description: EntityDescription
    ) -> None:
        """Bind the entity to a heater."""
        super().__init__(coordinator)
        self.entity_description = description
        self.mac = mac
        self._attr_unique_id = f"{mac}_{description.key}"
        info = coordinator.data.devices.get(mac)
        feature = coordinator.data.feature.get(mac)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, mac)},
            connections={(CONNECTION_NETWORK_MAC, _format_mac(mac))},
            manufacturer=MANUFACTURER,
            model=MODEL,
            name=(info.name if info and info.name else f"NaviLink {mac[-4:]}"),
            serial_number=feature.controller_serial_number if feature else None,
            sw_version=_firmware(feature),
            via_device_id=coordinator.account_device_id,
        )
        self._seen: tuple[object, ...] = ()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when this heater's data or availability changed.

        Every push goes through the coordinator; without this, one heater's status would
        rewrite every entity of every heater on the account.
        """
        seen = self._current()
        if len(seen) == len(self._seen) and all(
            a is b for a, b in zip(seen, self._seen, strict=True)
        ):
            return
        self._seen = seen
        super()._handle_coordinator_update()

    def _current(self) -> tuple[object, ...]:
        data = self.coordinator.data
        return (
            data.status.get(self.mac),
            data.feature.get(self.mac),
            data.devices.get(self.mac),
            self.available,
        )

    async def async_added_to_hass(self) -> None:
        """The state written when the entity is added counts as seen."""
        await super().async_added_to_hass()
        self._seen = self._current()

    @property
    def available(self) -> bool:
        """Available while the cloud connection is up and the heater is online."""
        return super().available and self.coordinator.device_available(self.mac)

    @property
    def status(self) -> DeviceStatus | None:
        """The heater's last status."""
        return self.coordinator.data.status.get(self.mac)

    @property
    def feature(self) -> DeviceFeature | None:
        """The heater's capabilities and limits."""
        return self.coordinator.data.feature.get(self.mac)


class NaviLinkAccountEntity(CoordinatorEntity[NaviLinkCoordinator]):
    """An entity of the account hub (connection health)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: NaviLinkCoordinator, description: EntityDescription) -> None:
        """Bind the entity to the account."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.account_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, coordinator.account_id)},
            manufacturer=MANUFACTURER,
            model="NaviLink cloud account",
            name=f"NaviLink {coordinator.config_entry.title}",
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def available(self) -> bool:
        """Health entities stay available: they report the connection itself."""
        return True


def async_setup_heater_entities(
    coordinator: NaviLinkCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: Callable[[str], Iterable[Entity]],
) -> None:
    """Add entities for every heater now, and for heaters that appear later."""

    @callback
    def add(macs: set[str]) -> None:
        async_add_entities([entity for mac in sorted(macs) for entity in factory(mac)])

    add(set(coordinator.data.devices))
    coordinator.config_entry.async_on_unload(coordinator.async_add_new_device_listener(add))
