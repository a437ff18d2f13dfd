"""The NaviLink REST API (``/api/v2.1``)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from navilink_sim import tou
from navilink_sim.backend import Backend
from navilink_sim.heater import Heater
from navilink_sim.protocol import DEVICE_TYPE

_LOGGER = logging.getLogger(__name__)
API_PREFIX = "/api/v2.1"
DEVICE_GROUP = "NWP500"
SOURCE_TYPE = "openei"  # the only TOU source the service knows
# firmware/info lists one entry per component: its feature payload's (code, version) keys
FIRMWARE_COMPONENTS = (
    ("controllerSwCode", "controllerSwVersion"),
    ("panelSwCode", "panelSwVersion"),
    ("wifiSwCode", "wifiSwVersion"),
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def envelope(code: int, msg: str, data: Any = None, status: int | None = None) -> web.Response:
    """A JSON reply in the NaviLink envelope."""
    return web.json_response(
        {"code": code, "msg": msg, "data": data}, status=status if status is not None else code
    )


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every reply, errors and 404s included, is JSON."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.content_type == "application/json":
            raise
        return envelope(exc.status, _REASONS.get(exc.status, exc.reason), status=exc.status)
    except asyncio.CancelledError:
        raise
    except ConnectionError:
        _LOGGER.debug("client went away during %s", request.path)
        return envelope(400, "Bad Request")
    except Exception:
        _LOGGER.exception("unhandled error for %s", request.path)
        return envelope(500, "Internal Server Error")


def make_fault_middleware(sim: Backend) -> Middleware:
    @web.middleware
    async def rest_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(API_PREFIX):
            sim.rest_requests += 1
            fault = sim.rest_fault
            if fault.count > 0:
                fault.count -= 1
                if fault.delay_s:
                    await asyncio.sleep(fault.delay_s)
                if fault.status is not None:
                    return envelope(fault.status, _REASONS.get(fault.status, "Simulated failure"))
        return await handler(request)

    return rest_faults


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except json.JSONDecodeError, UnicodeDecodeError, ValueError:
        return None
    return body if isinstance(body, dict) else None


def add_routes(app: web.Application, sim: Backend) -> None:
    """Register the REST endpoints."""

    async def sign_in(request: web.Request) -> web.Response:
        body = await _json_body(request)
        if body is None:
            return envelope(400, "Bad Request")
        email, password = body.get("userId"), body.get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            return envelope(400, "Bad Request")
        data = sim.accounts.sign_in(email, password)
        if data is None:
            return envelope(401, "Invalid credentials")
        return envelope(200, "SUCCESS", data)

    async def refresh(request: web.Request) -> web.Response:
        body = await _json_body(request)
        token = body.get("refreshToken") if body else None
        if not isinstance(token, str):
            return envelope(400, "Bad Request")
        data = sim.accounts.refresh(token)
        if data is None:
            return envelope(401, "Invalid refresh token")
        return envelope(200, "SUCCESS", data)

    def _authed(request: web.Request) -> str | None:
        token = request.headers.get("authorization", "")
        account = sim.accounts.account_for_access_token(token)
        return account.email if account is not None else None

    async def session_refresh(request: web.Request) -> web.Response:
        email = _authed(request)
        if email is None:
            return envelope(401, "Unauthorized")
        return envelope(200, "SUCCESS", sim.accounts.aws_credentials(email))

    async def secured_sign_in(request: web.Request) -> web.Response:
        email = _authed(request)
        account = sim.accounts.active(email) if email is not None else None
        if account is None:
            return envelope(401, "Unauthorized")
        return envelope(200, "SUCCESS", sim.accounts.secured_sign_in(account))

    async def device_list(request: web.Request) -> web.Response:
        email = _authed(request)
        if email is None:
            return envelope(401, "Unauthorized")
        body = await _json_body(request) or {}
        offset = body.get("offset", 0)
        count = body.get("count", 20)
        if not isinstance(offset, int) or not isinstance(count, int):
            return envelope(400, "Bad Request")
        devices = sim.device_objects(email)
        return envelope(200, "SUCCESS", devices[max(0, offset) : max(0, offset) + min(count, 20)])

    async def device_info(request: web.Request) -> web.Response:
        email = _authed(request)
        if email is None:
            return envelope(401, "Unauthorized")
        body = await _json_body(request) or {}
        mac = body.get("macAddress")
        for device in sim.device_objects(email):
            if device["deviceInfo"]["macAddress"] == mac:
                info = dict(device)
                info["alarmInfo"] = {"isEtcAlarm": False, "isErrorAlarm": False}
                return envelope(200, "SUCCESS", info)
        return envelope(404, "Device not found")

    def _heater(email: str, mac: object) -> Heater | None:
        account = sim.accounts.active(email)
        if account is None or not isinstance(mac, str) or mac not in account.devices:
            return None
        return sim.heaters.get(mac)

    async def firmware_info(request: web.Request) -> web.Response:
        email = _authed(request)
        if email is None:
            return envelope(401, "Unauthorized")
        body = await _json_body(request) or {}
        heater = _heater(email, body.get("macAddress"))
        if heater is None:
            return envelope(404, "Device not found")
        feature = heater.feature_payload()
        firmwares = [
            {
                "macAddress": heater.mac,
                "additionalValue": heater.additional_value,
                "deviceType": DEVICE_TYPE,
                "curSwCode": feature[code_key],
                "curVersion": feature[version_key],
                "downloadedVersion": heater.settings.downloaded.get(feature[code_key]),
                "deviceGroup": DEVICE_GROUP,
            }
            for code_key, version_key in FIRMWARE_COMPONENTS
        ]
        return envelope(200, "SUCCESS", {"firmwares": firmwares})

    def _tou_data(heater: Heater) -> dict[str, Any]:
        plan = sim.tou_plans.get(heater.mac, {})
        return {
            "registerPath": plan.get("registerPath", "wifi"),
            "sourceType": plan.get("sourceType", "openei"),
            "touInfo": {
                "controllerId": heater.feature_payload()["controllerSerialNumber"],
                "manufactureId": heater.mac,
                "name": plan.get("name", ""),
                "utility": plan.get("utility", ""),
                "zipCode": plan.get("zipCode", 0),
                "schedule": plan.get("schedule", []),
            },
        }

    async def tou_get(request: web.Request) -> web.Response:
        email = _authed(request)
        if email is None:
            return envelope(401, "Unauthorized")
        heater = _heater(email, request.query.get("macAddress"))
        if heater is None:
            return envelope(404, "Device not found")
        if request.query.get("controllerId") != heater.feature_payload()["controllerSerialNumber"]:
            return envelope(400, "controllerId does not match the device")
        return envelope(200, "SUCCESS", _tou_data(heater))

    async def tou_put(request: web.Request) -> web.Response:
        email = _authed(request)
        if email is None:
            return envelope(401, "Unauthorized")
        body = await _json_body(request) or {}
        heater = _heater(email, body.get("macAddress"))
        if heater is None:
            return envelope(404, "Device not found")
        info, zip_code = body.get("touInfo"), body.get("zipCode", "")
        if (
            not isinstance(info, dict)
            or not isinstance(info.get("schedule"), list)
            or body.get("sourceType") != SOURCE_TYPE
            or not isinstance(zip_code, str | int)
            or not str(zip_code).isdigit()
        ):
            return envelope(400, "Bad Request")
        sim.tou_plans[heater.mac] = {
            "registerPath": str(body.get("registerPath", "wifi")),
            "sourceType": SOURCE_TYPE,
            "name": str(info.get("name", "")),
            "utility": str(info.get("utility", "")),
            "zipCode": int(zip_code),
            "schedule": info["schedule"],
        }
        return envelope(200, "SUCCESS", _tou_data(heater))

    async def tou_convert(request: web.Request) -> web.Response:
        if _authed(request) is None:
            return envelope(401, "Unauthorized")
        body = await _json_body(request) or {}
        plans = body.get("sourceData")
        if body.get("sourceType") != SOURCE_TYPE or not isinstance(plans, list):
            return envelope(400, "Bad Request")
        try:
            converted = [tou.convert_plan(plan) for plan in plans]
        except tou.ConversionError as err:
            return envelope(400, f"Bad Request: {err}")
        return envelope(200, "SUCCESS", {"touInfo": converted})

    async def update_push_token(request: web.Request) -> web.Response:
        email = _authed(request)
        if email is None:
            return envelope(401, "Unauthorized")
        body = await _json_body(request) or {}
        token = body.get("pushToken")
        account = sim.accounts.active(email)
        if not isinstance(token, str) or not token or account is None:
            return envelope(400, "Bad Request")
        account.push_token = token
        return envelope(200, "SUCCESS")

    app.router.add_post(f"{API_PREFIX}/user/sign-in", sign_in)
    app.router.add_post(f"{API_PREFIX}/auth/refresh", refresh)
    app.router.add_post(f"{API_PREFIX}/auth/session/refresh", session_refresh)
    app.router.add_post(f"{API_PREFIX}/user/secured-sign-in", secured_sign_in)
    app.router.add_post(f"{API_PREFIX}/device/list", device_list)
    app.router.add_post(f"{API_PREFIX}/device/info", device_info)
    app.router.add_post(f"{API_PREFIX}/device/firmware/info", firmware_info)
    app.router.add_get(f"{API_PREFIX}/device/tou", tou_get)
    app.router.add_put(f"{API_PREFIX}/device/tou", tou_put)
    app.router.add_post(f"{API_PREFIX}/device/tou/convert", tou_convert)
    app.router.add_post(f"{API_PREFIX}/app/update-push-token", update_push_token)
