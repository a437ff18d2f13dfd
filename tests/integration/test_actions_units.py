"""Actions target heaters the HA way; temperatures speak the user's unit; one mode vocabulary."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.water_heater import SERVICE_SET_TEMPERATURE
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TEMPERATURE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink import services
from custom_components.navilink.const import DOMAIN, MAX_VACATION_DAYS, MIN_VACATION_DAYS
from navilink_sim.testing import SimControl

from .conftest import setup_entry, wait_for

SERVICES_YAML = Path(services.__file__).parent / "services.yaml"


def _eid(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id, unique_id
    return entity_id


async def _device(sim_control: SimControl, mac: str) -> dict[str, Any]:
    return dict((await sim_control.state())["devices"][mac])


async def _reservation(hass: HomeAssistant, heater: str, **fields: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "add_reservation",
        {"weekdays": ["monday"], "time": "06:30:00", "mode": "heat_pump", **fields},
        target={ATTR_ENTITY_ID: heater},
        blocking=True,
        return_response=True,
    )


def test_schema_and_selector_ranges_agree() -> None:
    """services.yaml's selector ranges are the schemas' ranges."""
    described = yaml.safe_load(SERVICES_YAML.read_text(encoding="utf-8"))
    temperature = described["add_reservation"]["fields"]["temperature"]["selector"]["number"]
    assert (temperature["min"], temperature["max"]) == (
        services.TEMPERATURE_FIELD_MIN,
        services.TEMPERATURE_FIELD_MAX,
    )
    year = described["request_energy_usage"]["fields"]["year"]["selector"]["number"]
    assert (year["min"], year["max"]) == (services.YEAR_MIN, services.YEAR_MAX)
    days = described["set_vacation_days"]["fields"]["days"]["selector"]["number"]
    assert (days["min"], days["max"]) == (MIN_VACATION_DAYS, MAX_VACATION_DAYS)
    modes = described["add_reservation"]["fields"]["mode"]["selector"]["select"]["options"]
    schema = vol.Schema(services.ADD_RESERVATION_SCHEMA)
    for mode in modes:
        schema({"weekdays": ["monday"], "time": "06:30", "mode": mode, "temperature": 50})
    with pytest.raises(vol.Invalid):
        vol.Schema(services.ENERGY_SCHEMA)({"year": services.YEAR_MIN - 1})
    # Every heater action takes a target of NaviLink water heaters, not a device_id field.
    for name in ("set_vacation_days", "add_reservation", "remove_reservation"):
        assert described[name]["target"] == {
            "entity": {"integration": DOMAIN, "domain": "water_heater"}
        }
        assert "device_id" not in described[name].get("fields", {})


async def test_reservation_temperature_checked_against_the_heater(
    hass: HomeAssistant, entry: MockConfigEntry, sim_account: dict[str, Any]
) -> None:
    """95 °C is refused with the heater's range; `eco` is the mode's name in and out."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    await wait_for(hass, lambda: mac in entry.runtime_data.coordinator.data.feature)
    with pytest.raises(ServiceValidationError) as err:
        await _reservation(hass, heater, temperature=95)
    assert err.value.translation_key == "temperature_out_of_range"
    assert err.value.translation_placeholders == {
        "temperature": "95 °C",
        "min": "40.5 °C",
        "max": "65.5 °C",
    }
    response = await _reservation(hass, heater, temperature=52.5, mode="eco")
    added = response[heater]["reservations"][-1]
    assert added["mode"] == "eco"
    assert added["temperature"] == 52.5
    assert response[heater]["temperature_unit"] == "°C"
    with pytest.raises(vol.Invalid):
        await _reservation(hass, heater, temperature=52.5, mode="energy_saver")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_fahrenheit_user(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """°F in, °F out: errors in °F, whole-degree steps landing on half-degrees Celsius."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    await wait_for(hass, lambda: mac in entry.runtime_data.coordinator.data.feature)
    await hass.async_block_till_done()
    assert hass.states.get(heater).attributes["target_temp_step"] == 1

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "water_heater",
            SERVICE_SET_TEMPERATURE,
            {ATTR_ENTITY_ID: heater, ATTR_TEMPERATURE: 160},
            blocking=True,
        )
    assert err.value.translation_placeholders == {
        "temperature": "160 °F",
        "min": "105 °F",
        "max": "150 °F",
    }
    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_TEMPERATURE,
        {ATTR_ENTITY_ID: heater, ATTR_TEMPERATURE: 120},
        blocking=True,
    )
    # 120 °F = 48.9 °C: the heater holds the nearest half-degree.
    assert (await _device(sim_control, mac))["setpoint_c"] == 49.0

    # Freeze protection: typed 45 °F is held as 7 °C and reads back as 45 °F.
    freeze = _eid(hass, "number", f"{mac}_freeze_protection_temperature")
    state = hass.states.get(freeze)
    assert state.attributes["step"] == 1
    assert (state.attributes["min"], state.attributes["max"]) == (43, 50)
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: freeze, ATTR_VALUE: 45}, blocking=True
    )
    assert entry.runtime_data.coordinator.data.status[mac].freeze_protection_temperature == 7.0
    assert float(hass.states.get(freeze).state) == 45

    # Reservations in °F, listed back in °F.
    response = await _reservation(hass, heater, temperature=130)
    assert response[heater]["temperature_unit"] == "°F"
    assert response[heater]["reservations"][-1]["temperature"] == 130
    with pytest.raises(ServiceValidationError) as err:
        await _reservation(hass, heater, temperature=95)
    assert err.value.translation_placeholders["temperature"] == "95 °F"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_set_vacation_days_updates_state_only_when_confirmed(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """The vacation-days number follows the action once the heater confirmed it, not before."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    heater = _eid(hass, "water_heater", f"{mac}_water_heater")
    days = _eid(hass, "number", f"{mac}_vacation_days")
    before = hass.states.get(days).state

    session = entry.runtime_data.coordinator.session
    session.options = dataclasses.replace(session.options, command_timeout=0.5)
    await sim_control.set_online(mac, False)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            DOMAIN,
            "set_vacation_days",
            {"days": 12},
            target={ATTR_ENTITY_ID: heater},
            blocking=True,
        )
    assert hass.states.get(days).state == before
    assert entry.runtime_data.coordinator.vacation_days_for(mac, 0) == float(before)

    await sim_control.set_online(mac, True)
    await hass.services.async_call(
        DOMAIN, "set_vacation_days", {"days": 12}, target={ATTR_ENTITY_ID: heater}, blocking=True
    )
    assert float(hass.states.get(days).state) == 12
    assert (await _device(sim_control, mac))["mode"] == "vacation"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_action_without_a_navilink_heater_is_refused(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A target with no NaviLink water heater gets a translated error."""
    await setup_entry(hass, entry)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "list_reservations",
            target={ATTR_ENTITY_ID: "water_heater.somebody_else"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "target_required"
    assert await hass.config_entries.async_unload(entry.entry_id)
