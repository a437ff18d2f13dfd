"""NaviLink protocol client: auth, REST, MQTT session, reconnect policy, models.

No Home Assistant imports: the integration builds on this package, and so can anything else.
"""

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
    EnergyUsage,
    HeatSource,
    OperationMode,
    Reservation,
    ReservationSchedule,
)
from .policy import ReconnectPolicy, ReconnectTier
from .protocol import DEVICE_TYPE
from .session import Endpoints, NaviLinkSession, SessionOptions, new_client_id
from .transport import CLOUD_MQTT_URL

__all__ = [
    "CLOUD_API_URL",
    "CLOUD_MQTT_URL",
    "DEVICE_TYPE",
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
    "new_client_id",
]
