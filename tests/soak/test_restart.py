"""Home Assistant restarts (and reloads) in the middle of a cloud outage.

With stored tokens the entry loads during the outage and shows it (connectivity off, heaters
unavailable) through unloads, reloads and fresh set-ups; only a new entry without tokens goes
to SETUP_RETRY once. When the outage ends the session reconnects on its own and the entities
come back with fresh state.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_UNAVAILABLE
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
    # a heater first seen after the outage gets its entities once its capabilities arrive
    registry = er.async_get(hass)
    heater: str = await wait_for(
        hass,
        lambda: registry.async_get_entity_id("water_heater", DOMAIN, f"{mac}_water_heater"),
        60,
    )
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
        # A new entry without stored tokens: the first setup cannot connect -> retrying.
        # Its sign-in got through (REST) and stored tokens.
        assert not await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert entry.data.get(CONF_TOKENS)

        # HA's retry, with tokens: the entry loads and connects in the background
        await _retry_and_settle(hass, entry)
        await _assert_outage_shown(hass, entry, mac)

        # "stop" hass-side: unload the entry
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert entry.state is ConfigEntryState.NOT_LOADED

        # "restart": a fresh set-up while the network is still down loads and shows it
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await _assert_outage_shown(hass, entry, mac)
    finally:
        await sim_control.network("up")
    cleared = dt_util.utcnow()
    await _assert_fresh(hass, entry, mac, cleared)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def _assert_outage_shown(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> None:
    """Loaded during the outage: the connectivity sensor off, the heater unavailable."""
    assert entry.state is ConfigEntryState.LOADED
    connection = _eid(hass, "binary_sensor", f"{entry.unique_id}_connection")
    assert hass.states.get(connection).state == STATE_OFF  # type: ignore[union-attr]
    # never set up before: no entity yet; else it is unavailable
    heater = er.async_get(hass).async_get_entity_id("water_heater", DOMAIN, f"{mac}_water_heater")
    state = hass.states.get(heater) if heater else None
    assert state is None or state.state == STATE_UNAVAILABLE


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

        # reload mid-outage: the new set-up loads and keeps connecting in the background
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        await _assert_outage_shown(hass, entry, mac)

        # and a second reload while still down
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        await _assert_outage_shown(hass, entry, mac)
    finally:
        await sim_control.network("up")
    cleared = dt_util.utcnow()
    await _assert_fresh(hass, entry, mac, cleared)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
