"""Long-term statistics: each heater's daily energy history (heat pump, element; kWh).

Each day's use is one hourly row at the day's local midnight, with a running sum, under a
statistic id made from the heater's MAC (``navilink:{mac}_heat_pump_energy``), so renaming the
heater or its entities does not orphan the history. Rows are keyed by their start: importing
the same days again overwrites them with the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Final

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_last_statistics,
    statistics_during_period,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from aionavilink import EnergyUsage

from .const import DOMAIN

#: (statistic kind, EnergyTotals attribute, name suffix)
SOURCES: Final = (
    ("heat_pump", "heat_pump_wh", "heat pump energy"),
    ("element", "element_wh", "element energy"),
)
_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)


def statistic_id(mac: str, kind: str) -> str:
    """The stable statistic id of one heater's energy source."""
    return f"{DOMAIN}:{mac.lower()}_{kind}_energy"


def daily_usage(usage: EnergyUsage, until: date) -> list[tuple[date, dict[str, float]]]:
    """The days of an energy reply up to `until`, each with Wh per source, oldest first."""
    days: list[tuple[date, dict[str, float]]] = []
    for month in usage.months:
        if month.year is None or month.month is None:
            continue
        for index, totals in enumerate(month.days, start=1):
            try:
                day = date(month.year, month.month, index)
            except ValueError:
                continue
            if day <= until:
                wh = {attr: float(getattr(totals, attr) or 0) for _, attr, _ in SOURCES}
                days.append((day, wh))
    return sorted(days)


def _day_start(day: date) -> datetime:
    return dt_util.as_utc(datetime.combine(day, time(), tzinfo=dt_util.get_default_time_zone()))


def _sum_before(hass: HomeAssistant, stat_id: str, start: datetime) -> float:
    rows = statistics_during_period(hass, _EPOCH, start, {stat_id}, "hour", None, {"sum"}).get(
        stat_id, []
    )
    last = rows[-1].get("sum") if rows else None
    return float(last or 0.0)


async def async_import_energy(
    hass: HomeAssistant, mac: str, heater_name: str, days: Sequence[tuple[date, dict[str, float]]]
) -> None:
    """Import (or re-import) consecutive days of one heater as external statistics."""
    if not days:
        return
    first_start = _day_start(days[0][0])
    for kind, attr, label in SOURCES:
        stat_id = statistic_id(mac, kind)
        total = await get_instance(hass).async_add_executor_job(
            _sum_before, hass, stat_id, first_start
        )
        rows: list[StatisticData] = []
        for day, values in days:
            kwh = values[attr] / 1000
            total += kwh
            rows.append(StatisticData(start=_day_start(day), state=kwh, sum=total))
        metadata = StatisticMetaData(
            mean_type=StatisticMeanType.NONE,
            has_sum=True,
            name=f"{heater_name} {label}",
            source=DOMAIN,
            statistic_id=stat_id,
            unit_class="energy",
            unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        )
        async_add_external_statistics(hass, metadata, rows)


async def async_has_statistics(hass: HomeAssistant, mac: str) -> bool:
    """Whether this heater's history was imported before."""
    stat_id = statistic_id(mac, SOURCES[0][0])
    rows = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, stat_id, False, {"sum"}
    )
    return bool(rows.get(stat_id))
