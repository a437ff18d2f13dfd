"""Only NWP500 heaters become devices; other NaviLink products are ignored."""

from __future__ import annotations

import logging
import uuid

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr

from custom_components.navilink.const import DOMAIN, ENV_API_URL, ENV_CA_FILE, ENV_MQTT_URL
from navilink_sim.testing import SimControl, SimInfo

from .conftest import make_entry, setup_entry

OTHER_PRODUCT = 7  # any device type but the NWP500's


async def test_other_products_are_ignored(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_control: SimControl,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A heater and another product: one heater device, one debug line for the product."""
    caplog.set_level(logging.DEBUG, logger="custom_components.navilink")
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    account = await sim_control.add_account(email, "pw-mixed", heaters=1)
    product = await sim_control.add_product(email, OTHER_PRODUCT, "Tankless")
    entry = await setup_entry(hass, make_entry(sim, account))
    devices = dr.async_get(hass)
    assert devices.async_get_device_by_identifier((DOMAIN, account["devices"][0]), entry.entry_id)
    assert devices.async_get_device_by_identifier((DOMAIN, product), entry.entry_id) is None
    assert product not in entry.runtime_data.coordinator.data.devices
    lines = [r for r in caplog.records if "Ignoring NaviLink device" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.DEBUG
    assert product not in caplog.text  # only its last digits
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_account_without_a_heater_gets_no_devices(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_control: SimControl,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only other products on the account: the config flow answers no_devices."""
    monkeypatch.setenv(ENV_API_URL, sim.api_url)
    monkeypatch.setenv(ENV_MQTT_URL, sim.mqtt_url)
    monkeypatch.setenv(ENV_CA_FILE, sim.ca_file)
    email = f"other-{uuid.uuid4().hex[:8]}@example.com"
    await sim_control.add_account(email, "pw", heaters=0)
    await sim_control.add_product(email, OTHER_PRODUCT)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_EMAIL: email, CONF_PASSWORD: "pw"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_devices"}
