"""Devices and capability gating from the recorded feature payloads."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.navilink.const import DOMAIN

from .conftest import EMAIL, MAC

# Entities that exist only when the heater reports demand response (drSettingUse).
DEMAND_RESPONSE = {f"{MAC}_demand_response", f"{MAC}_dr_event"}
RECIRCULATION = {f"{MAC}_recirculation_mode", f"{MAC}_run_recirculation"}
ALL_ENTITIES = 57  # with every capability (the recorded heater has the recirculation pump)


def unique_ids(entity_registry: er.EntityRegistry, entry: MockConfigEntry) -> set[str]:
    """Every entity of the entry, by unique id."""
    return {e.unique_id for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)}


async def test_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The account hub and the heater below it, with serial and firmware from the feature."""
    devices = dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    assert devices == snapshot
    heater = device_registry.async_get_device_by_identifier(
        (DOMAIN, MAC), init_integration.entry_id
    )
    account = device_registry.async_get_device_by_identifier(
        (DOMAIN, EMAIL), init_integration.entry_id
    )
    assert heater is not None and account is not None
    assert heater.via_device_id == account.id
    for entity in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id):
        expected = heater if entity.unique_id.startswith(MAC) else account
        assert entity.device_id == expected.id, entity.entity_id


@pytest.mark.parametrize(
    ("feature_fixture", "missing"),
    [
        ("feature.json", set()),
        ("feature_no_dr.json", DEMAND_RESPONSE),
        ("feature_no_recirc.json", RECIRCULATION),
    ],
    indirect=["feature_fixture"],
)
async def test_capability_gating(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    missing: set[str],
) -> None:
    """A heater without a capability gets no entity for it, and nothing else goes missing."""
    present = unique_ids(entity_registry, init_integration)
    assert not present & missing
    assert (DEMAND_RESPONSE | RECIRCULATION) - missing <= present
    assert len(present) == ALL_ENTITIES - len(missing)


# Account sensors that change with every message, command or reconnect attempt: useful when
# diagnosing, noise in the recorder and the logbook otherwise.
NOISY_HEALTH = (
    "reconnect_attempts",
    "quick_reconnects",
    "deep_reconnects",
    "latency_p50",
    "latency_p95",
    "messages_received",
    "next_retry",  # its value changes with every retry (logbook noise)
)


async def test_noisy_health_sensors_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Latency percentiles, counters and the next retry time are created disabled; the
    connection's state, its other timestamps and the disconnect reason stay enabled."""
    disabled = {
        e.unique_id.removeprefix(f"{EMAIL}_")
        for e in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id)
        if e.unique_id.startswith(EMAIL)
        and e.domain == "sensor"
        and e.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    assert disabled == set(NOISY_HEALTH)
