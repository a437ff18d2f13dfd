"""Device commands: checks before sending, what confirms each one, on the fake cloud."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from conftest import MAC, Factory

from aionavilink import (
    ANTI_LEGIONELLA_PERIOD_DAYS,
    VACATION_DAYS,
    DhwMode,
    OutOfRangeError,
    Range,
    Reservation,
    UnsupportedCommandError,
    Weekday,
)
from aionavilink.testing import FakeCloud, FakeHeater, settle


async def test_every_control_is_confirmed_by_the_status_echo(make_session: Factory) -> None:
    session, _ = await make_session()
    assert (await session.set_temperature(MAC, 55.5)).dhw_temperature_setting == 55.5
    assert (await session.set_mode(MAC, DhwMode.HIGH_DEMAND)).dhw_mode is DhwMode.HIGH_DEMAND
    vacation = await session.set_vacation(MAC, 5)
    assert vacation.dhw_mode is DhwMode.VACATION and vacation.vacation_days_setting == 5
    assert (await session.set_power(MAC, False)).dhw_mode is DhwMode.POWER_OFF
    assert (await session.set_power(MAC, True)).dhw_mode is not DhwMode.POWER_OFF
    legionella = await session.set_anti_legionella(MAC, True, 14)
    assert legionella.anti_legionella_enabled and legionella.anti_legionella_period_days == 14
    assert (await session.set_anti_legionella(MAC, False)).anti_legionella_enabled is False
    kept = await session.set_anti_legionella(MAC, True)  # keeps the current period
    assert kept.anti_legionella_period_days == 14
    assert (await session.set_tou(MAC, True)).tou_enabled is True
    assert (await session.set_tou(MAC, False)).tou_enabled is False
    assert await session.set_demand_response(MAC, True) is not None
    assert await session.set_demand_response(MAC, False) is not None
    freeze = await session.set_freeze_protection_temperature(MAC, 8.0)
    assert freeze.freeze_protection_temperature == 8.0
    assert (await session.reset_air_filter(MAC)).air_filter_alarm_elapsed_h == 0
    assert session.health.counters.commands_failed == 0


async def test_queries(make_session: Factory) -> None:
    session, _ = await make_session()
    feature = await session.request_feature(MAC)
    assert feature.supports_temperature_setting is True
    assert feature.dhw_temperature_range == Range(35.0, 65.0)
    today = date.today()
    usage = await session.request_energy_usage(MAC, today.year, [today.month])
    assert usage.total.total_wh == 1500
    assert [m.month for m in usage.months] == [today.month]


async def test_reservations_round_trip(make_session: Factory) -> None:
    session, _ = await make_session()
    assert (await session.read_reservations(MAC)).entries == ()
    entry = Reservation(
        enabled=True,
        weekdays=[Weekday.MONDAY, "friday"],
        hour=6,
        minute=30,
        mode=DhwMode.HEAT_PUMP,
        temperature=55.0,
    )
    written = await session.write_reservations(MAC, True, [entry])
    assert written.enabled and written.entries == (entry,)
    assert (await session.read_reservations(MAC)).entries == (entry,)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda s: s.set_vacation(MAC, VACATION_DAYS.high + 1), "vacation days 31"),
        (lambda s: s.set_vacation(MAC, 0), "outside 1-30"),
        (lambda s: s.set_anti_legionella(MAC, True, 0), "anti-legionella period 0 days"),
        (lambda s: s.set_temperature(MAC, 80.0), "temperature 80.0 °C is outside 35-65 °C"),
        (lambda s: s.set_temperature(MAC, 200.0), "outside 0-127.5 °C"),
        (lambda s: s.set_freeze_protection_temperature(MAC, 2.0), "outside 6-10 °C"),
        (lambda s: s.request_energy_usage(MAC, 2026, [13]), "month 13"),
        (lambda s: s.request_energy_usage(MAC, 2026, []), "at least one month"),
        (lambda s: s.set_mode(MAC, DhwMode.VACATION), "set_vacation or set_power"),
    ],
)
async def test_arguments_out_of_range_are_refused_before_sending(
    make_session: Factory, cloud: FakeCloud, call: object, match: str
) -> None:
    session, _ = await make_session()
    sent = len(cloud.heaters[MAC].requests)
    with pytest.raises(OutOfRangeError, match=match):
        await call(session)  # type: ignore[operator]
    assert len(cloud.heaters[MAC].requests) == sent
    assert ANTI_LEGIONELLA_PERIOD_DAYS.low == 1


FLAG_OF = {
    "powerUse": lambda s: s.set_power(MAC, True),
    "holidayUse": lambda s: s.set_vacation(MAC, 3),
    "dhwUse": lambda s: s.set_mode(MAC, DhwMode.ELECTRIC),
    "dhwTemperatureSettingUse": lambda s: s.set_temperature(MAC, 50.0),
    "freezeProtectionUse": lambda s: s.set_freeze_protection_temperature(MAC, 8.0),
    "antiLegionellaSettingUse": lambda s: s.set_anti_legionella(MAC, False),
    "programReservationUse": lambda s: s.set_tou(MAC, True),
    "drSettingUse": lambda s: s.set_demand_response(MAC, True),
    "electricUse": lambda s: s.set_mode(MAC, DhwMode.ELECTRIC),
}


@pytest.mark.parametrize("flag", list(FLAG_OF))
async def test_a_capability_the_device_lacks_is_refused(
    make_session: Factory, cloud: FakeCloud, flag: str
) -> None:
    cloud.heaters[MAC].feature[flag] = 1
    session, _ = await make_session()
    with pytest.raises(UnsupportedCommandError):
        await FLAG_OF[flag](session)


async def test_without_a_feature_report_the_device_decides(
    make_session: Factory, cloud: FakeCloud
) -> None:
    cloud.heaters[MAC].feature = {}  # an empty report: nothing known
    session, _ = await make_session(initial_data_timeout=0)
    assert session.feature(MAC) is None
    assert (await session.set_temperature(MAC, 70.0)).dhw_temperature_setting == 70.0
    assert (await session.set_freeze_protection_temperature(MAC, 3.0)) is not None


async def test_commands_to_two_devices_do_not_confirm_each_other(
    make_session: Factory, cloud: FakeCloud
) -> None:
    other = FakeHeater("04786332beef")
    cloud.heaters[other.mac] = other
    session, _ = await make_session()
    first = asyncio.ensure_future(session.set_temperature(MAC, 41.0))
    second = asyncio.ensure_future(session.set_temperature(other.mac, 42.0))
    await settle()
    assert (await first).dhw_temperature_setting == 41.0
    assert (await second).dhw_temperature_setting == 42.0
