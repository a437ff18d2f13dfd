"""Firmware versions of a heater's components, from ``POST /device/firmware/info``.

The reply lists one entry per component (``curSwCode`` 1 controller, 2 panel, 4 Wi-Fi) with the
installed version and, when the heater has fetched an update, the downloaded version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .errors import NaviLinkProtocolError, OutOfRangeError
from .inbound import InboundMessage, MessageKind
from .models import DeviceStatus
from .protocol import (
    SUFFIX_CONTROL,
    CommandCode,
    Request,
    Target,
    build_request,
)

if TYPE_CHECKING:
    from .session import NaviLinkSession

FIRMWARE_PATH: Final = "/device/firmware/info"

#: ``curSwCode`` -> component name.
COMPONENTS: Final[Mapping[int, str]] = {1: "controller", 2: "panel", 4: "wifi"}


def format_version(version: int) -> str:
    """An opaque firmware number as the eight hex digits the panel shows (0x0B010000)."""
    return f"{version:08x}"


@dataclass(frozen=True, slots=True)
class Firmware:
    """One component's firmware."""

    sw_code: int
    current_version: int
    downloaded_version: int | None = None

    @property
    def component(self) -> str:
        """``controller``, ``panel``, ``wifi`` or ``code N``."""
        return COMPONENTS.get(self.sw_code, f"code {self.sw_code}")

    @property
    def latest_version(self) -> int:
        """The newest version the heater knows of: downloaded if any, else installed."""
        return self.downloaded_version or self.current_version

    @classmethod
    def from_wire(cls, item: Mapping[str, Any]) -> Firmware | None:
        """Parse one ``firmwares`` entry (None if it lacks code or version)."""
        code, current = item.get("curSwCode"), item.get("curVersion")
        downloaded = item.get("downloadedVersion")
        if type(code) is not int or type(current) is not int:
            return None
        return cls(code, current, downloaded if type(downloaded) is int else None)


async def firmware_info(session: NaviLinkSession, mac: str) -> dict[str, Firmware]:
    """Every component's firmware of one heater, keyed by component name."""
    info = session.devices.get(mac)
    additional_value = info.additional_value if info is not None else ""
    data = await session.auth.request(
        FIRMWARE_PATH,
        {"macAddress": mac, "additionalValue": additional_value, "userId": session.auth.email},
    )
    items = data.get("firmwares") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise NaviLinkProtocolError("firmware reply has no firmwares list")
    parsed = (Firmware.from_wire(i) for i in items if isinstance(i, Mapping))
    return {fw.component: fw for fw in parsed if fw is not None}


async def install_firmware(session: NaviLinkSession, mac: str, firmware: Firmware) -> DeviceStatus:
    """Install a component's downloaded firmware (``ctrl`` with ``commitOta {swCode,
    swVersion}``); confirmed by the heater's status reply, failed at once by its refusal. Only a
    version the firmware endpoint reports as downloaded can be committed."""
    version = firmware.downloaded_version
    if version is None or version == firmware.current_version:
        raise OutOfRangeError(f"no downloaded {firmware.component} firmware to install")

    def build(target: Target) -> Request:
        return build_request(
            target,
            suffix=SUFFIX_CONTROL,
            command=CommandCode.OTA_COMMIT,
            extra={"commitOta": {"swCode": firmware.sw_code, "swVersion": version}},
        )

    def match(message: InboundMessage) -> DeviceStatus | None:
        return session.status(mac) if message.kind is MessageKind.STATUS else None

    return await session.send_request(
        mac, build, f"install {firmware.component} firmware {format_version(version)}", match
    )
