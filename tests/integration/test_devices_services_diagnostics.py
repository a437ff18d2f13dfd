"""Dynamic devices, actions and diagnostics."""

from __future__ import annotations

import calendar
import json
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.navilink.const import DEVICE_REFRESH_INTERVAL, DOMAIN
from navilink_sim.testing import SimControl

from .conftest import setup_entry, wait_for


async def test_devices_added_and_removed_live(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """A heater added to the account gets entities; a removed one leaves the registry."""
    await setup_entry(hass, entry)
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    new_mac = await sim_control.add_device(sim_account["email"])
    async_fire_time_changed(hass, dt_util.utcnow() + DEVICE_REFRESH_INTERVAL)
    await wait_for(
        hass,
        lambda: entities.async_get_entity_id("water_heater", DOMAIN, f"{new_mac}_water_heater"),
    )
    device = devices.async_get_device_by_identifier((DOMAIN, new_mac), entry.entry_id)
    assert device is not None
    account = devices.async_get_device_by_identifier((DOMAIN, entry.unique_id), entry.entry_id)
    assert account is not None
    assert device.via_device_id == account.id

    # A device still on the account cannot be removed by hand.
    assert await _remove_device(hass, device.id, entry.entry_id) is False

    await sim_control.remove_device(sim_account["email"], new_mac)
    async_fire_time_changed(hass, dt_util.utcnow() + DEVICE_REFRESH_INTERVAL * 2)
    await wait_for(
        hass,
        lambda: devices.async_get_device_by_identifier((DOMAIN, new_mac), entry.entry_id) is None,
    )
    assert entities.async_get_entity_id("water_heater", DOMAIN, f"{new_mac}_water_heater") is None

    # A stale device (not on the account any more) may be removed by hand.
    stale = devices.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "0123456789ab")}
    )
    assert await _remove_device(hass, stale.id, entry.entry_id) is True
    assert await hass.config_entries.async_unload(entry.entry_id)


async def _remove_device(hass: HomeAssistant, device_id: str, entry_id: str) -> bool:
    from custom_components.navilink import async_remove_config_entry_device

    entry = hass.config_entries.async_get_entry(entry_id)
    device = dr.async_get(hass).async_get(device_id)
    assert entry is not None and device is not None
    return await async_remove_config_entry_device(hass, entry, device)


async def test_actions(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Vacation days, reservations and energy usage actions."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert device is not None
    heater = er.async_get(hass).async_get_entity_id("water_heater", DOMAIN, f"{mac}_water_heater")
    assert heater is not None

    # A device target reaches its water heater; responses are keyed by water heater entity.
    await hass.services.async_call(
        DOMAIN, "set_vacation_days", {"device_id": device.id, "days": 5}, blocking=True
    )
    assert (await sim_control.state())["devices"][mac]["mode"] == "vacation"
    assert entry.runtime_data.coordinator.vacation_days[mac] == 5

    listed = await hass.services.async_call(
        DOMAIN, "list_reservations", {"device_id": device.id}, blocking=True, return_response=True
    )
    listed = listed[heater]
    start = len(listed["reservations"])
    added = await hass.services.async_call(
        DOMAIN,
        "add_reservation",
        {
            "device_id": device.id,
            "weekdays": ["monday", "friday"],
            "time": "06:30:00",
            "mode": "high_demand",
            "temperature": 55,
        },
        blocking=True,
        return_response=True,
    )
    added = added[heater]
    assert len(added["reservations"]) == start + 1
    entry_added = added["reservations"][-1]
    assert entry_added["time"] == "06:30"
    assert entry_added["weekdays"] == ["friday", "monday"]
    assert entry_added["mode"] == "high_demand"
    removed = await hass.services.async_call(
        DOMAIN,
        "remove_reservation",
        {"device_id": device.id, "index": start + 1},
        blocking=True,
        return_response=True,
    )
    assert len(removed[heater]["reservations"]) == start
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "remove_reservation",
            {"device_id": device.id, "index": 99},
            blocking=True,
            return_response=True,
        )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "add_reservation",
            {
                "device_id": device.id,
                "weekdays": [],
                "time": "06:30:00",
                "mode": "heat_pump",
                "temperature": 50,
            },
            blocking=True,
            return_response=True,
        )

    usage = await hass.services.async_call(
        DOMAIN,
        "request_energy_usage",
        {"device_id": device.id},
        blocking=True,
        return_response=True,
    )
    today = dt_util.now()
    (month,) = usage[heater]["months"]
    assert (month["year"], month["month"]) == (today.year, today.month)
    assert len(month["days"]) == calendar.monthrange(today.year, today.month)[1]
    assert usage[heater]["total"]["heat_pump_wh"] == sum(d["heat_pump_wh"] for d in month["days"])
    assert usage[heater]["total"]["element_wh"] == sum(d["element_wh"] for d in month["days"])

    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "list_reservations", {"device_id": "nope"}, blocking=True, return_response=True
        )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "reconnect", {"config_entry_id": "nope"}, blocking=True
        )
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "list_reservations",
            {"device_id": device.id},
            blocking=True,
            return_response=True,
        )


async def test_energy_sensors(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """The monthly energy sensors fill from the energy-usage query."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    sensor = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{mac}_heat_pump_energy")
    assert sensor
    await wait_for(hass, lambda: hass.states.get(sensor).state not in ("unknown", "unavailable"))
    # Wh from the heater, shown in kWh
    wh = entry.runtime_data.coordinator.energy.data[mac].heat_pump_wh
    assert float(hass.states.get(sensor).state) == pytest.approx(wh / 1000)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
) -> None:
    """Diagnostics carry health and device data but no secrets or full MACs."""
    assert await async_setup_component(hass, "diagnostics", {})
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    tokens = entry.runtime_data.coordinator.session.tokens
    assert tokens is not None
    # the start-up energy query answers in the background: let it land first
    await wait_for(hass, lambda: mac in (entry.runtime_data.coordinator.energy.data or {}))
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    data = entry.runtime_data.coordinator.data
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert device is not None
    device_result = await get_diagnostics_for_device(hass, hass_client, entry, device)
    events = [event["type"] for event in result["session"]["health"]["events"]]
    assert events[:2] == ["connecting", "connected"]
    (heater,) = result["devices"]
    assert heater["status"] == {**data.status[mac].raw, "macAddress": "**REDACTED**"}
    assert heater["feature"] == {
        **data.feature[mac].raw,
        "controllerSerialNumber": "**REDACTED**",
    }
    energy = entry.runtime_data.coordinator.energy.data[mac]
    assert heater["energy_this_month"] == {
        "heat_pump_wh": energy.heat_pump_wh,
        "element_wh": energy.element_wh,
    }
    # the same heater in the device's diagnostics (a status may arrive between the two calls)
    assert {k: v for k, v in device_result["device"].items() if k != "status"} == {
        k: v for k, v in heater.items() if k != "status"
    }
    assert heater["mac"] == "********" + mac[-4:]
    for data in (result, device_result):
        text = json.dumps(data).lower()
        for secret in (
            sim_account["password"],
            sim_account["email"],
            tokens.access_token,
            tokens.refresh_token,
            tokens.aws_access_key_id,
            tokens.aws_secret_key,
            tokens.aws_session_token,
            mac,
        ):
            assert secret.lower() not in text, secret
    assert await hass.config_entries.async_unload(entry.entry_id)
