"""Rendering a heater's state as the status, feature and energy payloads the device sends."""

from __future__ import annotations

import calendar
from typing import Any

from navilink_sim.profiles import Profile
from navilink_sim.protocol import (
    DHW_MAX,
    DHW_MIN,
    FREEZE_MAX,
    FREEZE_MIN,
    RECIRC_MAX,
    RECIRC_MIN,
    STATUS_COMMAND,
    DhwMode,
    OperationMode,
    TemperatureType,
    deci_c,
    flag,
    half_c,
)
from navilink_sim.settings import Settings
from navilink_sim.tank import AMBIENT_C, INLET_C, DayUsage, Tank

STATUS_DEFAULTS: dict[str, int | float] = {
    "didReload": 1,
    "operationBusy": 1,
    "dhwUseSustained": 1,
    "dhwOperationBusy": 1,
    "ecoUse": 1,
    "shutOffValveUse": 1,
    "conOvrSensorUse": 1,
    "wtrOvrSensorUse": 1,
    "antiLegionellaOperationBusy": 1,
    "errorBuzzerUse": 2,
    "scaldUse": 1,
    "recircOperationBusy": 1,
    "recircReservationUse": 1,
    "specialFunctionStatus": 0,
    "errorCode": 0,
    "subErrorCode": 0,
    "smartDiagnostic": 0,
    "faultStatus1": 0,
    "faultStatus2": 0,
    "wifiRssi": -52,
    "programReservationType": 0,
    "tempFormulaType": 1,
    "currentStatenum": 0,
    "mixingRate": 0.0,
    "drOverrideStatus": 0,
    "touOverrideStatus": 2,
    "recircOperationMode": 0,
    "recircPumpOperationStatus": 0,
    "recircHotBtnReady": 0,
    "recircOperationReason": 0,
    "recircErrorStatus": 0,
    "recircDhwFlowRate": 0,
    "heatMinOpTemperature": 10,
    "recircTempSetting": 100,
    "hpUpperOnDiffTempSetting": -50,
    "hpUpperOffDiffTempSetting": 0,
    "hpLowerOnDiffTempSetting": -60,
    "hpLowerOffDiffTempSetting": 0,
    "heUpperOnDiffTempSetting": -80,
    "heUpperOffDiffTempSetting": 0,
    "heLowerOnTDiffempSetting": -100,
    "heLowerOffDiffTempSetting": 0,
    "targetSuperHeat": 50,
}

# `operationMode` while heating follows the chosen mode, not the heat sources that happen to run
# (High Demand running only its compressor still reports 96). Electric has no documented code;
# the simulator reports 96, the code of the other element-led mode, since strict clients reject
# anything outside 0/32/64/96.
HEATING_CODES: dict[DhwMode, OperationMode] = {
    DhwMode.HEAT_PUMP: OperationMode.HEAT_PUMP,
    DhwMode.ENERGY_SAVER: OperationMode.HYBRID_EFFICIENCY,
    DhwMode.HIGH_DEMAND: OperationMode.HYBRID_BOOST,
    DhwMode.ELECTRIC: OperationMode.HYBRID_BOOST,
}


def operation_mode(settings: Settings, tank: Tank) -> OperationMode:
    """``operationMode``: standby unless heating, then the code of the chosen mode."""
    if not tank.heating:
        return OperationMode.STANDBY
    return HEATING_CODES.get(settings.mode, OperationMode.STANDBY)


def status_payload(
    mac: str, settings: Settings, tank: Tank, units: TemperatureType
) -> dict[str, Any]:
    """The ``status`` object of a status reply or control ack.

    Temperatures are half- or tenth-degrees Celsius whatever the panel shows: ``units`` only
    sets ``temperatureType``, which tells clients the unit the owner reads on the heater.
    """
    total, available = tank.capacity_counts(settings.setpoint_c)
    sp = settings.setpoint_raw
    comp = tank.comp_on
    vacation = settings.mode is DhwMode.VACATION
    status: dict[str, Any] = dict(STATUS_DEFAULTS)
    status.update(
        {
            "command": STATUS_COMMAND,
            "macAddress": mac,
            "outsideTemperature": half_c(AMBIENT_C),
            "dhwChargePer": tank.charge_percent(settings.setpoint_c),
            "drEventStatus": 1 if settings.dr else 0,
            "vacationDaySetting": settings.vacation_days if vacation else 0,
            "vacationDayElapsed": int(tank.vacation_elapsed_s // 86400) if vacation else 0,
            "antiLegionellaPeriod": settings.anti_leg_period,
            "antiLegionellaUse": flag(settings.anti_leg),
            "targetFanRpm": 900 if comp else 0,
            "currentFanRpm": 880 if comp else 0,
            "fanPwm": 55 if comp else 0,
            "eevStep": 210 if comp else 0,
            "airFilterAlarmElapsed": int(tank.air_filter_elapsed_h),
            "airFilterAlarmUse": flag(settings.air_filter_period_h > 0),
            "airFilterAlarmPeriod": settings.air_filter_period_h,
            "cumulatedOpTimeEvaFan": int(tank.fan_hours),
            "cumulatedDhwFlowRate": round(tank.cumulated_litres, 1),
            "touStatus": 1 if settings.tou else 0,
            "totalEnergyCapacity": total,
            "availableEnergyCapacity": available,
            "currentInstPower": round(tank.hp_power_w),
            "freezeProtectionUse": 2,
            "dhwUse": flag(tank.drawing),
            "programReservationUse": flag(settings.reservation_use == 2),
            "compUse": flag(comp),
            "eevUse": flag(comp),
            "evaFanUse": flag(comp),
            "currentHeatUse": int(tank.heat_source),
            "heatUpperUse": flag(tank.upper_el),
            "heatLowerUse": flag(tank.lower_el),
            "recircOperationMode": settings.recirc_mode,
            "dhwTemperature": half_c(tank.upper_c),
            "dhwTemperature2": half_c(tank.upper_c - 0.5),
            "dhwTemperatureSetting": sp,
            "dhwTargetTemperatureSetting": sp,
            "freezeProtectionTemperature": settings.freeze_raw,
            "freezeProtectionTempMin": FREEZE_MIN,
            "freezeProtectionTempMax": FREEZE_MAX,
            "hpUpperOnTempSetting": sp - 10,
            "hpUpperOffTempSetting": sp,
            "hpLowerOnTempSetting": sp - 12,
            "hpLowerOffTempSetting": sp - 2,
            "heUpperOnTempSetting": sp - 16,
            "heUpperOffTempSetting": sp,
            "heLowerOnTempSetting": sp - 20,
            "heLowerOffTempSetting": sp - 4,
            "recircTemperature": half_c(tank.upper_c - 5),
            "recircFaucetTemperature": half_c(tank.upper_c - 8),
            "currentInletTemperature": half_c(INLET_C),
            "currentDhwFlowRate": round(tank.draw_lpm * 10) if tank.drawing else 0,
            "tankUpperTemperature": deci_c(tank.upper_c),
            "tankLowerTemperature": deci_c(tank.lower_c),
            "dischargeTemperature": deci_c(tank.upper_c + 20 if comp else AMBIENT_C),
            "suctionTemperature": deci_c(AMBIENT_C - 5 if comp else AMBIENT_C),
            "evaporatorTemperature": deci_c(AMBIENT_C - 8 if comp else AMBIENT_C),
            "ambientTemperature": deci_c(AMBIENT_C),
            "currentSuperHeat": 48 if comp else 0,
            "operationMode": int(operation_mode(settings, tank)),
            "dhwOperationSetting": int(settings.mode),
            "temperatureType": int(units),
        }
    )
    return status


# swCode -> the feature payload's version key of that component
FIRMWARE_VERSION_KEYS: dict[int, str] = {
    1: "controllerSwVersion",
    2: "panelSwVersion",
    4: "wifiSwVersion",
}


def feature_payload(mac: str, profile: Profile, units: TemperatureType) -> dict[str, Any]:
    """The ``feature`` object of a device-info (``st/did``) reply."""
    feature: dict[str, Any] = {
        "countryCode": 3,
        "modelTypeCode": profile.model_type_code,
        "controlTypeCode": 100,
        "volumeCode": profile.volume_code,
        "controllerSwVersion": 184614912,
        "panelSwVersion": 184614912,
        "wifiSwVersion": 184614912,
        "controllerSwCode": 1,
        "panelSwCode": 2,
        "wifiSwCode": 4,
        "recircSwVersion": profile.recirc_sw_version,
        "recircModelTypeCode": profile.recirc_model_type_code,
        "controllerSerialNumber": f"SIM{mac.upper()}",
        "dhwTemperatureSettingUse": 2,
        "temperatureType": int(units),
        "tempFormulaType": 1,
        "dhwTemperatureMin": DHW_MIN,
        "dhwTemperatureMax": DHW_MAX,
        "freezeProtectionTempMin": FREEZE_MIN,
        "freezeProtectionTempMax": FREEZE_MAX,
        "recircTemperatureMin": RECIRC_MIN,
        "recircTemperatureMax": RECIRC_MAX,
    }
    feature.update(profile.flags())
    return feature


def _usage_dict(rec: DayUsage) -> dict[str, int]:
    return {
        "hpUsage": round(rec.hp_wh),
        "heUsage": round(rec.he_wh),
        "hpTime": round(rec.hp_s / 3600),
        "heTime": round(rec.he_s / 3600),
    }


def energy_payload(tank: Tank, year: int, months: list[int]) -> dict[str, Any]:
    """The flat body of an energy-usage reply: daily use of each asked month."""
    total = DayUsage()
    usage: list[dict[str, Any]] = []
    for month in months:
        if not 1 <= month <= 12:
            continue
        days = calendar.monthrange(year, month)[1]
        data: list[dict[str, int]] = []
        for day in range(1, days + 1):
            rec = tank.days.get((year, month, day), DayUsage())
            total.hp_wh += rec.hp_wh
            total.he_wh += rec.he_wh
            total.hp_s += rec.hp_s
            total.he_s += rec.he_s
            data.append(_usage_dict(rec))
        usage.append({"year": year, "month": month, "data": data})
    return {"typeOfUsage": 1, "total": _usage_dict(total), "usage": usage}
