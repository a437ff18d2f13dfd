"""The coded enums of the status and feature payloads (wire integer <-> name)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final, Self

from ._values import (
    _int,
)

# --------------------------------------------------------------------------- enums

_CODES: dict[str, dict[str, int]] = {}
_BY_CODE: dict[type, dict[int, Any]] = {}  # wire code -> member, per enum


class _CodedEnum(StrEnum):
    """A StrEnum whose members also carry the integer wire code."""

    @property
    def code(self) -> int:
        return _CODES[type(self).__name__][self.value]

    @classmethod
    def from_code(cls, code: object) -> Self | None:
        """The member for a wire code, or None for unknown / wrongly typed codes."""
        number = code if type(code) is int else _int(code)
        if number is None:
            return None
        by_code = _BY_CODE.get(cls)
        if by_code is None:  # built once per enum, on first use
            by_code = _BY_CODE[cls] = {c: cls(v) for v, c in _CODES[cls.__name__].items()}
        member: Self | None = by_code.get(number)
        return member


class DhwMode(_CodedEnum):
    """``dhwOperationSetting``: the mode the user chose."""

    HEAT_PUMP = "heat_pump"
    ELECTRIC = "electric"
    ENERGY_SAVER = "energy_saver"
    HIGH_DEMAND = "high_demand"
    VACATION = "vacation"
    POWER_OFF = "power_off"


class OperationMode(_CodedEnum):
    """``operationMode``: what the device is doing now."""

    STANDBY = "standby"
    HEAT_PUMP = "heat_pump"
    HYBRID_EFFICIENCY = "hybrid_efficiency"
    HYBRID_BOOST = "hybrid_boost"


class HeatSource(_CodedEnum):
    """``currentHeatUse``."""

    NONE = "none"
    HEAT_PUMP = "heat_pump"
    ELEMENT = "element"
    BOTH = "both"


class DrEvent(_CodedEnum):
    """``drEventStatus``: demand-response event."""

    NONE = "none"
    RUN_NORMAL = "run_normal"
    SHED = "shed"
    LOAD_UP = "load_up"
    ADVANCED_LOAD_UP = "advanced_load_up"
    CUSTOMER_PEAK = "customer_peak"


class TemperatureUnit(_CodedEnum):
    """``temperatureType``."""

    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


_CODES.update(
    {
        "DhwMode": {
            "heat_pump": 1,
            "electric": 2,
            "energy_saver": 3,
            "high_demand": 4,
            "vacation": 5,
            "power_off": 6,
        },
        "OperationMode": {
            "standby": 0,
            "heat_pump": 32,
            "hybrid_efficiency": 64,
            "hybrid_boost": 96,
        },
        "HeatSource": {"none": 0, "heat_pump": 1, "element": 2, "both": 3},
        "DrEvent": {
            "none": 0,
            "run_normal": 1,
            "shed": 2,
            "load_up": 3,
            "advanced_load_up": 4,
            "customer_peak": 5,
        },
        "TemperatureUnit": {"celsius": 1, "fahrenheit": 2},
    }
)

#: The modes a user can select with ``dhw-mode [m]`` (vacation needs days; off is power-off).
SELECTABLE_MODES: Final = (
    DhwMode.HEAT_PUMP,
    DhwMode.ELECTRIC,
    DhwMode.ENERGY_SAVER,
    DhwMode.HIGH_DEMAND,
)
