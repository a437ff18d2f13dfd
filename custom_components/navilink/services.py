"""Actions of the Navien NaviLink integration.

The heater actions take a Home Assistant target (water heater entities, or their devices, areas
or labels); temperatures are in the user's unit system; responses are keyed by water heater
entity. `reconnect` acts on an account.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import time
from typing import Any, Final

import voluptuous as vol
from homeassistant.components.water_heater import DOMAIN as WATER_HEATER_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import service
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from aionavilink import (
    DeviceFeature,
    OutOfRangeError,
    Reservation,
    ReservationSchedule,
    Weekday,
)

from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DAYS,
    ATTR_DEEP,
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
    SIGNAL_VACATION_DAYS,
)
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator
from .helpers import run_command, translate_error
from .modes import RESERVATION_MODE_NAMES, RESERVATION_MODES
from .temperature import check_range, from_celsius, setpoint_limits, to_celsius, user_unit

# Field ranges, shared by the schemas and services.yaml (a test checks that they agree).
# A reservation temperature is in the user's unit: the envelope covers °C and °F; the heater's
# own limits are checked against its feature data.
TEMPERATURE_FIELD_MIN: Final = 40
TEMPERATURE_FIELD_MAX: Final = 150
YEAR_MIN: Final = 2015
YEAR_MAX: Final = 2100

SET_VACATION_DAYS_SCHEMA: Final = {
    vol.Required(ATTR_DAYS): vol.All(
        vol.Coerce(int), vol.Range(min=MIN_VACATION_DAYS, max=MAX_VACATION_DAYS)
    )
}
LIST_RESERVATIONS_SCHEMA: Final[dict[Any, Any]] = {}
ADD_RESERVATION_SCHEMA: Final = {
    vol.Required(ATTR_WEEKDAYS): vol.All(cv.ensure_list, [vol.In([day.value for day in Weekday])]),
    vol.Required(ATTR_TIME): cv.time,
    vol.Required(ATTR_MODE): vol.In(list(RESERVATION_MODES)),
    vol.Required(ATTR_TEMPERATURE): vol.All(
        vol.Coerce(float), vol.Range(min=TEMPERATURE_FIELD_MIN, max=TEMPERATURE_FIELD_MAX)
    ),
    vol.Optional(ATTR_ENABLED, default=True): cv.boolean,
}
REMOVE_RESERVATION_SCHEMA: Final = {
    vol.Required(ATTR_INDEX): vol.All(vol.Coerce(int), vol.Range(min=1))
}
ENERGY_SCHEMA: Final = {
    vol.Optional(ATTR_YEAR): vol.All(vol.Coerce(int), vol.Range(min=YEAR_MIN, max=YEAR_MAX)),
    vol.Optional(ATTR_MONTHS): vol.All(
        cv.ensure_list, [vol.All(vol.Coerce(int), vol.Range(min=1, max=12))]
    ),
}
RECONNECT_SCHEMA: Final = vol.Schema(
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


@dataclass(frozen=True, slots=True)
class Heater:
    """A targeted heater: its water heater entity, its account's coordinator, its MAC."""

    entity_id: str
    coordinator: NaviLinkCoordinator
    mac: str

    @property
    def feature(self) -> DeviceFeature | None:
        """The heater's capabilities and limits, once reported."""
        return self.coordinator.data.feature.get(self.mac)


def _heater(hass: HomeAssistant, entity_id: str) -> Heater | None:
    """The NaviLink heater behind a water heater entity; an error when its account is down."""
    entity = er.async_get(hass).async_get(entity_id)
    if entity is None or entity.platform != DOMAIN or entity.domain != WATER_HEATER_DOMAIN:
        return None
    device = None if entity.device_id is None else dr.async_get(hass).async_get(entity.device_id)
    if device is None or entity.config_entry_id is None:
        return None
    coordinator = _loaded_coordinator(hass, entity.config_entry_id)
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier in coordinator.data.devices:
            return Heater(entity_id, coordinator, identifier)
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="device_not_found",
        translation_placeholders={"device_id": device.id},
    )


async def _targeted_heaters(call: ServiceCall) -> list[Heater]:
    """The heaters an action targets (entities, devices, areas, labels); at least one."""
    heaters = [
        heater
        for entity_id in sorted(await service.async_extract_entity_ids(call))
        if (heater := _heater(call.hass, entity_id)) is not None
    ]
    if not heaters:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="target_required")
    return heaters


type HeaterAction = Callable[[Heater, ServiceCall], Awaitable[ServiceResponse]]


def _heater_action(
    action: HeaterAction,
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """Run `action` for each targeted heater; responses are keyed by water heater entity."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        responses: dict[str, Any] = {}
        for heater in await _targeted_heaters(call):
            responses[heater.entity_id] = await action(heater, call)
        return responses if call.return_response else None

    return handle


def _schedule_response(hass: HomeAssistant, schedule: ReservationSchedule) -> dict[str, Any]:
    return {
        "enabled": schedule.enabled,
        "temperature_unit": str(user_unit(hass)),
        "reservations": [
            {
                "index": index,
                "enabled": entry.enabled,
                "weekdays": sorted(day.value for day in entry.weekdays),
                "time": f"{entry.hour:02d}:{entry.minute:02d}",
                "mode": RESERVATION_MODE_NAMES[entry.mode],
                "temperature": from_celsius(hass, entry.temperature),
            }
            for index, entry in enumerate(schedule.entries, start=1)
        ],
    }


async def _set_vacation_days(heater: Heater, call: ServiceCall) -> ServiceResponse:
    coordinator, mac = heater.coordinator, heater.mac
    days: int = call.data[ATTR_DAYS]
    await run_command(coordinator.session.set_vacation(mac, days))
    # Confirmed by the heater: away mode now uses this length too.
    coordinator.vacation_days[mac] = days
    async_dispatcher_send(call.hass, SIGNAL_VACATION_DAYS.format(mac), days)
    return None


async def _list_reservations(heater: Heater, call: ServiceCall) -> ServiceResponse:
    schedule = await run_command(heater.coordinator.session.read_reservations(heater.mac))
    return _schedule_response(call.hass, schedule)


async def _add_reservation(heater: Heater, call: ServiceCall) -> ServiceResponse:
    hass, session, mac = call.hass, heater.coordinator.session, heater.mac
    at: time = call.data[ATTR_TIME]
    if not call.data[ATTR_WEEKDAYS]:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_weekdays")
    celsius = check_range(
        hass, to_celsius(hass, call.data[ATTR_TEMPERATURE]), *setpoint_limits(heater.feature)
    )
    try:
        entry = Reservation(
            enabled=call.data[ATTR_ENABLED],
            weekdays=call.data[ATTR_WEEKDAYS],
            hour=at.hour,
            minute=at.minute,
            mode=RESERVATION_MODES[call.data[ATTR_MODE]],
            temperature=celsius,
        )
    except OutOfRangeError as err:
        raise translate_error(err) from err
    schedule = await run_command(session.read_reservations(mac))
    written = await run_command(session.write_reservations(mac, True, [*schedule.entries, entry]))
    return _schedule_response(hass, written)


async def _remove_reservation(heater: Heater, call: ServiceCall) -> ServiceResponse:
    session, mac = heater.coordinator.session, heater.mac
    index: int = call.data[ATTR_INDEX]
    schedule = await run_command(session.read_reservations(mac))
    if index > len(schedule.entries):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_reservation_index",
            translation_placeholders={"index": str(index), "count": str(len(schedule.entries))},
        )
    entries = [e for i, e in enumerate(schedule.entries, start=1) if i != index]
    written = await run_command(session.write_reservations(mac, schedule.enabled, entries))
    return _schedule_response(call.hass, written)


async def _request_energy_usage(heater: Heater, call: ServiceCall) -> ServiceResponse:
    today = dt_util.now()
    year: int = call.data.get(ATTR_YEAR, today.year)
    months: list[int] = call.data.get(ATTR_MONTHS) or [today.month]
    usage = await run_command(
        heater.coordinator.session.request_energy_usage(heater.mac, year, months)
    )
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
    heater_actions: tuple[tuple[str, HeaterAction, dict[Any, Any], SupportsResponse], ...] = (
        (
            SERVICE_SET_VACATION_DAYS,
            _set_vacation_days,
            SET_VACATION_DAYS_SCHEMA,
            SupportsResponse.NONE,
        ),
        (
            SERVICE_LIST_RESERVATIONS,
            _list_reservations,
            LIST_RESERVATIONS_SCHEMA,
            SupportsResponse.ONLY,
        ),
        (
            SERVICE_ADD_RESERVATION,
            _add_reservation,
            ADD_RESERVATION_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_REMOVE_RESERVATION,
            _remove_reservation,
            REMOVE_RESERVATION_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            SERVICE_REQUEST_ENERGY_USAGE,
            _request_energy_usage,
            ENERGY_SCHEMA,
            SupportsResponse.ONLY,
        ),
    )
    for name, action, schema, response in heater_actions:
        hass.services.async_register(
            DOMAIN,
            name,
            _heater_action(action),
            schema=cv.make_entity_service_schema(schema),
            supports_response=response,
        )
    hass.services.async_register(DOMAIN, SERVICE_RECONNECT, _reconnect, schema=RECONNECT_SCHEMA)
