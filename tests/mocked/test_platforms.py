"""Every platform's entities, from the recorded payloads: snapshot_platform per platform."""

from __future__ import annotations

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.navilink import PLATFORMS


@pytest.mark.parametrize(
    "platforms", [[platform] for platform in PLATFORMS], ids=lambda p: str(p[0])
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_platform(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
    platforms: list[Platform],
) -> None:
    """The platform's entities, their registry entries and states."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
