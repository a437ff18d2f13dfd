"""Per-heater availability: a heater offline at setup, a heater that stops answering."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.navilink.const import DOMAIN, MISSED_STATUSES_UNAVAILABLE
from navilink_sim.testing import SimControl, SimInfo

from .conftest import make_entry, setup_entry, wait_for


def _suffixes(hass: HomeAssistant, entry_id: str, mac: str) -> set[str]:
    """The entity kinds (unique id without the MAC) a heater has."""
    return {
        e.unique_id.removeprefix(f"{mac}_")
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if e.unique_id.startswith(f"{mac}_")
    }


def _states(hass: HomeAssistant, entry_id: str, mac: str) -> list[str]:
    entries = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    return [
        state.state
        for e in entries
        if e.unique_id.startswith(f"{mac}_") and (state := hass.states.get(e.entity_id))
    ]


async def test_heater_offline_at_setup_gets_every_entity_once_it_reports(
    hass: HomeAssistant, sim: SimInfo, sim_control: SimControl
) -> None:
    """A heater offline when the entry loads is a device at once; once it answers it has
    the other heater's entities, its serial and firmware, and is available."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    account = await sim_control.add_account(email, "pw-offline", heaters=2)
    online, offline = account["devices"]
    await sim_control.set_online(offline, False)
    entry = await setup_entry(hass, make_entry(sim, account))
    devices = dr.async_get(hass)
    device = devices.async_get_device_by_identifier((DOMAIN, offline), entry.entry_id)
    assert device is not None
    assert device.serial_number is None

    full = _suffixes(hass, entry.entry_id, online)
    assert {"water_heater", "demand_response", "anti_legionella"} <= full
    assert _suffixes(hass, entry.entry_id, offline) < full

    await sim_control.set_online(offline, True)
    await sim_control.push(offline)  # its next status (the status poll's answer)
    await wait_for(hass, lambda: _suffixes(hass, entry.entry_id, offline) == full)
    await wait_for(hass, lambda: STATE_UNAVAILABLE not in _states(hass, entry.entry_id, offline))
    device = devices.async_get_device_by_identifier((DOMAIN, offline), entry.entry_id)
    assert device is not None
    reference = devices.async_get_device_by_identifier((DOMAIN, online), entry.entry_id)
    assert reference is not None
    assert device.serial_number and device.sw_version
    assert device.sw_version == reference.sw_version
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_heater_unavailable_after_missed_statuses_and_back(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_account: dict[str, Any],
    sim_control: SimControl,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Statuses stop: unavailable after a bounded number of intervals (logged once at info);
    the next status brings it back (logged once)."""
    entry = await setup_entry(hass, make_entry(sim, sim_account))
    mac = sim_account["devices"][0]
    heater = er.async_get(hass).async_get_entity_id("water_heater", DOMAIN, f"{mac}_water_heater")
    assert heater
    assert hass.states.get(heater).state != STATE_UNAVAILABLE
    interval = entry.runtime_data.coordinator.status_interval

    await sim_control.set_online(mac, False)
    caplog.clear()
    caplog.set_level(logging.INFO, logger="custom_components.navilink")

    def interval_passes() -> None:
        async_fire_time_changed(hass, dt_util.utcnow() + interval + timedelta(seconds=1))

    # A status interval passes right after the last status, then the allowed misses:
    # still available.
    for _ in range(MISSED_STATUSES_UNAVAILABLE):
        interval_passes()
        await hass.async_block_till_done()
    assert hass.states.get(heater).state != STATE_UNAVAILABLE
    for _ in range(3):
        interval_passes()
        await hass.async_block_till_done()
    assert hass.states.get(heater).state == STATE_UNAVAILABLE
    gone = [
        r for r in caplog.records if "unavailable" in r.getMessage() and mac[-4:] in r.getMessage()
    ]
    assert len(gone) == 1 and gone[0].levelno == logging.INFO
    assert mac not in caplog.text  # the full MAC is never logged

    await sim_control.set_online(mac, True)
    await sim_control.push(mac)
    await wait_for(hass, lambda: hass.states.get(heater).state != STATE_UNAVAILABLE)
    back = [
        r for r in caplog.records if "available" in r.getMessage() and "again" in r.getMessage()
    ]
    assert len(back) == 1 and back[0].levelno == logging.INFO
    assert await hass.config_entries.async_unload(entry.entry_id)
