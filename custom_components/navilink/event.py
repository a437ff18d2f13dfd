"""Connection event entity of the Navien NaviLink integration."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from aionavilink import ConnectionEvent, ConnectionState

from .const import EVENT_TYPES
from .coordinator import NaviLinkConfigEntry
from .entity import NaviLinkAccountEntity

PARALLEL_UPDATES = 0

CONNECTION_EVENT = EventEntityDescription(
    key="connection",
    translation_key="connection",
    entity_category=EntityCategory.DIAGNOSTIC,
    event_types=list(EVENT_TYPES),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the connection event entity."""
    async_add_entities([NaviLinkConnectionEvent(entry.runtime_data.coordinator, CONNECTION_EVENT)])


class NaviLinkConnectionEvent(NaviLinkAccountEntity, EventEntity):
    """Fires on every connection transition of the account."""

    async def async_added_to_hass(self) -> None:
        """Listen to connection events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.connection.add_event_listener(self._handle_event))
        # The entity restores its last event; after a reload, reauth or restart that may be
        # "auth_failed" or "reconnecting" although the session connected before the entity
        # existed. That connection is an event too.
        event = self.coordinator.connection.last_event
        if event is not None and event.state is ConnectionState.CONNECTED:
            self._handle_event(event)

    @callback
    def _handle_event(self, event: ConnectionEvent) -> None:
        if event.type.value not in EVENT_TYPES:
            return
        if event.state is ConnectionState.RECONNECTING and event.attempt > 1:
            # One "reconnecting" per outage: every further attempt would be a logbook line.
            return
        self._trigger_event(
            event.type.value,
            {
                "reason": event.reason,
                "attempt": event.attempt,
                "tier": None if event.tier is None else event.tier.value,
            },
        )
        self.async_write_ha_state()
