"""Sensors of the Navien NaviLink integration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolumeFlowRate,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from aionavilink import (
    DeviceFeature,
    DeviceStatus,
    DrEvent,
    EnergyTotals,
    HeatSource,
    OperationMode,
)

from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkEntity, async_setup_heater_entities
from .health_sensor import HEALTH_SENSORS, NaviLinkHealthSensor

PARALLEL_UPDATES = 0

type StatusValue = float | int | str | None


@dataclass(frozen=True, kw_only=True)
class NaviLinkSensorDescription(SensorEntityDescription):
    """A heater sensor read from the status."""

    value_fn: Callable[[DeviceStatus], StatusValue]
    exists_fn: Callable[[DeviceFeature | None], bool] = lambda _: True


@dataclass(frozen=True, kw_only=True)
class NaviLinkEnergySensorDescription(SensorEntityDescription):
    """A heater energy sensor read from the monthly energy usage."""

    value_fn: Callable[[EnergyTotals], int | None]


def _temperature(
    key: str, fn: Callable[[DeviceStatus], float | None], *, enabled: bool = True
) -> NaviLinkSensorDescription:
    return NaviLinkSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_registry_enabled_default=enabled,
        value_fn=fn,
    )


def _enum_value(member: Any) -> str | None:
    return None if member is None else str(member.value)


SENSORS: tuple[NaviLinkSensorDescription, ...] = (
    _temperature("dhw_temperature", lambda s: s.dhw_temperature),
    _temperature("tank_upper_temperature", lambda s: s.tank_upper_temperature),
    _temperature("tank_lower_temperature", lambda s: s.tank_lower_temperature),
    _temperature("inlet_temperature", lambda s: s.current_inlet_temperature),
    _temperature("ambient_temperature", lambda s: s.ambient_temperature),
    _temperature("outside_temperature", lambda s: s.outside_temperature),
    _temperature("evaporator_temperature", lambda s: s.evaporator_temperature, enabled=False),
    _temperature("discharge_temperature", lambda s: s.discharge_temperature, enabled=False),
    _temperature("suction_temperature", lambda s: s.suction_temperature, enabled=False),
    NaviLinkSensorDescription(
        key="power",
        translation_key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        value_fn=lambda s: s.current_power,
    ),
    NaviLinkSensorDescription(
        key="usable_energy",
        translation_key="usable_energy",
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda s: s.usable_energy,
    ),
    NaviLinkSensorDescription(
        key="charge",
        translation_key="charge",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda s: s.dhw_charge_percent,
    ),
    NaviLinkSensorDescription(
        key="flow_rate",
        translation_key="flow_rate",
        device_class=SensorDeviceClass.VOLUME_FLOW_RATE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfVolumeFlowRate.LITERS_PER_MINUTE,
        suggested_display_precision=1,
        value_fn=lambda s: s.current_flow_rate,
    ),
    NaviLinkSensorDescription(
        key="error_code",
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: s.error_code,
    ),
    NaviLinkSensorDescription(
        key="sub_error_code",
        translation_key="sub_error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.sub_error_code,
    ),
    NaviLinkSensorDescription(
        key="heat_source",
        translation_key="heat_source",
        device_class=SensorDeviceClass.ENUM,
        options=[member.value for member in HeatSource],
        value_fn=lambda s: _enum_value(s.heat_source),
    ),
    NaviLinkSensorDescription(
        key="operation_state",
        translation_key="operation_state",
        device_class=SensorDeviceClass.ENUM,
        options=[member.value for member in OperationMode],
        value_fn=lambda s: _enum_value(s.operation_mode),
    ),
    NaviLinkSensorDescription(
        key="dr_event",
        translation_key="dr_event",
        device_class=SensorDeviceClass.ENUM,
        options=[member.value for member in DrEvent],
        entity_registry_enabled_default=False,
        value_fn=lambda s: _enum_value(s.dr_event),
        exists_fn=lambda f: f is None or f.supports_demand_response is not False,
    ),
    NaviLinkSensorDescription(
        key="wifi_rssi",
        translation_key="wifi_rssi",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.wifi_rssi,
    ),
    NaviLinkSensorDescription(
        key="air_filter_elapsed",
        translation_key="air_filter_elapsed",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfTime.HOURS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: s.air_filter_alarm_elapsed_h,
    ),
    NaviLinkSensorDescription(
        key="air_filter_period",
        translation_key="air_filter_period",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.air_filter_alarm_period_h,
    ),
    NaviLinkSensorDescription(
        key="vacation_days_elapsed",
        translation_key="vacation_days_elapsed",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.vacation_days_elapsed,
        exists_fn=lambda f: f is None or f.supports_vacation is not False,
    ),
)

ENERGY_SENSORS: tuple[NaviLinkEnergySensorDescription, ...] = (
    NaviLinkEnergySensorDescription(
        key="heat_pump_energy",
        translation_key="heat_pump_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda e: e.heat_pump_wh,
    ),
    NaviLinkEnergySensorDescription(
        key="element_energy",
        translation_key="element_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda e: e.element_wh,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        NaviLinkHealthSensor(coordinator, description) for description in HEALTH_SENSORS
    )

    def heater_sensors(mac: str) -> list[SensorEntity]:
        feature = coordinator.data.feature.get(mac)
        entities: list[SensorEntity] = [
            NaviLinkSensor(coordinator, mac, description)
            for description in SENSORS
            if description.exists_fn(feature)
        ]
        if feature is None or feature.supports_energy_usage is not False:
            entities.extend(
                NaviLinkEnergySensor(coordinator, mac, description)
                for description in ENERGY_SENSORS
            )
        return entities

    async_setup_heater_entities(coordinator, async_add_entities, heater_sensors)


class NaviLinkSensor(NaviLinkEntity, SensorEntity):
    """A heater status sensor."""

    entity_description: NaviLinkSensorDescription

    @property
    def native_value(self) -> StatusValue:
        """The value from the last status."""
        status = self.status
        return None if status is None else self.entity_description.value_fn(status)

    def _value_key(self) -> object:
        return self.native_value


class NaviLinkEnergySensor(NaviLinkEntity, SensorEntity):
    """Energy used this month by the heat pump or the elements (from the energy coordinator,
    refreshed every 15 minutes while such a sensor exists)."""

    entity_description: NaviLinkEnergySensorDescription

    async def async_added_to_hass(self) -> None:
        """Also follow the energy coordinator."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.energy.async_add_listener(self._handle_energy_update))

    @callback
    def _handle_energy_update(self) -> None:
        self.async_write_ha_state()

    @property
    def native_value(self) -> int | None:
        """Sum of the daily figures of the current month."""
        totals = (self.coordinator.energy.data or {}).get(self.mac)
        return None if totals is None else self.entity_description.value_fn(totals)

    def _value_key(self) -> object:
        return self.native_value
