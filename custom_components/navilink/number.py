"""Numbers of the Navien NaviLink integration."""

from __future__ import annotations

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DEFAULT_VACATION_DAYS, MAX_VACATION_DAYS, MIN_VACATION_DAYS
from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkEntity, async_setup_heater_entities
from .helpers import command_errors

PARALLEL_UPDATES = 1

ANTI_LEGIONELLA_PERIOD = NumberEntityDescription(
    key="anti_legionella_period",
    translation_key="anti_legionella_period",
    entity_category=EntityCategory.CONFIG,
    device_class=NumberDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.DAYS,
    native_min_value=1,
    native_max_value=30,
    native_step=1,
    mode=NumberMode.BOX,
)
FREEZE_PROTECTION_TEMPERATURE = NumberEntityDescription(
    key="freeze_protection_temperature",
    translation_key="freeze_protection_temperature",
    entity_category=EntityCategory.CONFIG,
    device_class=NumberDeviceClass.TEMPERATURE,
    native_unit_of_measurement=UnitOfTemperature.CELSIUS,
    native_step=0.5,
    mode=NumberMode.BOX,
)
VACATION_DAYS = NumberEntityDescription(
    key="vacation_days",
    translation_key="vacation_days",
    entity_category=EntityCategory.CONFIG,
    device_class=NumberDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.DAYS,
    native_min_value=MIN_VACATION_DAYS,
    native_max_value=MAX_VACATION_DAYS,
    native_step=1,
    mode=NumberMode.BOX,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the numbers the heaters support."""
    coordinator = entry.runtime_data.coordinator

    def numbers(mac: str) -> list[NumberEntity]:
        feature = coordinator.data.feature.get(mac)
        entities: list[NumberEntity] = []
        if feature is None or feature.holiday is not False:
            entities.append(NaviLinkVacationDays(coordinator, mac, VACATION_DAYS))
        if feature is not None and feature.anti_legionella_setting:
            entities.append(NaviLinkAntiLegionellaPeriod(coordinator, mac, ANTI_LEGIONELLA_PERIOD))
        if feature is not None and feature.freeze_protection:
            entities.append(
                NaviLinkFreezeProtection(coordinator, mac, FREEZE_PROTECTION_TEMPERATURE)
            )
        return entities

    async_setup_heater_entities(coordinator, async_add_entities, numbers)


class NaviLinkAntiLegionellaPeriod(NaviLinkEntity, NumberEntity):
    """Days between anti-legionella cycles; setting it turns the cycle on."""

    @property
    def native_value(self) -> float | None:
        """The period from the last status."""
        status = self.status
        return None if status is None else status.anti_legionella_period_days

    async def async_set_native_value(self, value: float) -> None:
        """Send the new period (enables the cycle)."""
        with command_errors():
            await self.coordinator.session.set_anti_legionella(self.mac, True, int(value))


class NaviLinkFreezeProtection(NaviLinkEntity, NumberEntity):
    """Freeze-protection temperature within the heater's limits."""

    @property
    def native_value(self) -> float | None:
        """The temperature from the last status."""
        status = self.status
        return None if status is None else status.freeze_protection_temperature

    @property
    def native_min_value(self) -> float:
        """Lower limit from the heater's features."""
        feature = self.feature
        if feature is None or feature.freeze_protection_min is None:
            return 6.0
        return feature.freeze_protection_min

    @property
    def native_max_value(self) -> float:
        """Upper limit from the heater's features."""
        feature = self.feature
        if feature is None or feature.freeze_protection_max is None:
            return 10.0
        return feature.freeze_protection_max

    async def async_set_native_value(self, value: float) -> None:
        """Send the new temperature."""
        with command_errors():
            await self.coordinator.session.set_freeze_protection_temperature(self.mac, value)


class NaviLinkVacationDays(NaviLinkEntity, RestoreNumber):
    """Local setting: how many days away mode puts the heater in vacation."""

    _attr_native_value: float | None = DEFAULT_VACATION_DAYS

    async def async_added_to_hass(self) -> None:
        """Restore the last value."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_number_data()) is not None and (
            last.native_value is not None
        ):
            self._attr_native_value = last.native_value
        self.coordinator.vacation_days[self.mac] = int(
            self._attr_native_value or DEFAULT_VACATION_DAYS
        )

    async def async_set_native_value(self, value: float) -> None:
        """Store the value locally (no command is sent)."""
        self._attr_native_value = value
        self.coordinator.vacation_days[self.mac] = int(value)
        self.async_write_ha_state()
