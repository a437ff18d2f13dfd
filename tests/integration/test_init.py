"""Setup and unload against the simulator."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import setup_entry


async def test_setup_and_unload(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """The entry loads, creates the heater entity, and unloads cleanly."""
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    mac = sim_account["devices"][0]
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id("water_heater", "navilink", f"{mac}_water_heater")
    assert entity_id
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "heat_pump"
    # Every enabled entity has a state; the disabled ones have none.
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        assert (hass.states.get(item.entity_id) is None) == item.disabled, item.entity_id
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
