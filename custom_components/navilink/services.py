"""Actions of the Navien NaviLink integration."""

from __future__ import annotations

from datetime import time
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .client.errors import OutOfRangeError
from .client.models import DhwMode, Reservation, ReservationSchedule, Weekday
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DAYS,
    ATTR_DEEP,
    ATTR_DEVICE_ID,
    ATTR_ENABLED,
    ATTR_INDEX,
    ATTR_MODE,
    ATTR_MONTHS,
    ATTR_TEMPERATURE,
    ATTR_TIME,
    ATTR_WEEKDAYS,
    ATTR_YEAR,
    DOMAIN,
    MAX_VACATION_DAYS,
    MIN_VACATION_DAYS,
    SERVICE_ADD_RESERVATION,
    SERVICE_LIST_RESERVATIONS,
    SERVICE_RECONNECT,
    SERVICE_REMOVE_RESERVATION,
    SERVICE_REQUEST_ENERGY_USAGE,
    SERVICE_SET_VACATION_DAYS,
)
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator
from .helpers import run_command, translate_error

RESERVATION_MODES: dict[str, DhwMode] = {
    "heat_pump": DhwMode.HEAT_PUMP,
    "electric": DhwMode.ELECTRIC,
    "energy_saver": DhwMode.ENERGY_SAVER,
    "high_demand": DhwMode.HIGH_DEMAND,
    "vacation": DhwMode.VACATION,
    "off": DhwMode.POWER_OFF,
}
MODE_NAMES = {mode: name for name, mode in RESERVATION_MODES.items()}

DEVICE_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})

SET_VACATION_DAYS_SCHEMA = DEVICE_SCHEMA.extend(
    {
        vol.Required(ATTR_DAYS): vol.All(
            vol.Coerce(int), vol.Range(min=MIN_VACATION_DAYS, max=MAX_VACATION_DAYS)
        )
    }
)
ADD_RESERVATION_SCHEMA = DEVICE_SCHEMA.extend(
    {
        vol.Required(ATTR_WEEKDAYS): vol.All(
            cv.ensure_list, [vol.In([day.value for day in Weekday])]
        ),
        vol.Required(ATTR_TIME): cv.time,
        vol.Required(ATTR_MODE): vol.In(list(RESERVATION_MODES)),
        vol.Required(ATTR_TEMPERATURE): vol.All(vol.Coerce(float), vol.Range(min=0, max=100)),
        vol.Optional(ATTR_ENABLED, default=True): cv.boolean,
    }
)
REMOVE_RESERVATION_SCHEMA = DEVICE_SCHEMA.extend(
    {vol.Required(ATTR_INDEX): vol.All(vol.Coerce(int), vol.Range(min=1))}
)
ENERGY_SCHEMA = DEVICE_SCHEMA.extend(
    {
        vol.Optional(ATTR_YEAR): vol.All(vol.Coerce(int), vol.Range(min=2000, max=2100)),
        vol.Optional(ATTR_MONTHS): vol.All(
            cv.ensure_list, [vol.All(vol.Coerce(int), vol.Range(min=1, max=12))]
        ),
    }
)
RECONNECT_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_DEEP, default=False): cv.boolean,
    }
)


def _loaded_coordinator(hass: HomeAssistant, entry_id: str) -> NaviLinkCoordinator:
    entry: NaviLinkConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    return entry.runtime_data.coordinator


def _target(call: ServiceCall) -> tuple[NaviLinkCoordinator, str]:
    """The coordinator and MAC of the heater a call targets."""
    device_id: str = call.data[ATTR_DEVICE_ID]
    device = dr.async_get(call.hass).async_get(device_id)
    if device is not None:
        entry = call.hass.config_entries.async_get_entry(device.config_entry_id)
        if entry is not None and entry.domain == DOMAIN:
            coordinator = _loaded_coordinator(call.hass, entry.entry_id)
            for domain, identifier in device.identifiers:
                if domain == DOMAIN and identifier in coordinator.data.devices:
                    return coordinator, identifier
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="device_not_found",
        translation_placeholders={"device_id": device_id},
    )


def _schedule_response(schedule: ReservationSchedule) -> dict[str, Any]:
    return {
        "enabled": schedule.enabled,
        "reservations": [
            {
                "index": index,
                "enabled": entry.enabled,
                "weekdays": sorted(day.value for day in entry.weekdays),
                "time": f"{entry.hour:02d}:{entry.minute:02d}",
                "mode": MODE_NAMES[entry.mode],
                "temperature": entry.temperature,
            }
            for index, entry in enumerate(schedule.entries, start=1)
        ],
    }


async def _set_vacation_days(call: ServiceCall) -> None:
    coordinator, mac = _target(call)
    days: int = call.data[ATTR_DAYS]
    coordinator.vacation_days[mac] = days
    await run_command(coordinator.session.set_vacation(mac, days))


async def _list_reservations(call: ServiceCall) -> ServiceResponse:
    coordinator, mac = _target(call)
    schedule = await run_command(coordinator.session.read_reservations(mac))
    return _schedule_response(schedule)


async def _add_reservation(call: ServiceCall) -> ServiceResponse:
    coordinator, mac = _target(call)
    at: time = call.data[ATTR_TIME]
    if not call.data[ATTR_WEEKDAYS]:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_weekdays")
    try:
        entry = Reservation(
            enabled=call.data[ATTR_ENABLED],
            weekdays=call.data[ATTR_WEEKDAYS],
            hour=at.hour,
            minute=at.minute,
            mode=RESERVATION_MODES[call.data[ATTR_MODE]],
            temperature=call.data[ATTR_TEMPERATURE],
        )
    except OutOfRangeError as err:
        raise translate_error(err) from err
    schedule = await run_command(coordinator.session.read_reservations(mac))
    written = await run_command(
        coordinator.session.write_reservations(mac, True, [*schedule.entries, entry])
    )
    return _schedule_response(written)


async def _remove_reservation(call: ServiceCall) -> ServiceResponse:
    coordinator, mac = _target(call)
    index: int = call.data[ATTR_INDEX]
    schedule = await run_command(coordinator.session.read_reservations(mac))
    if index > len(schedule.entries):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_reservation_index",
            translation_placeholders={"index": str(index), "count": str(len(schedule.entries))},
        )
    entries = [e for i, e in enumerate(schedule.entries, start=1) if i != index]
    written = await run_command(
        coordinator.session.write_reservations(mac, schedule.enabled, entries)
    )
    return _schedule_response(written)


async def _request_energy_usage(call: ServiceCall) -> ServiceResponse:
    coordinator, mac = _target(call)
    today = dt_util.now()
    year: int = call.data.get(ATTR_YEAR, today.year)
    months: list[int] = call.data.get(ATTR_MONTHS) or [today.month]
    usage = await run_command(coordinator.session.request_energy_usage(mac, year, months))
    return {
        "total": {
            "heat_pump_wh": usage.total.heat_pump_wh,
            "element_wh": usage.total.element_wh,
            "heat_pump_hours": usage.total.heat_pump_hours,
            "element_hours": usage.total.element_hours,
        },
        "months": [
            {
                "year": month.year,
                "month": month.month,
                "heat_pump_wh": month.totals.heat_pump_wh,
                "element_wh": month.totals.element_wh,
                "days": [
                    {"day": day, "heat_pump_wh": d.heat_pump_wh, "element_wh": d.element_wh}
                    for day, d in enumerate(month.days, start=1)
                ],
            }
            for month in usage.months
        ],
    }


async def _reconnect(call: ServiceCall) -> None:
    coordinator = _loaded_coordinator(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    await run_command(coordinator.session.reconnect(deep=call.data[ATTR_DEEP]))


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_VACATION_DAYS, _set_vacation_days, schema=SET_VACATION_DAYS_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_RESERVATIONS,
        _list_reservations,
        schema=DEVICE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADD_RESERVATION,
        _add_reservation,
        schema=ADD_RESERVATION_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REMOVE_RESERVATION,
        _remove_reservation,
        schema=REMOVE_RESERVATION_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REQUEST_ENERGY_USAGE,
        _request_energy_usage,
        schema=ENERGY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(DOMAIN, SERVICE_RECONNECT, _reconnect, schema=RECONNECT_SCHEMA)
