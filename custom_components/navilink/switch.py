"""Switches of the Navien NaviLink integration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from aionavilink import DeviceFeature, DeviceStatus, NaviLinkSession

from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkEntity, async_setup_heater_entities
from .helpers import command_errors

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NaviLinkSwitchDescription(SwitchEntityDescription):
    """A heater switch, present when the heater reports the capability."""

    exists_fn: Callable[[DeviceFeature], bool]
    value_fn: Callable[[DeviceStatus], bool | None] | None
    set_fn: Callable[[NaviLinkSession, str, bool], Awaitable[Any]]


SWITCHES: tuple[NaviLinkSwitchDescription, ...] = (
    NaviLinkSwitchDescription(
        key="anti_legionella",
        translation_key="anti_legionella",
        entity_category=EntityCategory.CONFIG,
        exists_fn=lambda f: bool(f.supports_anti_legionella),
        value_fn=lambda s: s.anti_legionella_enabled,
        set_fn=lambda session, mac, on: session.set_anti_legionella(mac, on),
    ),
    NaviLinkSwitchDescription(
        key="tou",
        translation_key="tou",
        entity_category=EntityCategory.CONFIG,
        exists_fn=lambda f: bool(f.supports_reservations),
        value_fn=lambda s: s.tou_enabled,
        set_fn=lambda session, mac, on: session.set_tou(mac, on),
    ),
    # The status carries no "demand response enabled" flag: the switch shows the last
    # state set from Home Assistant (assumed state).
    NaviLinkSwitchDescription(
        key="demand_response",
        translation_key="demand_response",
        entity_category=EntityCategory.CONFIG,
        exists_fn=lambda f: bool(f.supports_demand_response),
        value_fn=None,
        set_fn=lambda session, mac, on: session.set_demand_response(mac, on),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the switches the heaters support."""
    coordinator = entry.runtime_data.coordinator

    def switches(mac: str) -> list[SwitchEntity]:
        feature = coordinator.data.feature.get(mac)
        if feature is None:
            return []
        return [
            NaviLinkSwitch(coordinator, mac, description)
            for description in SWITCHES
            if description.exists_fn(feature)
        ]

    async_setup_heater_entities(coordinator, async_add_entities, switches)


class NaviLinkSwitch(NaviLinkEntity, SwitchEntity, RestoreEntity):
    """A heater setting that is on or off."""

    entity_description: NaviLinkSwitchDescription
    _assumed: bool | None = None

    async def async_added_to_hass(self) -> None:
        """An assumed state (demand response) survives a restart: restore the last one."""
        await super().async_added_to_hass()
        if self.entity_description.value_fn is not None:
            return
        last = await self.async_get_last_state()
        if last is not None and last.state in (STATE_ON, STATE_OFF):
            self._assumed = last.state == STATE_ON
            self._written = self._current_key()

    @property
    def assumed_state(self) -> bool:
        """True when the heater does not report the state back."""
        return self.entity_description.value_fn is None

    @property
    def is_on(self) -> bool | None:
        """The state from the last status (or the last state set)."""
        if self.entity_description.value_fn is None:
            return self._assumed
        status = self.status
        return None if status is None else self.entity_description.value_fn(status)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        with command_errors():
            await self.entity_description.set_fn(self.coordinator.session, self.mac, True)
            self._assumed = True
            self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off."""
        with command_errors():
            await self.entity_description.set_fn(self.coordinator.session, self.mac, False)
            self._assumed = False
            self.async_write_ha_state()
