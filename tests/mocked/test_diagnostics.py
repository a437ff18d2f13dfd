"""Diagnostics of the account and of the heater, as snapshots, and what they must never hold."""

from __future__ import annotations

import json
from unittest.mock import MagicMock

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.navilink.const import DOMAIN

from .conftest import EMAIL, MAC, load

SECRETS = (EMAIL, "hunter2", MAC, load("feature.json")["controllerSerialNumber"])


def assert_no_secrets(data: object) -> None:
    """No email, password, full MAC or serial number anywhere in the text."""
    text = json.dumps(data).lower()
    for secret in SECRETS:
        assert secret.lower() not in text, secret


async def test_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The account's diagnostics: entry (redacted), session health, every heater."""
    assert await async_setup_component(hass, "diagnostics", {})
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result == snapshot
    assert_no_secrets(result)


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One heater's diagnostics, and the account device's (no heater part)."""
    assert await async_setup_component(hass, "diagnostics", {})
    heater = device_registry.async_get_device_by_identifier(
        (DOMAIN, MAC), init_integration.entry_id
    )
    account = device_registry.async_get_device_by_identifier(
        (DOMAIN, EMAIL), init_integration.entry_id
    )
    assert heater is not None and account is not None
    result = await get_diagnostics_for_device(hass, hass_client, init_integration, heater)
    assert result == snapshot
    assert_no_secrets(result)
    account_result = await get_diagnostics_for_device(hass, hass_client, init_integration, account)
    assert "device" not in account_result
    assert account_result["session"] == result["session"]


async def test_mac_in_free_text_is_masked(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    mock_session: MagicMock,
) -> None:
    """A full MAC inside a message (a topic in a disconnect reason) is masked too."""
    assert await async_setup_component(hass, "diagnostics", {})
    reason = f"subscription failed: cmd/52/navilink-{MAC.upper()}/st"
    mock_session.diagnostics.return_value["health"]["last_disconnect_reason"] = reason
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result["session"]["health"]["last_disconnect_reason"] == (
        f"subscription failed: cmd/52/navilink-********{MAC[-4:]}/st"
    )
    assert_no_secrets(result)
