"""Recirculation: the mode select and the run-now button, on heaters with and without a pump."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.select import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from custom_components.navilink.const import DOMAIN
from navilink_sim.testing import SimControl, SimInfo

from .conftest import make_entry, setup_entry, wait_for


async def _account(sim_control: SimControl, model: str) -> dict[str, Any]:
    email = f"recirc-{uuid.uuid4().hex[:10]}@example.com"
    return await sim_control.add_account(email, "pw", heaters=1, model=model)


async def test_recirculation_mode_and_run_now(
    hass: HomeAssistant, sim: SimInfo, sim_control: SimControl
) -> None:
    """A heater with a pump gets a mode select and a button; both reach the heater."""
    account = await _account(sim_control, "nwp500-recirc")
    mac = account["devices"][0]
    await setup_entry(hass, make_entry(sim, account))
    registry = er.async_get(hass)
    select_id = registry.async_get_entity_id("select", DOMAIN, f"{mac}_recirculation_mode")
    button_id = registry.async_get_entity_id("button", DOMAIN, f"{mac}_run_recirculation")
    assert select_id and button_id
    state = hass.states.get(select_id)
    assert state is not None
    assert state.attributes["options"] == ["always", "button", "schedule", "temperature"]

    await hass.services.async_call(
        "select",
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select_id, ATTR_OPTION: "schedule"},
        blocking=True,
    )
    assert hass.states.get(select_id).state == "schedule"  # type: ignore[union-attr]

    before = (await sim_control.state())["devices"][mac]["commands"].get("recirc-hotbtn", 0)
    await hass.services.async_call(
        "button", SERVICE_PRESS, {ATTR_ENTITY_ID: button_id}, blocking=True
    )

    async def pressed() -> bool:
        state = await sim_control.state()
        return bool(state["devices"][mac]["commands"].get("recirc-hotbtn", 0) == before + 1)

    assert await pressed()

    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "select",
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: select_id, ATTR_OPTION: "sometimes"},
            blocking=True,
        )


async def test_no_recirculation_entities_without_a_pump(
    hass: HomeAssistant, sim: SimInfo, sim_control: SimControl
) -> None:
    """A heater without recirculation gets neither entity."""
    account = await _account(sim_control, "nwp500")
    mac = account["devices"][0]
    await setup_entry(hass, make_entry(sim, account))
    registry = er.async_get(hass)
    await wait_for(
        hass, lambda: registry.async_get_entity_id("button", DOMAIN, f"{mac}_refresh_status")
    )
    assert registry.async_get_entity_id("select", DOMAIN, f"{mac}_recirculation_mode") is None
    assert registry.async_get_entity_id("button", DOMAIN, f"{mac}_run_recirculation") is None
