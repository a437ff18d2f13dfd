"""Energy coordinators, apart from the push coordinator (the lamarzocco pattern of one
coordinator per update interval): this month's totals every 15 minutes for the energy sensors,
and the daily history imported into long-term statistics on setup and then once a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from aionavilink import EnergyTotals, NaviLinkError, NaviLinkSession

from .const import (
    ENERGY_HISTORY_INTERVAL,
    ENERGY_HISTORY_MONTHS,
    ENERGY_REFRESH_INTERVAL,
    LOGGER,
)
from .statistics import async_has_statistics, async_import_energy, daily_usage

if TYPE_CHECKING:
    from .coordinator import NaviLinkConfigEntry


def months_back(today: date, count: int) -> dict[int, list[int]]:
    """The `count` months up to and including today's, grouped by year (one query each)."""
    by_year: dict[int, list[int]] = {}
    year, month = today.year, today.month
    for _ in range(count):
        by_year.setdefault(year, []).insert(0, month)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return by_year


class NaviLinkEnergyCoordinator(DataUpdateCoordinator[dict[str, EnergyTotals]]):
    """Per heater, the energy used this month (heat pump, elements)."""

    config_entry: NaviLinkConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: NaviLinkConfigEntry, session: NaviLinkSession
    ) -> None:
        """Refresh every 15 minutes while an energy sensor listens."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name="NaviLink energy usage",
            update_interval=ENERGY_REFRESH_INTERVAL,
        )
        self.session = session

    async def _async_update_data(self) -> dict[str, EnergyTotals]:
        today = dt_util.now()
        energy = {mac: e for mac, e in (self.data or {}).items() if mac in self.session.devices}
        for mac in self.session.devices:
            feature = self.session.feature(mac)
            if feature is None or feature.supports_energy_usage is False:
                continue
            try:
                usage = await self.session.request_energy_usage(mac, today.year, [today.month])
            except NaviLinkError as err:
                LOGGER.debug("Energy usage request for %s failed: %s", mac[-4:], err)
                continue
            months = [m for m in usage.months if m.month == today.month]
            energy[mac] = months[0].totals if months else usage.total
        return energy


class NaviLinkEnergyHistoryCoordinator(DataUpdateCoordinator[dict[str, date]]):
    """Per heater, the last day whose energy use is in the statistics."""

    config_entry: NaviLinkConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: NaviLinkConfigEntry, session: NaviLinkSession
    ) -> None:
        """Refresh once a day; the first refresh imports up to a year of history."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name="NaviLink energy history",
            update_interval=ENERGY_HISTORY_INTERVAL,
        )
        self.session = session

    async def _async_update_data(self) -> dict[str, date]:
        if "recorder" not in self.hass.config.components:
            return {}  # no long-term statistics without the recorder
        today = dt_util.now().date()
        # Completed days only: today's figure still grows, and a statistic that changes
        # after it was imported would make every import differ from the last.
        last_day = today - timedelta(days=1)
        imported = dict(self.data or {})
        for mac, info in self.session.devices.items():
            feature = self.session.feature(mac)
            if feature is None or feature.supports_energy_usage is False:
                continue
            # A year the first time; afterwards this month and the last (a day's figures
            # can still change shortly after midnight).
            known = mac in imported or await async_has_statistics(self.hass, mac)
            count = 2 if known else ENERGY_HISTORY_MONTHS
            days = []
            try:
                for year, months in sorted(months_back(today, count).items()):
                    usage = await self.session.request_energy_usage(mac, year, months)
                    days.extend(daily_usage(usage, last_day))
            except NaviLinkError as err:
                LOGGER.debug("Energy history of %s not available: %s", mac[-4:], err)
                continue
            await async_import_energy(
                self.hass, mac, info.name or f"NaviLink {mac[-4:]}", sorted(days)
            )
            if days:
                imported[mac] = days[-1][0]
        return imported
