"""°F heaters (temperatureType 2, the US factory setting) show correctly in both unit systems."""

from __future__ import annotations

import uuid

import pytest
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_system import METRIC_SYSTEM, US_CUSTOMARY_SYSTEM, UnitSystem

from custom_components.navilink.const import DOMAIN
from navilink_sim.testing import SimControl, SimInfo

from .conftest import make_entry, setup_entry


@pytest.mark.parametrize(
    ("units", "setpoint", "unit"),
    [
        (METRIC_SYSTEM, 49.0, UnitOfTemperature.CELSIUS),
        (US_CUSTOMARY_SYSTEM, 120.0, UnitOfTemperature.FAHRENHEIT),
    ],
)
async def test_fahrenheit_heater(  # noqa: PLR0917
    hass: HomeAssistant,
    sim: SimInfo,
    sim_control: SimControl,
    units: UnitSystem,
    setpoint: float,
    unit: str,
) -> None:
    """The factory setpoint of a °F heater (120 °F, 98 half-°C on the wire) reads 49 °C or
    120 °F, and its tank temperature is the same in both systems."""
    hass.config.units = units
    email = f"us-{uuid.uuid4().hex[:10]}@example.com"
    account = await sim_control.add_account(email, "pw", heaters=1, units="us")
    mac = account["devices"][0]
    device = (await sim_control.state())["devices"][mac]
    assert device["temperature_type"] == 2
    await setup_entry(hass, make_entry(sim, account))
    registry = er.async_get(hass)
    heater_id = registry.async_get_entity_id("water_heater", DOMAIN, f"{mac}_water_heater")
    assert heater_id
    state = hass.states.get(heater_id)
    assert state is not None
    assert state.attributes[ATTR_TEMPERATURE] == setpoint
    tank_id = registry.async_get_entity_id("sensor", DOMAIN, f"{mac}_tank_upper_temperature")
    assert tank_id
    tank = hass.states.get(tank_id)
    assert tank is not None
    assert tank.attributes["unit_of_measurement"] == unit
    celsius = (
        float(tank.state)
        if unit == UnitOfTemperature.CELSIUS
        else ((float(tank.state) - 32) * 5 / 9)
    )
    assert abs(celsius - (await sim_control.state())["devices"][mac]["tank_upper_c"]) < 2
