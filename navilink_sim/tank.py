"""The heater's physics: a two-node (upper/lower half) tank, its heat sources and energy use."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from navilink_sim.protocol import DhwMode, HeatSource

TANK_LITRES = 246.0  # 65 gal (volumeCode 2)
WATER_J_PER_L_K = 4186.0
HALF_J_PER_K = TANK_LITRES / 2 * WATER_J_PER_L_K
COMPRESSOR_W = 450.0
COMPRESSOR_AUX_W = 12.0  # fan and controls while the compressor runs
COP = 3.2
ELEMENT_W = 3755.0
STANDBY_W_PER_K = 1.5  # per tank half
INLET_C = 15.0
AMBIENT_C = 20.0
RECOVERY_BASE_C = 40.5
MAX_STEP_S = 5.0


@dataclass
class DayUsage:
    """Energy use of one simulated day."""

    hp_wh: float = 0.0
    he_wh: float = 0.0
    hp_s: float = 0.0
    he_s: float = 0.0


@dataclass
class Tank:
    """Water temperatures, heat sources, draws and energy counters of one heater."""

    upper_c: float = 52.0
    lower_c: float = 44.0
    heating: bool = False
    comp_on: bool = False
    upper_el: bool = False
    lower_el: bool = False
    draw_lpm: float = 0.0
    draw_left_s: float = 0.0
    cumulated_litres: float = 0.0
    air_filter_elapsed_h: float = 0.0
    fan_hours: float = 0.0
    hp_wh: float = 0.0
    he_wh: float = 0.0
    sim_time: float = field(default_factory=time.time)
    vacation_elapsed_s: float = 0.0
    days: dict[tuple[int, int, int], DayUsage] = field(default_factory=dict)

    # ------------------------------------------------------------------ derived
    @property
    def avg_c(self) -> float:
        return (self.upper_c + self.lower_c) / 2

    @property
    def drawing(self) -> bool:
        return self.draw_left_s > 0

    @property
    def element_on(self) -> bool:
        return self.upper_el or self.lower_el

    @property
    def hp_power_w(self) -> float:
        return COMPRESSOR_W + COMPRESSOR_AUX_W if self.comp_on else 0.0

    @property
    def power_w(self) -> float:
        return self.hp_power_w + ELEMENT_W * (int(self.upper_el) + int(self.lower_el))

    @property
    def heat_source(self) -> HeatSource:
        if self.comp_on and self.element_on:
            return HeatSource.BOTH
        if self.comp_on:
            return HeatSource.HEAT_PUMP
        if self.element_on:
            return HeatSource.ELEMENT
        return HeatSource.NONE

    def capacity_counts(self, setpoint_c: float) -> tuple[int, int]:
        """(totalEnergyCapacity, availableEnergyCapacity) in 4 Wh counts."""
        wh_per_k = TANK_LITRES * WATER_J_PER_L_K / 3600
        total = max(0.0, setpoint_c - RECOVERY_BASE_C) * wh_per_k / 4
        available = max(0.0, setpoint_c - self.avg_c) * wh_per_k / 4
        return round(total), round(min(available, total))

    def charge_percent(self, setpoint_c: float) -> int:
        total, available = self.capacity_counts(setpoint_c)
        if total <= 0:
            return 100
        return max(0, min(100, round(100 * (total - available) / total)))

    # ------------------------------------------------------------------ physics
    def advance(self, seconds: float, mode: DhwMode, setpoint_c: float) -> None:
        """Advance the model by ``seconds`` simulated seconds (in steps of at most 5 s)."""
        remaining = seconds
        while remaining > 0:
            step = min(remaining, MAX_STEP_S)
            self._step(step, mode, setpoint_c)
            remaining -= step

    def control(self, mode: DhwMode, setpoint_c: float) -> None:
        """The heater's thermostat: decide which heat sources run."""
        sp = setpoint_c
        if mode in (DhwMode.VACATION, DhwMode.POWER_OFF):
            self.heating = False
        elif not self.heating:
            if self.upper_c < sp - 4 or self.lower_c < sp - 6:
                self.heating = True
        elif self.upper_c >= sp and self.lower_c >= sp - 1:
            self.heating = False
        self.comp_on = self.upper_el = self.lower_el = False
        if not self.heating:
            return
        if mode is DhwMode.HEAT_PUMP:
            self.comp_on = True
        elif mode is DhwMode.ELECTRIC:
            self.upper_el = self.upper_c < sp
            self.lower_el = not self.upper_el
        elif mode is DhwMode.ENERGY_SAVER:
            self.comp_on = True
            self.upper_el = self.upper_c < sp - 8
        elif mode is DhwMode.HIGH_DEMAND:
            self.comp_on = True
            self.upper_el = self.upper_c < sp - 2

    def _step(self, step: float, mode: DhwMode, setpoint_c: float) -> None:
        self.control(mode, setpoint_c)
        comp_w = COMPRESSOR_W if self.comp_on else 0.0
        el_upper_w = ELEMENT_W if self.upper_el else 0.0
        el_lower_w = ELEMENT_W if self.lower_el else 0.0
        # heat input
        self.lower_c += (comp_w * COP + el_lower_w) * step / HALF_J_PER_K
        self.upper_c += el_upper_w * step / HALF_J_PER_K
        # standby losses
        self.upper_c -= STANDBY_W_PER_K * (self.upper_c - AMBIENT_C) * step / HALF_J_PER_K
        self.lower_c -= STANDBY_W_PER_K * (self.lower_c - AMBIENT_C) * step / HALF_J_PER_K
        self._draw(step)
        # convection: a colder upper half mixes with the lower one
        if self.lower_c > self.upper_c:
            self.upper_c = self.lower_c = (self.upper_c + self.lower_c) / 2
        self._account(step, comp_w, el_upper_w + el_lower_w)
        if mode is DhwMode.VACATION:
            self.vacation_elapsed_s += step
        self.sim_time += step

    def _draw(self, step: float) -> None:
        """Hot water out at the top, cold water in at the bottom."""
        if self.draw_left_s <= 0:
            return
        dt_draw = min(step, self.draw_left_s)
        litres = min(self.draw_lpm / 60 * dt_draw, TANK_LITRES / 2)
        frac = litres / (TANK_LITRES / 2)
        old_lower = self.lower_c
        self.lower_c = old_lower * (1 - frac) + INLET_C * frac
        self.upper_c = self.upper_c * (1 - frac) + old_lower * frac
        self.cumulated_litres += litres
        self.draw_left_s -= dt_draw
        if self.draw_left_s <= 0:
            self.draw_left_s = 0
            self.draw_lpm = 0

    def _account(self, step: float, comp_w: float, he_w: float) -> None:
        self.hp_wh += comp_w * step / 3600
        self.he_wh += he_w * step / 3600
        day = dt.datetime.fromtimestamp(self.sim_time, dt.UTC)
        usage = self.days.setdefault((day.year, day.month, day.day), DayUsage())
        usage.hp_wh += comp_w * step / 3600
        usage.he_wh += he_w * step / 3600
        if comp_w:
            usage.hp_s += step
            self.fan_hours += step / 3600
            self.air_filter_elapsed_h += step / 3600
        if he_w:
            usage.he_s += step

    def start_draw(self, lpm: float, seconds: float) -> None:
        self.draw_lpm = max(0.0, lpm)
        self.draw_left_s = max(0.0, seconds)
