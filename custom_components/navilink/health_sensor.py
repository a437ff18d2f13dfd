"""The account's connection-health sensors (state, reconnects, latency, last disconnect).

Written on connection events and at the coordinator's health pace, never once per message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import callback

from aionavilink import ConnectionState, ReconnectTier

from .const import CONNECTION_STATES
from .coordinator import NaviLinkCoordinator
from .disconnect import DISCONNECT_REASONS, disconnect_category
from .entity import NaviLinkAccountEntity

type HealthValue = float | int | str | datetime | None


@dataclass(frozen=True, kw_only=True)
class NaviLinkHealthSensorDescription(SensorEntityDescription):
    """An account sensor read from the connection health."""

    value_fn: Callable[[NaviLinkCoordinator], HealthValue]


def _latency_ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _connected(coordinator: NaviLinkCoordinator) -> bool:
    return coordinator.session.state is ConnectionState.CONNECTED


HEALTH_SENSORS: tuple[NaviLinkHealthSensorDescription, ...] = (
    NaviLinkHealthSensorDescription(
        key="connection_state",
        translation_key="connection_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(CONNECTION_STATES),
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: c.session.state.value,
    ),
    NaviLinkHealthSensorDescription(
        key="reconnect_attempts",
        translation_key="reconnect_attempts",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        # The attempts of the outage in progress: 0 once connected.
        value_fn=lambda c: 0 if _connected(c) else c.session.health.attempt,
    ),
    NaviLinkHealthSensorDescription(
        key="quick_reconnects",
        translation_key="quick_reconnects",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        # Reconnects that succeeded (not attempts, which "Reconnect attempts" shows).
        value_fn=lambda c: c.connection.reconnects[ReconnectTier.QUICK],
    ),
    NaviLinkHealthSensorDescription(
        key="deep_reconnects",
        translation_key="deep_reconnects",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.connection.reconnects[ReconnectTier.DEEP],
    ),
    NaviLinkHealthSensorDescription(
        key="last_connected",
        translation_key="last_connected",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: c.session.health.last_connected_at,
    ),
    NaviLinkHealthSensorDescription(
        key="last_disconnected",
        translation_key="last_disconnected",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: c.session.health.last_disconnected_at,
    ),
    NaviLinkHealthSensorDescription(
        key="disconnect_reason",
        translation_key="disconnect_reason",
        device_class=SensorDeviceClass.ENUM,
        options=list(DISCONNECT_REASONS),
        entity_category=EntityCategory.DIAGNOSTIC,
        # Why the current outage started; nothing while connected (diagnostics keep it raw).
        value_fn=lambda c: (
            None if _connected(c) else disconnect_category(c.session.health.last_disconnect_reason)
        ),
    ),
    NaviLinkHealthSensorDescription(
        key="next_retry",
        translation_key="next_retry",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # A new time at every retry: a logbook line each; enabled on purpose only.
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.connection.next_attempt_at(),
    ),
    NaviLinkHealthSensorDescription(
        key="latency_p50",
        translation_key="latency_p50",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda c: _latency_ms(c.session.health.latency.p50),
    ),
    NaviLinkHealthSensorDescription(
        key="latency_p95",
        translation_key="latency_p95",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda c: _latency_ms(c.session.health.latency.p95),
    ),
    NaviLinkHealthSensorDescription(
        key="messages_received",
        translation_key="messages_received",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.session.health.counters.messages,
    ),
)


class NaviLinkHealthSensor(NaviLinkAccountEntity, SensorEntity):
    """A connection-health sensor on the account device."""

    entity_description: NaviLinkHealthSensorDescription
    _written: HealthValue = None

    async def async_added_to_hass(self) -> None:
        """Written on connection events, and at the health pace for the values that change
        with every message (latency, message count): never once per message."""
        await super().async_added_to_hass()
        self._written = self.native_value
        self.async_on_remove(
            self.coordinator.connection.add_health_listener(self._handle_coordinator_update)
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        value = self.native_value
        if value == self._written:
            return
        self._written = value
        self.async_write_ha_state()

    @property
    def native_value(self) -> HealthValue:
        """The health value."""
        return self.entity_description.value_fn(self.coordinator)
