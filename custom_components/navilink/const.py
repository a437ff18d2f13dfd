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
)
from aionavilink import (
    DEFAULT_VACATION_DAYS as LIBRARY_DEFAULT_VACATION_DAYS,
)

DOMAIN: Final = "navilink"
LOGGER = logging.getLogger(__package__)

# Real NaviLink cloud (the client owns the URLs). Entries store an endpoint only when it differs
# from these (the offline simulator), so that a change of the default reaches existing entries.
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
# A former option (a polling interval is not a user option); removed by the 1.2 migration.
CONF_STATUS_INTERVAL: Final = "status_interval"

# The library's defaults; only the attempt limit offered when "unlimited" is unticked is ours.
_POLICY = ReconnectPolicy()
DEFAULT_INITIAL_DELAY: Final = _POLICY.initial_delay
DEFAULT_MAX_DELAY: Final = _POLICY.max_delay
DEFAULT_DEEP_EVERY: Final = _POLICY.deep_every
DEFAULT_UNLIMITED: Final = _POLICY.max_attempts is None
DEFAULT_MAX_ATTEMPTS: Final = 10
DEFAULT_AUTH_RETRY_INTERVAL: Final = _POLICY.auth_retry_interval

# Safe bounds of the options (the options flow enforces them, the 1.2 migration clamps older
# entries): no setting may make the integration hit the cloud harder than the phone app does.
MIN_INITIAL_DELAY: Final = 1.0  # never reconnect sooner than 1 s
MAX_INITIAL_DELAY: Final = 600.0
MIN_MAX_DELAY: Final = 30.0  # a long outage: at most one attempt per 30 s
MAX_MAX_DELAY: Final = 3600.0
MAX_DEEP_EVERY: Final = 100
MAX_MAX_ATTEMPTS: Final = 10000
MIN_AUTH_RETRY_INTERVAL: Final = 300.0  # sign-in retries at most every 5 minutes; 0 = never
MAX_AUTH_RETRY_INTERVAL: Final = 86400.0

# Timings on the Home Assistant side
UNAVAILABLE_GRACE: Final = timedelta(seconds=30)
# A heater offline this long gets a repair issue (check its Wi-Fi).
HEATER_OFFLINE_REPAIR_AFTER: Final = timedelta(days=1)
DEVICE_REFRESH_INTERVAL: Final = timedelta(minutes=10)
ENERGY_REFRESH_INTERVAL: Final = timedelta(minutes=15)
# Health values that change with every message (latency, message count) are written this often.
HEALTH_REFRESH_INTERVAL: Final = timedelta(minutes=1)
# A heater is unavailable after this many status intervals without a status.
MISSED_STATUSES_UNAVAILABLE: Final = 3
# Daily energy history imported into long-term statistics: once a day, a year back at first.
ENERGY_HISTORY_INTERVAL: Final = timedelta(days=1)
ENERGY_HISTORY_MONTHS: Final = 12
# Firmware versions are read from the cloud twice a day.
FIRMWARE_INTERVAL: Final = timedelta(hours=12)

DEFAULT_VACATION_DAYS: Final = LIBRARY_DEFAULT_VACATION_DAYS
MIN_VACATION_DAYS: Final = int(VACATION_DAYS.low or 1)
MAX_VACATION_DAYS: Final = int(VACATION_DAYS.high or 30)

EVENT_CONNECTION: Final = "navilink_connection"
# Dispatcher signal (format with the MAC): the heater confirmed a new vacation length.
SIGNAL_VACATION_DAYS: Final = "navilink_vacation_days_{}"
ISSUE_RECONNECT_GAVE_UP: Final = "reconnect_gave_up"
ISSUE_HEATER_OFFLINE: Final = "heater_offline"

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
SERVICE_GET_TOU_SCHEDULE: Final = "get_tou_schedule"
SERVICE_SET_TOU_SCHEDULE: Final = "set_tou_schedule"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
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
