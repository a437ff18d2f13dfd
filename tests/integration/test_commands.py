"""Commands from Home Assistant change the simulated heater and the entities."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.water_heater import (
    ATTR_AWAY_MODE,
    ATTR_OPERATION_MODE,
    SERVICE_SET_AWAY_MODE,
    SERVICE_SET_OPERATION_MODE,
    SERVICE_SET_TEMPERATURE,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink.const import DOMAIN
from navilink_sim.testing import SimControl, SimInfo

from .conftest import FAST_OPTIONS, make_entry, setup_entry, wait_for


def _eid(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id, unique_id
    return entity_id


async def _device(sim_control: SimControl, mac: str) -> dict[str, Any]:
    return dict((await sim_control.state())["devices"][mac])


async def test_water_heater_commands(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Setpoint, modes, power and away mode reach the heater and come back."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")

    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_TEMPERATURE,
        {ATTR_ENTITY_ID: heater, ATTR_TEMPERATURE: 55.5},
        blocking=True,
    )
    assert (await _device(sim_control, mac))["setpoint_c"] == 55.5
    assert hass.states.get(heater).attributes[ATTR_TEMPERATURE] == 55.5

    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_OPERATION_MODE,
        {ATTR_ENTITY_ID: heater, ATTR_OPERATION_MODE: "eco"},
        blocking=True,
    )
    assert (await _device(sim_control, mac))["mode"] == "energy_saver"
    assert hass.states.get(heater).state == "eco"

    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_OPERATION_MODE,
        {ATTR_ENTITY_ID: heater, ATTR_OPERATION_MODE: STATE_OFF},
        blocking=True,
    )
    assert (await _device(sim_control, mac))["power_on"] is False
    assert hass.states.get(heater).state == STATE_OFF

    # Selecting a mode while off powers the heater on first.
    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_TEMPERATURE,
        {ATTR_ENTITY_ID: heater, ATTR_TEMPERATURE: 52, ATTR_OPERATION_MODE: "high_demand"},
        blocking=True,
    )
    device = await _device(sim_control, mac)
    assert device["power_on"] is True
    assert device["mode"] == "high_demand"
    assert hass.states.get(heater).state == "high_demand"

    await hass.services.async_call(
        "water_heater", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: heater}, blocking=True
    )
    assert hass.states.get(heater).state == STATE_OFF
    await hass.services.async_call(
        "water_heater", SERVICE_TURN_ON, {ATTR_ENTITY_ID: heater}, blocking=True
    )
    assert (await _device(sim_control, mac))["power_on"] is True

    # Away mode = vacation for the days of the vacation-days number.
    days = _eid(hass, "number", f"{mac}_vacation_days")
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: days, ATTR_VALUE: 3}, blocking=True
    )
    assert float(hass.states.get(days).state) == 3
    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_AWAY_MODE,
        {ATTR_ENTITY_ID: heater, ATTR_AWAY_MODE: True},
        blocking=True,
    )
    assert (await _device(sim_control, mac))["mode"] == "vacation"
    state = hass.states.get(heater)
    assert state.attributes[ATTR_AWAY_MODE] == STATE_ON
    assert state.state == "high_demand"
    assert entry.runtime_data.coordinator.data.status[mac].vacation_days_setting == 3
    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_AWAY_MODE,
        {ATTR_ENTITY_ID: heater, ATTR_AWAY_MODE: False},
        blocking=True,
    )
    assert (await _device(sim_control, mac))["mode"] == "high_demand"
    assert hass.states.get(heater).attributes[ATTR_AWAY_MODE] == STATE_OFF

    # Out of range and unsupported values are refused with a translated error.
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "water_heater",
            SERVICE_SET_TEMPERATURE,
            {ATTR_ENTITY_ID: heater, ATTR_TEMPERATURE: 80},
            blocking=True,
        )
    assert err.value.translation_key == "temperature_out_of_range"
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "water_heater",
            SERVICE_SET_OPERATION_MODE,
            {ATTR_ENTITY_ID: heater, ATTR_OPERATION_MODE: "performance"},
            blocking=True,
        )
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_controls(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Switches, numbers and buttons send their commands."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]

    anti_leg = _eid(hass, "switch", f"{mac}_anti_legionella")
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: anti_leg}, blocking=True
    )
    assert hass.states.get(anti_leg).state == STATE_OFF
    period = _eid(hass, "number", f"{mac}_anti_legionella_period")
    sent_on = (await _device(sim_control, mac))["commands"].get("anti-leg-on", 0)
    # The heater takes a period only with "cycle on": refused while off, the switch stays off.
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: period, ATTR_VALUE: 14}, blocking=True
        )
    assert err.value.translation_key == "anti_legionella_off"
    assert hass.states.get(anti_leg).state == STATE_OFF
    assert (await _device(sim_control, mac))["commands"].get("anti-leg-on", 0) == sent_on
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: anti_leg}, blocking=True
    )
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: period, ATTR_VALUE: 14}, blocking=True
    )
    assert float(hass.states.get(period).state) == 14
    assert hass.states.get(anti_leg).state == STATE_ON

    tou = _eid(hass, "switch", f"{mac}_tou")
    await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: tou}, blocking=True)
    assert hass.states.get(tou).state == STATE_ON

    dr_switch = _eid(hass, "switch", f"{mac}_demand_response")
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: dr_switch}, blocking=True
    )
    assert hass.states.get(dr_switch).state == STATE_ON
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: dr_switch}, blocking=True
    )
    assert hass.states.get(dr_switch).state == STATE_OFF

    freeze = _eid(hass, "number", f"{mac}_freeze_protection_temperature")
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: freeze, ATTR_VALUE: 9.5}, blocking=True
    )
    assert hass.states.get(freeze).state == "9.5"

    # Nothing earlier reset the air filter: the heater counts exactly the one press.
    assert "air-filter-reset" not in (await _device(sim_control, mac))["commands"]
    await hass.services.async_call(
        "button",
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: _eid(hass, "button", f"{mac}_reset_air_filter")},
        blocking=True,
    )
    assert (await _device(sim_control, mac))["commands"]["air-filter-reset"] == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_command_fails_when_heater_offline(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """A command the heater never confirms raises a translated HomeAssistantError."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    session = entry.runtime_data.coordinator.session
    session.options = dataclasses.replace(session.options, command_timeout=0.5)
    await sim_control.set_online(mac, False)
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "water_heater",
            SERVICE_SET_TEMPERATURE,
            {ATTR_ENTITY_ID: heater, ATTR_TEMPERATURE: 50},
            blocking=True,
        )
    assert err.value.translation_domain == DOMAIN
    await sim_control.set_online(mac, True)
    await wait_for(hass, lambda: hass.states.get(heater) is not None)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_status_only_rewrites_its_own_heater(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """One heater's push writes only that heater's entities whose value changed: not the
    other heater's, not its unchanged ones, not the account's health entities."""
    other = await sim_control.add_device(sim_account["email"])
    entry = make_entry(sim, sim_account, FAST_OPTIONS)
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    coordinator = entry.runtime_data.coordinator
    await wait_for(hass, lambda: other in coordinator.data.status)
    # the air-filter hours carry the heater's send time: they change with every status
    await sim_control.stamp(mac, "airFilterAlarmElapsed")
    changing = _eid(hass, "sensor", f"{mac}_air_filter_elapsed")
    unchanged = _eid(hass, "binary_sensor", f"{mac}_error")
    theirs = _eid(hass, "sensor", f"{other}_tank_upper_temperature")
    account = _eid(hass, "binary_sensor", f"{entry.unique_id}_connection")
    watched = (changing, unchanged, theirs, account)
    await wait_for(hass, lambda: all(hass.states.get(e) is not None for e in watched))
    # let the start-up work finish: first statuses and the energy query of both heaters
    await wait_for(hass, lambda: {mac, other} <= set(coordinator.energy.data or {}))
    await hass.async_block_till_done()
    # HA updates last_reported in place on the same State object: keep the values
    before = {e: hass.states.get(e).last_reported for e in watched}  # type: ignore[union-attr]

    await coordinator.session.request_status(mac)
    await hass.async_block_till_done()

    after = {e: hass.states.get(e).last_reported for e in watched}  # type: ignore[union-attr]
    assert after[changing] > before[changing]
    assert after[unchanged] == before[unchanged]
    assert after[theirs] == before[theirs]
    assert after[account] == before[account]
    await sim_control.stamp(mac, None)
