"""Typed, unit-converted views of NaviLink payloads.

The field names, scales and enum values follow docs/navilink-protocol.md section 7 (which
follows the reference library's code). The reference library validates strictly: one
unknown enum value drops the whole status message. A real device can differ from the
spec in several known ways, so these parsers are deliberately **tolerant** instead:

* the docs and the code disagree on scales (``currentInletTemperature`` ÷10 vs half-°C,
  tank energy 10 Wh vs 4 Wh per count, ``cumulatedDhwFlowRate`` litres vs gallons); we use
  the code's rules (half-°C, 4 Wh, litres);
* ``errorCode`` is a closed list in the library but a firmware update may add codes, so it
  is kept as a plain int;
* mode numbering differs between docs pages; we use the enum (1 HP ... 6 off);
* firmware may add enum values or leave out optional keys.

Every field is therefore ``| None``: a missing key, a wrongly typed value, a non-finite
number or an unknown enum value turns into None **for that field only**, and the rest of
the message survives. ``from_payload`` raises :class:`MalformedPayloadError` only when the
payload is not an object at all. The untouched payload is kept in ``raw``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, Self

from .errors import MalformedPayloadError, NaviLinkProtocolError, OutOfRangeError

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})

# --------------------------------------------------------------------------- value helpers


def _int(value: object) -> int | None:
    """An int (bool excluded; integral finite floats accepted) or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _num(value: object) -> float | None:
    """A finite number as float (bool excluded) or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def _scaled(value: object, divisor: float) -> float | None:
    number = _num(value)
    return None if number is None else number / divisor


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _flag_zero_false(value: object) -> bool | None:
    """1 = off, 2 = on, 0 = off; anything else unknown."""
    code = _int(value)
    if code == 2:
        return True
    if code in (0, 1):
        return False
    return None


def _flag_zero_none(value: object) -> bool | None:
    """1 = off, 2 = on; 0 and anything else unknown."""
    code = _int(value)
    if code == 2:
        return True
    if code == 1:
        return False
    return None


def _capability(value: object) -> bool | None:
    """Feature flag: 2 = present, 0/1 = absent, anything else unknown."""
    code = _int(value)
    if code is None:
        return None
    return code == 2


def _mapping(payload: object, what: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise MalformedPayloadError(f"{what} is not an object")
    return payload


# --------------------------------------------------------------------------- enums

_CODES: dict[str, dict[str, int]] = {}


class _CodedEnum(StrEnum):
    """A StrEnum whose members also carry the integer wire code."""

    @property
    def code(self) -> int:
        return _CODES[type(self).__name__][self.value]

    @classmethod
    def from_code(cls, code: object) -> Self | None:
        """The member for a wire code, or None for unknown / wrongly typed codes."""
        number = _int(code)
        if number is None:
            return None
        for value, member_code in _CODES[cls.__name__].items():
            if member_code == number:
                return cls(value)
        return None


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

# --------------------------------------------------------------------------- status


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

    @property
    def usable_energy(self) -> int | None:
        """Wh available now: total - still-needed, clamped at 0."""
        if self.total_energy_capacity is None or self.available_energy_capacity is None:
            return None
        return max(0, self.total_energy_capacity - self.available_energy_capacity)

    @property
    def powered_on(self) -> bool | None:
        """False when ``dhwOperationSetting`` is 6 (powered off); None if unknown."""
        if self.dhw_mode is None:
            return None
        return self.dhw_mode is not DhwMode.POWER_OFF

    @property
    def error_present(self) -> bool:
        return self.error_code not in (0, None)


# --------------------------------------------------------------------------- feature

_VOLUME_GALLONS: Final[Mapping[int, int]] = {1: 50, 2: 65, 3: 80}
_TEMPERATURE_STEP: Final[Mapping[int, float]] = {2: 0.5, 3: 1.0}

_MODE_FLAGS: Final[Mapping[DhwMode, str]] = {
    DhwMode.HEAT_PUMP: "heatpumpUse",
    DhwMode.ELECTRIC: "electricUse",
    DhwMode.ENERGY_SAVER: "energySaverUse",
    DhwMode.HIGH_DEMAND: "highDemandUse",
}


@dataclass(frozen=True, slots=True)
class DeviceFeature:
    """Device information / capabilities (``response.feature``, alias ``did``).

    Capability booleans are True for flag 2, False for 0/1, None when missing/unknown.
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
    power: bool | None = None
    holiday: bool | None = None
    program_reservation: bool | None = None
    dhw: bool | None = None
    dhw_temperature_setting: bool | None = None
    energy_usage: bool | None = None
    freeze_protection: bool | None = None
    dr_setting: bool | None = None
    anti_legionella_setting: bool | None = None
    hpwh: bool | None = None
    heat_pump: bool | None = None
    electric: bool | None = None
    energy_saver: bool | None = None
    high_demand: bool | None = None
    eco: bool | None = None
    wifi_rssi: bool | None = None
    mixing_valve: bool | None = None
    smart_diagnostic: bool | None = None
    dhw_refill: bool | None = None
    recirculation: bool | None = None
    recirc_reservation: bool | None = None
    title24: bool | None = None
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
            power=_capability(g("powerUse")),
            holiday=_capability(g("holidayUse")),
            program_reservation=_capability(g("programReservationUse")),
            dhw=_capability(g("dhwUse")),
            dhw_temperature_setting=None if temp_use is None else temp_use not in (0, 1),
            energy_usage=_capability(g("energyUsageUse")),
            freeze_protection=_capability(g("freezeProtectionUse")),
            dr_setting=_capability(g("drSettingUse")),
            anti_legionella_setting=_capability(g("antiLegionellaSettingUse")),
            hpwh=_capability(g("hpwhUse")),
            heat_pump=_capability(g("heatpumpUse")),
            electric=_capability(g("electricUse")),
            energy_saver=_capability(g("energySaverUse")),
            high_demand=_capability(g("highDemandUse")),
            eco=_capability(g("ecoUse")),
            wifi_rssi=_capability(g("wifiRssiUse")),
            mixing_valve=_capability(g("mixingValveUse")),
            smart_diagnostic=_capability(g("smartDiagnosticUse")),
            dhw_refill=_capability(g("dhwRefillUse")),
            recirculation=_capability(g("recirculationUse")),
            recirc_reservation=_capability(g("recircReservationUse")),
            title24=_capability(g("title24Use")),
            raw=MappingProxyType(dict(p)),
        )

    @property
    def supported_modes(self) -> list[DhwMode]:
        """The selectable modes (heat pump, electric, energy saver, high demand) whose
        feature flag is 2, in that order."""
        return [mode for mode, key in _MODE_FLAGS.items() if _int(self.raw.get(key)) == 2]


# --------------------------------------------------------------------------- REST device


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A device from the REST device list / info (``{deviceInfo, location}``)."""

    mac: str
    additional_value: str
    device_type: int | None = None
    name: str | None = None
    online: bool | None = None
    home_seq: int | None = None
    install_type: str | None = None
    location: Mapping[str, Any] = field(default=_EMPTY, compare=False)

    @classmethod
    def from_rest(cls, obj: object) -> DeviceInfo:
        """Parse a REST device object; NaviLinkProtocolError without deviceInfo or mac."""
        if not isinstance(obj, Mapping):
            raise NaviLinkProtocolError("device object is not an object")
        info = obj.get("deviceInfo")
        if not isinstance(info, Mapping):
            raise NaviLinkProtocolError("device object has no deviceInfo")
        mac = info.get("macAddress")
        if not isinstance(mac, str) or not mac:
            raise NaviLinkProtocolError("deviceInfo has no macAddress")
        additional = info.get("additionalValue")
        if _int(additional) is not None:
            additional = str(additional)
        connected = _int(info.get("connected"))
        location = obj.get("location")
        return cls(
            mac=mac.lower(),
            additional_value=additional if isinstance(additional, str) else "",
            device_type=_int(info.get("deviceType")),
            name=_str(info.get("deviceName")),
            online=True if connected == 2 else (False if connected == 1 else None),
            home_seq=_int(info.get("homeSeq")),
            install_type=_str(info.get("installType")),
            location=MappingProxyType(dict(location)) if isinstance(location, Mapping) else _EMPTY,
        )

    @property
    def redacted_mac(self) -> str:
        """The MAC with all but the last 4 hex digits masked (``********fca0``)."""
        return redact_mac(self.mac)


def redact_mac(mac: str) -> str:
    """Mask a MAC for logs: keep the last 4 characters."""
    if len(mac) <= 4:
        return "*" * len(mac)
    return "*" * (len(mac) - 4) + mac[-4:]


# --------------------------------------------------------------------------- energy


@dataclass(frozen=True, slots=True)
class EnergyTotals:
    """Heat-pump / element energy (Wh) and run time (h)."""

    heat_pump_wh: int | None = None
    element_wh: int | None = None
    heat_pump_hours: int | None = None
    element_hours: int | None = None

    @classmethod
    def from_wire(cls, obj: object) -> EnergyTotals:
        if not isinstance(obj, Mapping):
            return cls()
        return cls(
            heat_pump_wh=_int(obj.get("hpUsage")),
            element_wh=_int(obj.get("heUsage")),
            heat_pump_hours=_int(obj.get("hpTime")),
            element_hours=_int(obj.get("heTime")),
        )

    @property
    def total_wh(self) -> int | None:
        if self.heat_pump_wh is None and self.element_wh is None:
            return None
        return (self.heat_pump_wh or 0) + (self.element_wh or 0)


@dataclass(frozen=True, slots=True)
class MonthlyEnergy:
    """One month of daily usage (``days[0]`` is the 1st of the month)."""

    year: int | None
    month: int | None
    days: tuple[EnergyTotals, ...]

    @property
    def totals(self) -> EnergyTotals:
        def add(attr: str) -> int:
            return sum(getattr(d, attr) or 0 for d in self.days)

        return EnergyTotals(
            heat_pump_wh=add("heat_pump_wh"),
            element_wh=add("element_wh"),
            heat_pump_hours=add("heat_pump_hours"),
            element_hours=add("element_hours"),
        )


@dataclass(frozen=True, slots=True)
class EnergyUsage:
    """Energy usage reply (spec 7.4): totals plus per-month, per-day figures."""

    type_of_usage: int | None
    total: EnergyTotals
    months: tuple[MonthlyEnergy, ...]
    raw: Mapping[str, Any] = field(default=_EMPTY, compare=False, repr=False)

    @classmethod
    def from_payload(cls, payload: object) -> EnergyUsage:
        """Parse the whole ``response``; tolerant except for a non-object."""
        p = _mapping(payload, "energy usage")
        months: list[MonthlyEnergy] = []
        usage = p.get("usage")
        if isinstance(usage, list):
            for item in usage:
                if not isinstance(item, Mapping):
                    continue
                data = item.get("data")
                days = (
                    tuple(EnergyTotals.from_wire(d) for d in data) if isinstance(data, list) else ()
                )
                months.append(
                    MonthlyEnergy(
                        year=_int(item.get("year")), month=_int(item.get("month")), days=days
                    )
                )
        return cls(
            type_of_usage=_int(p.get("typeOfUsage")),
            total=EnergyTotals.from_wire(p.get("total")),
            months=tuple(months),
            raw=MappingProxyType(dict(p)),
        )


# --------------------------------------------------------------------------- reservations


class Weekday(StrEnum):
    """Days of the ``week`` bitfield (Sun = 128 ... Sat = 2; bit 0 unused)."""

    SUNDAY = "sunday"
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"

    @property
    def bit(self) -> int:
        return _WEEKDAY_BITS[self]


_WEEKDAY_BITS: Final[Mapping[Weekday, int]] = {
    Weekday.SUNDAY: 128,
    Weekday.MONDAY: 64,
    Weekday.TUESDAY: 32,
    Weekday.WEDNESDAY: 16,
    Weekday.THURSDAY: 8,
    Weekday.FRIDAY: 4,
    Weekday.SATURDAY: 2,
}


def weekdays_from_bits(week: int) -> frozenset[Weekday]:
    """Decode a ``week`` bitfield (bit 0 ignored)."""
    return frozenset(day for day, bit in _WEEKDAY_BITS.items() if week & bit)


def weekdays_to_bits(days: Iterable[Weekday | str]) -> int:
    """Encode day names (``"monday"``/``Weekday.MONDAY``) as a ``week`` bitfield."""
    bits = 0
    for day in days:
        try:
            bits |= Weekday(str(day).lower()).bit
        except ValueError as err:
            raise OutOfRangeError(f"unknown weekday {day!r}") from err
    return bits


@dataclass(frozen=True, slots=True, init=False)
class Reservation:
    """One weekly reservation entry (spec 6.4).

    ``weekdays`` accepts day names or a ``week`` bitfield int; it is stored as a frozenset
    of :class:`Weekday`. ``temperature`` is °C (sent as half-°C ``param``).
    Raises :class:`OutOfRangeError` for an invalid hour, minute, mode or temperature.
    """

    enabled: bool
    weekdays: frozenset[Weekday]
    hour: int
    minute: int
    mode: DhwMode
    temperature: float

    def __init__(
        self,
        *,
        enabled: bool,
        weekdays: Iterable[Weekday | str] | int,
        hour: int,
        minute: int,
        mode: DhwMode,
        temperature: float,
    ) -> None:
        if isinstance(weekdays, bool):
            raise OutOfRangeError("weekdays must be day names or a bitfield")
        if isinstance(weekdays, int):
            if not 0 <= weekdays <= 255:
                raise OutOfRangeError(f"week bitfield {weekdays} out of range 0..255")
            days = weekdays_from_bits(weekdays)
        elif isinstance(weekdays, str):
            days = weekdays_from_bits(weekdays_to_bits([weekdays]))
        else:
            days = weekdays_from_bits(weekdays_to_bits(weekdays))
        if _int(hour) is None or not 0 <= hour <= 23:
            raise OutOfRangeError(f"hour {hour!r} out of range 0..23")
        if _int(minute) is None or not 0 <= minute <= 59:
            raise OutOfRangeError(f"minute {minute!r} out of range 0..59")
        if not isinstance(mode, DhwMode):
            raise OutOfRangeError(f"mode {mode!r} is not a DhwMode")
        temp = _num(temperature)
        if temp is None or not 0 <= round(temp * 2) <= 255:
            raise OutOfRangeError(f"temperature {temperature!r} out of range 0..127.5 °C")
        object.__setattr__(self, "enabled", bool(enabled))
        object.__setattr__(self, "weekdays", days)
        object.__setattr__(self, "hour", int(hour))
        object.__setattr__(self, "minute", int(minute))
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "temperature", round(temp * 2) / 2)

    @property
    def week(self) -> int:
        """The ``week`` bitfield."""
        return weekdays_to_bits(self.weekdays)

    @property
    def param(self) -> int:
        """Temperature as half-°C."""
        return round(self.temperature * 2)

    def to_wire(self) -> dict[str, int]:
        return {
            "enable": 2 if self.enabled else 1,
            "week": self.week,
            "hour": self.hour,
            "min": self.minute,
            "mode": self.mode.code,
            "param": self.param,
        }

    def to_bytes(self) -> bytes:
        w = self.to_wire()
        return bytes([w["enable"], w["week"], w["hour"], w["min"], w["mode"], w["param"]])

    @classmethod
    def from_wire(cls, entry: Mapping[str, Any]) -> Reservation:
        """Parse a wire entry dict; raises MalformedPayloadError for invalid content."""
        values = [_int(entry.get(k)) for k in ("enable", "week", "hour", "min", "mode", "param")]
        return cls._from_values(values)

    @classmethod
    def _from_values(cls, values: Sequence[int | None]) -> Reservation:
        enable, week, hour, minute, mode_code, param = values
        mode = DhwMode.from_code(mode_code)
        if week is None or hour is None or minute is None or param is None or mode is None:
            raise MalformedPayloadError(f"invalid reservation entry {list(values)}")
        try:
            return cls(
                enabled=enable == 2,
                weekdays=week & 0xFE,
                hour=hour,
                minute=minute,
                mode=mode,
                temperature=param / 2,
            )
        except (OutOfRangeError, OverflowError) as err:
            raise MalformedPayloadError(f"invalid reservation entry: {err}") from err

    def sort_key(self) -> tuple[int, int, int, int, int, bool]:
        return (self.hour, self.minute, self.week, self.mode.code, self.param, self.enabled)


@dataclass(frozen=True, slots=True)
class ReservationSchedule:
    """The reservation program: a global enable plus its entries."""

    enabled: bool
    entries: tuple[Reservation, ...] = ()

    @property
    def reservation_use(self) -> int:
        """Wire ``reservationUse``: 2 enabled, 1 disabled."""
        return 2 if self.enabled else 1

    def to_wire(self) -> list[dict[str, int]]:
        """The ``reservation`` list to send."""
        return [entry.to_wire() for entry in self.entries]

    def to_hex(self) -> str:
        """Entries as the hex string a reservation read reply carries."""
        return b"".join(entry.to_bytes() for entry in self.entries).hex()

    def matches(self, other: ReservationSchedule) -> bool:
        """Same enable flag and the same entries in any order (for confirming an echo)."""
        return self.enabled == other.enabled and sorted(
            self.entries, key=Reservation.sort_key
        ) == sorted(other.entries, key=Reservation.sort_key)

    @classmethod
    def from_wire(cls, reservation_use: object, reservation: object) -> ReservationSchedule:
        """Parse ``reservationUse`` (2 = enabled) and ``reservation`` (hex string, 6 bytes
        per entry, all-zero chunks skipped; or a list of entry dicts). Raises
        MalformedPayloadError for undecodable entries."""
        entries: list[Reservation] = []
        if isinstance(reservation, str):
            text = reservation.strip()
            try:
                data = bytes.fromhex(text)
            except ValueError as err:
                raise MalformedPayloadError("reservation is not a hex string") from err
            if len(data) % 6:
                raise MalformedPayloadError("reservation hex length is not a multiple of 6 bytes")
            for i in range(0, len(data), 6):
                chunk = data[i : i + 6]
                if not any(chunk):
                    continue
                entries.append(Reservation._from_values(list(chunk)))
        elif isinstance(reservation, list):
            for item in reservation:
                if not isinstance(item, Mapping):
                    raise MalformedPayloadError("reservation entry is not an object")
                entries.append(Reservation.from_wire(item))
        elif reservation is not None:
            raise MalformedPayloadError("reservation is neither a hex string nor a list")
        return cls(enabled=_int(reservation_use) == 2, entries=tuple(entries))

    @classmethod
    def from_payload(cls, payload: object) -> ReservationSchedule:
        """Parse a whole reservation ``response`` object."""
        p = _mapping(payload, "reservation reply")
        return cls.from_wire(p.get("reservationUse"), p.get("reservation"))
