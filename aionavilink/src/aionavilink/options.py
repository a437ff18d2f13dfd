"""What a session needs to know before it starts: where the cloud is, and its tunables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from .auth import CLOUD_API_URL
from .policy import ReconnectPolicy
from .reachability import DEFAULT_PROBE_INTERVAL, DEFAULT_PROBE_TIMEOUT
from .transport import CLOUD_MQTT_URL

CLIENT_ID_PREFIX = "navien-client-"


def new_client_id() -> str:
    """A client id in the app's format (``navien-client-`` + 8 hex); store it per installation."""
    return f"{CLIENT_ID_PREFIX}{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where the cloud is. The defaults are the real NaviLink cloud."""

    api_url: str = CLOUD_API_URL
    mqtt_url: str = CLOUD_MQTT_URL
    ca_file: str | None = None


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Tunables. Defaults suit the real cloud; tests scale the times down."""

    policy: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    status_interval: float = 60.0  # status request per device; doubles as the liveness probe
    watchdog_misses: int = 3  # unanswered probes before escalating
    command_timeout: float = 15.0  # sent -> confirming echo
    queue_size: int = 100
    queue_ttl: float = 300.0
    keep_alive_secs: int = 30
    ping_timeout_ms: int = 3000
    sdk_reconnect_min_secs: int = 5  # awscrt's own resume runs beside our loop
    sdk_reconnect_max_secs: int = 60
    operation_timeout: float = 30.0
    request_timeout: float = 20.0  # one REST call
    connect_timeout: float = 30.0
    expiry_margin: float = 300.0  # renew tokens / AWS credentials this long before expiry
    device_refresh_interval: float = 600.0
    resubscribe_retry: float = 5.0
    initial_data_timeout: float = 10.0
    retry_first_connect: bool = False  # True: a failed first connect enters the reconnect loop
    # While waiting to reconnect, a bare TCP connect to the MQTT endpoint every `probe_interval`
    # ends the wait when the path comes back (reachability.py). False: only the backoff decides.
    path_probe: bool = True
    probe_interval: float = DEFAULT_PROBE_INTERVAL
    probe_timeout: float = DEFAULT_PROBE_TIMEOUT

    def transport_settings(self) -> dict[str, int | float]:
        """The keyword arguments a transport factory receives besides the callbacks."""
        return {
            "keep_alive_secs": self.keep_alive_secs,
            "ping_timeout_ms": self.ping_timeout_ms,
            "operation_timeout": self.operation_timeout,
            "sdk_reconnect_min_secs": self.sdk_reconnect_min_secs,
            "sdk_reconnect_max_secs": self.sdk_reconnect_max_secs,
        }
