"""Converting OpenEI rate plans into device TOU schedules, as ``POST /device/tou/convert`` does.

An OpenEI plan carries ``energyratestructure`` (one list of tiers per period, each tier a
``rate`` and an optional ``adj`` in $/kWh) and two 12 x 24 matrices, ``energyweekdayschedule`` and
``energyweekendschedule``, giving the period of every hour of every month. A device schedule
groups months with the same day shapes into a ``season`` bitfield (January = bit 0) and lists
``interval``s: runs of hours with one period, for weekdays (``week`` 124, Mon-Fri) or weekends
(130, Sat + Sun), priced in units of 10^-5 $ (``decimalPoint`` 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WEEKDAYS = 124  # Mon 64 + Tue 32 + Wed 16 + Thu 8 + Fri 4
WEEKEND = 130  # Sun 128 + Sat 2
DECIMAL_POINT = 5
HOURS = 24
MONTHS = 12


class ConversionError(ValueError):
    """The plan is not an OpenEI rate plan the simulator can convert."""


def _matrix(plan: dict[str, Any], key: str) -> list[list[int]]:
    rows = plan.get(key)
    if not isinstance(rows, list) or len(rows) != MONTHS:
        raise ConversionError(f"{key} must be a 12 x 24 matrix")
    out: list[list[int]] = []
    for row in rows:
        if (
            not isinstance(row, list)
            or len(row) != HOURS
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in row)
        ):
            raise ConversionError(f"{key} must be a 12 x 24 matrix of period indexes")
        out.append(row)
    return out


def _prices(plan: dict[str, Any]) -> list[int]:
    """The price of each period (first tier, rate + adjustment) in 10^-5 $/kWh."""
    structure = plan.get("energyratestructure")
    if not isinstance(structure, list) or not structure:
        raise ConversionError("energyratestructure must be a non-empty list")
    prices: list[int] = []
    for tiers in structure:
        tier = tiers[0] if isinstance(tiers, list) and tiers else None
        if not isinstance(tier, dict) or not isinstance(tier.get("rate"), int | float):
            raise ConversionError("every period needs a tier with a numeric rate")
        adj = tier.get("adj", 0)
        total = float(tier["rate"]) + (float(adj) if isinstance(adj, int | float) else 0.0)
        prices.append(round(total * 10**DECIMAL_POINT))
    return prices


def _intervals(hours: Sequence[int], week: int, prices: list[int]) -> list[dict[str, int]]:
    out: list[dict[str, int]] = []
    start = 0
    for hour in range(1, HOURS + 1):
        if hour < HOURS and hours[hour] == hours[start]:
            continue
        period = hours[start]
        if not 0 <= period < len(prices):
            raise ConversionError(f"period {period} has no rate")
        out.append(
            {
                "week": week,
                "startHour": start,
                "startMinute": 0,
                "endHour": hour - 1,
                "endMinute": 59,
                "priceMin": prices[period],
                "priceMax": prices[period],
                "decimalPoint": DECIMAL_POINT,
            }
        )
        start = hour
    return out


def convert_plan(plan: object) -> dict[str, Any]:
    """One OpenEI plan -> ``{utility, name, schedule: [{season, interval}]}``."""
    if not isinstance(plan, dict):
        raise ConversionError("a plan must be an object")
    prices = _prices(plan)
    weekday = _matrix(plan, "energyweekdayschedule")
    weekend = _matrix(plan, "energyweekendschedule") if "energyweekendschedule" in plan else weekday
    seasons: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    for month in range(MONTHS):
        shape = (tuple(weekday[month]), tuple(weekend[month]))
        seasons[shape] = seasons.get(shape, 0) | 1 << month
    schedule = [
        {
            "season": season,
            "interval": _intervals(days, WEEKDAYS, prices) + _intervals(ends, WEEKEND, prices),
        }
        for (days, ends), season in seasons.items()
    ]
    return {
        "utility": str(plan.get("utility", "")),
        "name": str(plan.get("name", "")),
        "schedule": schedule,
    }
