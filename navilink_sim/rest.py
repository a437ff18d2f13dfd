"""The NaviLink REST API (``/api/v2.1``)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Middleware

if TYPE_CHECKING:
    from navilink_sim.simulator import Simulator

_LOGGER = logging.getLogger(__name__)
API_PREFIX = "/api/v2.1"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RestFault:
    """Pending fault for the next ``count`` API requests."""

    count: int = 0
    status: int | None = None
    delay_s: float | None = None


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


def make_fault_middleware(sim: Simulator) -> Middleware:
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


def add_routes(app: web.Application, sim: Simulator) -> None:
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

    app.router.add_post(f"{API_PREFIX}/user/sign-in", sign_in)
    app.router.add_post(f"{API_PREFIX}/auth/refresh", refresh)
    app.router.add_post(f"{API_PREFIX}/device/list", device_list)
    app.router.add_post(f"{API_PREFIX}/device/info", device_info)
