"""Home Assistant restarts (and reloads) in the middle of a cloud outage.

While the network is down the entry stays in SETUP_RETRY (ConfigEntryNotReady) through unloads
and fresh set-ups, without crashing; when the outage ends, HA's own retry (driven with
`async_fire_time_changed`) sets the entry up and the entities come back with fresh state.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.navilink.const import CONF_TOKENS, DOMAIN
from navilink_sim.testing import SimControl, SimInfo
from tests.integration.conftest import make_entry, setup_entry, wait_for


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


def _eid(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id, unique_id
    return entity_id


def _retry(hass: HomeAssistant, minutes: float = 30) -> None:
    """Jump past HA's setup-retry backoff."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))


async def _retry_and_settle(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Fire HA's retry and wait until that attempt is over."""
    _retry(hass)
    await hass.async_block_till_done()
    await wait_for(hass, lambda: entry.state is not ConfigEntryState.SETUP_IN_PROGRESS, 30)


async def _assert_fresh(hass: HomeAssistant, entry: MockConfigEntry, mac: str, since: Any) -> None:
    """Loaded, the heater available, its state written after the outage with a temperature."""
    await wait_for(hass, lambda: entry.state is ConfigEntryState.LOADED, 60)
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    await wait_for(
        hass,
        lambda: (
            (s := hass.states.get(heater)) is not None
            and s.state != STATE_UNAVAILABLE
            and s.last_updated > since
            and s.attributes.get("current_temperature") is not None
        ),
        60,
    )
    session = entry.runtime_data.coordinator.session
    assert session.connected
    assert session.status(mac) is not None
    assert not session.unrestored_topics


async def test_restart_during_an_outage_then_recovery(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    entry = make_entry(sim, sim_account)
    mac = sim_account["devices"][0]
    await sim_control.network("down")
    try:
        entry.add_to_hass(hass)
        assert not await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.SETUP_RETRY

        # HA retries on its own while the outage lasts: still retrying, no crash
        await _retry_and_settle(hass, entry)
        assert entry.state is ConfigEntryState.SETUP_RETRY

        # "stop" hass-side: unload the retrying entry
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert entry.state is ConfigEntryState.NOT_LOADED

        # "restart": a fresh set-up while the network is still down
        assert not await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.SETUP_RETRY
        await _retry_and_settle(hass, entry)
        assert entry.state is ConfigEntryState.SETUP_RETRY
    finally:
        await sim_control.network("up")
    cleared = dt_util.utcnow()
    _retry(hass, 60)
    await _assert_fresh(hass, entry, mac, cleared)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_reload_mid_outage_after_setup_recovers(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    entry = make_entry(sim, sim_account)
    mac = sim_account["devices"][0]
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data.get(CONF_TOKENS)  # tokens persisted: the restart reuses them
    await sim_control.network("down")
    try:
        session = entry.runtime_data.coordinator.session
        await wait_for(hass, lambda: not session.connected, 30)

        # reload mid-outage: the new set-up cannot connect -> retrying, no crash
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        await _retry_and_settle(hass, entry)
        assert entry.state is ConfigEntryState.SETUP_RETRY

        # and a second reload while still down
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
    finally:
        await sim_control.network("up")
    cleared = dt_util.utcnow()
    _retry(hass, 60)
    await _assert_fresh(hass, entry, mac, cleared)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
