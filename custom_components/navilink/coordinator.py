"""Coordinator: owns the NaviLink session and turns its pushes into Home Assistant state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_EMAIL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import (
    async_track_time_interval,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from aionavilink import (
    ConnectionState,
    DeviceFeature,
    DeviceStatus,
    InvalidCredentialsError,
    NaviLinkDevice,
    NaviLinkError,
    NaviLinkSession,
    Tokens,
)

from .const import (
    CONF_TOKENS,
    DEVICE_REFRESH_INTERVAL,
    DOMAIN,
    HEALTH_REFRESH_INTERVAL,
    LOGGER,
    MISSED_STATUSES_UNAVAILABLE,
)
from .energy import NaviLinkEnergyCoordinator
from .heaters import (
    async_register_heaters,
    async_remove_heaters,
    async_update_heater_entry,
    is_supported,
)
from .monitor import ConnectionMonitor


@dataclass(slots=True)
class NaviLinkRuntimeData:
    """What a loaded entry holds: the account's coordinator."""

    coordinator: NaviLinkCoordinator


type NaviLinkConfigEntry = ConfigEntry[NaviLinkRuntimeData]
type HeaterListener = Callable[[frozenset[str] | None], None]


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
        self._unsubs: list[Callable[[], None]] = []
        self._new_device_listeners: list[Callable[[set[str]], None]] = []
        self._heater_listeners: dict[str, list[HeaterListener]] = {}
        self._announced: set[str] = set()
        self._feature_requested: set[str] = set()
        # Per-heater liveness: status intervals since its last status; unavailable ones.
        self._missed: dict[str, int] = {}
        self._stale: set[str] = set()
        self.vacation_days: dict[str, int] = {}
        self._has_data = False
        # The connection as entities see it (monitor.py).
        self.connection = ConnectionMonitor(
            hass,
            entry,
            session,
            on_change=self.async_update_listeners,
            refresh_devices=self._async_refresh_devices,
        )
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
                self.session.add_connection_listener(self.connection.on_event),
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
        self.connection.started = True
        if self.session.state is ConnectionState.AUTH_FAILED:
            self.config_entry.async_start_reauth(self.hass)
        elif self.session.state is not ConnectionState.CONNECTED:
            LOGGER.info(
                "NaviLink cloud not reachable at start (%s); connecting in the background",
                self.session.health.last_disconnect_reason or self.session.state.value,
            )
            self.connection.start_grace()
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
                self.connection.refresh_health,
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
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        self.connection.stop()
        await self.session.stop()

    # -------------------------------------------------------------------- listeners

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
            async_update_heater_entry(self, mac, feature)
        self.async_update_heater(mac)
        self._announce_new_devices()

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
        async_register_heaters(self, sorted(added))
        for mac in set(devices) & known:
            self.async_update_heater(mac)
        self._announce_new_devices()
        async_remove_heaters(self, removed)
        if added:
            LOGGER.debug("New NaviLink heaters on the account: %s", [m[-4:] for m in added])

    # -------------------------------------------------------------------- availability

    def device_available(self, mac: str) -> bool:
        """A heater is available while connected (with grace) and its statuses arrive.

        The cloud's online flag is not used: it is refreshed rarely, and a status from the
        heater is the better proof; `MISSED_STATUSES_UNAVAILABLE` missed intervals are not.
        """
        if not self.connection.available or not self._has_data:
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
