"""Selects of the Navien NaviLink integration: the recirculation pump's mode."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from aionavilink import RecircMode, recirc_mode, set_recirc_mode, supports_recirculation

from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkEntity, async_setup_heater_entities
from .helpers import command_errors

PARALLEL_UPDATES = 1

RECIRCULATION_MODE = SelectEntityDescription(
    key="recirculation_mode",
    translation_key="recirculation_mode",
    entity_category=EntityCategory.CONFIG,
    options=[mode.value for mode in RecircMode],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the recirculation mode of heaters with a recirculation pump."""
    coordinator = entry.runtime_data.coordinator

    def selects(mac: str) -> list[SelectEntity]:
        if not supports_recirculation(coordinator.data.feature.get(mac)):
            return []
        return [NaviLinkRecirculationModeSelect(coordinator, mac, RECIRCULATION_MODE)]

    async_setup_heater_entities(coordinator, async_add_entities, selects)


class NaviLinkRecirculationModeSelect(NaviLinkEntity, SelectEntity):
    """When the recirculation pump runs: always, on the hot button, on schedule, or by
    temperature."""

    @property
    def current_option(self) -> str | None:
        """The mode the last status reports."""
        mode = recirc_mode(self.status)
        return None if mode is None else mode.value

    async def async_select_option(self, option: str) -> None:
        """Send the new mode; the heater's status confirms it."""
        with command_errors():
            await set_recirc_mode(self.coordinator.session, self.mac, RecircMode(option))
