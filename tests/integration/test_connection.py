"""Connection faults from the simulator, as Home Assistant sees them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.navilink.const import (
    CONF_TOKENS,
    DOMAIN,
    EVENT_CONNECTION,
    UNAVAILABLE_GRACE,
)
from navilink_sim.testing import SimControl, SimInfo

from .conftest import make_entry, setup_entry, wait_for


def _eid(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id, unique_id
    return entity_id


def _types(events: list[Event]) -> list[str]:
    return [event.data["type"] for event in events]


def _after(types: list[str], first: str, then: str) -> bool:
    return first in types and then in types[types.index(first) + 1 :]


async def test_drop_reconnects_and_fires_events(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """A dropped connection comes back; events arrive in order; nothing goes unavailable."""
    events = async_capture_events(hass, EVENT_CONNECTION)
    # The counter is disabled by default; registered beforehand, it is created enabled.
    entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "sensor", DOMAIN, f"{entry.unique_id}_quick_reconnects", config_entry=entry
    )
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    connection = _eid(hass, "binary_sensor", f"{entry.unique_id}_connection")
    event_entity = _eid(hass, "event", f"{entry.unique_id}_connection")
    assert _types(events)[:2] == ["connecting", "connected"]
    events.clear()

    assert await sim_control.drop() >= 1
    await wait_for(hass, lambda: _after(_types(events), "disconnected", "connected"))
    types = _types(events)
    assert types[0] == "disconnected"
    assert "reconnecting" in types
    assert all(event.data["entry_id"] == entry.entry_id for event in events)
    assert hass.states.get(connection).state == STATE_ON
    assert hass.states.get(heater).state != STATE_UNAVAILABLE
    assert hass.states.get(event_entity).attributes["event_type"] == "connected"
    quick = _eid(hass, "sensor", f"{entry.unique_id}_quick_reconnects")
    assert int(hass.states.get(quick).state) >= 1
    assert hass.states.get(_eid(hass, "sensor", f"{entry.unique_id}_last_disconnected")).state
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_network_down_unavailable_repair_and_recovery(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Down past the grace: unavailable (logged once); no repair (it fixes itself); then back."""
    events = async_capture_events(hass, EVENT_CONNECTION)
    # The counter is disabled by default; registered beforehand, it is created enabled.
    entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "sensor", DOMAIN, f"{entry.unique_id}_quick_reconnects", config_entry=entry
    )
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    connection = _eid(hass, "binary_sensor", f"{entry.unique_id}_connection")
    issues = ir.async_get(hass)
    events.clear()

    await sim_control.network("down")
    await wait_for(hass, lambda: "disconnected" in _types(events))
    assert hass.states.get(connection).state == STATE_OFF
    # Within the grace period the heater stays available.
    assert hass.states.get(heater).state != STATE_UNAVAILABLE
    state = _eid(hass, "sensor", f"{entry.unique_id}_connection_state")
    await wait_for(hass, lambda: "reconnecting" in _types(events))

    async_fire_time_changed(hass, dt_util.utcnow() + UNAVAILABLE_GRACE + timedelta(seconds=1))
    await wait_for(hass, lambda: hass.states.get(heater).state == STATE_UNAVAILABLE)
    assert hass.states.get(state).state in ("reconnecting", "disconnected")
    assert caplog.text.count("Lost the connection to the NaviLink cloud") == 1

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1))
    await hass.async_block_till_done()
    assert not [key for key in issues.issues if key[0] == DOMAIN]

    await sim_control.network("up")
    await wait_for(hass, lambda: hass.states.get(heater).state != STATE_UNAVAILABLE, 60)
    assert hass.states.get(connection).state == STATE_ON
    assert caplog.text.count("Connection to the NaviLink cloud is back") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_broker_restart_recovers(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """A broker restart is a disconnect followed by a reconnect."""
    events = async_capture_events(hass, EVENT_CONNECTION)
    await setup_entry(hass, entry)
    events.clear()
    await sim_control.broker_restart()
    await wait_for(hass, lambda: _after(_types(events), "disconnected", "connected"), 60)
    assert entry.runtime_data.coordinator.session.connected
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_expired_credentials_renewed_and_persisted(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """Expired AWS credentials: the client signs in again and the tokens are persisted."""
    events = async_capture_events(hass, EVENT_CONNECTION)
    await setup_entry(hass, entry)
    before = entry.data[CONF_TOKENS]["aws_access_key_id"]
    events.clear()
    await sim_control.expire_credentials()
    await wait_for(hass, lambda: _after(_types(events), "disconnected", "connected"), 60)
    await wait_for(hass, lambda: entry.data[CONF_TOKENS]["aws_access_key_id"] != before)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_deleted_account_starts_reauth(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Credentials rejected on the push path: auth_failed event and a reauth flow."""
    events = async_capture_events(hass, EVENT_CONNECTION)
    await setup_entry(hass, entry)
    events.clear()
    await sim_control.delete_account(sim_account["email"])
    await sim_control.expire_credentials()
    await sim_control.drop()
    await wait_for(hass, lambda: "auth_failed" in _types(events), 60)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert any(flow["context"]["source"] == SOURCE_REAUTH for flow in flows)
    event_entity = _eid(hass, "event", f"{entry.unique_id}_connection")
    await wait_for(
        hass, lambda: hass.states.get(event_entity).attributes["event_type"] == "auth_failed"
    )

    # Restoring the account recovers on the slow auth retry without user action.
    await sim_control.restore_account(sim_account["email"])
    await wait_for(hass, lambda: _after(_types(events), "auth_failed", "connected"), 60)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconnect_button_and_action(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """'Reconnect now' and the reconnect action reconnect at once."""
    events = async_capture_events(hass, EVENT_CONNECTION)
    await setup_entry(hass, entry)
    events.clear()
    await hass.services.async_call(
        "button",
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: _eid(hass, "button", f"{entry.unique_id}_reconnect")},
        blocking=True,
    )
    assert _after(_types(events), "reconnecting", "connected")
    events.clear()
    await hass.services.async_call(
        DOMAIN, "reconnect", {"config_entry_id": entry.entry_id, "deep": True}, blocking=True
    )
    assert _after(_types(events), "deep_reconnect", "connected")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_setup_retry_when_cloud_unreachable(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """A failed first connect leaves the entry in setup retry, with nothing running."""
    await sim_control.rest_fault(status=503, count=20)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    await sim_control.rest_fault(count=0)


async def test_setup_auth_failed_starts_reauth(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    """Rejected credentials at setup: setup error and a reauth flow."""
    entry = make_entry(sim, {**sim_account, "password": "wrong"})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
