"""Heater models and unit settings: what a simulated heater has and how its panel shows it.

The feature payload a heater sends is built from its profile, and the command handling checks
the same payload's capability flags, so a model's capabilities have one owner.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from navilink_sim.protocol import DhwMode, Flag, TemperatureType

# Capability flags of the feature payload, in the order the device sends them.
FEATURE_FLAGS: Final = (
    "powerUse",
    "holidayUse",
    "programReservationUse",
    "dhwUse",
    "smartDiagnosticUse",
    "wifiRssiUse",
    "energyUsageUse",
    "freezeProtectionUse",
    "mixingValveUse",
    "drSettingUse",
    "antiLegionellaSettingUse",
    "hpwhUse",
    "dhwRefillUse",
    "ecoUse",
    "electricUse",
    "heatpumpUse",
    "energySaverUse",
    "highDemandUse",
    "recirculationUse",
    "recircReservationUse",
    "title24Use",
)
# Present only where a recirculation pump is fitted (recircModelTypeCode != 0).
RECIRC_FLAGS: Final = frozenset({"recirculationUse", "recircReservationUse"})

# The flag a `dhw-mode [m]` needs besides dhwUse.
MODE_FLAGS: Final = {
    DhwMode.HEAT_PUMP: "heatpumpUse",
    DhwMode.ELECTRIC: "electricUse",
    DhwMode.ENERGY_SAVER: "energySaverUse",
    DhwMode.HIGH_DEMAND: "highDemandUse",
    DhwMode.VACATION: "holidayUse",
}

# --units: the unit the heater's panel shows (US units are the factory setting in the US).
UNITS: Final = {"metric": TemperatureType.CELSIUS, "us": TemperatureType.FAHRENHEIT}
# Factory setpoint per panel unit, raw half-°C: 60 °C, and 120 °F (48.9 °C -> 98 = 49.0 °C).
FACTORY_SETPOINT: Final = {TemperatureType.CELSIUS: 120, TemperatureType.FAHRENHEIT: 98}


@dataclass(frozen=True)
class Profile:
    """One heater model as its feature payload describes it."""

    name: str
    model_type_code: int = 513  # NPF: heat-pump water heater
    volume_code: int = 2  # 65 gal
    recirc_model_type_code: int = 0  # 0: no recirculation pump fitted
    recirc_sw_version: int = 0
    absent: frozenset[str] = frozenset()  # further flags the model reports as 1

    def flags(self) -> dict[str, int]:
        """Every capability flag: 2 present, 1 absent."""
        missing = set(self.absent)
        if not self.recirc_model_type_code:
            missing |= RECIRC_FLAGS
        return {name: int(Flag.OFF if name in missing else Flag.ON) for name in FEATURE_FLAGS}

    def without(self, flags: Iterable[str]) -> Profile:
        """This model with ``flags`` absent too (unknown names raise ValueError)."""
        extra = frozenset(flags)
        unknown = extra - set(FEATURE_FLAGS)
        if unknown:
            raise ValueError(f"unknown capability flags: {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, absent=self.absent | extra)


PROFILES: Final = {
    profile.name: profile
    for profile in (
        Profile("nwp500"),
        Profile("nwp500-recirc", recirc_model_type_code=1, recirc_sw_version=16842752),
    )
}
DEFAULT_PROFILE: Final = "nwp500"
DEFAULT_UNITS: Final = "metric"


@dataclass(frozen=True)
class HeaterSpec:
    """How to build a heater: panel units, model, and flags to report absent besides."""

    units: str = DEFAULT_UNITS
    model: str = DEFAULT_PROFILE
    absent: tuple[str, ...] = ()

    def resolve(self) -> tuple[Profile, TemperatureType]:
        """The profile and unit, or ValueError naming what is unknown."""
        if self.units not in UNITS:
            raise ValueError(f"units must be one of {', '.join(UNITS)}")
        if self.model not in PROFILES:
            raise ValueError(f"model must be one of {', '.join(PROFILES)}")
        return PROFILES[self.model].without(self.absent), UNITS[self.units]
