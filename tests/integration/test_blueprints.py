"""The automation blueprints shipped in blueprints/automation/navilink: valid, and they fire."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_fire_time_changed

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "navilink"
CONNECTIVITY = "binary_sensor.navilink_account_cloud_connection"
LEAK = "binary_sensor.heater_water_leak"


@pytest.fixture
def fired(hass: HomeAssistant) -> list[str]:
    """Events the test automations fire: their names in order."""
    names: list[str] = []

    def record(event: Event) -> None:
        names.append(event.event_type)

    for name in ("test_lost", "test_restored", "test_leak", "test_cleared"):
        hass.bus.async_listen(name, record)
    return names


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, object]) -> None:
    target = Path(hass.config.path("blueprints", "automation", "navilink"))
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINTS / name, target / name)
    config = {"automation": [{"use_blueprint": {"path": f"navilink/{name}", "input": inputs}}]}
    assert await async_setup_component(hass, "automation", config)
    await hass.async_block_till_done()
    states = hass.states.async_all("automation")
    assert [s.state for s in states] == ["on"], "the blueprint did not load"


async def test_connection_lost_fires_after_the_delay_and_on_recovery(
    hass: HomeAssistant, fired: list[str], freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set(CONNECTIVITY, "on", {"device_class": "connectivity"})
    await use_blueprint(
        hass,
        "connection_lost.yaml",
        {
            "connectivity": CONNECTIVITY,
            "minutes": 5,
            "lost_actions": [{"event": "test_lost"}],
            "restored_actions": [{"event": "test_restored"}],
        },
    )
    # a short blip: nothing at all
    hass.states.async_set(CONNECTIVITY, "off", {"device_class": "connectivity"})
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    hass.states.async_set(CONNECTIVITY, "on", {"device_class": "connectivity"})
    await hass.async_block_till_done()
    assert fired == []
    # a long outage: lost after 5 minutes, restored when it is back
    hass.states.async_set(CONNECTIVITY, "off", {"device_class": "connectivity"})
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert fired == ["test_lost"]
    hass.states.async_set(CONNECTIVITY, "on", {"device_class": "connectivity"})
    await hass.async_block_till_done()
    assert fired == ["test_lost", "test_restored"]


async def test_connection_lost_with_zero_minutes_fires_on_every_drop(
    hass: HomeAssistant, fired: list[str]
) -> None:
    """0 minutes (the browser test's choice): lost at once on each drop, restored on each return."""
    hass.states.async_set(CONNECTIVITY, "on", {"device_class": "connectivity"})
    await use_blueprint(
        hass,
        "connection_lost.yaml",
        {
            "connectivity": CONNECTIVITY,
            "minutes": 0,
            "lost_actions": [{"event": "test_lost"}],
            "restored_actions": [{"event": "test_restored"}],
        },
    )
    for _ in range(2):
        hass.states.async_set(CONNECTIVITY, "off", {"device_class": "connectivity"})
        await hass.async_block_till_done()
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        hass.states.async_set(CONNECTIVITY, "on", {"device_class": "connectivity"})
        await hass.async_block_till_done()
    assert fired == ["test_lost", "test_restored", "test_lost", "test_restored"]


async def test_water_leak_fires_on_leak_and_clear(hass: HomeAssistant, fired: list[str]) -> None:
    hass.states.async_set(LEAK, "off", {"device_class": "moisture"})
    await use_blueprint(
        hass,
        "water_leak.yaml",
        {
            "leak": LEAK,
            "leak_actions": [{"event": "test_leak"}],
            "cleared_actions": [{"event": "test_cleared"}],
        },
    )
    hass.states.async_set(LEAK, "on", {"device_class": "moisture"})
    await hass.async_block_till_done()
    hass.states.async_set(LEAK, "off", {"device_class": "moisture"})
    await hass.async_block_till_done()
    assert fired == ["test_leak", "test_cleared"]
