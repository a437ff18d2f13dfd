"""Typed, unit-converted views of NaviLink payloads, one module per message.

Parsers are tolerant: a missing, wrongly typed or unknown value becomes None for that field
only, and the rest of the message survives (docs/protocol.md, "Reading payloads").
"""

from .device import NaviLinkDevice, redact_mac, redact_topic
from .energy import EnergyTotals, EnergyUsage, MonthlyEnergy
from .enums import SELECTABLE_MODES, DhwMode, DrEvent, HeatSource, OperationMode, TemperatureUnit
from .feature import DeviceFeature
from .reservations import (
    Reservation,
    ReservationSchedule,
    Weekday,
    weekdays_from_bits,
    weekdays_to_bits,
)
from .status import DeviceStatus

__all__ = [
    "SELECTABLE_MODES",
    "DeviceFeature",
    "DeviceStatus",
    "DhwMode",
    "DrEvent",
    "EnergyTotals",
    "EnergyUsage",
    "HeatSource",
    "MonthlyEnergy",
    "NaviLinkDevice",
    "OperationMode",
    "Reservation",
    "ReservationSchedule",
    "TemperatureUnit",
    "Weekday",
    "redact_mac",
    "redact_topic",
    "weekdays_from_bits",
    "weekdays_to_bits",
]
