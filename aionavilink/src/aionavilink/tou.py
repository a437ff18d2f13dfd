"""Time-of-use (TOU) plans: the cloud copy (REST ``/device/tou``) and the heater's copy
(MQTT ``ctrl/tou/rd``).

A plan is a list of periods. Each period covers some months (the wire's ``season`` bitfield,
January = bit 0), some weekdays (the ``week`` bitfield) and a time span, and carries the
electricity price range in $/kWh (sent as integers in units of 10^-``decimalPoint``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final

from .errors import NaviLinkProtocolError, OutOfRangeError, UnsupportedCommandError
from .inbound import InboundMessage, MessageKind
from .models import Weekday, weekdays_from_bits, weekdays_to_bits
from .protocol import (
    RESPONSE_TOU,
    SUFFIX_TOU,
    CommandCode,
    Target,
    build_request,
    client_response_topic,
)

if TYPE_CHECKING:
    from .session import NaviLinkSession

TOU_PATH: Final = "/device/tou"
TOU_CONVERT_PATH: Final = "/device/tou/convert"
SOURCE_TYPE: Final = "openei"
OPENEI_VERSION: Final = 7
USER_TYPE: Final = "O"
DECIMAL_POINT: Final = 5
MAX_PERIODS: Final = 64
MAX_PRICE: Final = Decimal(100)  # $/kWh: anything above is a typo, not a tariff


@dataclass(frozen=True, slots=True)
class TouPeriod:
    """One priced time span: months 1-12, weekdays, [start, end] as (hour, minute), $/kWh."""

    months: frozenset[int]
    weekdays: frozenset[Weekday]
    start: tuple[int, int]
    end: tuple[int, int]
    price_min: Decimal
    price_max: Decimal

    def validate(self) -> None:
        """Raise OutOfRangeError for a period the heater cannot take."""
        if not self.months or any(not 1 <= m <= 12 for m in self.months):
            raise OutOfRangeError("a TOU period needs months between 1 and 12")
        if not self.weekdays:
            raise OutOfRangeError("a TOU period needs at least one weekday")
        for hour, minute in (self.start, self.end):
            if not (0 <= hour <= 23 and 0 <= minute <= 59):
                raise OutOfRangeError(f"{hour:02d}:{minute:02d} is not a time of day")
        if self.end < self.start:
            raise OutOfRangeError(
                f"a TOU period ends ({self._span()}) before it starts; split it at midnight"
            )
        for price in (self.price_min, self.price_max):
            if not Decimal(0) <= price <= MAX_PRICE:
                raise OutOfRangeError(f"price {price} $/kWh is outside 0-{MAX_PRICE}")
        if self.price_max < self.price_min:
            raise OutOfRangeError("a TOU period's maximum price is below its minimum price")

    def _span(self) -> str:
        return "{:02d}:{:02d}-{:02d}:{:02d}".format(*self.start, *self.end)

    def overlaps(self, other: TouPeriod) -> bool:
        """Whether both periods price the same minute of the same day."""
        return (
            bool(self.months & other.months)
            and bool(self.weekdays & other.weekdays)
            and self.start <= other.end
            and other.start <= self.end
        )

    @property
    def season(self) -> int:
        """The months as the wire's bitfield."""
        return sum(1 << (m - 1) for m in self.months)

    def interval_wire(self) -> dict[str, int]:
        """The ``interval`` entry (without ``season``)."""
        scale = Decimal(10) ** DECIMAL_POINT
        return {
            "week": weekdays_to_bits(self.weekdays),
            "startHour": self.start[0],
            "startMinute": self.start[1],
            "endHour": self.end[0],
            "endMinute": self.end[1],
            "priceMin": int((self.price_min * scale).quantize(Decimal(1), ROUND_HALF_UP)),
            "priceMax": int((self.price_max * scale).quantize(Decimal(1), ROUND_HALF_UP)),
            "decimalPoint": DECIMAL_POINT,
        }

    @classmethod
    def from_wire(cls, season: int, interval: Mapping[str, Any]) -> TouPeriod:
        """Parse an interval of a season (raises NaviLinkProtocolError for a bad one)."""
        try:
            scale = Decimal(10) ** int(interval.get("decimalPoint", DECIMAL_POINT))
            return cls(
                months=frozenset(m for m in range(1, 13) if season & (1 << (m - 1))),
                weekdays=weekdays_from_bits(int(interval["week"])),
                start=(int(interval["startHour"]), int(interval.get("startMinute", 0))),
                end=(int(interval["endHour"]), int(interval.get("endMinute", 0))),
                price_min=Decimal(int(interval["priceMin"])) / scale,
                price_max=Decimal(int(interval.get("priceMax", interval["priceMin"]))) / scale,
            )
        except (KeyError, TypeError, ValueError) as err:
            raise NaviLinkProtocolError(f"malformed TOU interval: {err}") from err

    def sort_key(self) -> tuple[int, tuple[int, int], int]:
        """Order periods by season, start and days (for comparisons)."""
        return (self.season, self.start, weekdays_to_bits(self.weekdays))


@dataclass(frozen=True, slots=True)
class TouPlan:
    """A TOU plan: the utility's name, the plan's name, the ZIP code and the periods."""

    periods: tuple[TouPeriod, ...]
    name: str = ""
    utility: str = ""
    zip_code: int = 0

    def validate(self) -> None:
        """Raise OutOfRangeError for an invalid period, too many, or two that overlap."""
        if len(self.periods) > MAX_PERIODS:
            raise OutOfRangeError(f"a TOU plan takes at most {MAX_PERIODS} periods")
        if not 0 <= self.zip_code <= 99999:
            raise OutOfRangeError("the ZIP code must be five digits")
        for period in self.periods:
            period.validate()
        for i, first in enumerate(self.periods):
            for second in self.periods[i + 1 :]:
                if first.overlaps(second):
                    raise OutOfRangeError(
                        f"TOU periods {first._span()} and {second._span()} overlap"
                    )

    def schedule_wire(self) -> list[dict[str, Any]]:
        """``schedule``: one entry per season, its intervals in period order."""
        seasons: dict[int, list[dict[str, int]]] = {}
        for period in sorted(self.periods, key=TouPeriod.sort_key):
            seasons.setdefault(period.season, []).append(period.interval_wire())
        return [{"season": season, "interval": items} for season, items in seasons.items()]

    def reservation_wire(self) -> list[dict[str, int]]:
        """The MQTT write's ``reservation``: flat periods, each with its ``season``."""
        return [
            {"season": period.season, **period.interval_wire()}
            for period in sorted(self.periods, key=TouPeriod.sort_key)
        ]

    def same_periods(self, other: Iterable[TouPeriod]) -> bool:
        """Same periods on the wire, in any order (for confirming an echo)."""

        def wire(periods: Iterable[TouPeriod]) -> list[list[tuple[str, int]]]:
            return sorted(
                sorted({"season": p.season, **p.interval_wire()}.items()) for p in periods
            )

        return wire(self.periods) == wire(other)

    @classmethod
    def from_schedule(cls, schedule: object, **info: Any) -> TouPlan:
        """Parse a REST ``schedule`` (list of ``{season, interval: [...]}``)."""
        periods: list[TouPeriod] = []
        if isinstance(schedule, list):
            for entry in schedule:
                if not isinstance(entry, Mapping) or type(entry.get("season")) is not int:
                    raise NaviLinkProtocolError("malformed TOU season")
                intervals = entry.get("interval")
                for interval in intervals if isinstance(intervals, list) else ():
                    if isinstance(interval, Mapping):
                        periods.append(TouPeriod.from_wire(entry["season"], interval))
        return cls(periods=tuple(periods), **info)

    @classmethod
    def from_rest(cls, data: object) -> TouPlan:
        """Parse the ``data`` of ``GET``/``PUT /device/tou``."""
        info = data.get("touInfo") if isinstance(data, Mapping) else None
        if not isinstance(info, Mapping):
            raise NaviLinkProtocolError("TOU reply has no touInfo object")
        zip_code = info.get("zipCode", 0)
        return cls.from_schedule(
            info.get("schedule"),
            name=str(info.get("name") or ""),
            utility=str(info.get("utility") or ""),
            zip_code=int(zip_code) if str(zip_code).isdigit() else 0,
        )


def _controller_id(session: NaviLinkSession, mac: str) -> str:
    feature = session.feature(mac)
    if feature is None or not feature.controller_serial_number:
        raise UnsupportedCommandError("time of use: the heater's serial number is not known yet")
    if feature.supports_reservations is False:
        raise UnsupportedCommandError("time of use: the device does not support it")
    return feature.controller_serial_number


def _additional_value(session: NaviLinkSession, mac: str) -> str:
    info = session.devices.get(mac)
    return info.additional_value if info is not None else ""


async def get_tou_plan(session: NaviLinkSession, mac: str) -> TouPlan:
    """The heater's TOU plan as stored in the cloud (``GET /device/tou``)."""
    data = await session.auth.request(
        TOU_PATH,
        {
            "additionalValue": _additional_value(session, mac),
            "controllerId": _controller_id(session, mac),
            "macAddress": mac,
            "userId": session.auth.email,
            "userType": USER_TYPE,
        },
        method="GET",
    )
    return TouPlan.from_rest(data)


async def put_tou_plan(
    session: NaviLinkSession, mac: str, plan: TouPlan, source_data: Mapping[str, Any] | None = None
) -> TouPlan:
    """Store a validated plan in the cloud (``PUT /device/tou``); returns the stored plan.

    ``source_data`` is the OpenEI plan it came from, if any (the app sends it along)."""
    plan.validate()
    _controller_id(session, mac)
    data = await session.auth.request(
        TOU_PATH,
        {
            "additionalValue": _additional_value(session, mac),
            "macAddress": mac,
            "registerPath": "wifi",
            "sourceData": dict(source_data or {}),
            "sourceType": SOURCE_TYPE,
            "touInfo": {
                "name": plan.name,
                "schedule": plan.schedule_wire(),
                "utility": plan.utility,
                "zipCode": plan.zip_code,
            },
            "userId": session.auth.email,
            "userType": USER_TYPE,
            "zipCode": f"{plan.zip_code:05d}",
        },
        method="PUT",
    )
    return TouPlan.from_rest(data)


async def convert_openei_plans(
    session: NaviLinkSession, plans: Sequence[Mapping[str, Any]]
) -> list[TouPlan]:
    """Convert OpenEI rate plans into TOU plans (``POST /device/tou/convert``)."""
    data = await session.auth.request(
        TOU_CONVERT_PATH,
        {
            "sourceData": [dict(p) for p in plans],
            "sourceType": SOURCE_TYPE,
            "sourceVersion": OPENEI_VERSION,
            "userId": session.auth.email,
            "userType": USER_TYPE,
        },
    )
    items = data.get("touInfo") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise NaviLinkProtocolError("TOU conversion reply has no touInfo list")
    return [
        TouPlan.from_schedule(
            item.get("schedule"),
            name=str(item.get("name") or ""),
            utility=str(item.get("utility") or ""),
        )
        for item in items
        if isinstance(item, Mapping)
    ]


def _echo_periods(message: InboundMessage) -> list[TouPeriod] | None:
    if message.kind is not MessageKind.TOU:
        return None
    reservation = message.body.get("reservation")
    if not isinstance(reservation, list):
        return None
    return [
        TouPeriod.from_wire(int(p.get("season", 0)), p)
        for p in reservation
        if isinstance(p, Mapping)
    ]


async def write_tou_schedule(
    session: NaviLinkSession, mac: str, plan: TouPlan, *, enabled: bool = True
) -> TouPlan:
    """Write a validated plan's periods to the heater (``ctrl/tou/rd``), confirmed by the
    heater's echo of the same periods."""
    plan.validate()
    serial = _controller_id(session, mac)

    def build(target: Target) -> Any:
        return build_request(
            target,
            suffix=SUFFIX_TOU,
            command=CommandCode.TOU,
            response_topic=client_response_topic(target.client_id, RESPONSE_TOU),
            extra={
                "controllerSerialNumber": serial,
                "reservationUse": 2 if enabled else 1,
                "reservation": plan.reservation_wire(),
            },
        )

    def match(message: InboundMessage) -> TouPlan | None:
        periods = _echo_periods(message)
        return plan if periods is not None and plan.same_periods(periods) else None

    return await session.send_request(mac, build, "time-of-use schedule write", match)
