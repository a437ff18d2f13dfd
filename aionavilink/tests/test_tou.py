"""TOU plans: validation, wire encoding and parsing (pure, no I/O)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aionavilink import OutOfRangeError, TouPeriod, TouPlan, Weekday

WEEK = frozenset(
    {Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY}
)


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
