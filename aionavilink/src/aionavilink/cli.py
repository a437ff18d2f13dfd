"""Troubleshooting CLI: `python -m aionavilink COMMAND ...` (also installed as `aionavilink`).

monitor            stay connected; print one JSON object per line for every connection
                   transition and every status, until interrupted
status             print each device's status once
set-temperature    MAC CELSIUS
set-mode           MAC heat_pump|electric|energy_saver|high_demand
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

import aiohttp

from .auth import CLOUD_API_URL
from .errors import NaviLinkError
from .health import ConnectionEvent
from .link import TransportFactory
from .models import DeviceStatus, DhwMode
from .options import Endpoints, SessionOptions
from .policy import ReconnectPolicy
from .session import NaviLinkSession
from .transport import CLOUD_MQTT_URL

CLI_STATUS_INTERVAL = 30.0


def _print(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def _status_line(mac: str, status: DeviceStatus) -> dict[str, Any]:
    return {
        "event": "status",
        "mac": mac,
        "dhw_temperature": status.dhw_temperature,
        "setpoint": status.dhw_temperature_setting,
        "mode": status.dhw_mode,
        "power_w": status.current_power,
        "tank_upper": status.tank_upper_temperature,
        "tank_lower": status.tank_lower_temperature,
        "heat_source": status.heat_source,
        "error_code": status.error_code,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aionavilink")
    parser.add_argument("command", choices=["monitor", "status", "set-temperature", "set-mode"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--api-url", default=CLOUD_API_URL)
    parser.add_argument("--mqtt-url", default=CLOUD_MQTT_URL)
    parser.add_argument("--ca-file")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    policy, options = ReconnectPolicy(), SessionOptions()
    parser.add_argument("--initial-delay", type=float, default=policy.initial_delay)
    parser.add_argument("--max-delay", type=float, default=policy.max_delay)
    parser.add_argument("--deep-every", type=int, default=policy.deep_every)
    parser.add_argument("--max-attempts", type=int, default=policy.max_attempts)
    # The CLI watches more closely than the library's default (60 s).
    parser.add_argument("--status-interval", type=float, default=CLI_STATUS_INTERVAL)
    parser.add_argument("--auth-retry", type=float, default=policy.auth_retry_interval)
    parser.add_argument("--keep-alive", type=int, default=options.keep_alive_secs)
    parser.add_argument("--verbose", "-v", action="store_true")
    return parser


async def run(
    argv: Sequence[str],
    *,
    websession: aiohttp.ClientSession | None = None,
    transport_factory: TransportFactory | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Run one command; returns the exit code. `monitor` runs until `stop` is set (or, by
    default, SIGINT/SIGTERM). The keyword arguments let tests bring a fake cloud."""
    ns = _parser().parse_args(argv)
    if websession is None:
        async with aiohttp.ClientSession() as own:
            return await _run(ns, own, transport_factory, stop)
    return await _run(ns, websession, transport_factory, stop)


async def _run(
    ns: argparse.Namespace,
    websession: aiohttp.ClientSession,
    transport_factory: TransportFactory | None,
    stop: asyncio.Event | None,
) -> int:
    options = SessionOptions(
        policy=ReconnectPolicy(
            initial_delay=ns.initial_delay,
            max_delay=ns.max_delay,
            deep_every=ns.deep_every,
            max_attempts=ns.max_attempts,
            auth_retry_interval=ns.auth_retry,
        ),
        status_interval=ns.status_interval,
        keep_alive_secs=ns.keep_alive,
        retry_first_connect=ns.command == "monitor",
    )
    endpoints = Endpoints(api_url=ns.api_url, mqtt_url=ns.mqtt_url, ca_file=ns.ca_file)
    session = NaviLinkSession(
        websession,
        ns.email,
        ns.password,
        endpoints=endpoints,
        options=options,
        transport_factory=transport_factory,
    )
    session.add_connection_listener(lambda event: _print(_event_line(event)))
    if ns.command == "monitor":
        session.add_status_listener(lambda mac, st: _print(_status_line(mac, st)))
    try:
        await session.start()
        if ns.command == "monitor":
            if stop is None:
                stop = asyncio.Event()
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(sig, stop.set)
            await stop.wait()
        elif ns.command == "status":
            for mac in session.devices:
                _print(_status_line(mac, await session.request_status(mac)))
        elif ns.command == "set-temperature":
            mac, value = ns.args
            _print(_status_line(mac, await session.set_temperature(mac, float(value))))
        elif ns.command == "set-mode":
            mac, mode = ns.args
            _print(_status_line(mac, await session.set_mode(mac, DhwMode(mode))))
    except NaviLinkError as err:
        _print({"event": "error", "error": type(err).__name__, "message": str(err)})
        return 1
    finally:
        await session.stop()
    return 0


def _event_line(event: ConnectionEvent) -> dict[str, Any]:
    return {
        "event": "connection",
        "type": event.type,
        "state": event.state,
        "tier": event.tier,
        "attempt": event.attempt,
        "reason": event.reason,
        "next_retry_at": event.next_retry_at,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point (`python -m aionavilink`, `aionavilink`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args or "--verbose" in args
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(asyncio.run(run(args)))
