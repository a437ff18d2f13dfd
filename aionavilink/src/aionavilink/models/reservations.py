"""The weekly reservation program: entries, the ``week`` bitfield, wire and hex forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from ..errors import MalformedPayloadError, OutOfRangeError
from ._values import (
    _int,
    _mapping,
    _num,
)
from .enums import DhwMode

# --------------------------------------------------------------------------- reservations


class Weekday(StrEnum):
    """Days of the ``week`` bitfield (Sun = 128 ... Sat = 2; bit 0 unused)."""

    SUNDAY = "sunday"
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"

    @property
    def bit(self) -> int:
        return _WEEKDAY_BITS[self]


_WEEKDAY_BITS: Final[Mapping[Weekday, int]] = {
    Weekday.SUNDAY: 128,
    Weekday.MONDAY: 64,
    Weekday.TUESDAY: 32,
    Weekday.WEDNESDAY: 16,
    Weekday.THURSDAY: 8,
    Weekday.FRIDAY: 4,
    Weekday.SATURDAY: 2,
}


def weekdays_from_bits(week: int) -> frozenset[Weekday]:
    """Decode a ``week`` bitfield (bit 0 ignored)."""
    return frozenset(day for day, bit in _WEEKDAY_BITS.items() if week & bit)


def weekdays_to_bits(days: Iterable[Weekday | str]) -> int:
    """Encode day names (``"monday"``/``Weekday.MONDAY``) as a ``week`` bitfield."""
    bits = 0
    for day in days:
        try:
            bits |= Weekday(str(day).lower()).bit
        except ValueError as err:
            raise OutOfRangeError(f"unknown weekday {day!r}") from err
    return bits


@dataclass(frozen=True, slots=True, init=False)
class Reservation:
    """One weekly reservation entry (docs/protocol.md, "Reservations").

    ``weekdays`` accepts day names or a ``week`` bitfield int; it is stored as a frozenset
    of :class:`Weekday`. ``temperature`` is °C (sent as half-°C ``param``).
    Raises :class:`OutOfRangeError` for an invalid hour, minute, mode or temperature.
    """

    enabled: bool
    weekdays: frozenset[Weekday]
    hour: int
    minute: int
    mode: DhwMode
    temperature: float

    def __init__(
        self,
        *,
        enabled: bool,
        weekdays: Iterable[Weekday | str] | int,
        hour: int,
        minute: int,
        mode: DhwMode,
        temperature: float,
    ) -> None:
        if isinstance(weekdays, bool):
            raise OutOfRangeError("weekdays must be day names or a bitfield")
        if isinstance(weekdays, int):
            if not 0 <= weekdays <= 255:
                raise OutOfRangeError(f"week bitfield {weekdays} out of range 0..255")
            days = weekdays_from_bits(weekdays)
        elif isinstance(weekdays, str):
            days = weekdays_from_bits(weekdays_to_bits([weekdays]))
        else:
            days = weekdays_from_bits(weekdays_to_bits(weekdays))
        if _int(hour) is None or not 0 <= hour <= 23:
            raise OutOfRangeError(f"hour {hour!r} out of range 0..23")
        if _int(minute) is None or not 0 <= minute <= 59:
            raise OutOfRangeError(f"minute {minute!r} out of range 0..59")
        if not isinstance(mode, DhwMode):
            raise OutOfRangeError(f"mode {mode!r} is not a DhwMode")
        temp = _num(temperature)
        if temp is None or not 0 <= round(temp * 2) <= 255:
            raise OutOfRangeError(f"temperature {temperature!r} out of range 0..127.5 °C")
        object.__setattr__(self, "enabled", bool(enabled))
        object.__setattr__(self, "weekdays", days)
        object.__setattr__(self, "hour", int(hour))
        object.__setattr__(self, "minute", int(minute))
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "temperature", round(temp * 2) / 2)

    @property
    def week(self) -> int:
        """The ``week`` bitfield."""
        return weekdays_to_bits(self.weekdays)

    @property
    def param(self) -> int:
        """Temperature as half-°C."""
        return round(self.temperature * 2)

    def to_wire(self) -> dict[str, int]:
        return {
            "enable": 2 if self.enabled else 1,
            "week": self.week,
            "hour": self.hour,
            "min": self.minute,
            "mode": self.mode.code,
            "param": self.param,
        }

    def to_bytes(self) -> bytes:
        w = self.to_wire()
        return bytes([w["enable"], w["week"], w["hour"], w["min"], w["mode"], w["param"]])

    @classmethod
    def from_wire(cls, entry: Mapping[str, Any]) -> Reservation:
        """Parse a wire entry dict; raises MalformedPayloadError for invalid content."""
        values = [_int(entry.get(k)) for k in ("enable", "week", "hour", "min", "mode", "param")]
        return cls._from_values(values)

    @classmethod
    def _from_values(cls, values: Sequence[int | None]) -> Reservation:
        enable, week, hour, minute, mode_code, param = values
        mode = DhwMode.from_code(mode_code)
        if week is None or hour is None or minute is None or param is None or mode is None:
            raise MalformedPayloadError(f"invalid reservation entry {list(values)}")
        try:
            return cls(
                enabled=enable == 2,
                weekdays=week & 0xFE,
                hour=hour,
                minute=minute,
                mode=mode,
                temperature=param / 2,
            )
        except (OutOfRangeError, OverflowError) as err:
            raise MalformedPayloadError(f"invalid reservation entry: {err}") from err

    def sort_key(self) -> tuple[int, int, int, int, int, bool]:
        return (self.hour, self.minute, self.week, self.mode.code, self.param, self.enabled)


@dataclass(frozen=True, slots=True)
class ReservationSchedule:
    """The reservation program: a global enable plus its entries."""

    enabled: bool
    entries: tuple[Reservation, ...] = ()

    @property
    def reservation_use(self) -> int:
        """Wire ``reservationUse``: 2 enabled, 1 disabled."""
        return 2 if self.enabled else 1

    def to_wire(self) -> list[dict[str, int]]:
        """The ``reservation`` list to send."""
        return [entry.to_wire() for entry in self.entries]

    def to_hex(self) -> str:
        """Entries as the hex string a reservation read reply carries."""
        return b"".join(entry.to_bytes() for entry in self.entries).hex()

    def matches(self, other: ReservationSchedule) -> bool:
        """Same enable flag and the same entries in any order (for confirming an echo)."""
        return self.enabled == other.enabled and sorted(
            self.entries, key=Reservation.sort_key
        ) == sorted(other.entries, key=Reservation.sort_key)

    @classmethod
    def from_wire(cls, reservation_use: object, reservation: object) -> ReservationSchedule:
        """Parse ``reservationUse`` (2 = enabled) and ``reservation`` (hex string, 6 bytes
        per entry, all-zero chunks skipped; or a list of entry dicts). Raises
        MalformedPayloadError for undecodable entries."""
        entries: list[Reservation] = []
        if isinstance(reservation, str):
            text = reservation.strip()
            try:
                data = bytes.fromhex(text)
            except ValueError as err:
                raise MalformedPayloadError("reservation is not a hex string") from err
            if len(data) % 6:
                raise MalformedPayloadError("reservation hex length is not a multiple of 6 bytes")
            for i in range(0, len(data), 6):
                chunk = data[i : i + 6]
                if not any(chunk):
                    continue
                entries.append(Reservation._from_values(list(chunk)))
        elif isinstance(reservation, list):
            for item in reservation:
                if not isinstance(item, Mapping):
                    raise MalformedPayloadError("reservation entry is not an object")
                entries.append(Reservation.from_wire(item))
        elif reservation is not None:
            raise MalformedPayloadError("reservation is neither a hex string nor a list")
        return cls(enabled=_int(reservation_use) == 2, entries=tuple(entries))

    @classmethod
    def from_payload(cls, payload: object) -> ReservationSchedule:
        """Parse a whole reservation ``response`` object."""
        p = _mapping(payload, "reservation reply")
        return cls.from_wire(p.get("reservationUse"), p.get("reservation"))
