"""The account's connection as Home Assistant sees it: events on the bus, a short grace
before entities go unavailable, successful reconnects by tier, when the next attempt starts,
and the pace at which the health entities are written."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later, async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from aionavilink import (
    ConnectionEvent,
    ConnectionEventType,
    ConnectionState,
    NaviLinkSession,
    ReconnectTier,
)

from .const import EVENT_CONNECTION, LOGGER, UNAVAILABLE_GRACE


def event_data(entry_id: str, event: ConnectionEvent) -> dict[str, Any]:
    """The `navilink_connection` bus event of one connection event."""
    return {
        "entry_id": entry_id,
        "type": event.type.value,
        "state": event.state.value,
        "previous_state": event.previous_state.value,
        "reason": event.reason,
        "attempt": event.attempt,
        "tier": None if event.tier is None else event.tier.value,
        "at": event.at.isoformat(),
        "next_retry_at": None if event.next_retry_at is None else event.next_retry_at.isoformat(),
    }


class ConnectionMonitor:
    """Follows the session's connection events for one config entry.

    `available` is the connection as entities see it: it turns False only when an outage
    outlasts UNAVAILABLE_GRACE, so quick reconnects do not flap every entity.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        session: NaviLinkSession,
        *,
        on_change: Callable[[], None],
        refresh_devices: Callable[[], Coroutine[Any, Any, None]],
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._session = session
        self._on_change = on_change
        self._refresh_devices = refresh_devices
        self.available = True
        self.last_event: ConnectionEvent | None = None
        # Successful reconnects by tier (attempts are counted by the session).
        self.reconnects: dict[ReconnectTier, int] = dict.fromkeys(ReconnectTier, 0)
        self.started = False  # the session's first start returned
        self._stopping = False
        self._tier: ReconnectTier | None = None
        self._grace_unsub: CALLBACK_TYPE | None = None
        self._next_retry_unsub: CALLBACK_TYPE | None = None
        self._event_listeners: list[Callable[[ConnectionEvent], None]] = []
        self._health_listeners: list[Callable[[], None]] = []

    # -- listeners ------------------------------------------------------------------------

    def add_event_listener(self, listener: Callable[[ConnectionEvent], None]) -> CALLBACK_TYPE:
        """Call `listener` with every connection event."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    def add_health_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` at the health pace (and, through the coordinator, on events)."""
        self._health_listeners.append(listener)
        return lambda: self._health_listeners.remove(listener)

    @callback
    def refresh_health(self, _now: datetime | None = None) -> None:
        """Account entities change with every message; they are written at this pace."""
        for listener in list(self._health_listeners):
            listener()

    # -- events ---------------------------------------------------------------------------

    @callback
    def on_event(self, event: ConnectionEvent) -> None:
        """One connection event: announce it, count it, and start or end the grace."""
        self.last_event = event
        self._hass.bus.async_fire(EVENT_CONNECTION, event_data(self._entry.entry_id, event))
        for listener in list(self._event_listeners):
            listener(event)

        if event.tier is not None:
            self._tier = event.tier
        if event.state is ConnectionState.CONNECTED:
            if self._tier is not None:
                self.reconnects[self._tier] += 1
                self._tier = None
            self._cancel_grace()
            if self.started and not self._session.devices:
                # The device list could not be read while the cloud was unreachable.
                self._entry.async_create_background_task(
                    self._hass, self._refresh_devices(), "NaviLink device list"
                )
            if not self.available:
                LOGGER.info("Connection to the NaviLink cloud is back")
                self.available = True
        elif event.state is not ConnectionState.STOPPED and not self._stopping:
            self.start_grace()
        if event.type is ConnectionEventType.AUTH_FAILED and self.started and not self._stopping:
            self._entry.async_start_reauth(self._hass)
        self._schedule_next_retry_refresh()
        self._on_change()

    # -- grace ----------------------------------------------------------------------------

    @callback
    def start_grace(self) -> None:
        """Entities go unavailable if the connection is not back within the grace."""
        if self._grace_unsub is None and self.available:
            self._grace_unsub = async_call_later(self._hass, UNAVAILABLE_GRACE, self._grace_expired)

    @callback
    def _grace_expired(self, _now: datetime) -> None:
        self._grace_unsub = None
        if self._session.state is ConnectionState.CONNECTED or not self.available:
            return
        LOGGER.info(
            "Lost the connection to the NaviLink cloud (%s); entities are unavailable "
            "until it is back",
            self._session.health.last_disconnect_reason or self._session.state.value,
        )
        self.available = False
        self._on_change()

    def _cancel_grace(self) -> None:
        if self._grace_unsub is not None:
            self._grace_unsub()
            self._grace_unsub = None

    # -- the next attempt -----------------------------------------------------------------

    def next_attempt_at(self) -> datetime | None:
        """When the next reconnect or sign-in attempt starts; None while one is under way."""
        health = self._session.health
        now = dt_util.utcnow()
        if health.state is ConnectionState.AUTH_FAILED:
            interval = self._session.options.policy.auth_retry_interval
            event = self.last_event
            if interval <= 0 or event is None or event.type is not ConnectionEventType.AUTH_FAILED:
                return None
            elapsed = max(0.0, (now - event.at).total_seconds())
            return event.at + timedelta(seconds=interval * (elapsed // interval + 1))
        if health.state is ConnectionState.RECONNECTING:
            at = health.next_retry_at
            return at if at is not None and at > now else None
        return None

    @callback
    def _schedule_next_retry_refresh(self) -> None:
        """Refresh the health entities when the announced attempt time passes."""
        self._cancel_next_retry()
        at = self.next_attempt_at()
        if at is not None and not self._stopping:
            self._next_retry_unsub = async_track_point_in_utc_time(
                self._hass, self._next_retry_passed, at
            )

    @callback
    def _next_retry_passed(self, now: datetime) -> None:
        self._next_retry_unsub = None
        self.refresh_health(now)
        self._schedule_next_retry_refresh()

    def _cancel_next_retry(self) -> None:
        if self._next_retry_unsub is not None:
            self._next_retry_unsub()
            self._next_retry_unsub = None

    def stop(self) -> None:
        """The entry unloads: no more grace, retry refreshes or reauth."""
        self._stopping = True
        self._cancel_grace()
        self._cancel_next_retry()
