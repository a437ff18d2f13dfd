"""Config entry migration of the Navien NaviLink integration."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from aionavilink import CLOUD_API_URL, CLOUD_MQTT_URL

from .const import (
    CONF_API_URL,
    CONF_AUTH_RETRY_INTERVAL,
    CONF_DEEP_EVERY,
    CONF_INITIAL_DELAY,
    CONF_MAX_ATTEMPTS,
    CONF_MAX_DELAY,
    CONF_MQTT_URL,
    CONF_STATUS_INTERVAL,
    LOGGER,
    MAX_AUTH_RETRY_INTERVAL,
    MAX_DEEP_EVERY,
    MAX_INITIAL_DELAY,
    MAX_MAX_ATTEMPTS,
    MAX_MAX_DELAY,
    MIN_AUTH_RETRY_INTERVAL,
    MIN_INITIAL_DELAY,
    MIN_MAX_DELAY,
)

CURRENT_VERSION = (1, 2)


def _clamp(value: Any, low: float, high: float) -> float:
    return min(max(float(value), low), high)


def safe_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options without the former status interval and within the safe bounds."""
    safe = {key: value for key, value in options.items() if key != CONF_STATUS_INTERVAL}
    if CONF_INITIAL_DELAY in safe:
        safe[CONF_INITIAL_DELAY] = _clamp(
            safe[CONF_INITIAL_DELAY], MIN_INITIAL_DELAY, MAX_INITIAL_DELAY
        )
    if CONF_MAX_DELAY in safe:
        low = max(MIN_MAX_DELAY, safe.get(CONF_INITIAL_DELAY, MIN_INITIAL_DELAY))
        safe[CONF_MAX_DELAY] = _clamp(safe[CONF_MAX_DELAY], low, MAX_MAX_DELAY)
    if CONF_DEEP_EVERY in safe:
        safe[CONF_DEEP_EVERY] = int(_clamp(safe[CONF_DEEP_EVERY], 1, MAX_DEEP_EVERY))
    if CONF_MAX_ATTEMPTS in safe:
        safe[CONF_MAX_ATTEMPTS] = int(_clamp(safe[CONF_MAX_ATTEMPTS], 1, MAX_MAX_ATTEMPTS))
    if CONF_AUTH_RETRY_INTERVAL in safe and float(safe[CONF_AUTH_RETRY_INTERVAL]) != 0:
        safe[CONF_AUTH_RETRY_INTERVAL] = _clamp(
            safe[CONF_AUTH_RETRY_INTERVAL], MIN_AUTH_RETRY_INTERVAL, MAX_AUTH_RETRY_INTERVAL
        )
    return safe


def data_without_default_endpoints(data: dict[str, Any]) -> dict[str, Any]:
    """Entry data without endpoints that equal the cloud default."""
    defaults = {CONF_API_URL: CLOUD_API_URL, CONF_MQTT_URL: CLOUD_MQTT_URL}
    return {key: value for key, value in data.items() if defaults.get(key) != value}


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Migrate an entry to the current version; a newer entry cannot be downgraded."""
    if entry.version > CURRENT_VERSION[0]:
        return False
    if (entry.version, entry.minor_version) < (1, 2):
        hass.config_entries.async_update_entry(
            entry,
            data=data_without_default_endpoints(dict(entry.data)),
            options=safe_options(dict(entry.options)),
            version=1,
            minor_version=2,
        )
        LOGGER.debug("Migrated the NaviLink entry to version 1.2")
    return True
