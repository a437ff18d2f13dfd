"""Wire facts the simulated heaters speak: device type, topics, codes and enums, in one place.

The simulator deliberately does not import the integration's client: it is the other side of
the wire, and a shared table would hide a disagreement instead of exposing it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

DEVICE_TYPE: Final = 52
PROTOCOL_VERSION: Final = 2
STATUS_COMMAND: Final = 67108883  # 0x04000013: `status.command` of a standard status report


class DhwMode(IntEnum):
    """``dhwOperationSetting``: the mode the user chose (and the ``dhw-mode`` parameter)."""

    HEAT_PUMP = 1
    ELECTRIC = 2
    ENERGY_SAVER = 3
    HIGH_DEMAND = 4
    VACATION = 5
    POWER_OFF = 6

    @property
    def label(self) -> str:
        """The name the control API's state shows (``heat_pump`` ... ``off``)."""
        return "off" if self is DhwMode.POWER_OFF else self.name.lower()


class OperationMode(IntEnum):
    """``operationMode``: what the heater is doing now (documented codes only)."""

    STANDBY = 0
    HEAT_PUMP = 32  # heating in Heat Pump mode
    HYBRID_EFFICIENCY = 64  # heating in Energy Saver mode
    HYBRID_BOOST = 96  # heating in High Demand mode (and Electric: see payloads.HEATING_CODES)


class HeatSource(IntEnum):
    """``currentHeatUse``: the heat sources running now."""

    NONE = 0
    HEAT_PUMP = 1
    ELEMENT = 2
    BOTH = 3


class TemperatureType(IntEnum):
    """``temperatureType``: the unit the heater's own panel shows."""

    CELSIUS = 1
    FAHRENHEIT = 2


class Flag(IntEnum):
    """The on/off encoding of status flags and feature capabilities."""

    OFF = 1
    ON = 2


def flag(value: bool) -> int:
    """``True`` -> 2, ``False`` -> 1."""
    return int(Flag.ON if value else Flag.OFF)


# Command suffixes under cmd/52/navilink-{mac}/.
SUFFIX_STATUS: Final = "st"
SUFFIX_FEATURE: Final = "st/did"
SUFFIX_RESERVATION_READ: Final = "st/rsv/rd"
SUFFIX_ENERGY: Final = "st/energy-usage-daily-query/rd"
SUFFIX_CONTROL: Final = "ctrl"
SUFFIX_RESERVATION_WRITE: Final = "ctrl/rsv/rd"
SUFFIX_TOU: Final = "ctrl/tou/rd"

# Setting ranges (raw units: half-°C for temperatures, days for periods).
DHW_MIN: Final = 81  # 40.5 °C
DHW_MAX: Final = 131  # 65.5 °C
FREEZE_MIN: Final = 12  # 6 °C
FREEZE_MAX: Final = 20  # 10 °C
RECIRC_MIN: Final = 81
RECIRC_MAX: Final = 120
VACATION_DAYS: Final = range(1, 100)  # the panel allows 99 (NWP500 user manual, 3.4.5)
ANTI_LEGIONELLA_DAYS: Final = range(1, 31)
RECIRC_MODES: Final = range(1, 5)  # 1 always, 2 button, 3 schedule, 4 temperature
AIR_FILTER_STEP_H: Final = 500  # `air-filter-life` takes the alarm period in 500 h steps
AIR_FILTER_STEPS: Final = range(2, 21)  # 1000..10000 h; 0 turns the alarm off


def device_prefix(mac: str) -> str:
    """``cmd/52/navilink-{mac}/``: every topic of one heater starts with it."""
    return f"cmd/{DEVICE_TYPE}/navilink-{mac}/"


def half_c(celsius: float) -> int:
    """°C -> the half-degree raw value most temperatures travel in."""
    return round(celsius * 2)


def deci_c(celsius: float) -> int:
    """°C -> the tenth-degree raw value of the tank and refrigerant probes."""
    return round(celsius * 10)
