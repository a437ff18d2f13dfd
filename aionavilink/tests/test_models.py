"""Tests for the typed, unit-converted models."""

from __future__ import annotations

from typing import Any

import pytest

from aionavilink import (
    DeviceFeature,
    DeviceStatus,
    DhwMode,
    DrEvent,
    EnergyUsage,
    HeatSource,
    MalformedPayloadError,
    NaviLinkDevice,
    NaviLinkProtocolError,
    OperationMode,
    OutOfRangeError,
    Reservation,
    ReservationSchedule,
    TemperatureUnit,
    Weekday,
)

# Every key of spec section 7.2, with realistic raw values.
FULL_STATUS: dict[str, Any] = {
    "command": 67108883,
    "macAddress": "04786332fca0",
    "temperatureType": 2,
    "tempFormulaType": 1,
    "errorCode": 0,
    "subErrorCode": 0,
    "wifiRssi": -54,
    # HalfCelsius
    "dhwTemperature": 103,  # 51.5 °C
    "dhwTemperature2": 101,
    "dhwTemperatureSetting": 120,  # 60 °C
    "dhwTargetTemperatureSetting": 120,
    "freezeProtectionTemperature": 14,
    "hpUpperOnTempSetting": 110,
    "hpUpperOffTempSetting": 120,
    "hpLowerOnTempSetting": 100,
    "hpLowerOffTempSetting": 118,
    "heUpperOnTempSetting": 105,
    "heUpperOffTempSetting": 120,
    "heLowerOnTempSetting": 95,
    "heLowerOffTempSetting": 118,
    "heatMinOpTemperature": 10,
    "recircTempSetting": 90,
    "recircTemperature": 0,
    "recircFaucetTemperature": 0,
    "currentInletTemperature": 31,  # 15.5 °C
    "freezeProtectionTempMin": 12,
    "freezeProtectionTempMax": 20,
    # RawCelsius (half-°C)
    "outsideTemperature": 43,  # 21.5 °C
    # DeciCelsius
    "tankUpperTemperature": 512,
    "tankLowerTemperature": 398,
    "dischargeTemperature": 655,
    "suctionTemperature": 87,
    "evaporatorTemperature": 62,
    "ambientTemperature": 214,
    "targetSuperHeat": 50,
    "currentSuperHeat": 47,
    # DeciCelsius delta
    "hpUpperOnDiffTempSetting": 0,
    "hpUpperOffDiffTempSetting": 0,
    "hpLowerOnDiffTempSetting": 0,
    "hpLowerOffDiffTempSetting": 0,
    "heUpperOnDiffTempSetting": 0,
    "heUpperOffDiffTempSetting": 0,
    "heLowerOnTDiffempSetting": 0,
    "heLowerOffDiffTempSetting": 0,
    # flow, power, energy
    "currentDhwFlowRate": 57,  # 5.7 L/min
    "recircDhwFlowRate": 0,
    "cumulatedDhwFlowRate": 12345,
    "currentInstPower": 412,
    "totalEnergyCapacity": 1580,
    "availableEnergyCapacity": 1166,
    "dhwChargePer": 74,
    "mixingRate": 0,
    # counters
    "airFilterAlarmPeriod": 1000,
    "airFilterAlarmElapsed": 132,
    "cumulatedOpTimeEvaFan": 2210,
    "drOverrideStatus": 0,
    "vacationDaySetting": 0,
    "vacationDayElapsed": 0,
    "antiLegionellaPeriod": 7,
    "targetFanRpm": 900,
    "currentFanRpm": 880,
    "fanPwm": 40,
    "eevStep": 210,
    "specialFunctionStatus": 0,
    "smartDiagnostic": 0,
    "faultStatus1": 0,
    "faultStatus2": 0,
    "programReservationType": 0,
    "currentStatenum": 3,
    "recircPumpOperationStatus": 0,
    "recircHotBtnReady": 0,
    "recircOperationReason": 0,
    "recircErrorStatus": 0,
    # flags, 0 means False
    "didReload": 1,
    "freezeProtectionUse": 2,
    "dhwUse": 1,
    "dhwUseSustained": 0,
    "dhwOperationBusy": 2,
    "programReservationUse": 1,
    "ecoUse": 2,
    "eevUse": 2,
    "evaFanUse": 2,
    "shutOffValveUse": 1,
    "conOvrSensorUse": 1,
    "wtrOvrSensorUse": 2,
    "errorBuzzerUse": 2,
    "scaldUse": 1,
    "recircOperationBusy": 1,
    # flags, 0 means unknown
    "operationBusy": 2,
    "compUse": 2,
    "antiLegionellaUse": 2,
    "antiLegionellaOperationBusy": 1,
    "heatUpperUse": 1,
    "heatLowerUse": 0,
    "airFilterAlarmUse": 2,
    "recircReservationUse": 1,
    # special
    "touStatus": 1,
    "touOverrideStatus": 2,
    # enums
    "operationMode": 64,
    "dhwOperationSetting": 3,
    "currentHeatUse": 1,
    "drEventStatus": 2,
    "recircOperationMode": 0,
}

FULL_FEATURE: dict[str, Any] = {
    "countryCode": 3,
    "modelTypeCode": 513,
    "controlTypeCode": 100,
    "volumeCode": 2,
    "controllerSwVersion": 184614912,
    "panelSwVersion": 184614913,
    "wifiSwVersion": 184614914,
    "controllerSwCode": 1,
    "panelSwCode": 2,
    "wifiSwCode": 4,
    "recircSwVersion": 0,
    "recircModelTypeCode": 0,
    "controllerSerialNumber": "NWP500-ABC123",
    "dhwTemperatureSettingUse": 2,
    "temperatureType": 1,
    "tempFormulaType": 1,
    "dhwTemperatureMin": 81,
    "dhwTemperatureMax": 131,
    "freezeProtectionTempMin": 12,
    "freezeProtectionTempMax": 20,
    "recircTemperatureMin": 81,
    "recircTemperatureMax": 120,
    "powerUse": 2,
    "holidayUse": 2,
    "programReservationUse": 2,
    "dhwUse": 2,
    "smartDiagnosticUse": 1,
    "wifiRssiUse": 2,
    "energyUsageUse": 2,
    "freezeProtectionUse": 2,
    "mixingValveUse": 1,
    "drSettingUse": 2,
    "antiLegionellaSettingUse": 2,
    "hpwhUse": 2,
    "dhwRefillUse": 1,
    "ecoUse": 2,
    "electricUse": 2,
    "heatpumpUse": 2,
    "energySaverUse": 2,
    "highDemandUse": 1,
    "recirculationUse": 0,
    "recircReservationUse": 1,
    "title24Use": 1,
}


# --------------------------------------------------------------------------- enums


def test_dhw_mode_codes_round_trip() -> None:
    assert [m.code for m in DhwMode] == [1, 2, 3, 4, 5, 6]
    for mode in DhwMode:
        assert DhwMode.from_code(mode.code) is mode
    assert str(DhwMode.HEAT_PUMP) == "heat_pump"
    assert DhwMode.from_code(0) is None
    assert DhwMode.from_code(7) is None
    assert DhwMode.from_code(True) is None
    assert DhwMode.from_code("1") is None


def test_other_enum_codes() -> None:
    assert OperationMode.from_code(96) is OperationMode.HYBRID_BOOST
    assert OperationMode.from_code(1) is None
    assert HeatSource.from_code(3) is HeatSource.BOTH
    assert DrEvent.from_code(5) is DrEvent.CUSTOMER_PEAK
    assert TemperatureUnit.from_code(2) is TemperatureUnit.FAHRENHEIT
    assert OperationMode.STANDBY.code == 0


# --------------------------------------------------------------------------- status


def test_full_status_conversions() -> None:
    s = DeviceStatus.from_payload(FULL_STATUS)
    assert s.dhw_temperature == 51.5
    assert s.dhw_temperature_2 == 50.5
    assert s.dhw_temperature_setting == 60.0
    assert s.dhw_target_temperature_setting == 60.0
    assert s.freeze_protection_temperature == 7.0
    assert s.freeze_protection_temperature_min == 6.0
    assert s.freeze_protection_temperature_max == 10.0
    assert s.current_inlet_temperature == 15.5
    assert s.outside_temperature == 21.5
    assert s.heat_min_op_temperature == 5.0
    assert s.tank_upper_temperature == pytest.approx(51.2)
    assert s.tank_lower_temperature == pytest.approx(39.8)
    assert s.discharge_temperature == pytest.approx(65.5)
    assert s.suction_temperature == pytest.approx(8.7)
    assert s.evaporator_temperature == pytest.approx(6.2)
    assert s.ambient_temperature == pytest.approx(21.4)
    assert s.target_super_heat == pytest.approx(5.0)
    assert s.current_super_heat == pytest.approx(4.7)
    assert s.current_power == 412
    assert s.total_energy_capacity == 6320
    assert s.available_energy_capacity == 4664
    assert s.usable_energy == 1656
    assert s.dhw_charge_percent == 74
    assert s.mixing_rate == 0
    assert s.current_flow_rate == pytest.approx(5.7)
    assert s.cumulated_flow == 12345
    assert s.wifi_rssi == -54
    assert s.error_code == 0
    assert s.sub_error_code == 0
    assert s.error_present is False
    assert s.command == 67108883
    assert s.operation_mode is OperationMode.HYBRID_EFFICIENCY
    assert s.dhw_mode is DhwMode.ENERGY_SAVER
    assert s.dhw_mode is not DhwMode.POWER_OFF
    assert s.heat_source is HeatSource.HEAT_PUMP
    assert s.dr_event is DrEvent.SHED
    assert s.temperature_unit is TemperatureUnit.FAHRENHEIT
    # 0-means-False group
    assert s.did_reload is False
    assert s.freeze_protection_enabled is True
    assert s.hot_water_in_use is False
    assert s.hot_water_in_use_sustained is False  # raw 0
    assert s.dhw_operation_busy is True
    assert s.program_reservation_enabled is False
    assert s.eco_enabled is True
    assert s.eev_on is True
    assert s.evaporator_fan_on is True
    assert s.shut_off_valve is False
    assert s.condensate_overflow_sensor is False
    assert s.water_leak_sensor is True
    assert s.error_buzzer_enabled is True
    assert s.scald_protection is False
    # 0-means-None group
    assert s.operation_busy is True
    assert s.compressor_on is True
    assert s.anti_legionella_enabled is True
    assert s.anti_legionella_running is False
    assert s.upper_element_on is False
    assert s.lower_element_on is None  # raw 0
    assert s.air_filter_alarm_enabled is True
    # special
    assert s.tou_enabled is True
    assert s.tou_override_active is False
    assert s.dr_override_hours == 0
    # counters
    assert s.vacation_days_setting == 0
    assert s.vacation_days_elapsed == 0
    assert s.anti_legionella_period_days == 7
    assert s.air_filter_alarm_period_h == 1000
    assert s.air_filter_alarm_elapsed_h == 132
    assert s.evaporator_fan_hours == 2210
    assert s.target_fan_rpm == 900
    assert s.current_fan_rpm == 880
    assert s.fan_pwm == 40
    assert s.eev_step == 210
    assert s.raw["heLowerOnTDiffempSetting"] == 0


def test_status_special_flags_and_derived() -> None:
    s = DeviceStatus.from_payload(
        {
            **FULL_STATUS,
            "touStatus": 0,
            "touOverrideStatus": 1,
            "dhwOperationSetting": 6,
            "errorCode": 781,
            "availableEnergyCapacity": 2000,  # more needed than total: clamp
            "drOverrideStatus": 48,
        }
    )
    assert s.tou_enabled is False
    assert s.tou_override_active is True
    assert s.dhw_mode is DhwMode.POWER_OFF
    assert s.dhw_mode is DhwMode.POWER_OFF
    assert s.error_present is True
    assert s.error_code == 781
    assert s.usable_energy == 0
    assert s.dr_override_hours == 48


def test_status_unknown_enum_and_bad_types_only_affect_their_field() -> None:
    s = DeviceStatus.from_payload(
        {
            **FULL_STATUS,
            "operationMode": 33,
            "dhwOperationSetting": 99,
            "currentHeatUse": "x",
            "drEventStatus": None,
            "temperatureType": 9,
            "dhwTemperature": "hot",
            "compUse": 7,
            "currentInstPower": True,
            "tankUpperTemperature": float("nan"),
        }
    )
    assert s.operation_mode is None
    assert s.dhw_mode is None
    assert s.dhw_mode is None
    assert s.heat_source is None
    assert s.dr_event is None
    assert s.temperature_unit is None
    assert s.dhw_temperature is None
    assert s.compressor_on is None
    assert s.current_power is None
    assert s.tank_upper_temperature is None
    # the rest survives
    assert s.dhw_temperature_setting == 60.0
    assert s.eco_enabled is True
    assert s.usable_energy == 1656


def test_status_missing_fields_are_none() -> None:
    s = DeviceStatus.from_payload({"dhwTemperature": 100})
    assert s.dhw_temperature == 50.0
    assert s.dhw_temperature_setting is None
    assert s.usable_energy is None
    assert s.total_energy_capacity is None
    assert s.hot_water_in_use is None
    assert s.tou_enabled is None
    assert s.tou_override_active is None
    assert s.error_present is False
    empty = DeviceStatus.from_payload({})
    assert empty == DeviceStatus()


def test_status_changed_fields() -> None:
    """The fields a status changed against the previous one (raw included), every field
    against none, nothing against an equal status."""
    old = DeviceStatus.from_payload(FULL_STATUS)
    same = DeviceStatus.from_payload(dict(FULL_STATUS))
    assert same.changed_fields(old) == frozenset()
    new = DeviceStatus.from_payload(
        {**FULL_STATUS, "dhwTemperature": FULL_STATUS["dhwTemperature"] + 2, "unknownKey": 1}
    )
    assert new.changed_fields(old) == {"dhw_temperature", "raw"}
    everything = new.changed_fields(None)
    assert {"dhw_temperature", "eev_step", "raw"} <= everything
    assert "usable_energy" not in everything  # derived values are not fields


def test_status_usable_energy_needs_both() -> None:
    s = DeviceStatus.from_payload({"totalEnergyCapacity": 100})
    assert s.total_energy_capacity == 400
    assert s.usable_energy is None


@pytest.mark.parametrize("payload", [None, [], "status", 3, [FULL_STATUS]])
def test_status_non_dict_is_malformed(payload: object) -> None:
    with pytest.raises(MalformedPayloadError):
        DeviceStatus.from_payload(payload)


def test_status_raw_is_read_only_and_excluded_from_eq() -> None:
    a = DeviceStatus.from_payload({**FULL_STATUS, "unknownExtra": 1})
    b = DeviceStatus.from_payload(FULL_STATUS)
    assert a == b
    assert "raw" not in repr(a)
    with pytest.raises(TypeError):
        a.raw["dhwTemperature"] = 0  # type: ignore[index]


# --------------------------------------------------------------------------- feature


def test_full_feature() -> None:
    f = DeviceFeature.from_payload(FULL_FEATURE)
    assert f.model_type_code == 513
    assert f.country_code == 3
    assert f.volume_gallons == 65
    assert f.controller_serial_number == "NWP500-ABC123"
    assert f.controller_sw_version == 184614912
    assert f.panel_sw_version == 184614913
    assert f.wifi_sw_version == 184614914
    assert f.temperature_unit is TemperatureUnit.CELSIUS
    assert f.dhw_temperature_min == 40.5
    assert f.dhw_temperature_max == 65.5
    assert f.freeze_protection_min == 6.0
    assert f.freeze_protection_max == 10.0
    assert f.temperature_step == 0.5
    assert f.supports_temperature_setting is True
    assert f.supports_power is True
    assert f.supports_vacation is True
    assert f.supports_reservations is True
    assert f.supports_mode_selection is True
    assert f.supports_energy_usage is True
    assert f.supports_freeze_protection is True
    assert f.supports_demand_response is True
    assert f.supports_anti_legionella is True
    assert f.supports_heat_pump_mode is True
    assert f.supports_electric_mode is True
    assert f.supports_energy_saver_mode is True
    assert f.supports_high_demand_mode is False
    assert f.supports_eco is True
    assert f.supports_wifi_rssi is True
    assert f.supports_mixing_valve is False
    assert f.supports_recirculation is False  # flag 0
    assert f.supported_modes == [DhwMode.HEAT_PUMP, DhwMode.ELECTRIC, DhwMode.ENERGY_SAVER]


@pytest.mark.parametrize(
    ("use", "step", "settable"),
    [(0, None, False), (1, None, False), (2, 0.5, True), (3, 1.0, True), (4, None, True)],
)
def test_feature_temperature_setting_use(use: int, step: float | None, settable: bool) -> None:
    f = DeviceFeature.from_payload({"dhwTemperatureSettingUse": use})
    assert f.temperature_step == step
    assert f.supports_temperature_setting is settable


def test_feature_tolerant() -> None:
    f = DeviceFeature.from_payload({"volumeCode": 9, "powerUse": "2", "heatpumpUse": 2})
    assert f.volume_gallons is None
    assert f.supports_power is None
    assert f.dhw_temperature_min is None
    assert f.dhw_temperature_max is None
    assert f.temperature_step is None
    assert f.supports_temperature_setting is None
    assert f.supported_modes == [DhwMode.HEAT_PUMP]
    assert DeviceFeature.from_payload({}).supported_modes == []
    with pytest.raises(MalformedPayloadError):
        DeviceFeature.from_payload(["feature"])


# --------------------------------------------------------------------------- device info

REST_DEVICE: dict[str, Any] = {
    "deviceInfo": {
        "homeSeq": 42,
        "macAddress": "04786332FCA0",
        "additionalValue": "5322",
        "deviceType": 52,
        "deviceName": "Garage",
        "connected": 2,
        "installType": "R",
    },
    "location": {"state": "CA", "city": "Irvine"},
}


def test_device_info_from_rest() -> None:
    d = NaviLinkDevice.from_rest(REST_DEVICE)
    assert d.mac == "04786332fca0"
    assert d.redacted_mac == "********fca0"
    assert d.additional_value == "5322"
    assert d.device_type == 52
    assert d.name == "Garage"
    assert d.online is True
    assert d.home_seq == 42
    assert d.install_type == "R"
    assert d.location["city"] == "Irvine"


@pytest.mark.parametrize(("connected", "online"), [(2, True), (1, False), (0, None), (None, None)])
def test_device_info_online(connected: object, online: bool | None) -> None:
    obj = {"deviceInfo": {**REST_DEVICE["deviceInfo"], "connected": connected}, "location": {}}
    assert NaviLinkDevice.from_rest(obj).online is online


@pytest.mark.parametrize(
    "obj",
    [
        None,
        {},
        {"deviceInfo": None, "location": {}},
        {"deviceInfo": {"additionalValue": "1"}, "location": {}},
        {"deviceInfo": {"macAddress": 5}, "location": {}},
    ],
)
def test_device_info_requires_device_info_and_mac(obj: object) -> None:
    with pytest.raises(NaviLinkProtocolError):
        NaviLinkDevice.from_rest(obj)


# --------------------------------------------------------------------------- energy


def test_energy_usage() -> None:
    day = {"hpUsage": 1200, "heUsage": 300, "hpTime": 5, "heTime": 1}
    e = EnergyUsage.from_payload(
        {
            "typeOfUsage": 1,
            "total": {"hpUsage": 2400, "heUsage": 600, "hpTime": 10, "heTime": 2},
            "usage": [{"year": 2025, "month": 1, "data": [day, day]}, "junk"],
        }
    )
    assert e.type_of_usage == 1
    assert e.total.heat_pump_wh == 2400
    assert e.total.element_wh == 600
    assert e.total.total_wh == 3000
    assert e.total.heat_pump_hours == 10
    assert e.total.element_hours == 2
    assert len(e.months) == 1
    month = e.months[0]
    assert (month.year, month.month, len(month.days)) == (2025, 1, 2)
    assert month.totals.heat_pump_wh == 2400
    assert month.totals.element_hours == 2


def test_energy_usage_tolerant() -> None:
    e = EnergyUsage.from_payload({"usage": [{"year": "x", "data": "y"}]})
    assert e.total.total_wh is None
    assert e.months[0].year is None
    assert e.months[0].days == ()
    with pytest.raises(MalformedPayloadError):
        EnergyUsage.from_payload("energy")


# --------------------------------------------------------------------------- reservations


def test_reservation_wire_and_weekdays() -> None:
    r = Reservation(
        enabled=True,
        weekdays=["monday", Weekday.FRIDAY],
        hour=6,
        minute=30,
        mode=DhwMode.HIGH_DEMAND,
        temperature=60.0,
    )
    assert r.week == 64 | 4
    assert r.to_wire() == {"enable": 2, "week": 68, "hour": 6, "min": 30, "mode": 4, "param": 120}
    weekdays = Reservation(
        enabled=False, weekdays=124, hour=0, minute=0, mode=DhwMode.ELECTRIC, temperature=50
    )
    assert weekdays.weekdays == {
        Weekday.MONDAY,
        Weekday.TUESDAY,
        Weekday.WEDNESDAY,
        Weekday.THURSDAY,
        Weekday.FRIDAY,
    }
    assert weekdays.to_wire()["enable"] == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hour": 24},
        {"hour": -1},
        {"minute": 60},
        {"mode": 3},
        {"temperature": 200.0},
        {"temperature": float("nan")},
        {"weekdays": ["funday"]},
        {"weekdays": 256},
    ],
)
def test_reservation_validation(kwargs: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "enabled": True,
        "weekdays": 254,
        "hour": 6,
        "minute": 0,
        "mode": DhwMode.HEAT_PUMP,
        "temperature": 55.0,
    }
    with pytest.raises(OutOfRangeError):
        Reservation(**{**base, **kwargs})


def _schedule() -> ReservationSchedule:
    return ReservationSchedule(
        enabled=True,
        entries=(
            Reservation(
                enabled=True,
                weekdays=124,
                hour=6,
                minute=30,
                mode=DhwMode.HIGH_DEMAND,
                temperature=60,
            ),
            Reservation(
                enabled=False,
                weekdays=[Weekday.SUNDAY, Weekday.SATURDAY],
                hour=22,
                minute=15,
                mode=DhwMode.ENERGY_SAVER,
                temperature=48.5,
            ),
        ),
    )


def test_reservation_hex_round_trip() -> None:
    schedule = _schedule()
    text = schedule.to_hex()
    assert text == "027c061e0478" + "018216 0f0361".replace(" ", "")
    # padded with all-zero chunks as the device does
    parsed = ReservationSchedule.from_wire(2, text + "00" * 12)
    assert parsed == schedule
    assert parsed.reservation_use == 2
    assert ReservationSchedule.from_wire(1, text.upper()).enabled is False


def test_reservation_list_round_trip_and_matching() -> None:
    schedule = _schedule()
    wire = schedule.to_wire()
    parsed = ReservationSchedule.from_wire(2, list(reversed(wire)))
    assert parsed != schedule  # different order ...
    assert parsed.matches(schedule)  # ... same content
    assert not parsed.matches(ReservationSchedule(enabled=False, entries=schedule.entries))
    assert ReservationSchedule.from_payload({"reservationUse": 2, "reservation": wire}) == schedule
    assert ReservationSchedule.from_wire(0, None) == ReservationSchedule(enabled=False)


@pytest.mark.parametrize(
    "reservation",
    ["zz", "0102", "02fe18000478", [{"enable": 2}], ["x"], 5, "02fe06000778"],
)
def test_reservation_malformed(reservation: object) -> None:
    with pytest.raises(MalformedPayloadError):
        ReservationSchedule.from_wire(2, reservation)
