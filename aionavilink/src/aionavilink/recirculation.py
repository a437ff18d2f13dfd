"""Hot-water recirculation: the pump's operating mode and the "hot button" (run now).

Both are mode controls on ``ctrl`` that the heater accepts only when its feature payload
reports ``recirculationUse`` (protocol: ``recirc-mode [1..4]``, ``recirc-hotbtn [1]``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .errors import UnsupportedCommandError
from .inbound import InboundMessage, MessageKind
from .models import DeviceFeature, DeviceStatus
from .protocol import CommandCode, control_request

if TYPE_CHECKING:
    from .session import NaviLinkSession


class RecircMode(StrEnum):
    """``recirc-mode`` parameter and the status's ``recircOperationMode``."""

    ALWAYS = "always"
    BUTTON = "button"
    SCHEDULE = "schedule"
    TEMPERATURE = "temperature"

    @property
    def code(self) -> int:
        """The wire code."""
        return _RECIRC_CODES[self]

    @classmethod
    def from_code(cls, code: object) -> RecircMode | None:
        """The member for a wire code (None for 0, unknown or wrongly typed codes)."""
        for mode, mode_code in _RECIRC_CODES.items():
            if type(code) is int and code == mode_code:
                return mode
        return None


_RECIRC_CODES: Final[dict[RecircMode, int]] = {
    RecircMode.ALWAYS: 1,
    RecircMode.BUTTON: 2,
    RecircMode.SCHEDULE: 3,
    RecircMode.TEMPERATURE: 4,
}


def supports_recirculation(feature: DeviceFeature | None) -> bool:
    """Whether the heater reports a recirculation pump it can drive."""
    return feature is not None and feature.supports_recirculation is True


def recirc_mode(status: DeviceStatus | None) -> RecircMode | None:
    """The pump's current mode (None: unknown, or 0 = not set)."""
    if status is None:
        return None
    return RecircMode.from_code(status.raw.get("recircOperationMode"))


def _require(session: NaviLinkSession, mac: str, label: str) -> None:
    feature = session.feature(mac)
    if feature is not None and feature.supports_recirculation is not True:
        raise UnsupportedCommandError(f"{label}: the device has no recirculation")


async def set_recirc_mode(session: NaviLinkSession, mac: str, mode: RecircMode) -> DeviceStatus:
    """Select the recirculation mode; confirmed by a status that shows it."""
    _require(session, mac, "recirculation mode")

    def match(message: InboundMessage) -> DeviceStatus | None:
        if message.kind is not MessageKind.STATUS:
            return None
        status = session.status(mac)
        return status if recirc_mode(status) is mode else None

    return await session.send_request(
        mac,
        lambda target: control_request(target, command=CommandCode.RECIRC_MODE, param=[mode.code]),
        f"recirculation mode {mode.value}",
        match,
    )


async def run_recirculation(session: NaviLinkSession, mac: str) -> DeviceStatus:
    """Run the recirculation pump now (the "hot button"); confirmed by the heater's status
    reply."""
    _require(session, mac, "recirculation")

    def match(message: InboundMessage) -> DeviceStatus | None:
        return session.status(mac) if message.kind is MessageKind.STATUS else None

    return await session.send_request(
        mac,
        lambda target: control_request(target, command=CommandCode.RECIRC_HOT_BUTTON, param=[1]),
        "recirculation run now",
        match,
    )
