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
from .firmware import Firmware, firmware_info, format_version, install_firmware
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
)
from .policy import ReconnectPolicy, ReconnectTier
from .recirculation import (
    RecircMode,
    recirc_mode,
    run_recirculation,
    set_recirc_mode,
    supports_recirculation,
)
from .session import Endpoints, NaviLinkSession, SessionOptions, new_client_id
from .tou import (
    TouPeriod,
    TouPlan,
    convert_openei_plans,
    get_tou_plan,
    put_tou_plan,
    write_tou_schedule,
)
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
    "Firmware",
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
    "RecircMode",
    "ReconnectPolicy",
    "ReconnectTier",
    "Reservation",
    "ReservationSchedule",
    "SessionOptions",
    "SessionStoppedError",
    "Tokens",
    "TouPeriod",
    "TouPlan",
    "UnsupportedCommandError",
    "convert_openei_plans",
    "firmware_info",
    "format_version",
    "get_tou_plan",
    "install_firmware",
    "new_client_id",
    "put_tou_plan",
    "recirc_mode",
    "run_recirculation",
    "set_recirc_mode",
    "supports_recirculation",
    "write_tou_schedule",
]
