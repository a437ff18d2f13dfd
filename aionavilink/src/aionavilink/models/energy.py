"""The energy-usage reply: daily heat-pump and element energy and run time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ._values import (
    _EMPTY,
    _int,
    _mapping,
)

# --------------------------------------------------------------------------- energy


@dataclass(frozen=True, slots=True)
class EnergyTotals:
    """Heat-pump / element energy (Wh) and run time (h)."""

    heat_pump_wh: int | None = None
    element_wh: int | None = None
    heat_pump_hours: int | None = None
    element_hours: int | None = None

    @classmethod
    def from_wire(cls, obj: object) -> EnergyTotals:
        if not isinstance(obj, Mapping):
            return cls()
        return cls(
            heat_pump_wh=_int(obj.get("hpUsage")),
            element_wh=_int(obj.get("heUsage")),
            heat_pump_hours=_int(obj.get("hpTime")),
            element_hours=_int(obj.get("heTime")),
        )

    @property
    def total_wh(self) -> int | None:
        if self.heat_pump_wh is None and self.element_wh is None:
            return None
        return (self.heat_pump_wh or 0) + (self.element_wh or 0)


@dataclass(frozen=True, slots=True)
class MonthlyEnergy:
    """One month of daily usage (``days[0]`` is the 1st of the month)."""

    year: int | None
    month: int | None
    days: tuple[EnergyTotals, ...]

    @property
    def totals(self) -> EnergyTotals:
        def add(attr: str) -> int:
            return sum(getattr(d, attr) or 0 for d in self.days)

        return EnergyTotals(
            heat_pump_wh=add("heat_pump_wh"),
            element_wh=add("element_wh"),
            heat_pump_hours=add("heat_pump_hours"),
            element_hours=add("element_hours"),
        )


@dataclass(frozen=True, slots=True)
class EnergyUsage:
    """Energy usage reply: totals plus per-month, per-day figures (docs/protocol.md,
    "Energy usage")."""

    type_of_usage: int | None
    total: EnergyTotals
    months: tuple[MonthlyEnergy, ...]
    raw: Mapping[str, Any] = field(default=_EMPTY, compare=False, repr=False)

    @classmethod
    def from_payload(cls, payload: object) -> EnergyUsage:
        """Parse the whole ``response``; tolerant except for a non-object."""
        p = _mapping(payload, "energy usage")
        months: list[MonthlyEnergy] = []
        usage = p.get("usage")
        if isinstance(usage, list):
            for item in usage:
                if not isinstance(item, Mapping):
                    continue
                data = item.get("data")
                days = (
                    tuple(EnergyTotals.from_wire(d) for d in data) if isinstance(data, list) else ()
                )
                months.append(
                    MonthlyEnergy(
                        year=_int(item.get("year")), month=_int(item.get("month")), days=days
                    )
                )
        return cls(
            type_of_usage=_int(p.get("typeOfUsage")),
            total=EnergyTotals.from_wire(p.get("total")),
            months=tuple(months),
            raw=MappingProxyType(dict(p)),
        )
