"""Recovery after network outages, path probe on vs off, at the library level.

Many sessions (one simulator account each) live through the same outage at once, half of
them with the path probe and half without, so both halves see the same network and the
same machine load. Per session: how long after the network returned its first fresh status
arrived, and how many MQTT connection attempts it made during the outage.

Outages longer than a few minutes are time-scaled: the reconnect policy's times and the
outage itself are divided by `scale`, so the backoff is in the same state at the outage's end
as after the real length. Without the probe, recovery is the wait for the next scheduled
attempt: measured and multiplied back by `scale` (real-equivalent seconds). With the probe,
which runs at its real interval, recovery is reported in real seconds, together with how many
sessions the probe woke (the others were woken sooner by the scaled backoff, which the real
one would not have done: the figure is only as good as that count).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp

from aionavilink import (
    Endpoints,
    NaviLinkSession,
    ReconnectPolicy,
    SessionOptions,
)
from navilink_sim.testing import SimControl, SimInfo

from .stats import summary

_LOGGER = logging.getLogger("bench.outage")


@dataclass(frozen=True)
class Outage:
    name: str
    seconds: float  # real-world length of the outage
    scale: float = 1.0  # every time divided by this
    state: str = "down"


@dataclass
class Trial:
    session: NaviLinkSession
    probe: bool
    fresh_at: float | None = None
    fresh: asyncio.Event = field(default_factory=asyncio.Event)
    attempts_before: int = 0
    attempts_during: int = 0


def _probe(session: NaviLinkSession) -> dict[str, int]:
    counters: dict[str, int] = session.diagnostics()["path_probe"]
    return counters


def _attempts(session: NaviLinkSession) -> int:
    counters = session.health.counters
    return counters.quick_reconnects + counters.deep_reconnects


def _options(probe: bool, scale: float) -> SessionOptions:
    base = SessionOptions()
    policy = ReconnectPolicy()
    return replace(
        base,
        policy=replace(
            policy,
            initial_delay=policy.initial_delay / scale,
            max_delay=policy.max_delay / scale,
        ),
        path_probe=probe,
        device_refresh_interval=0,
    )


async def run_outage(
    sim: SimInfo, control: SimControl, outage: Outage, sessions_per_side: int, seed: int
) -> dict[str, Any]:
    """One outage lived through by `2 * sessions_per_side` sessions; their recoveries."""
    trials: list[Trial] = []
    rng = random.Random(seed)
    async with aiohttp.ClientSession() as web:
        for i in range(2 * sessions_per_side):
            probe = i % 2 == 0
            email = f"outage-{seed}-{i}@example.com"
            await control.add_account(email, "outage-pw", heaters=1)
            session = NaviLinkSession(
                web,
                email,
                "outage-pw",
                endpoints=Endpoints(
                    api_url=sim.api_url, mqtt_url=sim.mqtt_url, ca_file=sim.ca_file
                ),
                options=_options(probe, outage.scale),
                rng=random.Random(rng.random()),
            )
            trial = Trial(session, probe)

            def on_status(_mac: str, _status: Any, trial: Trial = trial) -> None:
                if trial.fresh_at is None and up_at is not None:
                    trial.fresh_at = time.monotonic()
                    trial.fresh.set()

            session.add_status_listener(on_status)
            trials.append(trial)
        up_at: float | None = None
        try:
            await asyncio.gather(*(t.session.start() for t in trials))
            for t in trials:
                t.attempts_before = _attempts(t.session)
            await control.network(outage.state)
            await asyncio.sleep(outage.seconds / outage.scale)
            for t in trials:
                t.attempts_during = _attempts(t.session) - t.attempts_before
            await control.network("up")
            up_at = time.monotonic()
            bound = 2 * ReconnectPolicy().max_delay / outage.scale + 60
            await _all_fresh(trials, bound)
        finally:
            await asyncio.gather(*(t.session.stop() for t in trials))
    return _result(outage, trials, up_at or time.monotonic())


async def _all_fresh(trials: list[Trial], bound: float) -> None:
    waits = [asyncio.create_task(t.fresh.wait()) for t in trials]
    _done, pending = await asyncio.wait(waits, timeout=bound)
    for task in pending:
        task.cancel()


def _result(outage: Outage, trials: list[Trial], up_at: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": outage.name,
        "outage_s": outage.seconds,
        "scale": outage.scale,
        "network": outage.state,
    }
    for probe in (True, False):
        side = [t for t in trials if t.probe is probe]
        factor = 1.0 if probe else outage.scale
        recovered = [(t.fresh_at - up_at) * factor for t in side if t.fresh_at]
        out["probe_on" if probe else "probe_off"] = {
            "sessions": len(side),
            "not_recovered": sum(1 for t in side if t.fresh_at is None),
            "recovery_s": summary(recovered),
            "attempts_during_outage": summary([float(t.attempts_during) for t in side]),
            "probes": sum(_probe(t.session)["probes"] for t in side),
            "woken_by_probe": sum(1 for t in side if _probe(t.session)["path_returns"]),
        }
    return out
