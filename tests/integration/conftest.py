"""Fixtures for the Home Assistant integration tests (real hass, real navilink_sim)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.navilink.config_flow import NaviLinkConfigFlow
from custom_components.navilink.const import (
    CONF_API_URL,
    CONF_AUTH_RETRY_INTERVAL,
    CONF_CA_FILE,
    CONF_CLIENT_ID,
    CONF_DEEP_EVERY,
    CONF_INITIAL_DELAY,
    CONF_MAX_ATTEMPTS,
    CONF_MAX_DELAY,
    CONF_MQTT_URL,
    CONF_UNLIMITED,
    DOMAIN,
)
from navilink_sim.testing import SimInfo

# Below the options flow's safe bounds on purpose (fast tests). make_entry creates entries of the
# current version, so the 1.2 migration (which clamps such values) does not touch them.
FAST_OPTIONS: dict[str, Any] = {
    CONF_INITIAL_DELAY: 0.05,
    CONF_MAX_DELAY: 0.5,
    CONF_DEEP_EVERY: 10,
    CONF_UNLIMITED: True,
    CONF_MAX_ATTEMPTS: 10,
    CONF_AUTH_RETRY_INTERVAL: 0.5,
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format, whichever plugin's `snapshot` fixture pytest found first.

    syrupy and pytest-homeassistant-custom-component both define `snapshot`; which one a test gets
    depends on the plugin load order. Using the extension again is harmless.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


def make_entry(
    sim: SimInfo, account: dict[str, Any], options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """A config entry pointing at the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        version=NaviLinkConfigFlow.VERSION,
        minor_version=NaviLinkConfigFlow.MINOR_VERSION,
        title=account["email"],
        unique_id=account["email"].lower(),
        data={
            CONF_EMAIL: account["email"],
            CONF_PASSWORD: account["password"],
            CONF_API_URL: sim.api_url,
            CONF_MQTT_URL: sim.mqtt_url,
            CONF_CA_FILE: sim.ca_file,
            CONF_CLIENT_ID: "navien-client-test" + account["email"][5:9],
        },
        options=dict(FAST_OPTIONS if options is None else options),
    )


@pytest.fixture
def entry(sim: SimInfo, sim_account: dict[str, Any]) -> MockConfigEntry:
    """An entry for a fresh simulated account with one heater."""
    return make_entry(sim, sim_account)


async def wait_for(hass: HomeAssistant, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `condition` until it is truthy (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await hass.async_block_till_done()
        if result := condition():
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.05)


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add (unless added already) and set up an entry."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
