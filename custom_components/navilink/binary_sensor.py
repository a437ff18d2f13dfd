"""Binary sensors of the Navien NaviLink integration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from aionavilink import ConnectionState, DeviceFeature, DeviceStatus

from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkAccountEntity, NaviLinkEntity, async_setup_heater_entities

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class NaviLinkBinarySensorDescription(BinarySensorEntityDescription):
    """A heater binary sensor read from the status."""

    value_fn: Callable[[DeviceStatus], bool | None]
    exists_fn: Callable[[DeviceFeature | None], bool] = lambda _: True


BINARY_SENSORS: tuple[NaviLinkBinarySensorDescription, ...] = (
    NaviLinkBinarySensorDescription(
        key="compressor",
        translation_key="compressor",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda s: s.compressor_on,
    ),
    NaviLinkBinarySensorDescription(
        key="upper_element",
        translation_key="upper_element",
        device_class=BinarySensorDeviceClass.HEAT,
        value_fn=lambda s: s.upper_element_on,
    ),
    NaviLinkBinarySensorDescription(
        key="lower_element",
        translation_key="lower_element",
        device_class=BinarySensorDeviceClass.HEAT,
        value_fn=lambda s: s.lower_element_on,
    ),
    NaviLinkBinarySensorDescription(
        key="hot_water_in_use",
        translation_key="hot_water_in_use",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda s: s.hot_water_in_use,
    ),
    NaviLinkBinarySensorDescription(
        key="freeze_protection",
        translation_key="freeze_protection",
        # Not COLD: the flag says the protection is enabled, not that the tank is cold.
        value_fn=lambda s: s.freeze_protection_enabled,
        exists_fn=lambda f: f is None or f.supports_freeze_protection is not False,
    ),
    NaviLinkBinarySensorDescription(
        key="anti_legionella_running",
        translation_key="anti_legionella_running",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda s: s.anti_legionella_running,
        exists_fn=lambda f: f is None or f.supports_anti_legionella is not False,
    ),
    # The protocol documentation does not say whether `wtrOvrSensorUse` means "a leak
    # sensor is fitted" or "a leak is detected". We read 2 as a leak and anything else
    # (0/1, missing, unknown) as no leak or unknown, and keep the entity out of the way
    # of automations until it is enabled on purpose.
    NaviLinkBinarySensorDescription(
        key="leak",
        translation_key="leak",
        device_class=BinarySensorDeviceClass.MOISTURE,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.water_leak_sensor,
    ),
    NaviLinkBinarySensorDescription(
        key="error",
        translation_key="error",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: None if s.error_code is None else s.error_present,
    ),
)

CONNECTION = BinarySensorEntityDescription(
    key="connection",
    translation_key="connection",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the binary sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities([NaviLinkConnectionBinarySensor(coordinator, CONNECTION)])

    def heater_sensors(mac: str) -> list[BinarySensorEntity]:
        feature = coordinator.data.feature.get(mac)
        return [
            NaviLinkBinarySensor(coordinator, mac, description)
            for description in BINARY_SENSORS
            if description.exists_fn(feature)
        ]

    async_setup_heater_entities(coordinator, async_add_entities, heater_sensors)


class NaviLinkBinarySensor(NaviLinkEntity, BinarySensorEntity):
    """A heater binary sensor."""

    entity_description: NaviLinkBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """The flag from the last status."""
        status = self.status
        return None if status is None else self.entity_description.value_fn(status)

    def _value_key(self) -> object:
        return self.is_on


class NaviLinkConnectionBinarySensor(NaviLinkAccountEntity, BinarySensorEntity):
    """On while the MQTT connection to the NaviLink cloud is up."""

    @property
    def is_on(self) -> bool:
        """Connected or not (no grace period: this shows the raw link)."""
        return self.coordinator.session.state is ConnectionState.CONNECTED
