"""Repairs only where the user can act: gave up reconnecting (fixable), heater offline a day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.navilink.const import (
    CONF_AUTH_RETRY_INTERVAL,
    CONF_DEEP_EVERY,
    CONF_INITIAL_DELAY,
    CONF_MAX_ATTEMPTS,
    CONF_MAX_DELAY,
    CONF_UNLIMITED,
    DEVICE_REFRESH_INTERVAL,
    DOMAIN,
    EVENT_CONNECTION,
    HEATER_OFFLINE_REPAIR_AFTER,
    ISSUE_HEATER_OFFLINE,
    ISSUE_RECONNECT_GAVE_UP,
    UNAVAILABLE_GRACE,
)
from navilink_sim.testing import SimControl, SimInfo

from .conftest import make_entry, setup_entry, wait_for

GIVE_UP_FAST: dict[str, Any] = {
    CONF_INITIAL_DELAY: 0.05,
    CONF_MAX_DELAY: 0.2,
    CONF_DEEP_EVERY: 10,
    CONF_UNLIMITED: False,
    CONF_MAX_ATTEMPTS: 2,
    CONF_AUTH_RETRY_INTERVAL: 0,
}


def _navilink_issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
    }


async def test_an_outage_that_fixes_itself_raises_no_issue(
    hass: HomeAssistant, entry: MockConfigEntry, sim_control: SimControl
) -> None:
    """Retrying forever through a long outage: the user cannot act, so no repair issue."""
    events = async_capture_events(hass, EVENT_CONNECTION)
    await setup_entry(hass, entry)
    events.clear()
    await sim_control.network("down")
    await wait_for(hass, lambda: any(e.data["type"] == "reconnecting" for e in events))
    async_fire_time_changed(hass, dt_util.utcnow() + UNAVAILABLE_GRACE + timedelta(seconds=1))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=3))
    await hass.async_block_till_done()
    assert _navilink_issues(hass) == {}
    await sim_control.network("up")
    await wait_for(hass, lambda: entry.runtime_data.coordinator.session.connected, 60)
    assert _navilink_issues(hass) == {}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_gave_up_reconnecting_raises_a_fixable_issue_that_reconnects(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: SimInfo,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Finite mode gave up: a fixable issue; its fix flow reconnects and the issue goes."""
    assert await async_setup_component(hass, "repairs", {})
    events = async_capture_events(hass, EVENT_CONNECTION)
    entry = await setup_entry(hass, make_entry(sim, sim_account, GIVE_UP_FAST))
    issue_id = f"{ISSUE_RECONNECT_GAVE_UP}_{entry.entry_id}"
    events.clear()
    await sim_control.network("down")
    await wait_for(hass, lambda: any(e.data["type"] == "reconnect_failed" for e in events), 60)
    issue = _navilink_issues(hass)[issue_id]
    assert issue.is_fixable
    assert issue.translation_key == ISSUE_RECONNECT_GAVE_UP
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["account"] == entry.title

    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200
    flow = await response.json()
    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"] == {"account": entry.title}

    # Still down: the flow says so and can be submitted again.
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert response.status == 200
    failed = await response.json()
    assert failed["type"] == "form"
    assert failed["errors"] == {"base": "cannot_connect"}

    await sim_control.network("up")
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert response.status == 200
    assert (await response.json())["type"] == "create_entry"
    await wait_for(hass, lambda: entry.runtime_data.coordinator.session.connected, 60)
    await hass.async_block_till_done()
    assert issue_id not in _navilink_issues(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_heater_offline_for_a_day_raises_an_issue_until_it_returns(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Offline for more than a day: check its Wi-Fi; deleted when it is back online."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    coordinator = entry.runtime_data.coordinator
    issue_id = f"{ISSUE_HEATER_OFFLINE}_{mac}"

    await sim_control.set_online(mac, False)
    now = dt_util.utcnow()
    async_fire_time_changed(hass, now + DEVICE_REFRESH_INTERVAL)
    await wait_for(hass, lambda: coordinator.data.devices[mac].online is False)
    # An hour offline is not yet worth an issue.
    async_fire_time_changed(hass, now + DEVICE_REFRESH_INTERVAL + timedelta(hours=1))
    await hass.async_block_till_done()
    assert issue_id not in _navilink_issues(hass)

    later = now + DEVICE_REFRESH_INTERVAL + HEATER_OFFLINE_REPAIR_AFTER + timedelta(minutes=1)
    async_fire_time_changed(hass, later)
    issue = await wait_for(hass, lambda: _navilink_issues(hass).get(issue_id))
    assert not issue.is_fixable
    assert issue.translation_key == ISSUE_HEATER_OFFLINE

    await sim_control.set_online(mac, True)
    async_fire_time_changed(hass, later + DEVICE_REFRESH_INTERVAL)
    await wait_for(hass, lambda: coordinator.data.devices[mac].online is True)
    assert issue_id not in _navilink_issues(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
