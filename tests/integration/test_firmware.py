"""The firmware update entity shows the versions the cloud's firmware endpoint reports."""

from __future__ import annotations

from typing import Any

from homeassistant.components.update import ATTR_INSTALLED_VERSION, ATTR_LATEST_VERSION
from homeassistant.const import STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink.const import DOMAIN

from .conftest import setup_entry


async def test_firmware_update_entity(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """Installed = latest = the controller firmware the heater reports (no download
    pending), the same version the device page shows; no install offered."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    entity_id = er.async_get(hass).async_get_entity_id("update", DOMAIN, f"{mac}_firmware")
    assert entity_id
    state = hass.states.get(entity_id)
    assert state is not None
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert device is not None and device.sw_version
    assert state.attributes[ATTR_INSTALLED_VERSION] == device.sw_version
    assert state.attributes[ATTR_LATEST_VERSION] == device.sw_version
    assert state.state == STATE_OFF
    assert state.attributes["supported_features"] == 0
