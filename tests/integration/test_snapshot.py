"""Entity snapshot: names, unique ids, classes, categories, units and steady states."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from .conftest import setup_entry

# Values the simulated thermal model (or the clock) changes while the test runs.
VOLATILE = (
    "temperature",
    "energy",
    "power",
    "charge",
    "latency",
    "last_connected",
    "air_filter_elapsed",
    "heat_source",
    "operation_state",
    "compressor",
    "element",
    "flow_rate",
    "messages_received",
)
VOLATILE_ATTRIBUTES = {"current_temperature"}


def plain_keys(value: Any) -> Any:
    """Mapping keys as plain strings.

    Since Home Assistant 2026.7 state attribute and capability keys are StrEnum members, which
    the snapshot would show as `<EntityStateAttribute.DEVICE_CLASS: 'device_class'>`.
    """
    if isinstance(value, dict):
        return {str(key): plain_keys(item) for key, item in value.items()}
    return value


async def test_entities(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    snapshot: SnapshotAssertion,
) -> None:
    """Every entity of an account with one heater."""
    await setup_entry(hass, entry)
    mac = sim_account["devices"][0]
    account = entry.unique_id
    assert account

    def norm(text: str) -> str:
        slug = account.replace("@", "_").replace(".", "_").replace("-", "_")
        return text.replace(mac, "<mac>").replace(account, "<account>").replace(slug, "<account>")

    result: dict[str, Any] = {}
    registry = er.async_get(hass)
    for item in sorted(
        er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.unique_id
    ):
        state = hass.states.get(item.entity_id)
        # an event entity's state is the time of its last event
        volatile = item.domain == "event" or any(word in item.unique_id for word in VOLATILE)
        result[f"{item.domain}.{norm(item.unique_id)}"] = {
            "entity_id": norm(item.entity_id),
            "translation_key": item.translation_key,
            "original_device_class": item.original_device_class,
            "entity_category": item.entity_category,
            "disabled_by": item.disabled_by,
            "unit": item.unit_of_measurement,
            "capabilities": plain_keys(item.capabilities),
            "state": None if state is None else ("<volatile>" if volatile else norm(state.state)),
            "attributes": None
            if state is None
            else {
                key: ("<volatile>" if key in VOLATILE_ATTRIBUTES else value)
                for key, value in plain_keys(dict(state.attributes)).items()
                if key != "friendly_name"
            },
        }
    assert result == snapshot
    assert await hass.config_entries.async_unload(entry.entry_id)
