"""The firmware update entity shows the versions the cloud's firmware endpoint reports."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from homeassistant.components.update import (
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    SERVICE_INSTALL,
    UpdateEntityFeature,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink.const import DOMAIN
from navilink_sim.testing import SimControl

from .conftest import setup_entry, wait_for


async def test_firmware_update_entity(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """Installed = latest = the controller firmware the heater reports (no download
    pending), the same version the device page shows."""
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
    assert state.attributes["supported_features"] == UpdateEntityFeature.INSTALL


async def test_firmware_install_commits_the_downloaded_version(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """A controller firmware the heater has downloaded shows as an update; installing it
    commits it on the heater, and the entity then shows it installed."""
    assert await async_setup_component(hass, "homeassistant", {})
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    entity_id = er.async_get(hass).async_get_entity_id("update", DOMAIN, f"{mac}_firmware")
    assert entity_id
    installed = hass.states.get(entity_id).attributes[ATTR_INSTALLED_VERSION]  # type: ignore[union-attr]
    new = int(installed, 16) + 0x10000
    await sim_control.firmware_downloaded(mac, 1, new)

    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes[ATTR_LATEST_VERSION] == f"{new:08x}"

    await hass.services.async_call(
        "update", SERVICE_INSTALL, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_INSTALLED_VERSION] == f"{new:08x}"
    feature = (await sim_control.state())["devices"][mac]
    assert feature["refused"] == 0


async def test_a_commit_the_heater_refuses_fails_at_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """The heater replaced its download after Home Assistant last looked: the commit of the
    version the entity shows is refused by the heater, the caller hears why at once (the
    command timeout is 10 minutes here) and nothing is reported installed."""
    assert await async_setup_component(hass, "homeassistant", {})
    await setup_entry(hass, entry)
    session = entry.runtime_data.coordinator.session
    session.options = dataclasses.replace(session.options, command_timeout=600.0)
    mac = sim_account["devices"][0]
    entity_id = er.async_get(hass).async_get_entity_id("update", DOMAIN, f"{mac}_firmware")
    assert entity_id
    installed = hass.states.get(entity_id).attributes[ATTR_INSTALLED_VERSION]  # type: ignore[union-attr]
    shown = int(installed, 16) + 0x10000
    await sim_control.firmware_downloaded(mac, 1, shown)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await sim_control.firmware_downloaded(mac, 1, shown + 0x10000)

    with pytest.raises(HomeAssistantError) as err:
        async with asyncio.timeout(30):
            await hass.services.async_call(
                "update", SERVICE_INSTALL, {ATTR_ENTITY_ID: entity_id}, blocking=True
            )
    assert err.value.translation_key == "out_of_range"
    assert "the device refused it" in str(err.value.translation_placeholders)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes[ATTR_INSTALLED_VERSION] == installed
    heater = (await sim_control.state())["devices"][mac]
    assert heater["refused"] == 1
    assert heater["last_refusal"]["reason"] == "invalid_param"


async def test_firmware_of_a_heater_added_later(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """A heater that joins the account after setup gets its firmware read at once."""
    await setup_entry(hass, entry)
    new = await sim_control.add_device(sim_account["email"])
    await entry.runtime_data.coordinator.session.refresh_devices()
    registry = er.async_get(hass)
    entity_id = await wait_for(
        hass, lambda: registry.async_get_entity_id("update", DOMAIN, f"{new}_firmware")
    )
    await wait_for(
        hass,
        lambda: (
            (state := hass.states.get(entity_id)) is not None
            and state.attributes.get(ATTR_INSTALLED_VERSION) is not None
        ),
    )
