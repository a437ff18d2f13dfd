"""Constants for the Navien NaviLink integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "navilink"
LOGGER = logging.getLogger(__package__)

# Real NaviLink cloud. Entry data may override these (the offline simulator does).
DEFAULT_API_URL: Final = "https://nlus.naviensmartcontrol.com/api/v2.1"
DEFAULT_MQTT_URL: Final = "wss://a1t30mldyslmuq-ats.iot.us-east-1.amazonaws.com/mqtt"

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

DEFAULT_INITIAL_DELAY: Final = 1.0
DEFAULT_MAX_DELAY: Final = 120.0
DEFAULT_DEEP_EVERY: Final = 10
DEFAULT_UNLIMITED: Final = True
DEFAULT_MAX_ATTEMPTS: Final = 10
DEFAULT_AUTH_RETRY_INTERVAL: Final = 1800.0
DEFAULT_STATUS_INTERVAL: Final = 60.0

# Timings on the Home Assistant side
UNAVAILABLE_GRACE: Final = timedelta(seconds=30)
REPAIR_AFTER: Final = timedelta(minutes=15)
DEVICE_REFRESH_INTERVAL: Final = timedelta(minutes=10)
ENERGY_REFRESH_INTERVAL: Final = timedelta(minutes=15)
# Daily energy history imported into long-term statistics: once a day, a year back at first.
ENERGY_HISTORY_INTERVAL: Final = timedelta(days=1)
ENERGY_HISTORY_MONTHS: Final = 12
# Firmware versions are read from the cloud twice a day.
FIRMWARE_INTERVAL: Final = timedelta(hours=12)

DEFAULT_VACATION_DAYS: Final = 7
MIN_VACATION_DAYS: Final = 1
MAX_VACATION_DAYS: Final = 30

EVENT_CONNECTION: Final = "navilink_connection"
ISSUE_CONNECTION_DOWN: Final = "connection_down"

# Connection event types exposed by the event entity and the bus event.
EVENT_TYPES: Final = [
    "connected",
    "disconnected",
    "reconnecting",
    "deep_reconnect",
    "auth_failed",
    "reconnect_failed",
]

CONNECTION_STATES: Final = [
    "connecting",
    "connected",
    "reconnecting",
    "disconnected",
    "auth_failed",
    "stopped",
]

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
