"""TOU plans: validation, wire encoding and parsing (pure), and the cloud's copy (REST
``/device/tou``) and the heater's (MQTT ``ctrl/tou/rd``) on the fake cloud."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from conftest import MAC, Factory

from aionavilink import (
    CommandCode,
    NaviLinkProtocolError,
    OutOfRangeError,
    TouPeriod,
    TouPlan,
    UnsupportedCommandError,
    Weekday,
    convert_openei_plans,
    get_tou_plan,
    put_tou_plan,
    write_tou_schedule,
)
from aionavilink.testing import FakeCloud, settle

WEEK = frozenset(
    {Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY}
)
WEEKEND = frozenset({Weekday.SATURDAY, Weekday.SUNDAY})


def period(
    start: tuple[int, int], end: tuple[int, int], price: str = "0.12", **kw: object
) -> TouPeriod:
    values: dict[str, object] = {
        "months": frozenset(range(1, 13)),
        "weekdays": WEEK,
        "start": start,
        "end": end,
        "price_min": Decimal(price),
        "price_max": Decimal(price),
    }
    values.update(kw)
    return TouPeriod(**values)  # type: ignore[arg-type]


def test_wire_round_trip() -> None:
    """A plan encodes to the documented interval fields and parses back to itself."""
    plan = TouPlan(
        periods=(period((0, 0), (15, 59)), period((16, 0), (20, 59), "0.42123")),
        name="p",
        zip_code=91001,
    )
    plan.validate()
    schedule = plan.schedule_wire()
    assert schedule == [
        {
            "season": 4095,
            "interval": [
                {
                    "week": 124,
                    "startHour": 0,
                    "startMinute": 0,
                    "endHour": 15,
                    "endMinute": 59,
                    "priceMin": 12000,
                    "priceMax": 12000,
                    "decimalPoint": 5,
                },
                {
                    "week": 124,
                    "startHour": 16,
                    "startMinute": 0,
                    "endHour": 20,
                    "endMinute": 59,
                    "priceMin": 42123,
                    "priceMax": 42123,
                    "decimalPoint": 5,
                },
            ],
        }
    ]
    parsed = TouPlan.from_schedule(schedule)
    assert plan.same_periods(parsed.periods)
    assert all(p["season"] == 4095 for p in plan.reservation_wire())


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (period((20, 0), (6, 0)), "before it starts"),
        (period((0, 0), (24, 0)), "not a time of day"),
        (period((0, 0), (1, 0), months=frozenset({13})), "months"),
        (period((0, 0), (1, 0), weekdays=frozenset()), "weekday"),
        (period((0, 0), (1, 0), "-0.1"), "outside"),
        (period((0, 0), (1, 0), price_max=Decimal("0.01")), "below"),
    ],
)
def test_invalid_periods(bad: TouPeriod, message: str) -> None:
    with pytest.raises(OutOfRangeError, match=message):
        TouPlan(periods=(bad,)).validate()


def test_overlap_only_on_shared_days_and_months() -> None:
    """Periods overlap only when they share a month, a weekday and a minute."""
    TouPlan(
        periods=(
            period((0, 0), (12, 0)),
            period((6, 0), (18, 0), weekdays=frozenset({Weekday.SUNDAY})),
            period((6, 0), (18, 0), months=frozenset({1}), weekdays=frozenset({Weekday.SATURDAY})),
        )
    ).validate()
    with pytest.raises(OutOfRangeError, match="overlap"):
        TouPlan(periods=(period((0, 0), (12, 0)), period((12, 0), (13, 0)))).validate()


# -- the cloud's copy and the heater's, on the fake cloud ----------------------------------

PLAN = TouPlan(
    periods=(period((0, 0), (15, 59)), period((16, 0), (20, 59), "0.42123")),
    name="TOU-D-PRIME",
    utility="Southern California Edison",
    zip_code=2134,  # sent as "02134"
)


async def test_get_before_any_put_is_an_empty_plan(make_session: Factory) -> None:
    session, _ = await make_session()
    assert await get_tou_plan(session, MAC) == TouPlan(periods=())


async def test_put_stores_the_plan_and_get_returns_it(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    assert await put_tou_plan(session, MAC, PLAN, {"label": "5e1676e95457a3187e67c2d1"}) == PLAN
    assert cloud.tou_plans[MAC] == {
        "registerPath": "wifi",
        "sourceType": "openei",
        "name": "TOU-D-PRIME",
        "utility": "Southern California Edison",
        "zipCode": 2134,
        "schedule": PLAN.schedule_wire(),
    }
    fetched = await get_tou_plan(session, MAC)
    assert fetched == PLAN
    assert fetched.periods[1].price_max == Decimal("0.42123")
    # a second PUT replaces the plan
    assert await put_tou_plan(session, MAC, TouPlan(periods=(), name="flat")) == TouPlan(
        periods=(), name="flat"
    )
    assert await get_tou_plan(session, MAC) == TouPlan(periods=(), name="flat")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (TouPlan(periods=(period((0, 0), (12, 0)), period((12, 0), (13, 0)))), "overlap"),
        (TouPlan(periods=(period((0, 0), (0, 30)),) * 65), "at most 64"),
        (TouPlan(periods=(), zip_code=100000), "ZIP code"),
        (TouPlan(periods=(period((22, 0), (6, 0)),)), "split it at midnight"),
    ],
)
async def test_an_invalid_plan_is_refused_before_anything_is_sent(
    make_session: Factory, cloud: FakeCloud, bad: TouPlan, message: str
) -> None:
    session, _ = await make_session()
    await put_tou_plan(session, MAC, PLAN)
    heater = cloud.heaters[MAC]
    sent = len(heater.requests)
    with pytest.raises(OutOfRangeError, match=message):
        await put_tou_plan(session, MAC, bad)
    with pytest.raises(OutOfRangeError, match=message):
        await write_tou_schedule(session, MAC, bad)
    assert cloud.tou_plans[MAC]["name"] == "TOU-D-PRIME"
    assert await get_tou_plan(session, MAC) == PLAN
    assert len(heater.requests) == sent
    assert heater.tou_periods == []


def _openei(weekday: list[list[int]], **extra: Any) -> dict[str, Any]:
    return {
        "utility": "Pasadena Water & Power",
        "name": "Residential TOU",
        "energyratestructure": [[{"rate": 0.2, "adj": 0.01}], [{"rate": 0.4}]],
        "energyweekdayschedule": weekday,
        **extra,
    }


SUMMER_DAY = [0] * 16 + [1] * 5 + [0] * 3  # on-peak 16:00-20:59
# June-September have an on-peak evening on weekdays; weekends and the other months are flat
SUMMER_PEAK = [SUMMER_DAY if 6 <= month <= 9 else [0] * 24 for month in range(1, 13)]


async def test_convert_openei_plans(make_session: Factory, cloud: FakeCloud) -> None:
    """Months with the same day shapes share a season; runs of hours become periods; prices
    are the first tier's rate plus adjustment."""
    session, _ = await make_session()
    summer, winter = frozenset({6, 7, 8, 9}), frozenset({1, 2, 3, 4, 5, 10, 11, 12})

    def at(start: int, end: int, price: str, months: frozenset[int], days: Any) -> TouPeriod:
        return period((start, 0), (end, 59), price, months=months, weekdays=days)

    plans = await convert_openei_plans(
        session,
        [
            _openei(SUMMER_PEAK, energyweekendschedule=[[0] * 24] * 12),
            _openei([[1] * 24] * 12, name="All peak", utility="PWP"),  # weekends as weekdays
        ],
    )
    assert plans == [
        TouPlan(
            periods=(
                at(0, 23, "0.21", winter, WEEK),
                at(0, 23, "0.21", winter, WEEKEND),
                at(0, 15, "0.21", summer, WEEK),
                at(16, 20, "0.4", summer, WEEK),
                at(21, 23, "0.21", summer, WEEK),
                at(0, 23, "0.21", summer, WEEKEND),
            ),
            name="Residential TOU",
            utility="Pasadena Water & Power",
        ),
        TouPlan(
            periods=(
                at(0, 23, "0.4", frozenset(range(1, 13)), WEEK),
                at(0, 23, "0.4", frozenset(range(1, 13)), WEEKEND),
            ),
            name="All peak",
            utility="PWP",
        ),
    ]
    # a converted plan is valid: it can be stored (the cloud orders the periods by season
    # and start) and written to the heater as it is
    stored = await put_tou_plan(session, MAC, plans[0])
    assert set(stored.periods) == set(plans[0].periods)
    assert stored.periods[0] == at(0, 15, "0.21", summer, WEEK)  # season 480 < 3615
    assert await write_tou_schedule(session, MAC, plans[0]) is plans[0]
    assert len(cloud.heaters[MAC].tou_periods) == 6


@pytest.mark.parametrize(
    "bad",
    [
        _openei(SUMMER_PEAK, energyratestructure=[]),
        _openei(SUMMER_PEAK, energyratestructure=[[{"rate": "0.2"}]]),
        _openei(SUMMER_PEAK[:11]),  # eleven months
        _openei(SUMMER_PEAK, energyweekendschedule=[[0] * 23] * 12),  # 23 hours
        _openei([[2] * 24] * 12),  # period 2 has no rate
    ],
)
async def test_the_cloud_refuses_to_convert_what_is_not_an_openei_plan(
    make_session: Factory, bad: Any
) -> None:
    session, _ = await make_session()
    with pytest.raises(NaviLinkProtocolError, match="400"):
        await convert_openei_plans(session, [_openei(SUMMER_PEAK), bad])


async def test_write_tou_schedule_is_confirmed_by_the_heaters_echo(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    heater = cloud.heaters[MAC]
    assert await write_tou_schedule(session, MAC, PLAN) is PLAN
    request = heater.requests[-1]
    assert request["command"] == CommandCode.TOU
    assert request["controllerSerialNumber"] == "SERIAL0001"
    assert request["reservationUse"] == 2
    assert heater.tou_use == 2
    assert heater.tou_periods == [
        {
            "season": 4095,
            "week": 124,
            "startHour": 0,
            "startMinute": 0,
            "endHour": 15,
            "endMinute": 59,
            "priceMin": 12000,
            "priceMax": 12000,
            "decimalPoint": 5,
        },
        {
            "season": 4095,
            "week": 124,
            "startHour": 16,
            "startMinute": 0,
            "endHour": 20,
            "endMinute": 59,
            "priceMin": 42123,
            "priceMax": 42123,
            "decimalPoint": 5,
        },
    ]
    # disabled: the same periods, reservationUse 1
    assert await write_tou_schedule(session, MAC, PLAN, enabled=False) is PLAN
    assert heater.tou_use == 1
    assert len(heater.tou_periods) == 2


async def test_a_heater_that_refuses_the_write_fails_it_at_once(
    make_session: Factory, cloud: FakeCloud
) -> None:
    """A heater that reports no reservation flag (the session does not know, so it sends)
    refuses the write, keeps its old periods, and the caller hears it at once."""
    heater = cloud.heaters[MAC]
    del heater.feature["programReservationUse"]
    session, _ = await make_session()
    pending = asyncio.ensure_future(write_tou_schedule(session, MAC, PLAN))
    await settle()
    assert pending.done()
    with pytest.raises(UnsupportedCommandError, match="refused it"):
        await pending
    assert heater.requests[-1]["command"] == CommandCode.TOU
    assert heater.tou_periods == []
    assert heater.tou_use == 1


async def test_a_heater_without_reservations_support(
    make_session: Factory, cloud: FakeCloud
) -> None:
    heater = cloud.heaters[MAC]
    heater.feature["programReservationUse"] = 1
    session, _ = await make_session()
    sent = len(heater.requests)
    for call in (
        get_tou_plan(session, MAC),
        put_tou_plan(session, MAC, PLAN),
        write_tou_schedule(session, MAC, PLAN),
    ):
        with pytest.raises(UnsupportedCommandError, match="does not support"):
            await call
    assert len(heater.requests) == sent
    assert heater.tou_periods == []
    assert cloud.tou_plans == {}


async def test_without_the_heaters_serial_number_nothing_is_sent(
    make_session: Factory, cloud: FakeCloud
) -> None:
    heater = cloud.heaters[MAC]
    del heater.feature["controllerSerialNumber"]
    session, _ = await make_session()
    sent = len(heater.requests)
    with pytest.raises(UnsupportedCommandError, match="serial number is not known"):
        await write_tou_schedule(session, MAC, PLAN)
    with pytest.raises(UnsupportedCommandError, match="serial number is not known"):
        await get_tou_plan(session, MAC)
    assert len(heater.requests) == sent


async def test_the_cloud_refuses_a_stale_controller_id_or_an_unknown_device(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    await put_tou_plan(session, MAC, PLAN)
    cloud.heaters[MAC].feature["controllerSerialNumber"] = "SERIAL0002"  # a new controller
    with pytest.raises(NaviLinkProtocolError, match="400: controllerId does not match"):
        await get_tou_plan(session, MAC)
    del cloud.heaters[MAC]  # removed from the account
    with pytest.raises(NaviLinkProtocolError, match="404: Device not found"):
        await get_tou_plan(session, MAC)
    with pytest.raises(NaviLinkProtocolError, match="404: Device not found"):
        await put_tou_plan(session, MAC, PLAN)


def _tou_reply(data: Any) -> list[tuple[int, Any]]:
    return [(200, {"code": 200, "msg": "SUCCESS", "data": data})]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "no touInfo object"),
        ({"touInfo": {"schedule": [{"season": "4095", "interval": []}]}}, "malformed TOU season"),
        (
            {"touInfo": {"schedule": [{"season": 4095, "interval": [{"startHour": 0}]}]}},
            "malformed TOU interval: 'week'",
        ),
    ],
)
async def test_a_malformed_tou_reply_is_a_protocol_error(
    make_session: Factory, cloud: FakeCloud, data: Any, message: str
) -> None:
    session, _ = await make_session()
    cloud.rest_replies["/device/tou"] = _tou_reply(data)
    with pytest.raises(NaviLinkProtocolError, match=message):
        await get_tou_plan(session, MAC)


async def test_a_conversion_reply_without_a_list_is_a_protocol_error(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    cloud.rest_replies["/device/tou/convert"] = _tou_reply({"touInfo": {"name": "one"}})
    with pytest.raises(NaviLinkProtocolError, match="no touInfo list"):
        await convert_openei_plans(session, [_openei(SUMMER_PEAK)])
