"""Dynamic devices, actions and diagnostics."""

from __future__ import annotations

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

    await hass.services.async_call(
        DOMAIN, "set_vacation_days", {"device_id": device.id, "days": 5}, blocking=True
    )
    assert (await sim_control.state())["devices"][mac]["mode"] == "vacation"
    assert entry.runtime_data.coordinator.vacation_days[mac] == 5

    listed = await hass.services.async_call(
        DOMAIN, "list_reservations", {"device_id": device.id}, blocking=True, return_response=True
    )
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
    assert len(removed["reservations"]) == start
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
    assert "total" in usage
    assert usage["months"]

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
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert device is not None
    device_result = await get_diagnostics_for_device(hass, hass_client, entry, device)
    assert result["session"]["health"]["events"]
    assert result["devices"][0]["status"]
    assert device_result["device"]["mac"].endswith(mac[-4:])
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
