"""Water heater entity of the Navien NaviLink integration."""

from __future__ import annotations

from typing import Any

from homeassistant.components.water_heater import (
    WaterHeaterEntity,
    WaterHeaterEntityDescription,
    WaterHeaterEntityFeature,
)
from homeassistant.const import ATTR_TEMPERATURE, STATE_OFF, UnitOfTemperature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from aionavilink import DhwMode

from .const import DEFAULT_VACATION_DAYS, DOMAIN
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator
from .entity import NaviLinkEntity, async_setup_heater_entities
from .helpers import command_errors
from .modes import MODE_TO_STATE, STATE_TO_MODE
from .temperature import HEATER_STEP, check_range, setpoint_limits, user_unit

PARALLEL_UPDATES = 1

DESCRIPTION = WaterHeaterEntityDescription(key="water_heater", name=None)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one water heater entity per heater."""
    coordinator = entry.runtime_data.coordinator
    async_setup_heater_entities(
        coordinator,
        async_add_entities,
        lambda mac: [NaviLinkWaterHeater(coordinator, mac, DESCRIPTION)],
    )


class NaviLinkWaterHeater(NaviLinkEntity, WaterHeaterEntity):
    """A Navien NWP500 heat-pump water heater."""

    _attr_name = None
    # Home Assistant 2026.11 reads the native_* members; 2026.8 to 2026.10 only know the older
    # names. This class provides both: a class that defines the native member itself is served
    # from it, without the deprecation warning (the older names can go once 2026.11 is the minimum).
    _attr_native_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_temperature_unit = UnitOfTemperature.CELSIUS

    def __init__(
        self,
        coordinator: NaviLinkCoordinator,
        mac: str,
        description: WaterHeaterEntityDescription,
    ) -> None:
        """Initialise; remember the last selected mode to leave vacation and power-off."""
        super().__init__(coordinator, mac, description)
        self._last_mode: DhwMode | None = None
        self._remember_mode()

    @callback
    def _handle_coordinator_update(self, changed: frozenset[str] | None = None) -> None:
        self._remember_mode()
        super()._handle_coordinator_update(changed)

    def _remember_mode(self) -> None:
        status = self.status
        if status is not None and status.dhw_mode in MODE_TO_STATE:
            self._last_mode = status.dhw_mode

    @property
    def _modes(self) -> list[DhwMode]:
        feature = self.feature
        if feature is None:
            return list(MODE_TO_STATE)
        return [mode for mode in feature.supported_modes if mode in MODE_TO_STATE]

    @property
    def _can_power(self) -> bool:
        feature = self.feature
        return feature is None or feature.supports_power is not False

    @property
    def supported_features(self) -> WaterHeaterEntityFeature:
        """Features depend on what the heater reports."""
        features = WaterHeaterEntityFeature.OPERATION_MODE
        feature = self.feature
        if feature is None or feature.supports_temperature_setting is not False:
            features |= WaterHeaterEntityFeature.TARGET_TEMPERATURE
        if feature is None or feature.supports_vacation is not False:
            features |= WaterHeaterEntityFeature.AWAY_MODE
        if self._can_power:
            features |= WaterHeaterEntityFeature.ON_OFF
        return features

    @property
    def operation_list(self) -> list[str]:
        """The modes the heater supports, plus off."""
        modes = [MODE_TO_STATE[mode] for mode in self._modes]
        if self._can_power:
            modes.append(STATE_OFF)
        return modes

    @property
    def current_operation(self) -> str | None:
        """The selected mode; `off` when powered off; the previous mode during vacation."""
        status = self.status
        if status is None or status.dhw_mode is None:
            return None
        if status.dhw_mode is DhwMode.POWER_OFF:
            return STATE_OFF
        if status.dhw_mode is DhwMode.VACATION:
            return None if self._last_mode is None else MODE_TO_STATE[self._last_mode]
        return MODE_TO_STATE[status.dhw_mode]

    @property
    def is_away_mode_on(self) -> bool | None:
        """Away mode is the heater's vacation mode."""
        status = self.status
        if status is None or status.dhw_mode is None:
            return None
        return status.dhw_mode is DhwMode.VACATION

    @property
    def native_current_temperature(self) -> float | None:
        """Hot-water temperature measured near the top of the tank."""
        status = self.status
        return None if status is None else status.dhw_temperature

    @property
    def native_target_temperature(self) -> float | None:
        """The setpoint."""
        status = self.status
        return None if status is None else status.dhw_temperature_setting

    @property
    def current_temperature(self) -> float | None:
        """native_current_temperature for Home Assistant before 2026.11."""
        return self.native_current_temperature

    @property
    def target_temperature(self) -> float | None:
        """native_target_temperature for Home Assistant before 2026.11."""
        return self.native_target_temperature

    @property
    def min_temp(self) -> float:
        """Lowest setpoint the heater accepts."""
        return setpoint_limits(self.feature)[0]

    @property
    def max_temp(self) -> float:
        """Highest setpoint the heater accepts."""
        return setpoint_limits(self.feature)[1]

    @property
    def target_temperature_step(self) -> float:
        """The heater's step in °C; whole degrees in °F (converted to the nearest 0.5 °C).

        The step is used in the user's unit: 0.5 °F clicks would mostly land between two
        values the heater can hold.
        """
        if user_unit(self.hass) is UnitOfTemperature.FAHRENHEIT:
            return 1.0
        feature = self.feature
        if feature is None or feature.temperature_step is None:
            return HEATER_STEP
        return feature.temperature_step

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the setpoint (and optionally the mode); checked before anything is sent."""
        setpoint: float | None = None
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is not None:
            # Home Assistant converted the user's value to °C: hold the nearest half-degree.
            setpoint = check_range(self.hass, float(temperature), *setpoint_limits(self.feature))
        with command_errors():
            if (mode := kwargs.get("operation_mode")) is not None:
                await self._set_operation_mode(mode)
            if setpoint is not None:
                await self.coordinator.session.set_temperature(self.mac, setpoint)

    async def async_set_operation_mode(self, operation_mode: str) -> None:
        """Select a mode; `off` powers the heater off."""
        with command_errors():
            await self._set_operation_mode(operation_mode)

    async def _set_operation_mode(self, operation_mode: str) -> None:
        session = self.coordinator.session
        if operation_mode == STATE_OFF and self._can_power:
            await session.set_power(self.mac, False)
            return
        mode = STATE_TO_MODE.get(operation_mode)
        if mode is None or mode not in self._modes:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_operation_mode",
                translation_placeholders={"mode": operation_mode},
            )
        status = self.status
        if status is not None and status.dhw_mode is DhwMode.POWER_OFF:
            await session.set_power(self.mac, True)
        await session.set_mode(self.mac, mode)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Power on."""
        with command_errors():
            await self.coordinator.session.set_power(self.mac, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Power off."""
        with command_errors():
            await self.coordinator.session.set_power(self.mac, False)

    async def async_turn_away_mode_on(self) -> None:
        """Vacation mode for the configured number of days (default 7)."""
        with command_errors():
            days = self.coordinator.vacation_days_for(self.mac, DEFAULT_VACATION_DAYS)
            await self.coordinator.session.set_vacation(self.mac, days)

    async def async_turn_away_mode_off(self) -> None:
        """Leave vacation by selecting the previous mode again."""
        with command_errors():
            mode = self._last_mode
            if mode is None or mode not in self._modes:
                mode = self._modes[0] if self._modes else DhwMode.HEAT_PUMP
            await self.coordinator.session.set_mode(self.mac, mode)
