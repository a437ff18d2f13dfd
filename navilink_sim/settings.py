"""What the user set on a heater: mode, setpoint, schedules and the other switches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from navilink_sim.protocol import DhwMode

RESERVATION_KEYS = ("enable", "week", "hour", "min", "mode", "param")


@dataclass
class Settings:
    """The user settings of one heater (raw wire units)."""

    setpoint_raw: int = 120  # half-°C: 60 °C
    mode: DhwMode = DhwMode.HEAT_PUMP
    last_mode: DhwMode = DhwMode.HEAT_PUMP  # what power-on and the end of vacation restore
    vacation_days: int = 0
    anti_leg: bool = True
    anti_leg_period: int = 7
    tou: bool = False
    dr: bool = False
    freeze_raw: int = 14
    recirc_mode: int = 0
    reservation_use: int = 1
    reservations: list[dict[str, int]] = field(default_factory=list)
    weekly_use: int = 1
    weekly: list[Any] = field(default_factory=list)
    tou_use: int = 1
    tou_periods: list[dict[str, Any]] = field(default_factory=list)
    recirc_schedule: list[dict[str, Any]] = field(default_factory=list)
    air_filter_period_h: int = 1000  # 0: the filter alarm is off
    # Firmware by swCode (1 controller, 2 panel, 4 Wi-Fi): installed versions that replace the
    # profile's, and versions downloaded but not yet installed (committed with commitOta).
    firmware: dict[int, int] = field(default_factory=dict)
    downloaded: dict[int, int] = field(default_factory=dict)

    @property
    def power_on(self) -> bool:
        return self.mode is not DhwMode.POWER_OFF

    @property
    def setpoint_c(self) -> float:
        return self.setpoint_raw / 2

    def reservation_hex(self) -> str:
        """The stored reservations as a read reply carries them: 6 bytes each, hex."""
        out = bytearray()
        for entry in self.reservations:
            chunk = bytes(int(entry.get(k, 0)) & 0xFF for k in RESERVATION_KEYS)
            if any(chunk):
                out += chunk
        return out.hex()
