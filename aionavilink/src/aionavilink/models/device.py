"""A device as the REST device list describes it, and the one MAC redaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import NaviLinkProtocolError
from ._values import (
    _EMPTY,
    _int,
    _str,
)

# --------------------------------------------------------------------------- REST device


@dataclass(frozen=True, slots=True)
class NaviLinkDevice:
    """A device from the REST device list / info (``{deviceInfo, location}``)."""

    mac: str
    additional_value: str
    device_type: int | None = None
    name: str | None = None
    online: bool | None = None
    home_seq: int | None = None
    install_type: str | None = None
    location: Mapping[str, Any] = field(default=_EMPTY, compare=False)

    @classmethod
    def from_rest(cls, obj: object) -> NaviLinkDevice:
        """Parse a REST device object; NaviLinkProtocolError without deviceInfo or mac."""
        if not isinstance(obj, Mapping):
            raise NaviLinkProtocolError("device object is not an object")
        info = obj.get("deviceInfo")
        if not isinstance(info, Mapping):
            raise NaviLinkProtocolError("device object has no deviceInfo")
        mac = info.get("macAddress")
        if not isinstance(mac, str) or not mac:
            raise NaviLinkProtocolError("deviceInfo has no macAddress")
        additional = info.get("additionalValue")
        if _int(additional) is not None:
            additional = str(additional)
        connected = _int(info.get("connected"))
        location = obj.get("location")
        return cls(
            mac=mac.lower(),
            additional_value=additional if isinstance(additional, str) else "",
            device_type=_int(info.get("deviceType")),
            name=_str(info.get("deviceName")),
            online=True if connected == 2 else (False if connected == 1 else None),
            home_seq=_int(info.get("homeSeq")),
            install_type=_str(info.get("installType")),
            location=MappingProxyType(dict(location)) if isinstance(location, Mapping) else _EMPTY,
        )

    @property
    def redacted_mac(self) -> str:
        """The MAC with all but the last 4 hex digits masked (``********fca0``)."""
        return redact_mac(self.mac)


def redact_mac(mac: str) -> str:
    """Mask a MAC for logs and diagnostics: keep the last 4 characters (``********fca0``).
    The one redaction format of the library and the integration."""
    if len(mac) <= 4:
        return "*" * len(mac)
    return "*" * (len(mac) - 4) + mac[-4:]


_TOPIC_MAC = re.compile(r"navilink-([0-9A-Fa-f]{5,})")


def redact_topic(text: str) -> str:
    """A topic (or a message naming one) for logs: every ``navilink-{mac}`` MAC redacted."""
    return _TOPIC_MAC.sub(lambda m: f"navilink-{redact_mac(m.group(1))}", text)
