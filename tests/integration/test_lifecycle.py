"""Lifecycle: device removal of an unloaded entry, Home Assistant stopping, restored state,
names without the account's email address."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_HOMEASSISTANT_STOP,
    SERVICE_TURN_ON,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from aionavilink import ConnectionState
from custom_components.navilink import async_remove_config_entry_device
from custom_components.navilink.const import DOMAIN
from navilink_sim.testing import SimControl

from .conftest import setup_entry, wait_for


async def test_remove_device_of_unloaded_entry(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """With the entry unloaded, a heater's device may be removed; the account's may not."""
    await setup_entry(hass, entry)
    devices = dr.async_get(hass)
    mac = sim_account["devices"][0]
    heater = devices.async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    account = devices.async_get_device_by_identifier((DOMAIN, entry.unique_id), entry.entry_id)
    assert heater is not None and account is not None
    assert await async_remove_config_entry_device(hass, entry, heater) is False
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED

    assert await async_remove_config_entry_device(hass, entry, heater) is True
    assert await async_remove_config_entry_device(hass, entry, account) is False


async def test_session_closes_when_home_assistant_stops(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """Home Assistant stopping closes the MQTT connection (the broker sees it go)."""
    await setup_entry(hass, entry)
    session = entry.runtime_data.coordinator.session

    async def gateway_clients() -> list[str]:
        state = await sim_control.state()
        return [c["client_id"] for c in state["gateway"]["connections"]]

    assert session.client_id in await gateway_clients()
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert session.state is ConnectionState.STOPPED
    for _ in range(100):  # the gateway notices the close (bounded)
        if session.client_id not in await gateway_clients():
            break
        await asyncio.sleep(0.05)
    assert session.client_id not in await gateway_clients()


async def test_demand_response_switch_keeps_its_state_across_reload(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """The demand-response switch shows an assumed state: a reload (or restart) keeps it."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    switch = er.async_get(hass).async_get_entity_id(SWITCH_DOMAIN, DOMAIN, f"{mac}_demand_response")
    assert switch
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert hass.states.get(switch).state == STATE_ON

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(hass, lambda: entry.state is ConfigEntryState.LOADED)
    state = hass.states.get(switch)
    assert state is not None and state.state == STATE_ON
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_names_do_not_embed_the_email_address(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """No entity id or device name carries the account's email address."""
    await setup_entry(hass, entry)
    local = sim_account["email"].split("@")[0].replace("-", "_").lower()
    entity_ids = [
        e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    ]
    names = [
        d.name or "" for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    ]
    assert entity_ids and names
    assert not [e for e in entity_ids if local in e or "example_com" in e]
    assert not [n for n in names if "@" in n or local in n.lower()]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_heater_removed_while_stopped_is_removed_at_start(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """A heater that left the account while the entry was not loaded loses its device."""
    mac = await sim_control.add_device(sim_account["email"])
    await setup_entry(hass, entry)
    devices = dr.async_get(hass)
    assert devices.async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await sim_control.remove_device(sim_account["email"], mac)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert devices.async_get_device_by_identifier((DOMAIN, mac), entry.entry_id) is None
    kept = sim_account["devices"][0]
    assert devices.async_get_device_by_identifier((DOMAIN, kept), entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)
