"""``python -m navilink_sim``: run the simulator until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

from navilink_sim.profiles import DEFAULT_PROFILE, DEFAULT_UNITS, PROFILES, UNITS
from navilink_sim.simulator import Simulator, SimulatorConfig


def _account(value: str) -> tuple[str, str]:
    email, sep, password = value.partition(":")
    if not sep or not email or not password:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD")
    return email, password


def parse_args(argv: list[str] | None = None) -> SimulatorConfig:
    parser = argparse.ArgumentParser(prog="python -m navilink_sim", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="REST/control port (0 = free)")
    parser.add_argument("--gateway-port", type=int, default=0, help="wss gateway port")
    parser.add_argument("--account", type=_account, action="append", default=[])
    parser.add_argument("--heaters", type=int, default=2, help="heaters per account")
    parser.add_argument("--credential-ttl", type=float, default=3600.0)
    parser.add_argument("--token-ttl", type=float, default=3600.0)
    parser.add_argument("--speed", type=float, default=1.0, help="simulated s per wall s")
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument(
        "--units",
        choices=sorted(UNITS),
        default=DEFAULT_UNITS,
        help="unit the heaters' panels show: us = °F (temperatureType 2), the US factory setting",
    )
    parser.add_argument(
        "--model", choices=sorted(PROFILES), default=DEFAULT_PROFILE, help="heater model"
    )
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return SimulatorConfig(
        port=args.port,
        gateway_port=args.gateway_port,
        accounts=args.account or [("demo@example.com", "demo")],
        heaters=args.heaters,
        credential_ttl=args.credential_ttl,
        token_ttl=args.token_ttl,
        speed=args.speed,
        state_dir=args.state_dir,
        units=args.units,
        model=args.model,
    )


async def _serve(config: SimulatorConfig) -> None:
    sim = Simulator(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await sim.start()
        sys.stdout.write(json.dumps(sim.ready_info()) + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    config = parse_args(argv)
    asyncio.run(_serve(config))


if __name__ == "__main__":
    main()
