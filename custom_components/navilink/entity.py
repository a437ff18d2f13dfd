"""Base entities for the Navien NaviLink integration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, cast

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from aionavilink import DeviceFeature, DeviceStatus

from .const import DOMAIN
from .coordinator import NaviLinkCoordinator
from .heaters import MANUFACTURER, heater_device_info

ACCOUNT_DEVICE_NAME = "NaviLink"


def account_device_info(coordinator: NaviLinkCoordinator) -> DeviceInfo:
    """The account hub (named without the account's email address)."""
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.account_id)},
        manufacturer=MANUFACTURER,
        model="NaviLink cloud account",
        name=ACCOUNT_DEVICE_NAME,
        entry_type=DeviceEntryType.SERVICE,
    )


class _ReadRecorder:
    """A heater's status as an entity sees it while its value is computed: every field read
    (through properties too) is noted, so a later status that changes none of them can be
    skipped without computing anything."""

    __slots__ = ("_reads", "_status")

    def __init__(self, status: DeviceStatus, reads: set[str]) -> None:
        self._status = status
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        prop = getattr(DeviceStatus, name, None)
        if isinstance(prop, property) and prop.fget is not None:
            return prop.fget(self)  # a derived value: note the fields it reads
        self._reads.add(name)
        return getattr(self._status, name)


class NaviLinkEntity(CoordinatorEntity[NaviLinkCoordinator]):
    """An entity of one water heater.

    It listens to its own heater only, and writes its state only when what it shows
    (`_value_key`) or its availability changed. The status fields read while computing that
    are noted: a status that changes none of them is skipped without computing anything.
    """

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: NaviLinkCoordinator, mac: str, description: EntityDescription
    ) -> None:
        """Bind the entity to a heater."""
        super().__init__(coordinator)
        self.entity_description = description
        self.mac = mac
        self._attr_unique_id = f"{mac}_{description.key}"
        self._attr_device_info = heater_device_info(coordinator, mac)
        self._written: tuple[object, ...] | None = None
        self._reads: frozenset[str] | None = None  # status fields the written value depends on
        self._recording: set[str] | None = None

    async def async_added_to_hass(self) -> None:
        """Listen to this heater's updates as well as the account-wide ones."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_heater_listener(self.mac, self._handle_coordinator_update)
        )
        self._written = self._current_key()

    def _value_key(self) -> object:
        """What the state is made of: the state, its attributes and the capabilities (far
        cheaper than a write). Platforms that show one value compare just that value."""
        return (self.state, self.state_attributes, self.feature)

    def _current_key(self) -> tuple[object, ...]:
        """Availability and `_value_key`, noting the status fields they read."""
        reads: set[str] = set()
        self._recording = reads
        try:
            return (self.available, self._value_key())
        finally:
            self._recording = None
            # no status yet: nothing was read, so the first one must not be skipped
            has_status = self.mac in self.coordinator.data.status
            self._reads = frozenset(reads) if has_status else None

    @callback
    def _handle_coordinator_update(self, changed: frozenset[str] | None = None) -> None:
        """Write the state only when the value or the availability changed.

        `changed` names the status fields a new status changed (None: anything may have
        changed: the connection, availability, capabilities).
        """
        if changed is not None and self._reads is not None and self._reads.isdisjoint(changed):
            return
        key = self._current_key()
        if key == self._written:
            return
        self._written = key
        self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """Available while the cloud connection is up and the heater answers."""
        return self.coordinator.device_available(self.mac)

    @property
    def status(self) -> DeviceStatus | None:
        """The heater's last status."""
        status = self.coordinator.data.status.get(self.mac)
        if status is None or self._recording is None:
            return status
        return cast(DeviceStatus, _ReadRecorder(status, self._recording))

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
        self._attr_device_info = account_device_info(coordinator)

    @property
    def available(self) -> bool:
        """Health entities stay available: they report the connection itself."""
        return True


def async_setup_heater_entities(
    coordinator: NaviLinkCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: Callable[[str], Iterable[Entity]],
) -> None:
    """Add a heater's entities once its capabilities are known (now or later).

    A heater announced again (it left and came back) only gets the entities it lacks.
    """
    added: set[str] = set()

    @callback
    def add(macs: set[str]) -> None:
        entities = [
            entity
            for mac in sorted(macs)
            for entity in factory(mac)
            if entity.unique_id not in added
        ]
        for entity in entities:
            unique_id = str(entity.unique_id)
            added.add(unique_id)
            entity.async_on_remove(partial(added.discard, unique_id))
        async_add_entities(entities)

    add({mac for mac in coordinator.data.devices if mac in coordinator.data.feature})
    coordinator.config_entry.async_on_unload(coordinator.async_add_new_device_listener(add))
