"""Time-of-use actions: read and replace a heater's TOU schedule (prices by time of day).

``get_tou_schedule`` returns the plan stored in the cloud. ``set_tou_schedule`` validates the
periods, stores the plan in the cloud and writes it to the heater, which confirms it by echoing
the same periods; the existing *Time of use* switch turns its use on and off.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from aionavilink import (
    OutOfRangeError,
    TouPeriod,
    TouPlan,
    Weekday,
    get_tou_plan,
    put_tou_plan,
    write_tou_schedule,
)

from .const import DOMAIN, SERVICE_GET_TOU_SCHEDULE, SERVICE_SET_TOU_SCHEDULE
from .helpers import run_command, translate_error
from .services import Heater, _heater_action

ATTR_PERIODS = "periods"
ATTR_NAME = "name"
ATTR_UTILITY = "utility"
ATTR_ZIP_CODE = "zip_code"

PERIOD_SCHEMA = vol.Schema(
    {
        vol.Optional("months", default=list(range(1, 13))): vol.All(
            cv.ensure_list, [vol.All(vol.Coerce(int), vol.Range(min=1, max=12))], vol.Length(min=1)
        ),
        vol.Required("weekdays"): vol.All(
            cv.ensure_list, [vol.In([day.value for day in Weekday])], vol.Length(min=1)
        ),
        vol.Required("start"): cv.time,
        vol.Required("end"): cv.time,
        vol.Required("price"): vol.All(vol.Coerce(float), vol.Range(min=0, max=100)),
        vol.Optional("price_max"): vol.All(vol.Coerce(float), vol.Range(min=0, max=100)),
    }
)
SET_TOU_SCHEMA: dict[Any, Any] = {
    vol.Required(ATTR_PERIODS): vol.All(cv.ensure_list, [PERIOD_SCHEMA]),
    vol.Optional(ATTR_NAME, default=""): cv.string,
    vol.Optional(ATTR_UTILITY, default=""): cv.string,
    vol.Optional(ATTR_ZIP_CODE, default="0"): vol.All(
        cv.string, vol.Match(r"^\d{1,5}$"), vol.Coerce(int)
    ),
}


def _price(value: float) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as err:  # pragma: no cover - voluptuous coerced a float
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="out_of_range",
            translation_placeholders={"error": str(err)},
        ) from err


def plan_from_call(data: dict[str, Any]) -> TouPlan:
    """The plan an action call describes (not yet validated)."""
    periods = tuple(
        TouPeriod(
            months=frozenset(p["months"]),
            weekdays=frozenset(Weekday(d) for d in p["weekdays"]),
            start=(p["start"].hour, p["start"].minute),
            end=(p["end"].hour, p["end"].minute),
            price_min=_price(p["price"]),
            price_max=_price(p.get("price_max", p["price"])),
        )
        for p in data[ATTR_PERIODS]
    )
    return TouPlan(
        periods=periods,
        name=data[ATTR_NAME],
        utility=data[ATTR_UTILITY],
        zip_code=data[ATTR_ZIP_CODE],
    )


def plan_response(plan: TouPlan) -> dict[str, Any]:
    """A plan as action response data (the same shape `set_tou_schedule` takes)."""
    return {
        ATTR_NAME: plan.name,
        ATTR_UTILITY: plan.utility,
        ATTR_ZIP_CODE: f"{plan.zip_code:05d}" if plan.zip_code else "",
        ATTR_PERIODS: [
            {
                "months": sorted(p.months),
                "weekdays": [d.value for d in Weekday if d in p.weekdays],
                "start": "{:02d}:{:02d}".format(*p.start),
                "end": "{:02d}:{:02d}".format(*p.end),
                "price": float(p.price_min),
                "price_max": float(p.price_max),
            }
            for p in sorted(plan.periods, key=TouPeriod.sort_key)
        ],
    }


async def _get_tou_schedule(heater: Heater, call: ServiceCall) -> ServiceResponse:
    session, mac = heater.coordinator.session, heater.mac
    plan = await run_command(get_tou_plan(session, mac))
    return plan_response(plan)


async def _set_tou_schedule(heater: Heater, call: ServiceCall) -> ServiceResponse:
    session, mac = heater.coordinator.session, heater.mac
    plan = plan_from_call(dict(call.data))
    try:
        plan.validate()
    except OutOfRangeError as err:
        raise translate_error(err) from err
    stored = await run_command(put_tou_plan(session, mac, plan))
    await run_command(write_tou_schedule(session, mac, stored))
    return plan_response(stored)


def async_setup_tou_services(hass: HomeAssistant) -> None:
    """Register the TOU actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_TOU_SCHEDULE,
        _heater_action(_get_tou_schedule),
        schema=cv.make_entity_service_schema({}),
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_TOU_SCHEDULE,
        _heater_action(_set_tou_schedule),
        schema=cv.make_entity_service_schema(SET_TOU_SCHEMA),
        supports_response=SupportsResponse.OPTIONAL,
    )
