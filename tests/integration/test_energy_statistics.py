"""Daily energy history in long-term statistics: imported on setup, idempotent on re-import."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import (
    list_statistic_ids,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from navilink_sim.testing import SimControl

from .conftest import setup_entry

SOURCES = ("heat_pump", "element")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder first (its database must exist before hass), then custom_components/."""


async def _rows(hass: HomeAssistant, mac: str) -> dict[str, list[dict[str, Any]]]:
    await async_wait_recording_done(hass)
    ids = {f"navilink:{mac}_{kind}_energy" for kind in SOURCES}
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2000, 1, 1, tzinfo=UTC),
        None,
        ids,
        "hour",
        None,
        {"state", "sum"},
    )
    return {key: [dict(r) for r in value] for key, value in rows.items()}


async def test_energy_history_imported_and_reimport_idempotent(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim_account: dict[str, Any],
    sim_control: SimControl,
) -> None:
    """Days from months before the integration was set up become statistics with a running
    sum; setting the entry up again (the daily refresh does the same) changes nothing."""
    mac = sim_account["devices"][0]
    today = dt_util.now().date()
    first = (today.replace(day=1) - timedelta(days=70)).replace(day=3)
    history = [
        {"date": (first + timedelta(days=i)).isoformat(), "hp_wh": 1000 + i, "he_wh": 500}
        for i in range(3)
    ]
    await sim_control.energy_history(mac, history)
    await setup_entry(hass, entry)

    await hass.async_block_till_done(wait_background_tasks=True)
    rows = await _rows(hass, mac)
    assert rows, "no statistics imported"
    hp = rows[f"navilink:{mac}_heat_pump_energy"]
    he = rows[f"navilink:{mac}_element_energy"]
    by_day = {dt_util.as_local(dt_util.utc_from_timestamp(r["start"])).date(): r for r in hp}
    start = by_day[first]
    assert start["state"] == 1.0
    assert by_day[first + timedelta(days=2)]["state"] == 1.002
    assert by_day[first + timedelta(days=2)]["sum"] == start["sum"] + 1.001 + 1.002
    assert max(r["sum"] for r in he) >= 1.5
    assert all(isinstance(day, date) and day < today for day in by_day)  # completed days only

    ids = await get_instance(hass).async_add_executor_job(list_statistic_ids, hass)
    meta = {i["statistic_id"]: i for i in ids}
    assert meta[f"navilink:{mac}_heat_pump_energy"]["statistics_unit_of_measurement"] == "kWh"

    # Re-import: reload the entry (imports the last two months again) and compare.
    queries = (await sim_control.state())["devices"][mac]["commands"]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    again = await _rows(hass, mac)
    after = (await sim_control.state())["devices"][mac]["commands"]
    assert sum(after.values()) > sum(queries.values())  # the history was asked for again
    assert again == rows
