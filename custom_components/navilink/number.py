"""Numbers of the Navien NaviLink integration."""

from __future__ import annotations

import math

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.unit_conversion import TemperatureConverter

from aionavilink import ANTI_LEGIONELLA_PERIOD_DAYS

from .const import (
    DEFAULT_VACATION_DAYS,
    DOMAIN,
    MAX_VACATION_DAYS,
    MIN_VACATION_DAYS,
    SIGNAL_VACATION_DAYS,
)
from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkEntity, async_setup_heater_entities
from .helpers import command_errors
from .temperature import HEATER_STEP, check_range, user_unit

PARALLEL_UPDATES = 1

ANTI_LEGIONELLA_PERIOD = NumberEntityDescription(
    key="anti_legionella_period",
    translation_key="anti_legionella_period",
    entity_category=EntityCategory.CONFIG,
    device_class=NumberDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.DAYS,
    native_min_value=ANTI_LEGIONELLA_PERIOD_DAYS.low,
    native_max_value=ANTI_LEGIONELLA_PERIOD_DAYS.high,
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
        if feature is None or feature.supports_vacation is not False:
            entities.append(NaviLinkVacationDays(coordinator, mac, VACATION_DAYS))
        if feature is not None and feature.supports_anti_legionella:
            entities.append(NaviLinkAntiLegionellaPeriod(coordinator, mac, ANTI_LEGIONELLA_PERIOD))
        if feature is not None and feature.supports_freeze_protection:
            entities.append(
                NaviLinkFreezeProtection(coordinator, mac, FREEZE_PROTECTION_TEMPERATURE)
            )
        return entities

    async_setup_heater_entities(coordinator, async_add_entities, numbers)


class NaviLinkAntiLegionellaPeriod(NaviLinkEntity, NumberEntity):
    """Days between anti-legionella cycles.

    The heater takes a period only with its "cycle on" command (`anti-leg-on [days]`, see
    docs/protocol.md): while the cycle is off, a new period is refused with a clear error
    instead of turning the cycle on behind the user's back.
    """

    @property
    def native_value(self) -> float | None:
        """The period from the last status."""
        status = self.status
        return None if status is None else status.anti_legionella_period_days

    async def async_set_native_value(self, value: float) -> None:
        """Send the new period; the cycle stays on (it must already be on)."""
        status = self.status
        if status is None or status.anti_legionella_enabled is not True:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="anti_legionella_off"
            )
        with command_errors():
            await self.coordinator.session.set_anti_legionella(self.mac, True, int(value))


# Freeze-protection limits when the heater has not reported its own.
DEFAULT_FREEZE_MIN = 6.0
DEFAULT_FREEZE_MAX = 10.0


class NaviLinkFreezeProtection(NaviLinkEntity, NumberEntity):
    """Freeze-protection temperature within the heater's limits.

    The heater holds half-degrees Celsius. For a °F user the number works in whole °F (each
    lands on the nearest half-degree Celsius and reads back as the value typed), instead of
    showing 0.5 °F steps that the heater cannot hold.
    """

    @property
    def _fahrenheit(self) -> bool:
        return user_unit(self.hass) is UnitOfTemperature.FAHRENHEIT

    def _shown(self, celsius: float) -> float:
        if not self._fahrenheit:
            return celsius
        return float(
            round(
                TemperatureConverter.convert(
                    celsius, UnitOfTemperature.CELSIUS, UnitOfTemperature.FAHRENHEIT
                )
            )
        )

    def _limits(self) -> tuple[float, float]:
        feature = self.feature
        low = None if feature is None else feature.freeze_protection_min
        high = None if feature is None else feature.freeze_protection_max
        return (
            DEFAULT_FREEZE_MIN if low is None else low,
            DEFAULT_FREEZE_MAX if high is None else high,
        )

    @property
    def native_unit_of_measurement(self) -> str:
        """The user's unit (the values are whole °F for a °F user)."""
        return UnitOfTemperature.FAHRENHEIT if self._fahrenheit else UnitOfTemperature.CELSIUS

    @property
    def native_step(self) -> float:
        """0.5 °C, or 1 °F."""
        return 1.0 if self._fahrenheit else HEATER_STEP

    @property
    def native_value(self) -> float | None:
        """The temperature from the last status."""
        status = self.status
        if status is None or status.freeze_protection_temperature is None:
            return None
        return self._shown(status.freeze_protection_temperature)

    @property
    def native_min_value(self) -> float:
        """Lower limit from the heater's features."""
        return float(math.ceil(self._shown(self._limits()[0])))

    @property
    def native_max_value(self) -> float:
        """Upper limit from the heater's features."""
        return float(math.floor(self._shown(self._limits()[1])))

    async def async_set_native_value(self, value: float) -> None:
        """Send the new temperature: the nearest half-degree Celsius, within the limits."""
        celsius = value
        if self._fahrenheit:
            celsius = TemperatureConverter.convert(
                value, UnitOfTemperature.FAHRENHEIT, UnitOfTemperature.CELSIUS
            )
        held = check_range(self.hass, celsius, *self._limits())
        with command_errors():
            await self.coordinator.session.set_freeze_protection_temperature(self.mac, held)


class NaviLinkVacationDays(NaviLinkEntity, RestoreNumber):
    """Local setting: how many days away mode puts the heater in vacation."""

    _attr_native_value: float | None = DEFAULT_VACATION_DAYS

    async def async_added_to_hass(self) -> None:
        """Restore the last value; follow lengths set by the set_vacation_days action."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_number_data()) is not None and (
            last.native_value is not None
        ):
            self._attr_native_value = last.native_value
        self.coordinator.vacation_days[self.mac] = int(
            self._attr_native_value or DEFAULT_VACATION_DAYS
        )
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, SIGNAL_VACATION_DAYS.format(self.mac), self._confirmed_days
            )
        )

    @callback
    def _confirmed_days(self, days: int) -> None:
        self._attr_native_value = days
        self.async_write_ha_state()

    async def async_set_native_value(self, value: float) -> None:
        """Store the value locally (no command is sent)."""
        self._attr_native_value = value
        self.coordinator.vacation_days[self.mac] = int(value)
        self.async_write_ha_state()
