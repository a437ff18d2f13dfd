"""The ``/_sim`` control API (JSON in, JSON out)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from aiohttp import web

from navilink_sim.backend import Backend
from navilink_sim.profiles import HeaterSpec
from navilink_sim.tank import DayUsage

PREFIX = "/_sim"


def _err(status: int, msg: str) -> web.Response:
    return web.json_response({"ok": False, "error": msg}, status=status)


def _ok(**data: Any) -> web.Response:
    return web.json_response({"ok": True, **data})


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError, ValueError:
        raise web.HTTPBadRequest(
            text=json.dumps({"ok": False, "error": "invalid JSON"}),
            content_type="application/json",
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"ok": False, "error": "JSON object expected"}),
            content_type="application/json",
        )
    return body


def _spec(body: dict[str, Any], defaults: HeaterSpec) -> HeaterSpec | str:
    """A new heater's spec: the body's `units`, `model`, `absent` over the defaults (a str:
    what is wrong)."""
    units, model = body.get("units", defaults.units), body.get("model", defaults.model)
    absent = body.get("absent", [])
    if not isinstance(units, str) or not isinstance(model, str):
        return "units and model must be strings"
    if not isinstance(absent, list) or not all(isinstance(a, str) for a in absent):
        return "absent must be a list of feature flag names"
    spec = HeaterSpec(units=units, model=model, absent=tuple(absent))
    try:
        spec.resolve()
    except ValueError as err:
        return str(err)
    return spec


def add_routes(app: web.Application, sim: Backend) -> None:
    """Register the control endpoints."""
    r = app.router

    async def state(_: web.Request) -> web.Response:
        return web.json_response(sim.state())

    async def reset(_: web.Request) -> web.Response:
        await sim.reset()
        return _ok()

    async def drop(_: web.Request) -> web.Response:
        return _ok(dropped=sim.drop_connections())

    async def network(request: web.Request) -> web.Response:
        body = await _body(request)
        value = body.get("state")
        if value not in ("up", "down", "blackhole"):
            return _err(400, "state must be up, down or blackhole")
        await sim.set_network(value)
        return _ok(network=value)

    async def broker_restart(_: web.Request) -> web.Response:
        await sim.restart_broker()
        return _ok(broker=sim.broker_state())

    async def expire(_: web.Request) -> web.Response:
        return _ok(dropped=sim.expire_credentials())

    async def delete_account(request: web.Request) -> web.Response:
        email = request.match_info["email"]
        if not sim.delete_account(email):
            return _err(404, "no such account")
        return _ok()

    async def restore_account(request: web.Request) -> web.Response:
        email = request.match_info["email"]
        if not sim.restore_account(email):
            return _err(404, "no such account")
        return _ok()

    async def rest_fault(request: web.Request) -> web.Response:
        body = await _body(request)
        status = body.get("status")
        delay = body.get("delay_s")
        count = body.get("count", 1)
        if status is not None and not isinstance(status, int):
            return _err(400, "status must be an int")
        if delay is not None and not isinstance(delay, int | float):
            return _err(400, "delay_s must be a number")
        if not isinstance(count, int) or count < 0:
            return _err(400, "count must be a non-negative int")
        sim.set_rest_fault(status=status, delay_s=delay, count=count)
        return _ok()

    def _mac(request: web.Request) -> str:
        mac = request.match_info["mac"].lower()
        if mac not in sim.heaters:
            raise web.HTTPNotFound(
                text=json.dumps({"ok": False, "error": "no such device"}),
                content_type="application/json",
            )
        return mac

    async def inject(request: web.Request) -> web.Response:
        mac = _mac(request)
        body = await _body(request)
        payload = body.get("payload")
        topic = body.get("topic")
        if not isinstance(payload, str) or (topic is not None and not isinstance(topic, str)):
            return _err(400, "payload (str) and optional topic (str) expected")
        try:
            topics = await sim.inject(mac, payload.encode(), topic)
        except RuntimeError as err:
            return _err(409, str(err))
        return _ok(topics=topics)

    async def online(request: web.Request) -> web.Response:
        mac = _mac(request)
        body = await _body(request)
        value = body.get("online")
        if not isinstance(value, bool):
            return _err(400, "online must be a boolean")
        sim.set_online(mac, value)
        return _ok()

    async def draw(request: web.Request) -> web.Response:
        mac = _mac(request)
        body = await _body(request)
        lpm = body.get("lpm", 8)
        seconds = body.get("seconds", 60)
        if not isinstance(lpm, int | float) or not isinstance(seconds, int | float):
            return _err(400, "lpm and seconds must be numbers")
        sim.draw(mac, float(lpm), float(seconds))
        return _ok()

    async def push(request: web.Request) -> web.Response:
        mac = _mac(request)
        body = await _body(request)
        count = body.get("count", 1)
        interval = body.get("interval_s", 0)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1_000_000:
            return _err(400, "count must be an int within 1..1000000")
        if not isinstance(interval, int | float) or not 0 <= interval <= 3600:
            return _err(400, "interval_s must be a number within 0..3600")
        try:
            topics = sim.heaters[mac].start_pushes(count, float(interval))
        except RuntimeError as err:
            return _err(409, str(err))
        return _ok(topics=topics, count=count)

    async def stamp(request: web.Request) -> web.Response:
        mac = _mac(request)
        body = await _body(request)
        name = body.get("field")
        if name is not None and (
            not isinstance(name, str) or not name.isascii() or not name.isalnum() or len(name) > 64
        ):
            return _err(400, "field must be null or an alphanumeric status field name")
        sim.heaters[mac].stamp_field = name
        return _ok(field=name)

    async def speed(request: web.Request) -> web.Response:
        """One heater's physics speed (simulated s per wall s), e.g. to match a time-compressed
        push rate."""
        mac = _mac(request)
        body = await _body(request)
        value = body.get("speed")
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1e4:
            return _err(400, "speed must be a number within (0, 10000]")
        sim.heaters[mac].speed = float(value)
        return _ok(speed=float(value))

    async def energy_history(request: web.Request) -> web.Response:
        """Set past days' energy use: ``{"days": [{"date": "YYYY-MM-DD", "hp_wh", "he_wh"}]}``
        (what a heater that ran before the client arrived would report)."""
        mac = _mac(request)
        body = await _body(request)
        days = body.get("days")
        if not isinstance(days, list):
            return _err(400, "days must be a list")
        parsed: list[tuple[tuple[int, int, int], DayUsage]] = []
        for item in days:
            try:
                day = date.fromisoformat(item["date"])
                hp, he = float(item.get("hp_wh", 0)), float(item.get("he_wh", 0))
            except TypeError, KeyError, ValueError:
                return _err(400, "each day needs date (YYYY-MM-DD), hp_wh and he_wh (numbers)")
            if hp < 0 or he < 0:
                return _err(400, "energy cannot be negative")
            parsed.append(((day.year, day.month, day.day), DayUsage(hp_wh=hp, he_wh=he)))
        sim.heaters[mac].tank.days.update(parsed)
        return _ok(days=len(parsed))

    async def firmware(request: web.Request) -> web.Response:
        """A firmware the heater has downloaded: ``{"sw_code": 1, "version": 184680448}``."""
        mac = _mac(request)
        body = await _body(request)
        code, version = body.get("sw_code"), body.get("version")
        if code not in (1, 2, 4) or type(version) is not int or version <= 0:
            return _err(400, "sw_code (1, 2 or 4) and version (positive int) expected")
        sim.heaters[mac].settings.downloaded[code] = version
        return _ok()

    async def add_account(request: web.Request) -> web.Response:
        body = await _body(request)
        email, password = body.get("email"), body.get("password")
        heaters = body.get("heaters", 1)
        if not isinstance(email, str) or not isinstance(password, str):
            return _err(400, "email and password required")
        if not isinstance(heaters, int) or heaters < 0:
            return _err(400, "heaters must be a non-negative int")
        spec = _spec(body, sim.default_spec)
        if isinstance(spec, str):
            return _err(400, spec)
        try:
            macs = sim.add_account(email, password, heaters, spec)
        except ValueError as err:
            return _err(409, str(err))
        return web.json_response({"email": email, "password": password, "devices": macs})

    async def add_device(request: web.Request) -> web.Response:
        spec = _spec(await _body(request), sim.default_spec)
        if isinstance(spec, str):
            return _err(400, spec)
        try:
            mac = sim.add_device(request.match_info["email"], spec)
        except KeyError:
            return _err(404, "no such account")
        return _ok(mac=mac)

    async def add_product(request: web.Request) -> web.Response:
        body = await _body(request)
        device_type = body.get("device_type")
        name = body.get("name", "NaviLink product")
        if not isinstance(device_type, int) or isinstance(device_type, bool):
            return _err(400, "device_type must be an integer")
        if not isinstance(name, str):
            return _err(400, "name must be a string")
        try:
            mac = sim.add_product(request.match_info["email"], device_type, name)
        except KeyError:
            return _err(404, "no such account")
        return _ok(mac=mac)

    async def remove_device(request: web.Request) -> web.Response:
        removed = await sim.remove_device(
            request.match_info["email"], request.match_info["mac"].lower()
        )
        if not removed:
            return _err(404, "no such device")
        return _ok()

    async def config(request: web.Request) -> web.Response:
        body = await _body(request)
        cred_ttl = body.get("credential_ttl")
        token_ttl = body.get("token_ttl")
        for value in (cred_ttl, token_ttl):
            if value is not None and (not isinstance(value, int | float) or value <= 0):
                return _err(400, "ttls must be positive numbers")
        sim.configure(credential_ttl=cred_ttl, token_ttl=token_ttl)
        return _ok(credential_ttl=sim.accounts.credential_ttl, token_ttl=sim.accounts.token_ttl)

    r.add_get(f"{PREFIX}/state", state)
    r.add_post(f"{PREFIX}/reset", reset)
    r.add_post(f"{PREFIX}/faults/drop", drop)
    r.add_post(f"{PREFIX}/faults/network", network)
    r.add_post(f"{PREFIX}/faults/broker-restart", broker_restart)
    r.add_post(f"{PREFIX}/credentials/expire", expire)
    r.add_post(f"{PREFIX}/accounts", add_account)
    r.add_post(f"{PREFIX}/accounts/{{email}}/delete", delete_account)
    r.add_post(f"{PREFIX}/accounts/{{email}}/restore", restore_account)
    r.add_post(f"{PREFIX}/accounts/{{email}}/devices", add_device)
    r.add_post(f"{PREFIX}/accounts/{{email}}/products", add_product)
    r.add_delete(f"{PREFIX}/accounts/{{email}}/devices/{{mac}}", remove_device)
    r.add_post(f"{PREFIX}/rest", rest_fault)
    r.add_post(f"{PREFIX}/devices/{{mac}}/inject", inject)
    r.add_post(f"{PREFIX}/devices/{{mac}}/online", online)
    r.add_post(f"{PREFIX}/devices/{{mac}}/draw", draw)
    r.add_post(f"{PREFIX}/devices/{{mac}}/push", push)
    r.add_post(f"{PREFIX}/devices/{{mac}}/stamp", stamp)
    r.add_post(f"{PREFIX}/devices/{{mac}}/speed", speed)
    r.add_post(f"{PREFIX}/devices/{{mac}}/energy-history", energy_history)
    r.add_post(f"{PREFIX}/devices/{{mac}}/firmware", firmware)
    r.add_post(f"{PREFIX}/config", config)
