"""The ranges commands accept, defined once (the integration builds its selectors from these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .errors import OutOfRangeError


@dataclass(frozen=True, slots=True)
class Range:
    """An inclusive range; either end may be unknown (None)."""

    low: float | None
    high: float | None

    def check(self, value: float, what: str, unit: str = "") -> None:
        """Raise OutOfRangeError when `value` lies outside."""
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise OutOfRangeError(
                f"{what} {value}{unit} is outside {_fmt(self.low)}-{_fmt(self.high)}{unit}"
            )


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


#: Vacation mode length in days.
VACATION_DAYS: Final = Range(1, 30)
#: Anti-legionella cycle period in days.
ANTI_LEGIONELLA_PERIOD_DAYS: Final = Range(1, 30)
#: What a one-byte half-degree temperature can carry (reservations, and any setpoint).
WIRE_TEMPERATURE: Final = Range(0.0, 127.5)
#: Months of an energy-usage query.
MONTHS: Final = Range(1, 12)

DEFAULT_VACATION_DAYS: Final = 7
DEFAULT_ANTI_LEGIONELLA_PERIOD_DAYS: Final = 7
