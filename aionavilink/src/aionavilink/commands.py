"""Device commands: argument and capability checks, the request, and what confirms it.

Every command returns once the device confirms it (a status echo showing the new value, or
the reply it asked for) and raises a CommandError otherwise. A command the device's feature
report says it cannot do raises UnsupportedCommandError before anything is sent; while the
feature report is unknown, commands are sent and the device decides.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from .errors import OutOfRangeError, UnsupportedCommandError
from .inbound import InboundMessage, MessageKind
from .limits import (
    ANTI_LEGIONELLA_PERIOD_DAYS,
    DEFAULT_ANTI_LEGIONELLA_PERIOD_DAYS,
    MONTHS,
    VACATION_DAYS,
    WIRE_TEMPERATURE,
    Range,
)
from .models import (
    DeviceFeature,
    DeviceStatus,
    DhwMode,
    EnergyUsage,
    Reservation,
    ReservationSchedule,
)
from .protocol import (
    CommandCode,
    Request,
    Target,
    celsius_to_raw,
    control_request,
    energy_usage_request,
    feature_request,
    raw_to_celsius,
    reservation_read_request,
    reservation_write_request,
    status_request,
)
from .queue import Matcher

type Capability = Callable[[DeviceFeature], bool | None]


class DeviceCommands(ABC):
    """The commands of NaviLinkSession; the session supplies the four hooks below."""

    @abstractmethod
    def status(self, mac: str) -> DeviceStatus | None:
        """The last good status of a device."""

    @abstractmethod
    def feature(self, mac: str) -> DeviceFeature | None:
        """The last feature report of a device."""

    @abstractmethod
    def _target(self, mac: str) -> Target:
        """Who sends to which device (CommandError for an unknown device)."""

    @abstractmethod
    async def _execute[T](self, mac: str, request: Request, label: str, match: Matcher[T]) -> T:
        """Send (or queue) the request and return what `match` makes of the confirmation."""

    # -- checks ---------------------------------------------------------------------------

    def _require(self, mac: str, capability: Capability, label: str) -> DeviceFeature | None:
        feature = self.feature(mac)
        if feature is not None and capability(feature) is False:
            raise UnsupportedCommandError(f"{label}: the device does not support it")
        return feature

    async def _control(
        self,
        mac: str,
        command: CommandCode,
        param: list[int],
        label: str,
        confirmed: Callable[[DeviceStatus], bool],
    ) -> DeviceStatus:
        request = control_request(self._target(mac), command=command, param=param)

        def match(message: InboundMessage) -> DeviceStatus | None:
            if message.kind is not MessageKind.STATUS:
                return None
            status = self.status(mac)
            return status if status is not None and confirmed(status) else None

        return await self._execute(mac, request, label, match)

    async def _set_temperature(
        self, mac: str, celsius: float, limits: Range, command: CommandCode, what: str
    ) -> DeviceStatus:
        WIRE_TEMPERATURE.check(celsius, what, " °C")
        limits.check(celsius, what, " °C")
        target = raw_to_celsius(celsius_to_raw(celsius))
        return await self._control(
            mac,
            command,
            [celsius_to_raw(celsius)],
            f"{what} {target} °C",
            lambda s: _temperature_of(s, command) == target,
        )

    # -- queries --------------------------------------------------------------------------

    async def request_status(self, mac: str) -> DeviceStatus:
        """Ask for a fresh status."""

        def match(message: InboundMessage) -> DeviceStatus | None:
            return self.status(mac) if message.kind is MessageKind.STATUS else None

        return await self._execute(mac, status_request(self._target(mac)), "status request", match)

    async def request_feature(self, mac: str) -> DeviceFeature:
        """Ask for the device's feature report (capabilities, limits, firmware)."""

        def match(message: InboundMessage) -> DeviceFeature | None:
            return self.feature(mac) if message.kind is MessageKind.FEATURE else None

        return await self._execute(
            mac, feature_request(self._target(mac)), "feature request", match
        )

    async def request_energy_usage(self, mac: str, year: int, months: list[int]) -> EnergyUsage:
        """Daily energy use for the given months of `year`."""
        if not months:
            raise OutOfRangeError("name at least one month")
        for month in months:
            MONTHS.check(month, "month")
        request = energy_usage_request(self._target(mac), year=year, months=months)

        def match(message: InboundMessage) -> EnergyUsage | None:
            if message.kind is not MessageKind.ENERGY:
                return None
            return EnergyUsage.from_payload(message.body)

        return await self._execute(mac, request, "energy usage", match)

    async def read_reservations(self, mac: str) -> ReservationSchedule:
        """The device's reservation schedule."""
        request = reservation_read_request(self._target(mac))
        return await self._execute(mac, request, "reservation read", _reservations_in)

    async def write_reservations(
        self, mac: str, enabled: bool, entries: list[Reservation]
    ) -> ReservationSchedule:
        """Replace the reservation schedule; confirmed by the device's echo."""
        schedule = ReservationSchedule(enabled=enabled, entries=tuple(entries))
        request = reservation_write_request(
            self._target(mac), enabled=enabled, entries=schedule.to_wire()
        )

        def match(message: InboundMessage) -> ReservationSchedule | None:
            echo = _reservations_in(message)
            return echo if echo is not None and schedule.matches(echo) else None

        return await self._execute(mac, request, "reservation write", match)

    # -- controls -------------------------------------------------------------------------

    async def set_power(self, mac: str, on: bool) -> DeviceStatus:
        """Power the heater on or off (off is the mode DhwMode.POWER_OFF)."""
        self._require(mac, lambda f: f.supports_power, "power")
        return await self._control(
            mac,
            CommandCode.POWER_ON if on else CommandCode.POWER_OFF,
            [],
            f"power {'on' if on else 'off'}",
            lambda s: (s.dhw_mode is not DhwMode.POWER_OFF) is on,
        )

    async def set_mode(self, mac: str, mode: DhwMode) -> DeviceStatus:
        """Select heat pump, electric, energy saver or high demand."""
        if mode in (DhwMode.VACATION, DhwMode.POWER_OFF):
            raise OutOfRangeError("use set_vacation or set_power for that mode")
        feature = self._require(mac, lambda f: f.supports_mode_selection, "mode")
        if feature is not None and mode not in feature.supported_modes:
            raise UnsupportedCommandError(f"mode {mode.value} is not supported by the device")
        return await self._control(
            mac,
            CommandCode.DHW_MODE,
            [mode.code],
            f"mode {mode.value}",
            lambda s: s.dhw_mode is mode,
        )

    async def set_vacation(self, mac: str, days: int) -> DeviceStatus:
        """Vacation mode for `days` days (limits.VACATION_DAYS)."""
        VACATION_DAYS.check(days, "vacation days")
        self._require(mac, lambda f: f.supports_vacation, "vacation")
        return await self._control(
            mac,
            CommandCode.DHW_MODE,
            [DhwMode.VACATION.code, days],
            f"vacation {days} days",
            lambda s: s.dhw_mode is DhwMode.VACATION and s.vacation_days_setting == days,
        )

    async def set_temperature(self, mac: str, celsius: float) -> DeviceStatus:
        """Set the hot-water setpoint, within the device's own limits."""
        feature = self._require(mac, lambda f: f.supports_temperature_setting, "temperature")
        limits = feature.dhw_temperature_range if feature else Range(None, None)
        return await self._set_temperature(
            mac, celsius, limits, CommandCode.DHW_TEMPERATURE, "temperature"
        )

    async def set_freeze_protection_temperature(self, mac: str, celsius: float) -> DeviceStatus:
        """Set the freeze-protection temperature within the device's limits."""
        feature = self._require(mac, lambda f: f.supports_freeze_protection, "freeze protection")
        limits = feature.freeze_protection_range if feature else Range(None, None)
        return await self._set_temperature(
            mac, celsius, limits, CommandCode.FREEZE_TEMPERATURE, "freeze protection"
        )

    async def set_anti_legionella(
        self, mac: str, enabled: bool, period_days: int | None = None
    ) -> DeviceStatus:
        """Enable (every `period_days`, limits.ANTI_LEGIONELLA_PERIOD_DAYS) or disable the
        anti-legionella cycle. Without a period the current one (or 7 days) is kept."""
        self._require(mac, lambda f: f.supports_anti_legionella, "anti-legionella")
        if not enabled:
            return await self._control(
                mac,
                CommandCode.ANTI_LEGIONELLA_OFF,
                [],
                "anti-legionella off",
                lambda s: s.anti_legionella_enabled is False,
            )
        if period_days is None:
            current = self.status(mac)
            period_days = (
                current.anti_legionella_period_days if current else None
            ) or DEFAULT_ANTI_LEGIONELLA_PERIOD_DAYS
        ANTI_LEGIONELLA_PERIOD_DAYS.check(period_days, "anti-legionella period", " days")
        period = period_days
        return await self._control(
            mac,
            CommandCode.ANTI_LEGIONELLA_ON,
            [period],
            f"anti-legionella every {period} days",
            lambda s: s.anti_legionella_enabled is True and s.anti_legionella_period_days == period,
        )

    async def set_tou(self, mac: str, enabled: bool) -> DeviceStatus:
        """Enable or disable time-of-use scheduling."""
        self._require(mac, lambda f: f.supports_reservations, "time of use")
        return await self._control(
            mac,
            CommandCode.TOU_ON if enabled else CommandCode.TOU_OFF,
            [],
            f"time of use {'on' if enabled else 'off'}",
            lambda s: s.tou_enabled is enabled,
        )

    async def set_demand_response(self, mac: str, enabled: bool) -> DeviceStatus:
        """Enable or disable demand response. The status has no plain "enabled" flag for it,
        so the device's status echo itself is the confirmation."""
        self._require(mac, lambda f: f.supports_demand_response, "demand response")
        return await self._control(
            mac,
            CommandCode.DR_ON if enabled else CommandCode.DR_OFF,
            [],
            f"demand response {'on' if enabled else 'off'}",
            lambda s: True,
        )

    async def reset_air_filter(self, mac: str) -> DeviceStatus:
        """Reset the air-filter counter."""
        return await self._control(
            mac,
            CommandCode.AIR_FILTER_RESET,
            [],
            "air filter reset",
            lambda s: s.air_filter_alarm_elapsed_h in (0, None),
        )


def _temperature_of(status: DeviceStatus, command: CommandCode) -> float | None:
    if command is CommandCode.FREEZE_TEMPERATURE:
        return status.freeze_protection_temperature
    return status.dhw_temperature_setting


def _reservations_in(message: InboundMessage) -> ReservationSchedule | None:
    if message.kind is not MessageKind.RESERVATION:
        return None
    body: Mapping[str, Any] = message.body
    return ReservationSchedule.from_wire(body.get("reservationUse"), body.get("reservation"))
