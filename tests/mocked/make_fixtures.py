"""Record the JSON fixtures of the mocked tier from the simulator (run once, check the JSON in).

    .venv/bin/python -m tests.mocked.make_fixtures

Starts ``python -m navilink_sim`` with one recirculation heater (every capability flag on), adds
two variants to the same account (no demand response; the plain NWP500 without recirculation),
lets some hot water be drawn so the energy counters move, then signs in with the protocol
client and writes what the cloud and the heaters sent:

- ``device_list.json``: the REST ``/device/list`` reply body (the first heater only);
- ``status.json``, ``feature.json``: the first heater's status and feature bodies;
- ``feature_no_dr.json``, ``feature_no_recirc.json``: the variants' feature bodies;
- ``energy.json``: the first heater's energy-usage body for the month the tests freeze time in;
- ``reservations.json``: its reservation schedule (``reservationUse`` / ``reservation``) as
  the heater reads it back after one reservation was written.

Nothing is edited by hand: the tests parse these files with the client's own parsers.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from aionavilink import DhwMode, Endpoints, NaviLinkSession, Reservation
from navilink_sim.testing import SimControl, running_sim

FIXTURES = Path(__file__).parent / "fixtures"
# The month the mocked tests freeze time in (tests/mocked/conftest.py: FROZEN_TIME).
ENERGY_YEAR, ENERGY_MONTH = 2026, 11


def _write(name: str, data: Any) -> None:
    path = FIXTURES / name
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(Path.cwd())}")


async def _record(state_dir: Path) -> None:
    with running_sim(
        state_dir, "--heaters", "1", "--model", "nwp500-recirc", "--speed", "60"
    ) as info:
        account = info.accounts[0]
        async with SimControl(info.control_url) as control:
            no_dr = await control.add_device(
                account.email, model="nwp500-recirc", absent=["drSettingUse"]
            )
            no_recirc = await control.add_device(account.email, model="nwp500")
            main = account.devices[0]
            # A shower's worth of hot water (simulated minutes) so that energy is not all zero.
            await control.draw(main, 8.0, 600)
            await asyncio.sleep(15)
        async with aiohttp.ClientSession() as websession:
            session = NaviLinkSession(
                websession,
                account.email,
                account.password,
                endpoints=Endpoints(
                    api_url=info.api_url, mqtt_url=info.mqtt_url, ca_file=info.ca_file
                ),
            )
            await session.start()
            try:
                listed = await session.auth.request(
                    "/device/list", {"offset": 0, "count": 20, "userId": account.email}
                )
                _write(
                    "device_list.json",
                    [d for d in listed if d["deviceInfo"]["macAddress"].lower() == main],
                )
                status, feature = session.status(main), session.feature(main)
                assert status is not None and feature is not None
                _write("status.json", dict(status.raw))
                _write("feature.json", dict(feature.raw))
                for mac, name in (
                    (no_dr, "feature_no_dr.json"),
                    (no_recirc, "feature_no_recirc.json"),
                ):
                    variant = session.feature(mac) or await session.request_feature(mac)
                    _write(name, dict(variant.raw))
                usage = await session.request_energy_usage(main, ENERGY_YEAR, [ENERGY_MONTH])
                _write("energy.json", dict(usage.raw))
                await session.write_reservations(
                    main,
                    True,
                    [
                        Reservation(
                            enabled=True,
                            weekdays=["monday", "friday"],
                            hour=6,
                            minute=30,
                            mode=DhwMode.HIGH_DEMAND,
                            temperature=55.0,
                        )
                    ],
                )
                schedule = await session.read_reservations(main)
                _write(
                    "reservations.json",
                    {"reservationUse": schedule.reservation_use, "reservation": schedule.to_hex()},
                )
            finally:
                await session.stop()


def main() -> None:
    """Record every fixture into tests/mocked/fixtures/."""
    FIXTURES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="navilink-fixtures-") as state_dir:
        asyncio.run(_record(Path(state_dir)))


if __name__ == "__main__":
    main()
