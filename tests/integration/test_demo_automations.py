"""The dev config's demo automations (config/automations.yaml) fire on a network drop and
again on recovery, against the simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink.const import DOMAIN
from navilink_sim.testing import SimControl

from .conftest import setup_entry, wait_for

AUTOMATIONS = Path(__file__).resolve().parents[2] / "config" / "automations.yaml"
DEMO_EVENT_ENTITY = "event.navilink_connection"


async def test_demo_automations_fire_on_drop_and_recovery(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Both demo automations notify on the drop and again when the connection is back."""
    assert await async_setup_component(hass, "persistent_notification", {})
    await setup_entry(hass, entry)
    event_entity = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{entry.unique_id}_connection"
    )
    # the entity id the demo automation names is the one an account's event entity gets
    assert event_entity == DEMO_EVENT_ENTITY
    automations = load_yaml(AUTOMATIONS)
    assert isinstance(automations, list) and len(automations) == 2
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await hass.async_block_till_done()

    seen: set[str] = set()

    def record(_update: Any, notifications: dict[str, Any]) -> None:
        seen.update(str(n["title"]) for n in notifications.values())

    unsub = persistent_notification.async_register_callback(hass, record)

    def titles() -> set[str]:
        return seen

    await sim_control.network("down")
    await wait_for(hass, lambda: "NaviLink disconnected" in titles())
    await wait_for(hass, lambda: "NaviLink disconnected (event entity)" in titles())
    await sim_control.network("up")
    await wait_for(hass, lambda: "NaviLink connected" in titles(), timeout=60)
    await wait_for(hass, lambda: "NaviLink connected (event entity)" in titles(), timeout=60)
    unsub()
