"""The feature report (``response.feature``): capabilities, limits and firmware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from ..limits import Range
from ._values import (
    _EMPTY,
    _capability,
    _int,
    _mapping,
    _scaled,
    _str,
)
from .enums import DhwMode, TemperatureUnit

_VOLUME_GALLONS: Final[Mapping[int, int]] = {1: 50, 2: 65, 3: 80}
_TEMPERATURE_STEP: Final[Mapping[int, float]] = {2: 0.5, 3: 1.0}


@dataclass(frozen=True, slots=True)
class DeviceFeature:
    """Device information / capabilities (``response.feature``, alias ``did``).

    The ``supports_*`` capability flags are True for wire value 2, False for 0/1, and None
    when missing or unknown.
    """

    model_type_code: int | None = None
    country_code: int | None = None
    control_type_code: int | None = None
    volume_gallons: int | None = None
    controller_serial_number: str | None = None
    controller_sw_version: int | None = None
    panel_sw_version: int | None = None
    wifi_sw_version: int | None = None
    controller_sw_code: int | None = None
    panel_sw_code: int | None = None
    wifi_sw_code: int | None = None
    recirc_sw_version: int | None = None
    recirc_model_type_code: int | None = None
    temperature_unit: TemperatureUnit | None = None
    dhw_temperature_min: float | None = None
    dhw_temperature_max: float | None = None
    freeze_protection_min: float | None = None
    freeze_protection_max: float | None = None
    temperature_step: float | None = None
    dhw_temperature_setting_use: int | None = None
    # capabilities
    supports_power: bool | None = None
    supports_vacation: bool | None = None
    supports_reservations: bool | None = None
    supports_mode_selection: bool | None = None
    supports_temperature_setting: bool | None = None
    supports_energy_usage: bool | None = None
    supports_freeze_protection: bool | None = None
    supports_demand_response: bool | None = None
    supports_anti_legionella: bool | None = None
    supports_hpwh: bool | None = None
    supports_heat_pump_mode: bool | None = None
    supports_electric_mode: bool | None = None
    supports_energy_saver_mode: bool | None = None
    supports_high_demand_mode: bool | None = None
    supports_eco: bool | None = None
    supports_wifi_rssi: bool | None = None
    supports_mixing_valve: bool | None = None
    supports_smart_diagnostic: bool | None = None
    supports_dhw_refill: bool | None = None
    supports_recirculation: bool | None = None
    supports_recirculation_reservations: bool | None = None
    supports_title24: bool | None = None
    raw: Mapping[str, Any] = field(default=_EMPTY, compare=False, repr=False)

    @classmethod
    def from_payload(cls, payload: object) -> DeviceFeature:
        """Parse a feature dict; raises MalformedPayloadError only for a non-object."""
        p = _mapping(payload, "feature")
        g = p.get
        volume = _int(g("volumeCode"))
        temp_use = _int(g("dhwTemperatureSettingUse"))
        return cls(
            model_type_code=_int(g("modelTypeCode")),
            country_code=_int(g("countryCode")),
            control_type_code=_int(g("controlTypeCode")),
            volume_gallons=None if volume is None else _VOLUME_GALLONS.get(volume),
            controller_serial_number=_str(g("controllerSerialNumber")),
            controller_sw_version=_int(g("controllerSwVersion")),
            panel_sw_version=_int(g("panelSwVersion")),
            wifi_sw_version=_int(g("wifiSwVersion")),
            controller_sw_code=_int(g("controllerSwCode")),
            panel_sw_code=_int(g("panelSwCode")),
            wifi_sw_code=_int(g("wifiSwCode")),
            recirc_sw_version=_int(g("recircSwVersion")),
            recirc_model_type_code=_int(g("recircModelTypeCode")),
            temperature_unit=TemperatureUnit.from_code(g("temperatureType")),
            dhw_temperature_min=_scaled(g("dhwTemperatureMin"), 2),
            dhw_temperature_max=_scaled(g("dhwTemperatureMax"), 2),
            freeze_protection_min=_scaled(g("freezeProtectionTempMin"), 2),
            freeze_protection_max=_scaled(g("freezeProtectionTempMax"), 2),
            temperature_step=None if temp_use is None else _TEMPERATURE_STEP.get(temp_use),
            dhw_temperature_setting_use=temp_use,
            supports_power=_capability(g("powerUse")),
            supports_vacation=_capability(g("holidayUse")),
            supports_reservations=_capability(g("programReservationUse")),
            supports_mode_selection=_capability(g("dhwUse")),
            supports_temperature_setting=None if temp_use is None else temp_use not in (0, 1),
            supports_energy_usage=_capability(g("energyUsageUse")),
            supports_freeze_protection=_capability(g("freezeProtectionUse")),
            supports_demand_response=_capability(g("drSettingUse")),
            supports_anti_legionella=_capability(g("antiLegionellaSettingUse")),
            supports_hpwh=_capability(g("hpwhUse")),
            supports_heat_pump_mode=_capability(g("heatpumpUse")),
            supports_electric_mode=_capability(g("electricUse")),
            supports_energy_saver_mode=_capability(g("energySaverUse")),
            supports_high_demand_mode=_capability(g("highDemandUse")),
            supports_eco=_capability(g("ecoUse")),
            supports_wifi_rssi=_capability(g("wifiRssiUse")),
            supports_mixing_valve=_capability(g("mixingValveUse")),
            supports_smart_diagnostic=_capability(g("smartDiagnosticUse")),
            supports_dhw_refill=_capability(g("dhwRefillUse")),
            supports_recirculation=_capability(g("recirculationUse")),
            supports_recirculation_reservations=_capability(g("recircReservationUse")),
            supports_title24=_capability(g("title24Use")),
            raw=MappingProxyType(dict(p)),
        )

    @property
    def supported_modes(self) -> list[DhwMode]:
        """The selectable modes (heat pump, electric, energy saver, high demand) the device
        reports, in that order."""
        flags = (
            (DhwMode.HEAT_PUMP, self.supports_heat_pump_mode),
            (DhwMode.ELECTRIC, self.supports_electric_mode),
            (DhwMode.ENERGY_SAVER, self.supports_energy_saver_mode),
            (DhwMode.HIGH_DEMAND, self.supports_high_demand_mode),
        )
        return [mode for mode, supported in flags if supported]

    @property
    def dhw_temperature_range(self) -> Range:
        """The setpoint range the device accepts (°C; an end is None when unreported)."""
        return Range(self.dhw_temperature_min, self.dhw_temperature_max)

    @property
    def freeze_protection_range(self) -> Range:
        """The freeze-protection temperature range (°C)."""
        return Range(self.freeze_protection_min, self.freeze_protection_max)
