"""Buttons of the Navien NaviLink integration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from aionavilink import NaviLinkSession, run_recirculation, supports_recirculation

from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkAccountEntity, NaviLinkEntity, async_setup_heater_entities
from .helpers import command_errors

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NaviLinkButtonDescription(ButtonEntityDescription):
    """A heater button."""

    press_fn: Callable[[NaviLinkSession, str], Awaitable[Any]]


BUTTONS: tuple[NaviLinkButtonDescription, ...] = (
    NaviLinkButtonDescription(
        key="reset_air_filter",
        translation_key="reset_air_filter",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda session, mac: session.reset_air_filter(mac),
    ),
    NaviLinkButtonDescription(
        key="refresh_status",
        translation_key="refresh_status",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        press_fn=lambda session, mac: session.request_status(mac),
    ),
)

# Only on heaters with a recirculation pump.
RUN_RECIRCULATION = NaviLinkButtonDescription(
    key="run_recirculation",
    translation_key="run_recirculation",
    press_fn=run_recirculation,
)

RECONNECT = ButtonEntityDescription(
    key="reconnect",
    translation_key="reconnect",
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the buttons."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities([NaviLinkReconnectButton(coordinator, RECONNECT)])
    async_setup_heater_entities(
        coordinator,
        async_add_entities,
        lambda mac: [NaviLinkButton(coordinator, mac, description) for description in BUTTONS],
    )
    async_setup_heater_entities(
        coordinator,
        async_add_entities,
        lambda mac: (
            [NaviLinkButton(coordinator, mac, RUN_RECIRCULATION)]
            if supports_recirculation(coordinator.data.feature.get(mac))
            else []
        ),
    )


class NaviLinkButton(NaviLinkEntity, ButtonEntity):
    """A heater button."""

    entity_description: NaviLinkButtonDescription

    def _value_key(self) -> object:
        return None  # a button shows no value: only its availability changes

    async def async_press(self) -> None:
        """Send the command."""
        with command_errors():
            await self.entity_description.press_fn(self.coordinator.session, self.mac)


class NaviLinkReconnectButton(NaviLinkAccountEntity, ButtonEntity):
    """Reconnect to the NaviLink cloud now."""

    async def async_press(self) -> None:
        """Reconnect without waiting for the backoff."""
        with command_errors():
            await self.coordinator.session.reconnect()
