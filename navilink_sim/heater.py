"""A simulated NWP500: settings + tank physics + payload rendering + command handling + MQTT link.

Each part lives in its own module (`settings`, `tank`, `payloads`, `commands`, `link`); this class
only wires them together and keeps the per-heater bookkeeping the control API shows.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from navilink_sim import commands, payloads
from navilink_sim.link import MqttLink
from navilink_sim.profiles import DEFAULT_PROFILE, FACTORY_SETPOINT, PROFILES, Profile
from navilink_sim.protocol import (
    DEVICE_TYPE,
    PROTOCOL_VERSION,
    STATUS_COMMAND,
    TemperatureType,
    half_c,
)
from navilink_sim.settings import Settings
from navilink_sim.tank import Tank


class Heater:
    """One simulated NWP500."""

    def __init__(
        self,
        mac: str,
        email: str,
        index: int,
        speed: float = 1.0,
        *,
        profile: Profile = PROFILES[DEFAULT_PROFILE],
        units: TemperatureType = TemperatureType.CELSIUS,
    ) -> None:
        self.mac = mac
        self.email = email
        self.additional_value = "5322"
        self.device_name = f"Water Heater {index + 1}"
        self.speed = speed
        self.online = True
        self.profile = profile
        self.units = units
        self.settings = Settings(setpoint_raw=FACTORY_SETPOINT[units])
        self.tank = Tank()
        self.commands: Counter[str] = Counter()
        self.refused = 0
        self.last_refusal: dict[str, Any] | None = None
        # benchmark support: a status field that carries each payload's send time (µs)
        self.stamp_field: str | None = None
        self.link = MqttLink(mac, self.handle, self.status_push)

    # ------------------------------------------------------------------ physics
    def advance(self, wall_dt: float) -> None:
        """Advance the physics by ``wall_dt`` wall-clock seconds times the speed."""
        self.tank.advance(wall_dt * self.speed, self.settings.mode, self.settings.setpoint_c)

    def start_draw(self, lpm: float, seconds: float) -> None:
        self.tank.start_draw(lpm, seconds)

    # ---------------------------------------------------------------- payloads
    def status_payload(self) -> dict[str, Any]:
        status = payloads.status_payload(self.mac, self.settings, self.tank, self.units)
        if self.stamp_field is not None:
            status[self.stamp_field] = time.time_ns() // 1000
        return status

    def feature_payload(self) -> dict[str, Any]:
        feature = payloads.feature_payload(self.mac, self.profile, self.units)
        for code, version in self.settings.firmware.items():
            feature[payloads.FIRMWARE_VERSION_KEYS[code]] = version
        return feature

    def energy_payload(self, year: int, months: list[int]) -> dict[str, Any]:
        return payloads.energy_payload(self.tank, year, months)

    def status_push(self, topic: str) -> bytes:
        """An unsolicited status reply, as a heater sends after a change on the unit."""
        body = {
            "command": STATUS_COMMAND,
            "deviceType": DEVICE_TYPE,
            "macAddress": self.mac,
            "additionalValue": self.additional_value,
            "status": self.status_payload(),
        }
        doc = {"protocolVersion": PROTOCOL_VERSION, "responseTopic": topic, "response": body}
        return json.dumps(doc).encode()

    # ---------------------------------------------------------------- commands
    def handle(self, topic: str, payload: bytes) -> list[tuple[str, bytes]]:
        """React to one message on the device topic; returns (topic, payload) replies."""
        if not self.online:
            return []
        request = commands.parse_request(self.mac, topic, payload)
        if request is None:
            return []
        self.commands[request.kind] += 1
        self.link.note_ack_topic(request.response_topic)
        reply = commands.respond(self, request)
        if reply is None:
            return []
        if reply.refusal is not None:
            self.refused += 1
            self.last_refusal = reply.refusal.as_dict(request)
        return [(request.response_topic, reply.payload)]

    # -------------------------------------------------------------------- MQTT
    @property
    def connected(self) -> bool:
        return self.link.connected

    def recent_ack_topics(self) -> list[str]:
        return self.link.recent_ack_topics()

    def push_topics(self) -> list[str]:
        return self.link.push_topics()

    async def publish_raw(self, topic: str, payload: bytes) -> None:
        await self.link.publish_raw(topic, payload)

    def start_pushes(self, count: int, interval_s: float) -> list[str]:
        return self.link.start_pushes(count, interval_s)

    def start(self, port: Callable[[], int]) -> None:
        self.link.start(port)

    async def stop(self) -> None:
        await self.link.stop()

    # -------------------------------------------------------------------- state
    def state(self) -> dict[str, Any]:
        settings, tank = self.settings, self.tank
        return {
            "mac": self.mac,
            "email": self.email,
            "online": self.online,
            "model": self.profile.name,
            "temperature_type": int(self.units),
            "broker_connected": self.link.connected,
            "setpoint_c": settings.setpoint_c,
            "mode": settings.mode.label,
            "dhw_operation_setting": int(settings.mode),
            "power_on": settings.power_on,
            "tank_upper_c": round(tank.upper_c, 3),
            "tank_lower_c": round(tank.lower_c, 3),
            "dhw_temperature_c": half_c(tank.upper_c) / 2,
            "power_w": round(tank.power_w),
            "hp_power_w": round(tank.hp_power_w),
            "current_heat_use": int(tank.heat_source),
            "operation_mode": int(payloads.operation_mode(settings, tank)),
            "drawing_lpm": tank.draw_lpm if tank.drawing else 0.0,
            "hp_wh": round(tank.hp_wh, 3),
            "he_wh": round(tank.he_wh, 3),
            "commands": dict(self.commands),
            "refused": self.refused,
            "last_refusal": self.last_refusal,
            "sim_time": tank.sim_time,
            "stamp_field": self.stamp_field,
            "speed": self.speed,
            "pushed": self.link.pushed,
        }
