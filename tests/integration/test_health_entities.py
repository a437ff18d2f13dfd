"""Connection-health entities: an outage at start, what they read during and after one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from aionavilink import ConnectionState
from custom_components.navilink.const import CONF_TOKENS, DOMAIN
from custom_components.navilink.disconnect import DISCONNECT_REASONS, disconnect_category
from navilink_sim.testing import SimControl

from .conftest import setup_entry, wait_for

# The counters and the next retry time are disabled by default (noisy): these tests read them.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


def _eid(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id, unique_id
    return entity_id


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def test_outage_at_start_loads_and_shows_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Home Assistant (re)started during an outage, with stored tokens: the entry loads, the
    heaters are unavailable, the health entities show the outage, "Reconnect now" can be
    pressed; when the network is back everything connects on its own."""
    await setup_entry(hass, entry)
    assert entry.data[CONF_TOKENS]
    mac = sim_account["devices"][0]
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    assert await hass.config_entries.async_unload(entry.entry_id)

    await sim_control.network("down")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    account = entry.unique_id
    connection = _eid(hass, "binary_sensor", f"{account}_connection")
    state = _eid(hass, "sensor", f"{account}_connection_state")
    reason = _eid(hass, "sensor", f"{account}_disconnect_reason")
    button = _eid(hass, "button", f"{account}_reconnect")
    assert _state(hass, connection) == STATE_OFF
    assert _state(hass, state) in ("reconnecting", "disconnected")
    assert _state(hass, reason) in DISCONNECT_REASONS
    assert _state(hass, heater) == STATE_UNAVAILABLE
    assert _state(hass, button) != STATE_UNAVAILABLE
    try:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
        )
    except HomeAssistantError as err:  # the network is still down: a translated error
        assert err.translation_key

    await sim_control.network("up")
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
    )
    await wait_for(hass, lambda: _state(hass, connection) == STATE_ON, 60)
    await wait_for(hass, lambda: _state(hass, heater) != STATE_UNAVAILABLE, 60)
    assert _state(hass, reason) == STATE_UNKNOWN
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_health_after_a_drop(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """After a reconnect: attempts back to 0, quick reconnects count successes, no stale
    disconnect reason, no retry time in the past."""
    await setup_entry(hass, entry)
    account = entry.unique_id
    connection = _eid(hass, "binary_sensor", f"{account}_connection")
    attempts = _eid(hass, "sensor", f"{account}_reconnect_attempts")
    quick = _eid(hass, "sensor", f"{account}_quick_reconnects")
    reason = _eid(hass, "sensor", f"{account}_disconnect_reason")
    assert _state(hass, quick) == "0"

    assert await sim_control.drop() >= 1
    await wait_for(hass, lambda: _state(hass, quick) == "1")
    assert _state(hass, connection) == STATE_ON
    assert _state(hass, attempts) == "0"
    assert _state(hass, reason) == STATE_UNKNOWN
    coordinator = entry.runtime_data.coordinator
    assert coordinator.connection.next_attempt_at() is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_next_attempt_never_in_the_past(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """During an outage the next attempt is in the future or unknown (attempt under way)."""
    await setup_entry(hass, entry)
    coordinator = entry.runtime_data.coordinator
    await sim_control.network("down")
    seen: list[object] = []
    for _ in range(40):
        await hass.async_block_till_done()
        at = coordinator.connection.next_attempt_at()
        seen.append(at)
        assert at is None or at > dt_util.utcnow()
        await asyncio.sleep(0.05)
    assert any(at is not None for at in seen)
    await sim_control.network("up")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_event_entity_shows_the_connection_after_a_reload(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """After a reload the event entity shows the new connection, not a stale failure."""
    await setup_entry(hass, entry)
    event = _eid(hass, "event", f"{entry.unique_id}_connection")
    await sim_control.network("down")
    await wait_for(hass, lambda: hass.states.get(event).attributes.get("event_type") != "connected")
    await sim_control.network("up")
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(event).attributes.get("event_type") == "connected"
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_disconnect_reasons_are_classified() -> None:
    """Raw awscrt codes and session reasons map to the translated enum."""
    assert disconnect_category("AWS_IO_SOCKET_CLOSED") == "network_closed"
    assert disconnect_category("AWS_ERROR_MQTT_UNEXPECTED_HANGUP") == "broker_hangup"
    assert disconnect_category("AWS_ERROR_MQTT_TIMEOUT") == "timeout"
    assert disconnect_category("watchdog: 3 status requests unanswered") == "no_answer"
    assert disconnect_category("connect: AWS_ERROR_HTTP_WEBSOCKET_UPGRADE_FAILURE") == (
        "credentials_rejected"
    )
    assert disconnect_category("connect: AWS_IO_SOCKET_CONNECTION_REFUSED") == (
        "network_unreachable"
    )
    assert disconnect_category("AWS_IO_DNS_QUERY_FAILED") == "dns"
    assert disconnect_category("AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE") == "tls"
    assert disconnect_category("something new") == "other"
    assert disconnect_category(None) is None


async def test_next_attempt_shows_the_sign_in_retry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Credentials rejected: "Next reconnect attempt" is the next sign-in retry, not unknown."""
    await setup_entry(hass, entry)
    coordinator = entry.runtime_data.coordinator
    await sim_control.delete_account(sim_account["email"])
    await sim_control.expire_credentials()
    await sim_control.drop()
    await wait_for(hass, lambda: coordinator.session.state is ConnectionState.AUTH_FAILED, 60)
    at = coordinator.connection.next_attempt_at()
    assert at is not None and at > dt_util.utcnow()
    interval = coordinator.session.options.policy.auth_retry_interval
    assert (at - dt_util.utcnow()).total_seconds() <= interval
    await sim_control.restore_account(sim_account["email"])
    assert await hass.config_entries.async_unload(entry.entry_id)
