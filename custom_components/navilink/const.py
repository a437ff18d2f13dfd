"""Constants for the Navien NaviLink integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from aionavilink import (
    CLOUD_API_URL,
    CLOUD_MQTT_URL,
    VACATION_DAYS,
    ConnectionEventType,
    ConnectionState,
    ReconnectPolicy,
    SessionOptions,
)
from aionavilink import (
    DEFAULT_VACATION_DAYS as LIBRARY_DEFAULT_VACATION_DAYS,
)

DOMAIN: Final = "navilink"
LOGGER = logging.getLogger(__package__)

# Real NaviLink cloud. Entry data may override these (the offline simulator does).
DEFAULT_API_URL: Final = CLOUD_API_URL
DEFAULT_MQTT_URL: Final = CLOUD_MQTT_URL

# Environment variables read by the config flow (set by scripts/develop for the simulator).
ENV_API_URL: Final = "NAVILINK_API_URL"
ENV_MQTT_URL: Final = "NAVILINK_MQTT_URL"
ENV_CA_FILE: Final = "NAVILINK_CA_FILE"

# Entry data keys
CONF_API_URL: Final = "api_url"
CONF_MQTT_URL: Final = "mqtt_url"
CONF_CA_FILE: Final = "ca_file"
CONF_TOKENS: Final = "tokens"
CONF_CLIENT_ID: Final = "client_id"
CONF_USER_SEQ: Final = "user_seq"

# Option keys
CONF_INITIAL_DELAY: Final = "initial_delay"
CONF_MAX_DELAY: Final = "max_delay"
CONF_DEEP_EVERY: Final = "deep_every"
CONF_UNLIMITED: Final = "unlimited_attempts"
CONF_MAX_ATTEMPTS: Final = "max_attempts"
CONF_AUTH_RETRY_INTERVAL: Final = "auth_retry_interval"
CONF_STATUS_INTERVAL: Final = "status_interval"

# The library's defaults; only the attempt limit offered when "unlimited" is unticked is ours.
_POLICY = ReconnectPolicy()
DEFAULT_INITIAL_DELAY: Final = _POLICY.initial_delay
DEFAULT_MAX_DELAY: Final = _POLICY.max_delay
DEFAULT_DEEP_EVERY: Final = _POLICY.deep_every
DEFAULT_UNLIMITED: Final = _POLICY.max_attempts is None
DEFAULT_MAX_ATTEMPTS: Final = 10
DEFAULT_AUTH_RETRY_INTERVAL: Final = _POLICY.auth_retry_interval
DEFAULT_STATUS_INTERVAL: Final = SessionOptions().status_interval

# Timings on the Home Assistant side
UNAVAILABLE_GRACE: Final = timedelta(seconds=30)
REPAIR_AFTER: Final = timedelta(minutes=15)
DEVICE_REFRESH_INTERVAL: Final = timedelta(minutes=10)
ENERGY_REFRESH_INTERVAL: Final = timedelta(minutes=15)

DEFAULT_VACATION_DAYS: Final = LIBRARY_DEFAULT_VACATION_DAYS
MIN_VACATION_DAYS: Final = int(VACATION_DAYS.low or 1)
MAX_VACATION_DAYS: Final = int(VACATION_DAYS.high or 30)

EVENT_CONNECTION: Final = "navilink_connection"
ISSUE_CONNECTION_DOWN: Final = "connection_down"

# Connection event types exposed by the event entity and the bus event (not the session's
# own start and stop), and the states of the connection sensor: the library's enums.
EVENT_TYPES: Final = [
    t.value
    for t in ConnectionEventType
    if t not in (ConnectionEventType.CONNECTING, ConnectionEventType.STOPPED)
]
CONNECTION_STATES: Final = [s.value for s in ConnectionState]

# Service actions
SERVICE_SET_VACATION_DAYS: Final = "set_vacation_days"
SERVICE_ADD_RESERVATION: Final = "add_reservation"
SERVICE_REMOVE_RESERVATION: Final = "remove_reservation"
SERVICE_LIST_RESERVATIONS: Final = "list_reservations"
SERVICE_REQUEST_ENERGY_USAGE: Final = "request_energy_usage"
SERVICE_RECONNECT: Final = "reconnect"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_DAYS: Final = "days"
ATTR_YEAR: Final = "year"
ATTR_MONTHS: Final = "months"
ATTR_DEEP: Final = "deep"
ATTR_WEEKDAYS: Final = "weekdays"
ATTR_TIME: Final = "time"
ATTR_MODE: Final = "mode"
ATTR_TEMPERATURE: Final = "temperature"
ATTR_INDEX: Final = "index"
ATTR_ENABLED: Final = "enabled"
