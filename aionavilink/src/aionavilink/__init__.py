"""aionavilink: an asyncio client for the Navien NaviLink cloud (NWP500 heat-pump water heaters).

REST sign-in and device list, one self-healing AWS IoT MQTT session per account, and typed
models of what the heaters report. `__all__` is the public API; every other module is internal.
"""

__version__ = "0.1.0"

from .auth import CLOUD_API_URL, NaviLinkApi, NaviLinkAuth, Tokens
from .errors import (
    CommandError,
    CommandEvictedError,
    CommandExpiredError,
    CommandTimeoutError,
    InvalidCredentialsError,
    MalformedPayloadError,
    NaviLinkConnectionError,
    NaviLinkError,
    NaviLinkProtocolError,
    NotConnectedError,
    OutOfRangeError,
    SessionStoppedError,
    UnsupportedCommandError,
)
from .health import ConnectionEvent, ConnectionEventType, ConnectionState, Health
from .models import (
    DeviceFeature,
    DeviceInfo,
    DeviceStatus,
    DhwMode,
    DrEvent,
    EnergyTotals,
    EnergyUsage,
    HeatSource,
    OperationMode,
    Reservation,
    ReservationSchedule,
    Weekday,
    redact_mac,
)
from .policy import ReconnectPolicy, ReconnectTier
from .session import Endpoints, NaviLinkSession, SessionOptions, new_client_id
from .transport import CLOUD_MQTT_URL

__all__ = [
    "CLOUD_API_URL",
    "CLOUD_MQTT_URL",
    "CommandError",
    "CommandEvictedError",
    "CommandExpiredError",
    "CommandTimeoutError",
    "ConnectionEvent",
    "ConnectionEventType",
    "ConnectionState",
    "DeviceFeature",
    "DeviceInfo",
    "DeviceStatus",
    "DhwMode",
    "DrEvent",
    "Endpoints",
    "EnergyTotals",
    "EnergyUsage",
    "Health",
    "HeatSource",
    "InvalidCredentialsError",
    "MalformedPayloadError",
    "NaviLinkApi",
    "NaviLinkAuth",
    "NaviLinkConnectionError",
    "NaviLinkError",
    "NaviLinkProtocolError",
    "NaviLinkSession",
    "NotConnectedError",
    "OperationMode",
    "OutOfRangeError",
    "ReconnectPolicy",
    "ReconnectTier",
    "Reservation",
    "ReservationSchedule",
    "SessionOptions",
    "SessionStoppedError",
    "Tokens",
    "UnsupportedCommandError",
    "Weekday",
    "new_client_id",
    "redact_mac",
]
