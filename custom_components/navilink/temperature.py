"""Temperatures: the heater works in °C half-degrees; users speak their own unit system."""

from __future__ import annotations

from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util.unit_conversion import TemperatureConverter

from aionavilink import DeviceFeature

from .const import DOMAIN

# Setpoint limits when the heater has not reported its own (the NWP500's range).
DEFAULT_MIN_TEMP = 40.5
DEFAULT_MAX_TEMP = 65.5
# The heater holds setpoints in 0.5 °C steps.
HEATER_STEP = 0.5


def setpoint_limits(feature: DeviceFeature | None) -> tuple[float, float]:
    """The lowest and highest setpoint (°C) the heater accepts."""
    low = None if feature is None else feature.dhw_temperature_min
    high = None if feature is None else feature.dhw_temperature_max
    return (
        DEFAULT_MIN_TEMP if low is None else low,
        DEFAULT_MAX_TEMP if high is None else high,
    )


def nearest_step(celsius: float, step: float = HEATER_STEP) -> float:
    """The nearest value the heater can hold (a °F entry lands between two half-degrees)."""
    return round(celsius / step) * step


def user_unit(hass: HomeAssistant) -> UnitOfTemperature:
    """The temperature unit of the user's unit system."""
    return UnitOfTemperature(hass.config.units.temperature_unit)


def to_celsius(hass: HomeAssistant, value: float) -> float:
    """A temperature in the user's unit, in °C."""
    return TemperatureConverter.convert(value, user_unit(hass), UnitOfTemperature.CELSIUS)


def from_celsius(hass: HomeAssistant, celsius: float) -> float:
    """A temperature in °C, in the user's unit (rounded as the user reads it)."""
    unit = user_unit(hass)
    value = TemperatureConverter.convert(celsius, UnitOfTemperature.CELSIUS, unit)
    return round(value) if unit is UnitOfTemperature.FAHRENHEIT else round(value, 1)


def display(hass: HomeAssistant, celsius: float) -> str:
    """A °C value as the user reads it: "149 °F", "65.5 °C"."""
    value = from_celsius(hass, celsius)
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} {user_unit(hass)}"


def check_range(hass: HomeAssistant, celsius: float, low: float, high: float) -> float:
    """The nearest half-degree within [low, high], else a translated error in the user's unit."""
    held = nearest_step(celsius)
    if not low <= held <= high:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="temperature_out_of_range",
            translation_placeholders={
                "temperature": display(hass, celsius),
                "min": display(hass, low),
                "max": display(hass, high),
            },
        )
    return held
