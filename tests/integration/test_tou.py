"""get_tou_schedule / set_tou_schedule: validated periods stored in the cloud and on the heater."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink.const import DOMAIN

from .conftest import setup_entry

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]
PERIODS = [
    {"weekdays": WEEKDAYS, "start": "00:00", "end": "15:59", "price": 0.12},
    {"weekdays": WEEKDAYS, "start": "16:00", "end": "20:59", "price": 0.42, "price_max": 0.5},
    {"weekdays": WEEKDAYS, "start": "21:00", "end": "23:59", "price": 0.12},
    {
        "weekdays": ["saturday", "sunday"],
        "start": "00:00",
        "end": "23:59",
        "price": 0.1,
        "months": [6, 7, 8],
    },
]


def one(response: Any) -> Any:
    """The response for the one targeted heater (responses are keyed by entity)."""
    (value,) = response.values()
    return value


def _device_id(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert device is not None
    return device.id


async def test_set_and_get_tou_schedule(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """A plan set through the action comes back from the cloud unchanged."""
    await setup_entry(hass, entry)
    device_id = _device_id(hass, entry, sim_account["devices"][0])

    empty = await hass.services.async_call(
        DOMAIN, "get_tou_schedule", {"device_id": device_id}, blocking=True, return_response=True
    )
    assert one(empty) == {"name": "", "utility": "", "zip_code": "", "periods": []}

    written = await hass.services.async_call(
        DOMAIN,
        "set_tou_schedule",
        {
            "device_id": device_id,
            "name": "TOU-D-PRIME",
            "utility": "Example Edison",
            "zip_code": "91001",
            "periods": PERIODS,
        },
        blocking=True,
        return_response=True,
    )
    read = await hass.services.async_call(
        DOMAIN, "get_tou_schedule", {"device_id": device_id}, blocking=True, return_response=True
    )
    assert read == written
    read = one(read)
    assert read["name"] == "TOU-D-PRIME"
    assert read["zip_code"] == "91001"
    periods = read["periods"]
    assert isinstance(periods, list)
    assert len(periods) == 4
    peak = next(p for p in periods if p["start"] == "16:00")
    assert peak == {
        "months": list(range(1, 13)),
        "weekdays": WEEKDAYS,
        "start": "16:00",
        "end": "20:59",
        "price": 0.42,
        "price_max": 0.5,
    }
    summer = next(p for p in periods if p["weekdays"] == ["sunday", "saturday"])
    assert summer["months"] == [6, 7, 8]


@pytest.mark.parametrize(
    "periods",
    [
        # overlapping periods
        [
            {"weekdays": ["monday"], "start": "00:00", "end": "12:00", "price": 0.1},
            {"weekdays": ["monday"], "start": "11:00", "end": "13:00", "price": 0.2},
        ],
        # ends before it starts
        [{"weekdays": ["monday"], "start": "20:00", "end": "06:00", "price": 0.1}],
        # maximum below minimum
        [
            {
                "weekdays": ["monday"],
                "start": "00:00",
                "end": "06:00",
                "price": 0.3,
                "price_max": 0.2,
            }
        ],
    ],
)
async def test_set_tou_schedule_rejects_invalid_periods(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    periods: list[dict[str, Any]],
) -> None:
    """Invalid periods get a translated validation error and nothing is stored."""
    await setup_entry(hass, entry)
    device_id = _device_id(hass, entry, sim_account["devices"][0])
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_tou_schedule",
            {"device_id": device_id, "periods": periods},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "out_of_range"
    read = await hass.services.async_call(
        DOMAIN, "get_tou_schedule", {"device_id": device_id}, blocking=True, return_response=True
    )
    assert one(read)["periods"] == []


async def test_set_tou_schedule_schema(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """A negative price and an unknown weekday are refused by the schema."""
    await setup_entry(hass, entry)
    device_id = _device_id(hass, entry, sim_account["devices"][0])
    for period in (
        {"weekdays": ["monday"], "start": "00:00", "end": "06:00", "price": -1},
        {"weekdays": ["someday"], "start": "00:00", "end": "06:00", "price": 0.1},
    ):
        with pytest.raises(vol.Invalid):
            await hass.services.async_call(
                DOMAIN,
                "set_tou_schedule",
                {"device_id": device_id, "periods": [period]},
                blocking=True,
                return_response=True,
            )
