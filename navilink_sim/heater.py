"""A simulated NWP500 heat-pump water heater: thermal model, payloads and MQTT loop."""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import datetime as dt
import json
import logging
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiomqtt

_LOGGER = logging.getLogger(__name__)

DEVICE_TYPE = 52
TANK_LITRES = 246.0  # 65 gal (volumeCode 2)
WATER_J_PER_L_K = 4186.0
HALF_J_PER_K = TANK_LITRES / 2 * WATER_J_PER_L_K
COMPRESSOR_W = 450.0
COP = 3.2
ELEMENT_W = 3755.0
STANDBY_W_PER_K = 1.5  # per tank half
INLET_C = 15.0
AMBIENT_C = 20.0
RECOVERY_BASE_C = 40.5
DHW_MIN, DHW_MAX = 81, 131
FREEZE_MIN, FREEZE_MAX = 12, 20
STATUS_COMMAND = 67108883
ACK_TOPIC_TTL_S = 600.0

MODE_NAMES = {
    1: "heat_pump",
    2: "electric",
    3: "energy_saver",
    4: "high_demand",
    5: "vacation",
    6: "off",
}

STATUS_DEFAULTS: dict[str, int | float] = {
    "didReload": 1,
    "operationBusy": 1,
    "dhwUseSustained": 1,
    "dhwOperationBusy": 1,
    "ecoUse": 1,
    "shutOffValveUse": 1,
    "conOvrSensorUse": 1,
    "wtrOvrSensorUse": 1,
    "antiLegionellaOperationBusy": 1,
    "errorBuzzerUse": 2,
    "scaldUse": 1,
    "recircOperationBusy": 1,
    "recircReservationUse": 1,
    "specialFunctionStatus": 0,
    "errorCode": 0,
    "subErrorCode": 0,
    "smartDiagnostic": 0,
    "faultStatus1": 0,
    "faultStatus2": 0,
    "wifiRssi": -52,
    "programReservationType": 0,
    "tempFormulaType": 1,
    "currentStatenum": 0,
    "mixingRate": 0.0,
    "airFilterAlarmPeriod": 1000,
    "drOverrideStatus": 0,
    "touOverrideStatus": 2,
    "recircOperationMode": 0,
    "recircPumpOperationStatus": 0,
    "recircHotBtnReady": 0,
    "recircOperationReason": 0,
    "recircErrorStatus": 0,
    "recircDhwFlowRate": 0,
    "temperatureType": 1,
    "heatMinOpTemperature": 10,
    "recircTempSetting": 100,
    "hpUpperOnDiffTempSetting": -50,
    "hpUpperOffDiffTempSetting": 0,
    "hpLowerOnDiffTempSetting": -60,
    "hpLowerOffDiffTempSetting": 0,
    "heUpperOnDiffTempSetting": -80,
    "heUpperOffDiffTempSetting": 0,
    "heLowerOnTDiffempSetting": -100,
    "heLowerOffDiffTempSetting": 0,
    "targetSuperHeat": 50,
}


def _flag(value: bool) -> int:
    return 2 if value else 1


def _half(celsius: float) -> int:
    return round(celsius * 2)


def _deci(celsius: float) -> int:
    return round(celsius * 10)


@dataclass
class DayUsage:
    """Energy use of one simulated day."""

    hp_wh: float = 0.0
    he_wh: float = 0.0
    hp_s: float = 0.0
    he_s: float = 0.0


class Heater:
    """One simulated NWP500."""

    def __init__(self, mac: str, email: str, index: int, speed: float = 1.0) -> None:
        self.mac = mac
        self.email = email
        self.additional_value = "5322"
        self.device_name = f"Water Heater {index + 1}"
        self.speed = speed
        self.online = True
        # user settings
        self.setpoint_raw = 120  # 60 °C
        self.mode = 1
        self.last_mode = 1
        self.vacation_days = 0
        self.anti_leg = True
        self.anti_leg_period = 7
        self.tou = False
        self.dr = False
        self.freeze_raw = 14
        self.recirc_mode = 0
        self.reservation_use = 1
        self.reservations: list[dict[str, int]] = []
        self.weekly_use = 1
        self.weekly: list[dict[str, Any]] = []
        self.tou_use = 1
        self.tou_periods: list[dict[str, Any]] = []
        # physical state
        self.upper_c = 52.0
        self.lower_c = 44.0
        self.heating = False
        self.comp_on = False
        self.upper_el = False
        self.lower_el = False
        self.draw_lpm = 0.0
        self.draw_left_s = 0.0
        self.cumulated_litres = 0.0
        self.air_filter_elapsed_h = 0.0
        self.fan_hours = 0.0
        self.hp_wh = 0.0
        self.he_wh = 0.0
        self.sim_time = time.time()
        self.vacation_elapsed_s = 0.0
        self.days: dict[tuple[int, int, int], DayUsage] = {}
        # bookkeeping
        self.commands: Counter[str] = Counter()
        self.ack_topics: dict[str, float] = {}
        self.connected = False
        # benchmark support: a status field that carries each payload's send time (µs)
        self.stamp_field: str | None = None
        self.pushed = 0
        self._pushes: set[asyncio.Task[None]] = set()
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._connecting = False

    # ------------------------------------------------------------------ physics
    @property
    def power_on(self) -> bool:
        return self.mode != 6

    @property
    def setpoint_c(self) -> float:
        return self.setpoint_raw / 2

    @property
    def avg_c(self) -> float:
        return (self.upper_c + self.lower_c) / 2

    def advance(self, wall_dt: float) -> None:
        """Advance the physics by ``wall_dt`` wall-clock seconds times the speed."""
        remaining = wall_dt * self.speed
        while remaining > 0:
            step = min(remaining, 5.0)
            self._step(step)
            remaining -= step

    def _control(self) -> None:
        sp = self.setpoint_c
        if self.mode in (5, 6):
            self.heating = False
        elif not self.heating:
            if self.upper_c < sp - 4 or self.lower_c < sp - 6:
                self.heating = True
        elif self.upper_c >= sp and self.lower_c >= sp - 1:
            self.heating = False
        self.comp_on = self.upper_el = self.lower_el = False
        if not self.heating:
            return
        if self.mode == 1:
            self.comp_on = True
        elif self.mode == 2:
            self.upper_el = self.upper_c < sp
            self.lower_el = not self.upper_el
        elif self.mode == 3:
            self.comp_on = True
            self.upper_el = self.upper_c < sp - 8
        elif self.mode == 4:
            self.comp_on = True
            self.upper_el = self.upper_c < sp - 2

    def _step(self, step: float) -> None:
        self._control()
        comp_w = COMPRESSOR_W if self.comp_on else 0.0
        el_upper_w = ELEMENT_W if self.upper_el else 0.0
        el_lower_w = ELEMENT_W if self.lower_el else 0.0
        # heat input
        self.lower_c += (comp_w * COP + el_lower_w) * step / HALF_J_PER_K
        self.upper_c += el_upper_w * step / HALF_J_PER_K
        # standby losses
        self.upper_c -= STANDBY_W_PER_K * (self.upper_c - AMBIENT_C) * step / HALF_J_PER_K
        self.lower_c -= STANDBY_W_PER_K * (self.lower_c - AMBIENT_C) * step / HALF_J_PER_K
        # hot water draw: out at the top, cold in at the bottom
        if self.draw_left_s > 0:
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
        # convection: a colder upper half mixes with the lower one
        if self.lower_c > self.upper_c:
            self.upper_c = self.lower_c = (self.upper_c + self.lower_c) / 2
        # energy accounting
        he_w = el_upper_w + el_lower_w
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
        if self.mode == 5:
            self.vacation_elapsed_s += step
        self.sim_time += step

    def start_draw(self, lpm: float, seconds: float) -> None:
        self.draw_lpm = max(0.0, lpm)
        self.draw_left_s = max(0.0, seconds)

    # ---------------------------------------------------------------- payloads
    @property
    def hp_power_w(self) -> float:
        return COMPRESSOR_W + 12 if self.comp_on else 0.0

    @property
    def power_w(self) -> float:
        return self.hp_power_w + ELEMENT_W * (int(self.upper_el) + int(self.lower_el))

    @property
    def current_heat_use(self) -> int:
        el = self.upper_el or self.lower_el
        if self.comp_on and el:
            return 3
        if self.comp_on:
            return 1
        if el:
            return 2
        return 0

    @property
    def operation_mode(self) -> int:
        if self.upper_el or self.lower_el:
            return 96
        if self.comp_on:
            return 64 if self.mode == 3 else 32
        return 0

    def capacity_counts(self) -> tuple[int, int]:
        wh_per_k = TANK_LITRES * WATER_J_PER_L_K / 3600
        total = max(0.0, self.setpoint_c - RECOVERY_BASE_C) * wh_per_k / 4
        available = max(0.0, self.setpoint_c - self.avg_c) * wh_per_k / 4
        return round(total), round(min(available, total))

    def charge_percent(self) -> int:
        total, available = self.capacity_counts()
        if total <= 0:
            return 100
        return max(0, min(100, round(100 * (total - available) / total)))

    def status_payload(self) -> dict[str, Any]:
        total, available = self.capacity_counts()
        sp = self.setpoint_raw
        drawing = self.draw_left_s > 0
        status: dict[str, Any] = dict(STATUS_DEFAULTS)
        status.update(
            {
                "command": STATUS_COMMAND,
                "macAddress": self.mac,
                "outsideTemperature": _half(AMBIENT_C),
                "dhwChargePer": self.charge_percent(),
                "drEventStatus": 1 if self.dr else 0,
                "vacationDaySetting": self.vacation_days if self.mode == 5 else 0,
                "vacationDayElapsed": int(self.vacation_elapsed_s // 86400)
                if self.mode == 5
                else 0,
                "antiLegionellaPeriod": self.anti_leg_period,
                "antiLegionellaUse": _flag(self.anti_leg),
                "targetFanRpm": 900 if self.comp_on else 0,
                "currentFanRpm": 880 if self.comp_on else 0,
                "fanPwm": 55 if self.comp_on else 0,
                "eevStep": 210 if self.comp_on else 0,
                "airFilterAlarmElapsed": int(self.air_filter_elapsed_h),
                "airFilterAlarmUse": 2,
                "cumulatedOpTimeEvaFan": int(self.fan_hours),
                "cumulatedDhwFlowRate": round(self.cumulated_litres, 1),
                "touStatus": 1 if self.tou else 0,
                "totalEnergyCapacity": total,
                "availableEnergyCapacity": available,
                "currentInstPower": round(self.hp_power_w),
                "freezeProtectionUse": 2,
                "dhwUse": _flag(drawing),
                "programReservationUse": _flag(self.reservation_use == 2),
                "compUse": _flag(self.comp_on),
                "eevUse": _flag(self.comp_on),
                "evaFanUse": _flag(self.comp_on),
                "currentHeatUse": self.current_heat_use,
                "heatUpperUse": _flag(self.upper_el),
                "heatLowerUse": _flag(self.lower_el),
                "recircOperationMode": self.recirc_mode,
                "dhwTemperature": _half(self.upper_c),
                "dhwTemperature2": _half(self.upper_c - 0.5),
                "dhwTemperatureSetting": sp,
                "dhwTargetTemperatureSetting": sp,
                "freezeProtectionTemperature": self.freeze_raw,
                "freezeProtectionTempMin": FREEZE_MIN,
                "freezeProtectionTempMax": FREEZE_MAX,
                "hpUpperOnTempSetting": sp - 10,
                "hpUpperOffTempSetting": sp,
                "hpLowerOnTempSetting": sp - 12,
                "hpLowerOffTempSetting": sp - 2,
                "heUpperOnTempSetting": sp - 16,
                "heUpperOffTempSetting": sp,
                "heLowerOnTempSetting": sp - 20,
                "heLowerOffTempSetting": sp - 4,
                "recircTemperature": _half(self.upper_c - 5),
                "recircFaucetTemperature": _half(self.upper_c - 8),
                "currentInletTemperature": _half(INLET_C),
                "currentDhwFlowRate": round(self.draw_lpm * 10) if drawing else 0,
                "tankUpperTemperature": _deci(self.upper_c),
                "tankLowerTemperature": _deci(self.lower_c),
                "dischargeTemperature": _deci(self.upper_c + 20 if self.comp_on else AMBIENT_C),
                "suctionTemperature": _deci(AMBIENT_C - 5 if self.comp_on else AMBIENT_C),
                "evaporatorTemperature": _deci(AMBIENT_C - 8 if self.comp_on else AMBIENT_C),
                "ambientTemperature": _deci(AMBIENT_C),
                "currentSuperHeat": 48 if self.comp_on else 0,
                "operationMode": self.operation_mode,
                "dhwOperationSetting": self.mode,
            }
        )
        if self.stamp_field is not None:
            status[self.stamp_field] = time.time_ns() // 1000
        return status

    def feature_payload(self) -> dict[str, Any]:
        feature: dict[str, Any] = {
            "countryCode": 3,
            "modelTypeCode": 513,
            "controlTypeCode": 100,
            "volumeCode": 2,
            "controllerSwVersion": 184614912,
            "panelSwVersion": 184614912,
            "wifiSwVersion": 184614912,
            "controllerSwCode": 1,
            "panelSwCode": 2,
            "wifiSwCode": 4,
            "recircSwVersion": 0,
            "recircModelTypeCode": 0,
            "controllerSerialNumber": f"SIM{self.mac.upper()}",
            "dhwTemperatureSettingUse": 2,
            "temperatureType": 1,
            "tempFormulaType": 1,
            "dhwTemperatureMin": DHW_MIN,
            "dhwTemperatureMax": DHW_MAX,
            "freezeProtectionTempMin": FREEZE_MIN,
            "freezeProtectionTempMax": FREEZE_MAX,
            "recircTemperatureMin": 81,
            "recircTemperatureMax": 120,
        }
        for flag in FEATURE_FLAGS:
            feature[flag] = 2
        return feature

    def reservation_hex(self) -> str:
        out = bytearray()
        for entry in self.reservations:
            chunk = bytes(
                int(entry.get(k, 0)) & 0xFF
                for k in ("enable", "week", "hour", "min", "mode", "param")
            )
            if any(chunk):
                out += chunk
        return out.hex()

    def energy_payload(self, year: int, months: list[int]) -> dict[str, Any]:
        total = DayUsage()
        usage: list[dict[str, Any]] = []
        for month in months:
            if not 1 <= month <= 12:
                continue
            days = calendar.monthrange(year, month)[1]
            data: list[dict[str, int]] = []
            for day in range(1, days + 1):
                rec = self.days.get((year, month, day), DayUsage())
                total.hp_wh += rec.hp_wh
                total.he_wh += rec.he_wh
                total.hp_s += rec.hp_s
                total.he_s += rec.he_s
                data.append(_usage_dict(rec))
            usage.append({"year": year, "month": month, "data": data})
        return {"typeOfUsage": 1, "total": _usage_dict(total), "usage": usage}

    # ---------------------------------------------------------------- commands
    def apply_mode(self, mode: str, param: list[int]) -> None:
        """Apply a §6.2 mode command; invalid values leave the state unchanged."""
        first = param[0] if param else None
        if mode == "power-off":
            if self.mode != 6:
                self.last_mode = self.mode
                self.mode = 6
        elif mode == "power-on":
            if self.mode == 6:
                self.mode = self.last_mode
        elif mode == "dhw-mode":
            if first in (1, 2, 3, 4):
                self.mode = first
                self.last_mode = first
            elif first == 5 and len(param) > 1 and 1 <= param[1] <= 30:
                if self.mode != 6:
                    self.last_mode = self.mode
                self.mode = 5
                self.vacation_days = param[1]
                self.vacation_elapsed_s = 0
        elif mode == "dhw-temperature":
            if first is not None and DHW_MIN <= first <= DHW_MAX:
                self.setpoint_raw = first
        elif mode == "anti-leg-on":
            if first is not None and 1 <= first <= 30:
                self.anti_leg = True
                self.anti_leg_period = first
        elif mode == "anti-leg-off":
            self.anti_leg = False
        elif mode in ("tou-on", "tou-off"):
            self.tou = mode == "tou-on"
        elif mode in ("dr-on", "dr-off"):
            self.dr = mode == "dr-on"
        elif mode == "frez-temp":
            if first is not None and FREEZE_MIN <= first <= FREEZE_MAX:
                self.freeze_raw = first
        elif mode == "air-filter-reset":
            self.air_filter_elapsed_h = 0
        elif mode == "recirc-mode" and first in (1, 2, 3, 4):
            self.recirc_mode = first

    def handle(self, topic: str, payload: bytes) -> list[tuple[str, bytes]]:
        """React to one message on the device topic; returns (topic, payload) replies."""
        prefix = f"cmd/{DEVICE_TYPE}/navilink-{self.mac}/"
        if not topic.startswith(prefix) or not self.online:
            return []
        try:
            msg = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return []
        if not isinstance(msg, dict) or "response" in msg:
            return []
        req = msg.get("request")
        if not isinstance(req, dict):
            return []
        suffix = topic[len(prefix) :]
        cid = str(msg.get("clientID", ""))
        mode = req.get("mode")
        kind = str(mode) if suffix == "ctrl" and isinstance(mode, str) else suffix
        self.commands[kind] += 1
        response_topic = msg.get("responseTopic")
        if not isinstance(response_topic, str) or not response_topic:
            response_topic = f"{prefix}{cid}/res"
        if response_topic.startswith(prefix):
            self.ack_topics[response_topic] = time.monotonic()
        body: dict[str, Any] = {
            "command": req.get("command", 0),
            "deviceType": DEVICE_TYPE,
            "macAddress": self.mac,
            "additionalValue": self.additional_value,
        }
        if suffix == "st":
            body["status"] = self.status_payload()
        elif suffix == "st/did":
            body["feature"] = self.feature_payload()
        elif suffix in ("st/rsv/rd", "ctrl/rsv/rd"):
            if suffix == "ctrl/rsv/rd":
                self._store_reservations(req)
            body["reservationUse"] = self.reservation_use
            body["reservation"] = self.reservation_hex()
        elif suffix == "st/energy-usage-daily-query/rd":
            year = req.get("year")
            months = req.get("month")
            if not isinstance(year, int) or not isinstance(months, list):
                return []
            body.update(self.energy_payload(year, [m for m in months if isinstance(m, int)]))
        elif suffix == "ctrl/tou/rd":
            if isinstance(req.get("reservation"), list):
                self.tou_periods = [p for p in req["reservation"] if isinstance(p, dict)]
                if isinstance(req.get("reservationUse"), int):
                    self.tou_use = req["reservationUse"]
            body["reservationUse"] = self.tou_use
            body["reservation"] = self.tou_periods
        elif suffix == "ctrl":
            if isinstance(mode, str):
                raw = req.get("param", [])
                param = [p for p in raw if isinstance(p, int)] if isinstance(raw, list) else []
                self.apply_mode(mode, param)
                self._control()  # the reply shows the heat sources of the new mode
            elif isinstance(req.get("reservation"), list):
                self.weekly = list(req["reservation"])
                if isinstance(req.get("reservationUse"), int):
                    self.weekly_use = req["reservationUse"]
            body["status"] = self.status_payload()
        else:
            return []
        reply = {
            "protocolVersion": msg.get("protocolVersion", 2),
            "clientID": msg.get("clientID"),
            "sessionID": msg.get("sessionID"),
            "requestTopic": msg.get("requestTopic", topic),
            "responseTopic": response_topic,
            "response": body,
        }
        return [(response_topic, json.dumps(reply).encode())]

    def _store_reservations(self, req: dict[str, Any]) -> None:
        use = req.get("reservationUse")
        if isinstance(use, int):
            self.reservation_use = use
        entries = req.get("reservation")
        if isinstance(entries, list):
            self.reservations = [
                {k: int(e.get(k, 0)) for k in ("enable", "week", "hour", "min", "mode", "param")}
                for e in entries
                if isinstance(e, dict)
            ]

    # -------------------------------------------------------------------- MQTT
    def recent_ack_topics(self) -> list[str]:
        now = time.monotonic()
        return [t for t, seen in self.ack_topics.items() if now - seen < ACK_TOPIC_TTL_S]

    async def publish_raw(self, topic: str, payload: bytes) -> None:
        client = self._client
        if client is None:
            raise RuntimeError(f"heater {self.mac} is not connected to the broker")
        await client.publish(topic, payload, qos=1)

    def push_topics(self) -> list[str]:
        """Where unsolicited statuses go: the recent ack topics, else a default one."""
        return self.recent_ack_topics() or [f"cmd/{DEVICE_TYPE}/navilink-{self.mac}/sim/res"]

    def status_push(self, topic: str) -> bytes:
        """An unsolicited status reply, as a heater sends after a change on the unit."""
        body = {
            "command": STATUS_COMMAND,
            "deviceType": DEVICE_TYPE,
            "macAddress": self.mac,
            "additionalValue": self.additional_value,
            "status": self.status_payload(),
        }
        doc = {"protocolVersion": 2, "responseTopic": topic, "response": body}
        return json.dumps(doc).encode()

    def start_pushes(self, count: int, interval_s: float) -> list[str]:
        """Publish `count` statuses `interval_s` apart (in the background) on each push topic."""
        if self._client is None:
            raise RuntimeError(f"heater {self.mac} is not connected to the broker")
        topics = self.push_topics()
        task = asyncio.create_task(
            self._push(topics, count, interval_s), name=f"heater-push-{self.mac}"
        )
        self._pushes.add(task)
        task.add_done_callback(self._pushes.discard)
        return topics

    async def _push(self, topics: list[str], count: int, interval_s: float) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(count):
            client = self._client
            if client is None:
                _LOGGER.info("heater %s: push stopped after %d (broker gone)", self.mac, i)
                return
            try:
                for topic in topics:
                    await client.publish(topic, self.status_push(topic), qos=1)
                    self.pushed += 1
            except aiomqtt.MqttError as err:
                _LOGGER.info("heater %s: push stopped after %d: %s", self.mac, i, err)
                return
            if interval_s > 0:
                await asyncio.sleep(max(0.0, start + (i + 1) * interval_s - loop.time()))

    def start(self, port: Callable[[], int]) -> None:
        self._task = asyncio.create_task(self._run(port), name=f"heater-{self.mac}")

    async def stop(self) -> None:
        for push in list(self._pushes):
            push.cancel()
        task, self._task = self._task, None
        if task is not None:
            # Cancelling aiomqtt in the middle of its CONNECT handshake makes it log
            # spurious errors; give a pending handshake a moment to finish first.
            for _ in range(20):
                if not self._connecting:
                    break
                await asyncio.sleep(0.05)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, port: Callable[[], int]) -> None:
        while True:
            self._connecting = True
            try:
                async with aiomqtt.Client(
                    "127.0.0.1",
                    port(),
                    identifier=f"navilink-{self.mac}",
                    keepalive=10,
                    clean_session=True,
                    # No Nagle: a heater writes a PUBACK and then its reply (or the next push);
                    # held behind the PUBACK's delayed ACK, each reply would wait 40 ms.
                    socket_options=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),),
                ) as client:
                    await client.subscribe(f"cmd/{DEVICE_TYPE}/navilink-{self.mac}/#", qos=1)
                    self._client = client
                    self.connected = True
                    self._connecting = False
                    _LOGGER.info("heater %s connected to broker", self.mac)
                    async for message in client.messages:
                        raw = message.payload
                        data = raw if isinstance(raw, bytes | bytearray) else str(raw).encode()
                        for reply_topic, reply in self.handle(str(message.topic), bytes(data)):
                            await client.publish(reply_topic, reply, qos=1)
            except aiomqtt.MqttError as err:
                _LOGGER.info("heater %s broker connection lost: %s", self.mac, err)
            finally:
                self._client = None
                self.connected = False
                self._connecting = False
            await asyncio.sleep(0.3)

    def state(self) -> dict[str, Any]:
        return {
            "mac": self.mac,
            "email": self.email,
            "online": self.online,
            "broker_connected": self.connected,
            "setpoint_c": self.setpoint_c,
            "mode": MODE_NAMES[self.mode],
            "dhw_operation_setting": self.mode,
            "power_on": self.power_on,
            "tank_upper_c": round(self.upper_c, 3),
            "tank_lower_c": round(self.lower_c, 3),
            "dhw_temperature_c": _half(self.upper_c) / 2,
            "power_w": round(self.power_w),
            "hp_power_w": round(self.hp_power_w),
            "current_heat_use": self.current_heat_use,
            "operation_mode": self.operation_mode,
            "drawing_lpm": self.draw_lpm if self.draw_left_s > 0 else 0.0,
            "hp_wh": round(self.hp_wh, 3),
            "he_wh": round(self.he_wh, 3),
            "commands": dict(self.commands),
            "sim_time": self.sim_time,
            "stamp_field": self.stamp_field,
            "pushed": self.pushed,
        }


FEATURE_FLAGS = (
    "powerUse",
    "holidayUse",
    "programReservationUse",
    "dhwUse",
    "smartDiagnosticUse",
    "wifiRssiUse",
    "energyUsageUse",
    "freezeProtectionUse",
    "mixingValveUse",
    "drSettingUse",
    "antiLegionellaSettingUse",
    "hpwhUse",
    "dhwRefillUse",
    "ecoUse",
    "electricUse",
    "heatpumpUse",
    "energySaverUse",
    "highDemandUse",
    "recirculationUse",
    "recircReservationUse",
    "title24Use",
)


def _usage_dict(rec: DayUsage) -> dict[str, int]:
    return {
        "hpUsage": round(rec.hp_wh),
        "heUsage": round(rec.he_wh),
        "hpTime": round(rec.hp_s / 3600),
        "heTime": round(rec.he_s / 3600),
    }
