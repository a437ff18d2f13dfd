"""Options within safe bounds, and the 1.2 entry migration (endpoints, former options)."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink import async_migrate_entry
from custom_components.navilink.const import (
    CONF_API_URL,
    CONF_AUTH_RETRY_INTERVAL,
    CONF_CA_FILE,
    CONF_DEEP_EVERY,
    CONF_INITIAL_DELAY,
    CONF_MAX_ATTEMPTS,
    CONF_MAX_DELAY,
    CONF_MQTT_URL,
    CONF_STATUS_INTERVAL,
    CONF_UNLIMITED,
    DEFAULT_API_URL,
    DEFAULT_MQTT_URL,
    DOMAIN,
)
from navilink_sim.testing import SimInfo

from .conftest import make_entry, setup_entry

SAFE: dict[str, Any] = {
    CONF_INITIAL_DELAY: 1.0,
    CONF_MAX_DELAY: 120.0,
    CONF_DEEP_EVERY: 10,
    CONF_UNLIMITED: True,
    CONF_MAX_ATTEMPTS: 10,
    CONF_AUTH_RETRY_INTERVAL: 1800.0,
}


async def _options_form(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    return str(result["flow_id"])


async def test_options_have_no_status_interval(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    """A polling interval is not a user option: the form does not offer it."""
    entry = await setup_entry(hass, make_entry(sim, sim_account))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_STATUS_INTERVAL not in result["data_schema"].schema
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**SAFE, CONF_STATUS_INTERVAL: 0.1}
        )
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (CONF_INITIAL_DELAY, 0.01),  # reconnect sooner than 1 s
        (CONF_MAX_DELAY, 5.0),  # an outage retried more than once per 30 s
        (CONF_AUTH_RETRY_INTERVAL, -1),
    ],
)
async def test_unsafe_options_are_rejected(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any], key: str, value: float
) -> None:
    """The selectors carry the safe bounds."""
    entry = await setup_entry(hass, make_entry(sim, sim_account))
    flow_id = await _options_form(hass, entry)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(flow_id, {**SAFE, key: value})
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        (CONF_AUTH_RETRY_INTERVAL, 0.1, "auth_retry_too_short"),
        (CONF_AUTH_RETRY_INTERVAL, 299, "auth_retry_too_short"),
        (CONF_DEEP_EVERY, 2.5, "whole_number"),
        (CONF_MAX_ATTEMPTS, 10.5, "whole_number"),
    ],
)
async def test_options_errors(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    key: str,
    value: float,
    error: str,
) -> None:
    """Sign-in retries more often than every 5 minutes and fractions are refused, not saved."""
    await setup_entry(hass, entry)
    flow_id = await _options_form(hass, entry)
    result = await hass.config_entries.options.async_configure(flow_id, {**SAFE, key: value})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {key: error}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_auth_retry_zero_means_never(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    """The documented 0 = never is accepted and reaches the client's policy."""
    entry = await setup_entry(hass, make_entry(sim, sim_account))
    flow_id = await _options_form(hass, entry)
    result = await hass.config_entries.options.async_configure(
        flow_id, {**SAFE, CONF_AUTH_RETRY_INTERVAL: 0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.runtime_data.coordinator.session.options.policy.auth_retry_interval == 0
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_migration_drops_default_endpoints_and_unsafe_options(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    """A 1.1 entry that stored the cloud URLs and unsafe options is migrated to 1.2."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        minor_version=1,
        unique_id="old@example.com",
        title="old@example.com",
        data={
            CONF_EMAIL: "old@example.com",
            CONF_PASSWORD: "pw",
            CONF_API_URL: DEFAULT_API_URL,
            CONF_MQTT_URL: DEFAULT_MQTT_URL,
        },
        options={
            CONF_INITIAL_DELAY: 0.01,
            CONF_MAX_DELAY: 0.1,
            CONF_DEEP_EVERY: 2.5,
            CONF_UNLIMITED: False,
            CONF_MAX_ATTEMPTS: 3,
            CONF_AUTH_RETRY_INTERVAL: 0.1,
            CONF_STATUS_INTERVAL: 0.1,
        },
    )
    entry.add_to_hass(hass)
    # The default cloud is not reachable here: migrate without setting up.
    assert await async_migrate_entry(hass, entry)
    assert (entry.version, entry.minor_version) == (1, 2)
    assert CONF_API_URL not in entry.data
    assert CONF_MQTT_URL not in entry.data
    assert entry.data[CONF_EMAIL] == "old@example.com"
    assert entry.options == {
        CONF_INITIAL_DELAY: 1.0,
        CONF_MAX_DELAY: 30.0,
        CONF_DEEP_EVERY: 2,
        CONF_UNLIMITED: False,
        CONF_MAX_ATTEMPTS: 3,
        CONF_AUTH_RETRY_INTERVAL: 300.0,
    }


async def test_migration_keeps_a_non_default_endpoint(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    """A 1.1 entry on the simulator keeps its endpoints, is migrated on setup and loads."""
    current = make_entry(sim, sim_account, options={CONF_AUTH_RETRY_INTERVAL: 0})
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        minor_version=1,
        unique_id=current.unique_id,
        title=current.title,
        data=dict(current.data),
        options=dict(current.options),
    )
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.data[CONF_API_URL] == sim.api_url
    assert entry.data[CONF_MQTT_URL] == sim.mqtt_url
    assert entry.data[CONF_CA_FILE] == sim.ca_file
    assert entry.options == {CONF_AUTH_RETRY_INTERVAL: 0}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_newer_entry_is_not_downgraded(hass: HomeAssistant) -> None:
    """An entry from a newer major version fails migration instead of being misread."""
    entry = MockConfigEntry(domain=DOMAIN, version=2, minor_version=1, data={})
    entry.add_to_hass(hass)
    assert not await async_migrate_entry(hass, entry)
