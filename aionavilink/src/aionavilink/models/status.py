"""The device status (``response.status``), converted to °C, W, Wh and L.

Fields, scales and enums: docs/protocol.md, "Status fields". The parser is tolerant (same
document, "Reading payloads"): the public client validates strictly and drops a whole status
for one unknown enum value, but a real heater's firmware may add values or leave keys out. So
every field is ``| None``: a missing key, a wrongly typed value, a non-finite number or an
unknown enum code turns into None **for that field only**. ``from_payload`` raises
:class:`MalformedPayloadError` only when the payload is not an object at all. Where sources
disagree on a scale, the public client's code wins (``currentInletTemperature`` half-°C, 4 Wh per
energy count, ``cumulatedDhwFlowRate`` in litres). The untouched payload is kept in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from ._values import (
    _EMPTY,
    _flag_zero_false,
    _flag_zero_none,
    _int,
    _mapping,
    _num,
    _scaled,
)
from .enums import DhwMode, DrEvent, HeatSource, OperationMode, TemperatureUnit


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """A device status (``response.status``), converted to SI-ish units (°C, W, Wh, L)."""

    # temperatures, °C
    dhw_temperature: float | None = None
    dhw_temperature_2: float | None = None
    dhw_temperature_setting: float | None = None
    dhw_target_temperature_setting: float | None = None
    freeze_protection_temperature: float | None = None
    freeze_protection_temperature_min: float | None = None
    freeze_protection_temperature_max: float | None = None
    current_inlet_temperature: float | None = None
    outside_temperature: float | None = None
    heat_min_op_temperature: float | None = None
    tank_upper_temperature: float | None = None
    tank_lower_temperature: float | None = None
    discharge_temperature: float | None = None
    suction_temperature: float | None = None
    evaporator_temperature: float | None = None
    ambient_temperature: float | None = None
    target_super_heat: float | None = None
    current_super_heat: float | None = None
    # power / energy / flow
    current_power: int | None = None
    total_energy_capacity: int | None = None
    available_energy_capacity: int | None = None
    dhw_charge_percent: int | None = None
    mixing_rate: int | None = None
    current_flow_rate: float | None = None
    cumulated_flow: float | None = None
    wifi_rssi: int | None = None
    # errors / report type
    error_code: int | None = None
    sub_error_code: int | None = None
    fault_status_1: int | None = None
    fault_status_2: int | None = None
    command: int | None = None
    # enums
    operation_mode: OperationMode | None = None
    dhw_mode: DhwMode | None = None
    heat_source: HeatSource | None = None
    dr_event: DrEvent | None = None
    temperature_unit: TemperatureUnit | None = None
    # flags, "0 means False" group
    hot_water_in_use: bool | None = None
    hot_water_in_use_sustained: bool | None = None
    freeze_protection_enabled: bool | None = None
    program_reservation_enabled: bool | None = None
    eco_enabled: bool | None = None
    eev_on: bool | None = None
    evaporator_fan_on: bool | None = None
    shut_off_valve: bool | None = None
    condensate_overflow_sensor: bool | None = None
    water_leak_sensor: bool | None = None
    error_buzzer_enabled: bool | None = None
    scald_protection: bool | None = None
    dhw_operation_busy: bool | None = None
    did_reload: bool | None = None
    # flags, "0 means unknown" group
    operation_busy: bool | None = None
    compressor_on: bool | None = None
    anti_legionella_enabled: bool | None = None
    anti_legionella_running: bool | None = None
    upper_element_on: bool | None = None
    lower_element_on: bool | None = None
    air_filter_alarm_enabled: bool | None = None
    # special flags
    tou_enabled: bool | None = None
    tou_override_active: bool | None = None
    dr_override_hours: int | None = None
    # counters
    vacation_days_setting: int | None = None
    vacation_days_elapsed: int | None = None
    anti_legionella_period_days: int | None = None
    air_filter_alarm_period_h: int | None = None
    air_filter_alarm_elapsed_h: int | None = None
    evaporator_fan_hours: int | None = None
    target_fan_rpm: int | None = None
    current_fan_rpm: int | None = None
    fan_pwm: int | None = None
    eev_step: int | None = None
    raw: Mapping[str, Any] = field(default=_EMPTY, compare=False, repr=False)

    @classmethod
    def from_payload(cls, payload: object) -> DeviceStatus:
        """Parse a status dict; raises MalformedPayloadError only for a non-object."""
        p = _mapping(payload, "status")
        g = p.get
        energy_count = _int(g("totalEnergyCapacity"))
        available_count = _int(g("availableEnergyCapacity"))
        tou_number = _num(g("touStatus"))
        tou_enabled = None if tou_number is None else tou_number != 0
        tou_override = _int(g("touOverrideStatus"))
        return cls(
            dhw_temperature=_scaled(g("dhwTemperature"), 2),
            dhw_temperature_2=_scaled(g("dhwTemperature2"), 2),
            dhw_temperature_setting=_scaled(g("dhwTemperatureSetting"), 2),
            dhw_target_temperature_setting=_scaled(g("dhwTargetTemperatureSetting"), 2),
            freeze_protection_temperature=_scaled(g("freezeProtectionTemperature"), 2),
            freeze_protection_temperature_min=_scaled(g("freezeProtectionTempMin"), 2),
            freeze_protection_temperature_max=_scaled(g("freezeProtectionTempMax"), 2),
            current_inlet_temperature=_scaled(g("currentInletTemperature"), 2),
            outside_temperature=_scaled(g("outsideTemperature"), 2),
            heat_min_op_temperature=_scaled(g("heatMinOpTemperature"), 2),
            tank_upper_temperature=_scaled(g("tankUpperTemperature"), 10),
            tank_lower_temperature=_scaled(g("tankLowerTemperature"), 10),
            discharge_temperature=_scaled(g("dischargeTemperature"), 10),
            suction_temperature=_scaled(g("suctionTemperature"), 10),
            evaporator_temperature=_scaled(g("evaporatorTemperature"), 10),
            ambient_temperature=_scaled(g("ambientTemperature"), 10),
            target_super_heat=_scaled(g("targetSuperHeat"), 10),
            current_super_heat=_scaled(g("currentSuperHeat"), 10),
            current_power=_int(g("currentInstPower")),
            total_energy_capacity=None if energy_count is None else energy_count * 4,
            available_energy_capacity=None if available_count is None else available_count * 4,
            dhw_charge_percent=_int(g("dhwChargePer")),
            mixing_rate=_int(g("mixingRate")),
            current_flow_rate=_scaled(g("currentDhwFlowRate"), 10),
            cumulated_flow=_num(g("cumulatedDhwFlowRate")),
            wifi_rssi=_int(g("wifiRssi")),
            error_code=_int(g("errorCode")),
            sub_error_code=_int(g("subErrorCode")),
            fault_status_1=_int(g("faultStatus1")),
            fault_status_2=_int(g("faultStatus2")),
            command=_int(g("command")),
            operation_mode=OperationMode.from_code(g("operationMode")),
            dhw_mode=DhwMode.from_code(g("dhwOperationSetting")),
            heat_source=HeatSource.from_code(g("currentHeatUse")),
            dr_event=DrEvent.from_code(g("drEventStatus")),
            temperature_unit=TemperatureUnit.from_code(g("temperatureType")),
            hot_water_in_use=_flag_zero_false(g("dhwUse")),
            hot_water_in_use_sustained=_flag_zero_false(g("dhwUseSustained")),
            freeze_protection_enabled=_flag_zero_false(g("freezeProtectionUse")),
            program_reservation_enabled=_flag_zero_false(g("programReservationUse")),
            eco_enabled=_flag_zero_false(g("ecoUse")),
            eev_on=_flag_zero_false(g("eevUse")),
            evaporator_fan_on=_flag_zero_false(g("evaFanUse")),
            shut_off_valve=_flag_zero_false(g("shutOffValveUse")),
            condensate_overflow_sensor=_flag_zero_false(g("conOvrSensorUse")),
            water_leak_sensor=_flag_zero_false(g("wtrOvrSensorUse")),
            error_buzzer_enabled=_flag_zero_false(g("errorBuzzerUse")),
            scald_protection=_flag_zero_false(g("scaldUse")),
            dhw_operation_busy=_flag_zero_false(g("dhwOperationBusy")),
            did_reload=_flag_zero_false(g("didReload")),
            operation_busy=_flag_zero_none(g("operationBusy")),
            compressor_on=_flag_zero_none(g("compUse")),
            anti_legionella_enabled=_flag_zero_none(g("antiLegionellaUse")),
            anti_legionella_running=_flag_zero_none(g("antiLegionellaOperationBusy")),
            upper_element_on=_flag_zero_none(g("heatUpperUse")),
            lower_element_on=_flag_zero_none(g("heatLowerUse")),
            air_filter_alarm_enabled=_flag_zero_none(g("airFilterAlarmUse")),
            tou_enabled=tou_enabled,
            tou_override_active=None if tou_override is None else tou_override == 1,
            dr_override_hours=_int(g("drOverrideStatus")),
            vacation_days_setting=_int(g("vacationDaySetting")),
            vacation_days_elapsed=_int(g("vacationDayElapsed")),
            anti_legionella_period_days=_int(g("antiLegionellaPeriod")),
            air_filter_alarm_period_h=_int(g("airFilterAlarmPeriod")),
            air_filter_alarm_elapsed_h=_int(g("airFilterAlarmElapsed")),
            evaporator_fan_hours=_int(g("cumulatedOpTimeEvaFan")),
            target_fan_rpm=_int(g("targetFanRpm")),
            current_fan_rpm=_int(g("currentFanRpm")),
            fan_pwm=_int(g("fanPwm")),
            eev_step=_int(g("eevStep")),
            raw=MappingProxyType(dict(p)),
        )

    def changed_fields(self, previous: DeviceStatus | None) -> frozenset[str]:
        """Names of the fields (``raw`` included) whose values differ from `previous`; every
        field when there is no previous status. A consumer that knows which fields it shows
        can skip a status that changed none of them."""
        if previous is None:
            return _FIELD_NAMES
        if self.raw == previous.raw:
            return frozenset()
        return frozenset(
            name
            for name, new, old in zip(
                _FIELD_NAMES_ORDERED, _values(self), _values(previous), strict=True
            )
            if new != old
        )

    @property
    def usable_energy(self) -> int | None:
        """Wh available now: total - still-needed, clamped at 0."""
        if self.total_energy_capacity is None or self.available_energy_capacity is None:
            return None
        return max(0, self.total_energy_capacity - self.available_energy_capacity)

    @property
    def error_present(self) -> bool:
        return self.error_code not in (0, None)


_FIELD_NAMES_ORDERED: tuple[str, ...] = tuple(f.name for f in fields(DeviceStatus))
_FIELD_NAMES: frozenset[str] = frozenset(_FIELD_NAMES_ORDERED)
_values = attrgetter(*_FIELD_NAMES_ORDERED)
