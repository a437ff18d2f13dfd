"""The Navien NaviLink integration: NWP500 heat-pump water heaters on the NaviLink cloud."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_EMAIL,
    CONF_PASSWORD,
    EVENT_HOMEASSISTANT_STOP,
    Platform,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from aionavilink import Endpoints, NaviLinkSession, ReconnectPolicy, SessionOptions, Tokens

from .const import (
    CONF_API_URL,
    CONF_AUTH_RETRY_INTERVAL,
    CONF_CA_FILE,
    CONF_CLIENT_ID,
    CONF_DEEP_EVERY,
    CONF_INITIAL_DELAY,
    CONF_MAX_ATTEMPTS,
    CONF_MAX_DELAY,
    CONF_MQTT_URL,
    CONF_TOKENS,
    CONF_UNLIMITED,
    DEFAULT_API_URL,
    DEFAULT_AUTH_RETRY_INTERVAL,
    DEFAULT_DEEP_EVERY,
    DEFAULT_INITIAL_DELAY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY,
    DEFAULT_MQTT_URL,
    DEFAULT_UNLIMITED,
    DOMAIN,
)
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator, NaviLinkRuntimeData
from .energy import NaviLinkEnergyHistoryCoordinator
from .entity import account_device_info
from .heaters import async_register_heaters, async_remove_stale_heaters
from .migration import async_migrate_entry as async_migrate_entry  # called by Home Assistant
from .repairs import NaviLinkRepairs
from .services import async_setup_services
from .tou_services import async_setup_tou_services

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.UPDATE,
    Platform.WATER_HEATER,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    async_setup_tou_services(hass)
    return True


def session_options(entry: NaviLinkConfigEntry) -> SessionOptions:
    """Build the client options from the entry options."""
    opts = entry.options
    unlimited = bool(opts.get(CONF_UNLIMITED, DEFAULT_UNLIMITED))
    policy = ReconnectPolicy(
        initial_delay=float(opts.get(CONF_INITIAL_DELAY, DEFAULT_INITIAL_DELAY)),
        max_delay=float(opts.get(CONF_MAX_DELAY, DEFAULT_MAX_DELAY)),
        deep_every=int(opts.get(CONF_DEEP_EVERY, DEFAULT_DEEP_EVERY)),
        max_attempts=None if unlimited else int(opts.get(CONF_MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS)),
        auth_retry_interval=float(opts.get(CONF_AUTH_RETRY_INTERVAL, DEFAULT_AUTH_RETRY_INTERVAL)),
    )
    return SessionOptions(
        policy=policy,
        # The status interval is the client's default: a polling interval is not a user option.
        # The coordinator refreshes the device list on Home Assistant's scheduler.
        device_refresh_interval=0,
        # With stored tokens a failed first connect is an outage like any other: the entry
        # loads and the session keeps trying (see async_setup_entry).
        retry_first_connect=bool(entry.data.get(CONF_TOKENS)),
    )


async def async_setup_entry(hass: HomeAssistant, entry: NaviLinkConfigEntry) -> bool:
    """Connect to the NaviLink cloud and set up the platforms."""
    data = entry.data
    tokens = Tokens.from_dict(data[CONF_TOKENS]) if data.get(CONF_TOKENS) else None
    session = NaviLinkSession(
        async_get_clientsession(hass),
        data[CONF_EMAIL],
        data[CONF_PASSWORD],
        endpoints=Endpoints(
            api_url=data.get(CONF_API_URL, DEFAULT_API_URL),
            mqtt_url=data.get(CONF_MQTT_URL, DEFAULT_MQTT_URL),
            ca_file=data.get(CONF_CA_FILE),
        ),
        options=session_options(entry),
        tokens=tokens,
        client_id=data.get(CONF_CLIENT_ID),
    )
    coordinator = NaviLinkCoordinator(hass, entry, session)
    await coordinator.async_config_entry_first_refresh()
    # Stop the session (and close the MQTT connection) before Home Assistant stops; a plain
    # listener (not once) so that its remover stays valid after the event.
    entry.async_on_unload(
        hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _stop_session(coordinator))
    )
    account_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **account_device_info(coordinator)
    )
    coordinator.account_device_id = account_device.id
    async_register_heaters(coordinator, sorted(coordinator.data.devices))
    async_remove_stale_heaters(coordinator)
    entry.runtime_data = NaviLinkRuntimeData(coordinator=coordinator)
    entry.async_on_unload(NaviLinkRepairs(hass, coordinator).async_start())
    # No update listener: the options flow reloads the entry when the options change
    # (OptionsFlowWithReload), and token updates must not reload it.
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Energy history into long-term statistics: now (in the background) and once a day.
    history = NaviLinkEnergyHistoryCoordinator(hass, entry, session)
    entry.async_on_unload(history.async_add_listener(lambda: None))
    entry.async_create_background_task(hass, history.async_refresh(), "NaviLink energy history")
    return True


def _stop_session(
    coordinator: NaviLinkCoordinator,
) -> Callable[[Event[Any]], Coroutine[Any, Any, None]]:
    async def stop(_event: Event[Any]) -> None:
        await coordinator.async_shutdown()

    return stop


async def async_unload_entry(hass: HomeAssistant, entry: NaviLinkConfigEntry) -> bool:
    """Unload the platforms and stop the session."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.async_shutdown()
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: NaviLinkConfigEntry, device_entry: DeviceEntry
) -> bool:
    """Allow removing a device that is no longer on the account.

    An unloaded entry has no runtime data: its heaters are not known to be on the account,
    so any of them may go (the account device stays).
    """
    account_id = entry.unique_id or entry.data[CONF_EMAIL].lower()
    heaters: set[str] = set()
    if entry.state is ConfigEntryState.LOADED:
        heaters = set(entry.runtime_data.coordinator.data.devices)
    return not any(
        domain == DOMAIN and (identifier == account_id or identifier in heaters)
        for domain, identifier in device_entry.identifiers
    )
