"""A fake NWP500 for the in-memory cloud: its wire status and feature, and its answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .protocol import CommandCode, RefusalReason


def default_status() -> dict[str, Any]:
    """A heater in heat-pump mode at 51.5 °C, setpoint 60 °C."""
    return {
        "dhwTemperature": 103,
        "dhwTemperatureSetting": 120,
        "dhwOperationSetting": 1,
        "operationMode": 32,
        "currentHeatUse": 1,
        "currentInstPower": 412,
        "freezeProtectionTemperature": 14,
        "antiLegionellaUse": 2,
        "antiLegionellaPeriod": 7,
        "vacationDaySetting": 0,
        "touStatus": 0,
        "airFilterAlarmElapsed": 132,
        "errorCode": 0,
    }


def default_feature() -> dict[str, Any]:
    """Every capability present; setpoint 35-65 °C, freeze protection 6-10 °C."""
    flags = [
        "powerUse",
        "holidayUse",
        "programReservationUse",
        "dhwUse",
        "energyUsageUse",
        "freezeProtectionUse",
        "drSettingUse",
        "antiLegionellaSettingUse",
        "hpwhUse",
        "heatpumpUse",
        "electricUse",
        "energySaverUse",
        "highDemandUse",
        "ecoUse",
    ]
    feature: dict[str, Any] = dict.fromkeys(flags, 2)
    feature.update(
        dhwTemperatureSettingUse=2,
        dhwTemperatureMin=70,
        dhwTemperatureMax=130,
        freezeProtectionTempMin=12,
        freezeProtectionTempMax=20,
        controllerSerialNumber="SERIAL0001",
        controllerSwVersion=0x0102,
    )
    return feature


@dataclass
class FakeHeater:
    """One heater: its wire status and feature dicts, and whether it answers."""

    mac: str
    additional_value: str = "5322"
    name: str = "Water heater"
    online: bool = True
    answers: bool = True  # False: silent (commands time out)
    status: dict[str, Any] = field(default_factory=default_status)
    feature: dict[str, Any] = field(default_factory=default_feature)
    reservation_use: int = 1
    reservations: list[dict[str, int]] = field(default_factory=list)
    # The TOU schedule (``ctrl/tou/rd``): reservationUse and the periods, as last written.
    tou_use: int = 1
    tou_periods: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Firmware by swCode (1 controller, 2 panel, 4 Wi-Fi): installed versions, and versions
    # downloaded but not yet installed (committed with ``commitOta``).
    firmware: dict[int, int] = field(
        default_factory=lambda: {1: 0x0102, 2: 0x0B010000, 4: 0x0A000300}
    )
    downloaded: dict[int, int] = field(default_factory=dict)

    def rest_record(self) -> dict[str, Any]:
        return {
            "deviceInfo": {
                "macAddress": self.mac,
                "additionalValue": self.additional_value,
                "deviceType": 52,
                "deviceName": self.name,
                "connected": 2 if self.online else 1,
            },
            "location": {"state": "CA"},
        }

    def firmware_record(self) -> dict[str, Any]:
        """The ``POST /device/firmware/info`` reply data: one entry per component."""
        return {
            "firmwares": [
                {
                    "macAddress": self.mac,
                    "additionalValue": self.additional_value,
                    "deviceType": 52,
                    "curSwCode": code,
                    "curVersion": version,
                    "downloadedVersion": self.downloaded.get(code),
                    "deviceGroup": "NWP500",
                }
                for code, version in self.firmware.items()
            ]
        }

    def handle(self, doc: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Apply one request; the replies to publish (topic, document)."""
        request = doc.get("request") or {}
        self.requests.append(dict(request))
        if not self.answers:
            return []
        command = request.get("command")
        param = list(request.get("param") or [])
        response: dict[str, Any] = {"command": command, "macAddress": self.mac}
        refusal = self._refusal(command, param, request)
        if refusal is not None:
            response["refusal"] = refusal
            if "mode" in request:
                response["refusal"].update(mode=request["mode"], param=param)
        if command == CommandCode.FEATURE:
            response["feature"] = dict(self.feature)
        elif command == CommandCode.ENERGY_USAGE:
            days = [{"hpUsage": 1200, "heUsage": 300, "hpTime": 5, "heTime": 1}]
            response.update(
                typeOfUsage=1,
                total={"hpUsage": 1200, "heUsage": 300, "hpTime": 5, "heTime": 1},
                usage=[
                    {"year": request.get("year"), "month": m, "data": days}
                    for m in request.get("month", [])
                ],
            )
        elif command == CommandCode.RESERVATION_READ:
            response.update(reservationUse=self.reservation_use, reservation=self.reservations)
        elif command == CommandCode.RESERVATION_WRITE:
            self.reservation_use = int(request.get("reservationUse", 1))
            self.reservations = [dict(e) for e in request.get("reservation", [])]
            response.update(reservationUse=self.reservation_use, reservation=self.reservations)
        elif command == CommandCode.TOU:
            if refusal is None:
                self._store_tou(request)
            response.update(reservationUse=self.tou_use, reservation=self.tou_periods)
        else:
            if refusal is None:
                self._control(command, param, request)
            response["status"] = dict(self.status)
        reply = {
            "clientID": doc.get("clientID"),
            "sessionID": doc.get("sessionID"),
            "response": response,
        }
        return [(str(doc.get("responseTopic")), reply)]

    def _refusal(
        self, command: object, param: list[int], request: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Why the heater refuses this request, the way the simulator says it (None: it
        accepts). Only the refusals the library's tests need: an undownloaded firmware, a
        TOU write or recirculation on a model without them, a setpoint out of range."""
        feature = self.feature

        def refuse(reason: RefusalReason, detail: str) -> dict[str, Any]:
            return {"reason": reason.value, "detail": detail}

        commit = request.get("commitOta")
        if isinstance(commit, Mapping):
            code, version = commit.get("swCode"), commit.get("swVersion")
            if not isinstance(code, int) or self.downloaded.get(code) != version:
                return refuse(RefusalReason.INVALID_PARAM, f"nothing downloaded for {code}")
        elif command == CommandCode.TOU and isinstance(request.get("reservation"), list):
            if feature.get("programReservationUse") != 2:
                return refuse(RefusalReason.UNSUPPORTED, "programReservationUse absent")
        elif command == CommandCode.RECIRC_MODE:
            if feature.get("recirculationUse") != 2:
                return refuse(RefusalReason.UNSUPPORTED, "recirculationUse absent")
            if not param or not 1 <= param[0] <= 4:
                return refuse(RefusalReason.OUT_OF_RANGE, f"recirc-mode takes 1..4, got {param}")
        elif command == CommandCode.DHW_TEMPERATURE and param:
            low, high = feature.get("dhwTemperatureMin"), feature.get("dhwTemperatureMax")
            if isinstance(low, int) and isinstance(high, int) and not low <= param[0] <= high:
                return refuse(RefusalReason.OUT_OF_RANGE, f"takes {low}..{high}, got {param[0]}")
        return None

    def _store_tou(self, request: Mapping[str, Any]) -> None:
        """A write (a request with ``reservation``) replaces the periods, as the simulator
        does. A read (only the serial) changes nothing."""
        periods = request.get("reservation")
        if isinstance(periods, list):
            self.tou_periods = [dict(p) for p in periods if isinstance(p, Mapping)]
            self.tou_use = int(request.get("reservationUse", self.tou_use))

    def _control(self, command: object, param: list[int], request: Mapping[str, Any]) -> None:
        s = self.status
        commit = request.get("commitOta")
        if isinstance(commit, Mapping):  # checked by _refusal: a downloaded version
            code = commit["swCode"]
            self.firmware[code] = self.downloaded.pop(code)
        elif command == CommandCode.POWER_OFF:
            s["dhwOperationSetting"] = 6
        elif command == CommandCode.POWER_ON:
            s["dhwOperationSetting"] = 1
        elif command == CommandCode.DHW_MODE and param:
            s["dhwOperationSetting"] = param[0]
            if len(param) > 1:
                s["vacationDaySetting"] = param[1]
        elif command == CommandCode.DHW_TEMPERATURE and param:
            s["dhwTemperatureSetting"] = param[0]
        elif command == CommandCode.FREEZE_TEMPERATURE and param:
            s["freezeProtectionTemperature"] = param[0]
        elif command == CommandCode.ANTI_LEGIONELLA_ON and param:
            s.update(antiLegionellaUse=2, antiLegionellaPeriod=param[0])
        elif command == CommandCode.ANTI_LEGIONELLA_OFF:
            s["antiLegionellaUse"] = 1
        elif command in (CommandCode.TOU_ON, CommandCode.TOU_OFF):
            s["touStatus"] = 1 if command == CommandCode.TOU_ON else 0
        elif command == CommandCode.AIR_FILTER_RESET:
            s["airFilterAlarmElapsed"] = 0
        elif command == CommandCode.RECIRC_MODE:  # checked by _refusal
            s["recircOperationMode"] = param[0]
