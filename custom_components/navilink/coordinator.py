"""Coordinator: owns the NaviLink session and turns its pushes into Home Assistant state."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_EMAIL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_time_interval,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from aionavilink import (
    DEVICE_TYPE,
    ConnectionEvent,
    ConnectionEventType,
    ConnectionState,
    DeviceFeature,
    DeviceStatus,
    InvalidCredentialsError,
    NaviLinkDevice,
    NaviLinkError,
    NaviLinkSession,
    ReconnectTier,
    Tokens,
)

from .const import (
    CONF_TOKENS,
    DEVICE_REFRESH_INTERVAL,
    DOMAIN,
    EVENT_CONNECTION,
    HEALTH_REFRESH_INTERVAL,
    LOGGER,
    MISSED_STATUSES_UNAVAILABLE,
    UNAVAILABLE_GRACE,
)
from .energy import NaviLinkEnergyCoordinator


@dataclass(slots=True)
class NaviLinkRuntimeData:
    """What a loaded entry holds: the account's coordinator."""

    coordinator: NaviLinkCoordinator


type NaviLinkConfigEntry = ConfigEntry[NaviLinkRuntimeData]
type HeaterListener = Callable[[frozenset[str] | None], None]


MANUFACTURER = "Navien"
MODEL = "NWP500"


def format_mac(mac: str) -> str:
    """aa:bb:cc:dd:ee:ff from the cloud's aabbccddeeff."""
    return ":".join(mac[i : i + 2] for i in range(0, len(mac), 2))


def firmware_version(feature: DeviceFeature | None) -> str | None:
    """The controller firmware as the device registry shows it."""
    if feature is None or feature.controller_sw_version is None:
        return None
    return f"{feature.controller_sw_version:08x}"


def is_supported(info: NaviLinkDevice) -> bool:
    """Only NWP500 heat-pump water heaters (their device type) become devices."""
    return info.device_type == DEVICE_TYPE


@dataclass(slots=True)
class NaviLinkData:
    """A snapshot of everything the entities show."""

    devices: dict[str, NaviLinkDevice] = field(default_factory=dict)
    status: dict[str, DeviceStatus] = field(default_factory=dict)
    feature: dict[str, DeviceFeature] = field(default_factory=dict)


class NaviLinkCoordinator(DataUpdateCoordinator[NaviLinkData]):
    """Push coordinator for one NaviLink account.

    A push concerns one heater: it updates that heater's slot of `data` and calls only that
    heater's entities (`async_add_heater_listener`), telling them which status fields changed
    so that entities showing none of them do no work. `async_update_listeners` (every entity)
    is kept for account-wide changes: the connection and its health.
    """

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
        self._next_retry_unsub: CALLBACK_TYPE | None = None
        self._unsubs: list[Callable[[], None]] = []
        self._event_listeners: list[Callable[[ConnectionEvent], None]] = []
        self._new_device_listeners: list[Callable[[set[str]], None]] = []
        self._heater_listeners: dict[str, list[HeaterListener]] = {}
        self._health_listeners: list[Callable[[], None]] = []
        self._announced: set[str] = set()
        self._feature_requested: set[str] = set()
        # Per-heater liveness: status intervals since its last status; unavailable ones.
        self._missed: dict[str, int] = {}
        self._stale: set[str] = set()
        self.last_event: ConnectionEvent | None = None
        self._reconnect_tier: ReconnectTier | None = None
        # Successful reconnects by tier (attempts are counted by the session).
        self.reconnects: dict[ReconnectTier, int] = dict.fromkeys(ReconnectTier, 0)
        self.vacation_days: dict[str, int] = {}
        self._stopping = False
        self._started = False
        self._has_data = False
        # This month's energy, on its own coordinator and interval (energy.py).
        self.energy = NaviLinkEnergyCoordinator(hass, entry, session)

    @property
    def status_interval(self) -> timedelta:
        """How often the session asks each heater for its status."""
        return timedelta(seconds=self.session.options.status_interval or 60.0)

    # -------------------------------------------------------------------- lifecycle

    async def _async_setup(self) -> None:
        """Start the session: sign in (or reuse tokens), list devices, connect, subscribe.

        With stored tokens the session recovers from a failed first connect on its own
        (`retry_first_connect`): the entry loads, the health entities show the outage.
        """
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
        if self.session.state is ConnectionState.AUTH_FAILED:
            self.config_entry.async_start_reauth(self.hass)
        elif self.session.state is not ConnectionState.CONNECTED:
            LOGGER.info(
                "NaviLink cloud not reachable at start (%s); connecting in the background",
                self.session.health.last_disconnect_reason or self.session.state.value,
            )
            self._start_grace()
        self._unsubs.append(
            async_track_time_interval(
                self.hass,
                self._async_refresh_devices,
                DEVICE_REFRESH_INTERVAL,
                name="NaviLink device list refresh",
                cancel_on_shutdown=True,
            )
        )
        self._unsubs.append(
            async_track_time_interval(
                self.hass,
                self._check_heaters,
                self.status_interval,
                name="NaviLink heater liveness",
                cancel_on_shutdown=True,
            )
        )
        self._unsubs.append(
            async_track_time_interval(
                self.hass,
                self._refresh_health,
                HEALTH_REFRESH_INTERVAL,
                name="NaviLink connection health",
                cancel_on_shutdown=True,
            )
        )
        self.config_entry.async_create_background_task(
            self.hass, self.energy.async_refresh(), "NaviLink initial energy usage"
        )

    async def _async_update_data(self) -> NaviLinkData:
        """The first snapshot of the session (afterwards pushes update it in place)."""
        devices = self.heaters
        status = {m: s for m in devices if (s := self.session.status(m)) is not None}
        feature = {m: f for m in devices if (f := self.session.feature(m)) is not None}
        self._missed = dict.fromkeys(status, 0)
        self._announced = set(feature)
        self._has_data = True
        return NaviLinkData(devices=devices, status=status, feature=feature)

    @property
    def heaters(self) -> dict[str, NaviLinkDevice]:
        """The supported heaters on the account (the session already leaves out other
        NaviLink products; this keeps the integration's view right either way)."""
        return {mac: info for mac, info in self.session.devices.items() if is_supported(info)}

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
        self._cancel_next_retry()
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
        """Call `listener` with heaters that appear, or whose capabilities became known."""
        self._new_device_listeners.append(listener)
        return lambda: self._new_device_listeners.remove(listener)

    def async_add_heater_listener(self, mac: str, listener: HeaterListener) -> CALLBACK_TYPE:
        """Call `listener` when this heater's data or availability changes: with the names of
        the status fields a new status changed, or None when anything may have changed."""
        listeners = self._heater_listeners.setdefault(mac, [])
        listeners.append(listener)

        def remove() -> None:
            listeners.remove(listener)
            if not listeners:
                self._heater_listeners.pop(mac, None)

        return remove

    def async_add_health_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` at the health pace (and, through the coordinator, on events)."""
        self._health_listeners.append(listener)
        return lambda: self._health_listeners.remove(listener)

    @callback
    def async_update_heater(self, mac: str, changed: frozenset[str] | None = None) -> None:
        """Tell one heater's entities that its data changed (`changed`: only these status
        fields; None: anything, availability and capabilities included)."""
        for listener in list(self._heater_listeners.get(mac, ())):
            listener(changed)

    @callback
    def _on_status(self, mac: str, status: DeviceStatus) -> None:
        if not self._has_data or mac not in self.data.devices:
            return
        previous = self.data.status.get(mac)
        self.data.status[mac] = status
        self._missed[mac] = 0
        # None (everything) when the heater becomes available with this status
        changed = None if previous is None else status.changed_fields(previous)
        if mac in self._stale:
            self._stale.discard(mac)
            changed = None
            LOGGER.info("NaviLink heater …%s answers again; it is available", mac[-4:])
        if mac not in self.data.feature and mac not in self._feature_requested:
            # A heater that was offline when we connected never sent its capabilities.
            self._feature_requested.add(mac)
            self.config_entry.async_create_background_task(
                self.hass, self._async_request_feature(mac), "NaviLink heater capabilities"
            )
        if changed is None or changed:
            self.async_update_heater(mac, changed)

    async def _async_request_feature(self, mac: str) -> None:
        try:
            await self.session.request_feature(mac)
        except NaviLinkError as err:
            LOGGER.debug("Capabilities request for …%s failed: %s", mac[-4:], err)
        finally:
            self._feature_requested.discard(mac)

    @callback
    def _on_feature(self, mac: str, feature: DeviceFeature) -> None:
        if not self._has_data or mac not in self.data.devices:
            return
        previous = self.data.feature.get(mac)
        self.data.feature[mac] = feature
        if previous != feature:
            self._update_device_entry(mac, feature)
        self.async_update_heater(mac)
        self._announce_new_devices()

    def heater_device_info(self, mac: str) -> dr.DeviceInfo:
        """The device-registry entry of one heater."""
        info = self.data.devices.get(mac) if self._has_data else None
        feature = self.data.feature.get(mac) if self._has_data else None
        return dr.DeviceInfo(
            identifiers={(DOMAIN, mac)},
            connections={(dr.CONNECTION_NETWORK_MAC, format_mac(mac))},
            manufacturer=MANUFACTURER,
            model=MODEL,
            name=(info.name if info and info.name else f"NaviLink {mac[-4:]}"),
            serial_number=feature.controller_serial_number if feature else None,
            sw_version=firmware_version(feature),
            via_device_id=self.account_device_id,
        )

    @callback
    def async_register_heaters(self, macs: Iterable[str]) -> None:
        """Heaters are devices as soon as the account lists them, answering or not."""
        registry = dr.async_get(self.hass)
        for mac in macs:
            registry.async_get_or_create(
                config_entry_id=self.config_entry.entry_id, **self.heater_device_info(mac)
            )

    @callback
    def async_remove_stale_devices(self) -> None:
        """Heaters that left the account while Home Assistant was not running go too
        (only with a device list read at start: an outage at start proves nothing)."""
        if self.session.state is not ConnectionState.CONNECTED:
            return
        registry = dr.async_get(self.hass)
        keep = {self.account_id, *self.data.devices}
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            ours = {i for d, i in device.identifiers if d == DOMAIN}
            if ours and not ours & keep:
                LOGGER.info(
                    "NaviLink heater %s is no longer on the account; removing it", device.name
                )
                registry.async_remove_device(device.id)

    @callback
    def _update_device_entry(self, mac: str, feature: DeviceFeature) -> None:
        """Keep the serial number and firmware in the device registry current."""
        registry = dr.async_get(self.hass)
        device = registry.async_get_device_by_identifier((DOMAIN, mac), self.config_entry.entry_id)
        if device is None:
            return
        registry.async_update_device(
            device.id,
            serial_number=feature.controller_serial_number,
            sw_version=firmware_version(feature),
        )

    @callback
    def _announce_new_devices(self) -> None:
        """Tell the platforms about heaters whose capabilities are now known."""
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
    def _on_devices(self, _devices: dict[str, NaviLinkDevice]) -> None:
        """The one place the device list reaches Home Assistant (dynamic devices)."""
        if not self._has_data:
            return
        devices = self.heaters
        known = set(self.data.devices)
        added = set(devices) - known
        removed = known - set(devices)
        data = self.data
        data.devices = devices
        for mac in removed:
            for part in (data.status, data.feature):
                part.pop(mac, None)
            self._missed.pop(mac, None)
            self._stale.discard(mac)
        self._announced -= removed
        for mac in added:
            if (status := self.session.status(mac)) is not None:
                data.status[mac] = status
                self._missed[mac] = 0
            if (feature := self.session.feature(mac)) is not None:
                data.feature[mac] = feature
        self.async_register_heaters(sorted(added))
        for mac in set(devices) & known:
            self.async_update_heater(mac)
        self._announce_new_devices()
        if removed:
            registry = dr.async_get(self.hass)
            for mac in removed:
                device = registry.async_get_device_by_identifier(
                    (DOMAIN, mac), self.config_entry.entry_id
                )
                if device is not None:
                    LOGGER.info("NaviLink heater …%s left the account; removing it", mac[-4:])
                    registry.async_remove_device(device.id)
        if added:
            LOGGER.debug("New NaviLink heaters on the account: %s", [m[-4:] for m in added])

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

        if event.tier is not None:
            self._reconnect_tier = event.tier
        if event.state is ConnectionState.CONNECTED:
            if self._reconnect_tier is not None:
                self.reconnects[self._reconnect_tier] += 1
                self._reconnect_tier = None
            self._cancel_grace()
            if self._started and not self.session.devices:
                # The device list could not be read while the cloud was unreachable.
                self.config_entry.async_create_background_task(
                    self.hass, self._async_refresh_devices(), "NaviLink device list"
                )
            if not self.connection_available:
                LOGGER.info("Connection to the NaviLink cloud is back")
                self.connection_available = True
        elif event.state is not ConnectionState.STOPPED and not self._stopping:
            self._start_grace()
        if event.type is ConnectionEventType.AUTH_FAILED and self._started and not self._stopping:
            self.config_entry.async_start_reauth(self.hass)
        self._schedule_next_retry_refresh()
        self.async_update_listeners()

    @callback
    def _start_grace(self) -> None:
        if self._grace_unsub is None and self.connection_available:
            self._grace_unsub = async_call_later(self.hass, UNAVAILABLE_GRACE, self._grace_expired)

    def next_attempt_at(self) -> datetime | None:
        """When the next reconnect or sign-in attempt starts; None while one is under way."""
        health = self.session.health
        now = dt_util.utcnow()
        if health.state is ConnectionState.AUTH_FAILED:
            interval = self.session.options.policy.auth_retry_interval
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
                self.hass, self._next_retry_passed, at
            )

    @callback
    def _next_retry_passed(self, now: datetime) -> None:
        self._next_retry_unsub = None
        self._refresh_health(now)
        self._schedule_next_retry_refresh()

    def _cancel_next_retry(self) -> None:
        if self._next_retry_unsub is not None:
            self._next_retry_unsub()
            self._next_retry_unsub = None

    @callback
    def _refresh_health(self, _now: datetime) -> None:
        """Account entities change with every message; they are written at this pace."""
        for listener in list(self._health_listeners):
            listener()

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

    def _cancel_grace(self) -> None:
        if self._grace_unsub is not None:
            self._grace_unsub()
            self._grace_unsub = None

    def device_available(self, mac: str) -> bool:
        """A heater is available while connected (with grace) and its statuses arrive.

        The cloud's online flag is not used: it is refreshed rarely, and a status from the
        heater is the better proof; `MISSED_STATUSES_UNAVAILABLE` missed intervals are not.
        """
        if not self.connection_available or not self._has_data:
            return False
        return mac in self.data.status and mac not in self._stale

    @property
    def unavailable_heaters(self) -> set[str]:
        """Heaters that stopped answering (for diagnostics)."""
        return set(self._stale)

    @callback
    def _check_heaters(self, _now: datetime) -> None:
        """Count the status intervals each heater let pass without a status; past
        MISSED_STATUSES_UNAVAILABLE it is unavailable (logged once)."""
        if self.session.state is not ConnectionState.CONNECTED:
            return
        for mac in self._missed:
            self._missed[mac] += 1
            if self._missed[mac] <= MISSED_STATUSES_UNAVAILABLE or mac in self._stale:
                continue
            self._stale.add(mac)
            LOGGER.info(
                "NaviLink heater …%s missed %d status requests; it is unavailable",
                mac[-4:],
                MISSED_STATUSES_UNAVAILABLE,
            )
            self.async_update_heater(mac)

    # -------------------------------------------------------------------- periodic work

    async def _async_refresh_devices(self, _now: datetime | None = None) -> None:
        if self.session.state is ConnectionState.AUTH_FAILED:
            return
        try:
            await self.session.refresh_devices()
        except NaviLinkError as err:
            LOGGER.debug("Device list refresh failed: %s", err)

    # -------------------------------------------------------------------- helpers

    def vacation_days_for(self, mac: str, default: int) -> int:
        """The local vacation-days setting used by away mode."""
        return self.vacation_days.get(mac, default)
