"""Coordinator: owns the NaviLink session and turns its pushes into Home Assistant state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_EMAIL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .client.auth import Tokens
from .client.errors import InvalidCredentialsError, NaviLinkError
from .client.health import ConnectionEvent, ConnectionEventType, ConnectionState
from .client.models import DeviceFeature, DeviceInfo, DeviceStatus
from .client.session import NaviLinkSession
from .const import (
    CONF_TOKENS,
    DEVICE_REFRESH_INTERVAL,
    DOMAIN,
    EVENT_CONNECTION,
    ISSUE_CONNECTION_DOWN,
    LOGGER,
    REPAIR_AFTER,
    UNAVAILABLE_GRACE,
)
from .energy import NaviLinkEnergyCoordinator

type NaviLinkConfigEntry = ConfigEntry[NaviLinkCoordinator]


@dataclass(slots=True)
class NaviLinkData:
    """A snapshot of everything the entities show."""

    devices: dict[str, DeviceInfo] = field(default_factory=dict)
    status: dict[str, DeviceStatus] = field(default_factory=dict)
    feature: dict[str, DeviceFeature] = field(default_factory=dict)


class NaviLinkCoordinator(DataUpdateCoordinator[NaviLinkData]):
    """Push coordinator for one NaviLink account."""

    config_entry: NaviLinkConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: NaviLinkConfigEntry, session: NaviLinkSession
    ) -> None:
        """Initialise; nothing connects until the first refresh."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=None,
            always_update=True,
        )
        self.session = session
        self.account_id: str = entry.unique_id or entry.data[CONF_EMAIL].lower()
        # The account's device in the device registry (heaters link to it); set up by
        # async_setup_entry before the platforms are set up.
        self.account_device_id = ""
        # Connection availability as entities see it (a short grace hides quick reconnects).
        self.connection_available = True
        self._grace_unsub: CALLBACK_TYPE | None = None
        self._repair_unsub: CALLBACK_TYPE | None = None
        self._repair_raised = False
        self._unsubs: list[Callable[[], None]] = []
        self._event_listeners: list[Callable[[ConnectionEvent], None]] = []
        self._new_device_listeners: list[Callable[[set[str]], None]] = []
        self._known_macs: set[str] = set()
        self._announced: set[str] = set()
        self.last_event: ConnectionEvent | None = None
        self.vacation_days: dict[str, int] = {}
        self._stopping = False
        self._started = False
        self._has_data = False
        # This month's energy, on its own coordinator and interval (energy.py).
        self.energy = NaviLinkEnergyCoordinator(hass, entry, session)

    # -------------------------------------------------------------------- lifecycle

    async def _async_setup(self) -> None:
        """Start the session: sign in (or reuse tokens), list devices, connect, subscribe."""
        self._unsubs.extend(
            (
                self.session.add_connection_listener(self._on_connection_event),
                self.session.add_status_listener(self._on_status),
                self.session.add_feature_listener(self._on_feature),
                self.session.add_devices_listener(self._on_devices),
                self.session.add_tokens_listener(self._on_tokens),
            )
        )
        try:
            await self.session.start()
        except InvalidCredentialsError as err:
            await self._async_teardown()
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except NaviLinkError as err:
            await self._async_teardown()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        self._started = True
        self._known_macs = set(self.session.devices)
        self._announced = set(self.session.devices)
        self._unsubs.append(
            async_track_time_interval(
                self.hass,
                self._async_refresh_devices,
                DEVICE_REFRESH_INTERVAL,
                name="NaviLink device list refresh",
                cancel_on_shutdown=True,
            )
        )
        self.config_entry.async_create_background_task(
            self.hass, self.energy.async_refresh(), "NaviLink initial energy usage"
        )

    async def _async_update_data(self) -> NaviLinkData:
        """Snapshot the session (push data arrives through the listeners)."""
        data = self._snapshot()
        self._has_data = True
        return data

    def _snapshot(self) -> NaviLinkData:
        devices = dict(self.session.devices)
        status = {mac: s for mac in devices if (s := self.session.status(mac)) is not None}
        feature = {mac: f for mac in devices if (f := self.session.feature(mac)) is not None}
        return NaviLinkData(devices=devices, status=status, feature=feature)

    async def async_shutdown(self) -> None:
        """Stop the session and every timer and listener."""
        await super().async_shutdown()
        await self._async_teardown()

    async def _async_teardown(self) -> None:
        self._stopping = True
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        self._cancel_grace()
        self._cancel_repair()
        await self.session.stop()

    # -------------------------------------------------------------------- listeners

    def async_add_connection_event_listener(
        self, listener: Callable[[ConnectionEvent], None]
    ) -> Callable[[], None]:
        """Call `listener` with every connection event."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    def async_add_new_device_listener(
        self, listener: Callable[[set[str]], None]
    ) -> Callable[[], None]:
        """Call `listener` with the MACs of devices that appear on the account."""
        self._new_device_listeners.append(listener)
        return lambda: self._new_device_listeners.remove(listener)

    @callback
    def _on_status(self, mac: str, status: DeviceStatus) -> None:
        if not self._has_data:
            return
        data = replace(self.data, status={**self.data.status, mac: status})
        self.async_set_updated_data(data)

    @callback
    def _on_feature(self, mac: str, feature: DeviceFeature) -> None:
        if not self._has_data:
            return
        data = replace(self.data, feature={**self.data.feature, mac: feature})
        self.async_set_updated_data(data)
        self._announce_new_devices()

    @callback
    def _announce_new_devices(self) -> None:
        """Tell the platforms about devices whose capabilities are now known."""
        ready = {
            mac
            for mac in self.data.devices
            if mac not in self._announced and mac in self.data.feature
        }
        if not ready:
            return
        self._announced |= ready
        for listener in list(self._new_device_listeners):
            listener(ready)

    @callback
    def _on_tokens(self, tokens: Tokens) -> None:
        entry = self.config_entry
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_TOKENS: tokens.as_dict()}
        )

    @callback
    def _on_devices(self, devices: dict[str, DeviceInfo]) -> None:
        current = set(devices)
        added = current - self._known_macs
        removed = self._known_macs - current
        self._known_macs = current
        self._announced -= removed
        if self._has_data:
            self.async_set_updated_data(self._snapshot())
            self._announce_new_devices()
        if removed:
            registry = dr.async_get(self.hass)
            for mac in removed:
                device = registry.async_get_device_by_identifier(
                    (DOMAIN, mac), self.config_entry.entry_id
                )
                if device is not None:
                    LOGGER.info("NaviLink device %s left the account; removing it", mac[-4:])
                    registry.async_remove_device(device.id)
        if added:
            LOGGER.debug("New NaviLink devices on the account: %s", [m[-4:] for m in added])

    @callback
    def _on_connection_event(self, event: ConnectionEvent) -> None:
        self.last_event = event
        self.hass.bus.async_fire(
            EVENT_CONNECTION,
            {
                "entry_id": self.config_entry.entry_id,
                "type": event.type.value,
                "state": event.state.value,
                "previous_state": event.previous_state.value,
                "reason": event.reason,
                "attempt": event.attempt,
                "tier": None if event.tier is None else event.tier.value,
                "at": event.at.isoformat(),
                "next_retry_at": (
                    None if event.next_retry_at is None else event.next_retry_at.isoformat()
                ),
            },
        )
        for listener in list(self._event_listeners):
            listener(event)

        if event.state is ConnectionState.CONNECTED:
            self._cancel_grace()
            self._cancel_repair()
            if not self.connection_available:
                LOGGER.info("Connection to the NaviLink cloud is back")
                self.connection_available = True
        elif event.state is not ConnectionState.STOPPED and not self._stopping:
            if self._grace_unsub is None and self.connection_available:
                self._grace_unsub = async_call_later(
                    self.hass, UNAVAILABLE_GRACE, self._grace_expired
                )
            if self._repair_unsub is None and not self._repair_raised:
                self._repair_unsub = async_call_later(self.hass, REPAIR_AFTER, self._repair_due)
        if event.type is ConnectionEventType.AUTH_FAILED and self._started and not self._stopping:
            self.config_entry.async_start_reauth(self.hass)
        self.async_update_listeners()

    # -------------------------------------------------------------------- availability

    @callback
    def _grace_expired(self, _now: datetime) -> None:
        self._grace_unsub = None
        if self.session.state is ConnectionState.CONNECTED or not self.connection_available:
            return
        LOGGER.info(
            "Lost the connection to the NaviLink cloud (%s); entities are unavailable "
            "until it is back",
            self.session.health.last_disconnect_reason or self.session.state.value,
        )
        self.connection_available = False
        self.async_update_listeners()

    @callback
    def _repair_due(self, _now: datetime) -> None:
        self._repair_unsub = None
        if self.session.state is ConnectionState.CONNECTED:
            return
        self._repair_raised = True
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{ISSUE_CONNECTION_DOWN}_{self.config_entry.entry_id}",
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_CONNECTION_DOWN,
            translation_placeholders={
                "account": self.config_entry.title,
                "minutes": str(int(REPAIR_AFTER.total_seconds() // 60)),
                "reason": self.session.health.last_disconnect_reason or self.session.state.value,
            },
        )

    def _cancel_grace(self) -> None:
        if self._grace_unsub is not None:
            self._grace_unsub()
            self._grace_unsub = None

    def _cancel_repair(self) -> None:
        if self._repair_unsub is not None:
            self._repair_unsub()
            self._repair_unsub = None
        if self._repair_raised:
            self._repair_raised = False
            ir.async_delete_issue(
                self.hass, DOMAIN, f"{ISSUE_CONNECTION_DOWN}_{self.config_entry.entry_id}"
            )

    def device_available(self, mac: str) -> bool:
        """A heater's entities are available while connected (with grace) and it is online."""
        if not self.connection_available or not self._has_data:
            return False
        info = self.data.devices.get(mac)
        return info is not None and info.online is not False and mac in self.data.status

    # -------------------------------------------------------------------- periodic work

    async def _async_refresh_devices(self, _now: datetime | None = None) -> None:
        try:
            await self.session.refresh_devices()
        except NaviLinkError as err:
            LOGGER.debug("Device list refresh failed: %s", err)

    # -------------------------------------------------------------------- helpers

    def vacation_days_for(self, mac: str, default: int) -> int:
        """The local vacation-days setting used by away mode."""
        return self.vacation_days.get(mac, default)
