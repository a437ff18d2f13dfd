"""The benchmark phases: push latency, command round trip, recovery, cost and scale."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from navilink_sim.testing import SimControl, SimInfo, SimProcess

from .hass import HassApi, HassProcess
from .outage import Outage, run_outage
from .stats import CpuMeter, LoadSampler, summary

_LOGGER = logging.getLogger("bench")

STAMP_FIELD = "airFilterAlarmElapsed"  # status field that carries the heater's send time (µs)
STAMP_SUFFIX = "_air_filter_elapsed"  # unique_id suffix of the sensor that shows it


@dataclass(frozen=True)
class Profile:
    """How much to measure (full run or --quick)."""

    push_n: int = 2000
    push_interval_s: float = 0.01
    commands: int = 200
    idle_s: float = 8.0
    network_down_s: float = 30.0
    blackhole_s: float = 45.0
    scale_sizes: tuple[int, ...] = (1, 10, 100)
    scale_run_s: float = 60.0
    scale_rate_per_s: float = 100 / 30  # the message rate of 100 heaters at a status every 30 s
    outage_sessions: int = 10  # per side (probe on, probe off), all through the same outage
    outages: tuple[Outage, ...] = (
        Outage("network down 30 s", 30.0),
        Outage("network down 5 min", 300.0),
        Outage("network down 1 h (÷12)", 3600.0, scale=12.0),
        Outage("blackhole 60 s", 60.0, state="blackhole"),
    )


FULL = Profile()
QUICK = Profile(
    push_n=300,
    commands=30,
    idle_s=4.0,
    network_down_s=10.0,
    blackhole_s=40.0,
    scale_run_s=15.0,
    outages=(
        Outage("network down 30 s", 30.0),
        Outage("network down 5 min (÷10)", 300.0, scale=10.0),
        Outage("network down 1 h (÷60)", 3600.0, scale=60.0),
        Outage("blackhole 45 s", 45.0, state="blackhole"),
    ),
)


@dataclass
class StateRecord:
    """One state change of a watched entity, as the websocket delivered it."""

    entity_id: str
    state: str
    attributes: dict[str, Any]
    written: float  # the state's last_updated in hass (epoch seconds)
    received: float

    @property
    def stamp(self) -> float | None:
        """The heater's send time (epoch seconds) for stamped sensors."""
        try:
            return int(self.state) / 1e6
        except ValueError:
            return None


@dataclass
class Entry:
    """One configured NaviLink account in hass."""

    entry_id: str
    email: str
    macs: list[str]
    stamp_entities: dict[str, str] = field(default_factory=dict)  # entity_id -> mac
    water_heaters: dict[str, str] = field(default_factory=dict)  # mac -> entity_id
    entities: int = 0
    subscription: int | None = None


def _ts(value: str) -> float:
    return dt.datetime.fromisoformat(value).timestamp()


class Bench:
    """Owns the simulator, the hass process and the measurements."""

    def __init__(self, profile: Profile, workdir: Path, mosquitto: str | None) -> None:
        self.p = profile
        self.workdir = workdir
        self.mosquitto = mosquitto
        self.sim_proc = SimProcess(
            "--account",
            "bench@example.com:bench-pw",
            "--heaters",
            "1",
            "--state-dir",
            str(workdir / "sim"),
            "--log-level",
            "WARNING",
            log_file=workdir / "sim.log",
        )
        self.sim: SimInfo | None = None
        self.control: SimControl | None = None
        self.hass: HassProcess | None = None
        self.api: HassApi | None = None
        self.meter: CpuMeter | None = None
        self.load = LoadSampler()
        self.records: list[StateRecord] = []
        self.conn_events: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self.results: dict[str, Any] = {}
        self._sampler: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- plumbing

    async def start(self) -> None:
        (self.workdir / "sim").mkdir(parents=True, exist_ok=True)
        self.sim = self.sim_proc.start()
        self.control = SimControl(self.sim.control_url)
        env = {
            "NAVILINK_API_URL": self.sim.api_url,
            "NAVILINK_MQTT_URL": self.sim.mqtt_url,
            "NAVILINK_CA_FILE": self.sim.ca_file,
        }
        self.hass = HassProcess(self.workdir / "hass", env)
        await self.hass.start()
        self.api = HassApi(self.hass.url)
        await self.api.onboard()
        await self.api.connect_ws()
        _LOGGER.info("hass HTTP settings: %s", await self.api.confirm_http_config())
        await self.api.subscribe(
            {"type": "subscribe_events", "event_type": "navilink_connection"}, self._on_conn
        )
        assert self.sim.pid
        self.meter = CpuMeter(self.hass.pid, self.sim.pid)
        self._sampler = asyncio.create_task(self._sample_load())
        self.results["hass_start_s"] = self.hass.started_s
        self.results["sim_start_s"] = self.sim_proc.startup_s

    async def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        if self.api is not None:
            with contextlib.suppress(Exception):
                await self.api.close()
        if self.hass is not None:
            self.hass.stop()
        if self.control is not None:
            await self.control.close()
        self.sim_proc.stop()

    def own_cpu_s(self) -> float:
        """CPU used by hass, the simulator (with Mosquitto) and this process so far."""
        assert self.meter is not None
        snap = self.meter.snap()
        return snap.hass + snap.sim + snap.bench

    async def _sample_load(self) -> None:
        while True:
            self.load.sample()
            await asyncio.sleep(5)

    def _on_conn(self, event: dict[str, Any]) -> None:
        data = dict(event.get("data", {}))
        data["received"] = time.time()
        self.conn_events.append(data)
        self._changed.set()

    def _on_trigger(self, event: dict[str, Any]) -> None:
        trigger = event.get("variables", {}).get("trigger", {})
        to_state = trigger.get("to_state")
        if not to_state:
            return
        self.records.append(
            StateRecord(
                entity_id=to_state["entity_id"],
                state=to_state["state"],
                attributes=to_state.get("attributes", {}),
                written=_ts(to_state["last_updated"]),
                received=time.time(),
            )
        )
        self._changed.set()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Re-check `predicate` on every event until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    def stamped_since(self, entry: Entry, since: float, start: int = 0) -> list[StateRecord]:
        """Stamped statuses of the entry's heaters sent at or after `since` (epoch s)."""
        out = []
        for rec in self.records[start:]:
            if rec.entity_id in entry.stamp_entities:
                stamp = rec.stamp
                if stamp is not None and stamp >= since:
                    out.append(rec)
        return out

    # ---------------------------------------------------------------- entries

    async def entry_state(self, entry_id: str) -> str | None:
        assert self.api is not None
        for item in await self.api.rest("GET", "/api/config/config_entries/entry"):
            if item["entry_id"] == entry_id:
                return str(item["state"])
        return None

    async def add_entry(self, email: str, password: str, macs: list[str]) -> dict[str, Any]:
        """Config flow → entry loaded → every heater's stamped sensor has a status."""
        assert self.api is not None and self.meter is not None and self.control is not None
        for mac in macs:
            await self.control.stamp(mac, STAMP_FIELD)
        rss_before = self.meter.rss()
        t0 = time.monotonic()
        flow = await self.api.rest(
            "POST", "/api/config/config_entries/flow", {"handler": "navilink"}
        )
        result = await self.api.rest(
            "POST",
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            {"email": email, "password": password},
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"config flow did not create an entry: {result}")
        flow_s = time.monotonic() - t0
        entry = Entry(result["result"]["entry_id"], email, list(macs))
        state = None
        while time.monotonic() - t0 < 120:
            state = await self.entry_state(entry.entry_id)
            if state == "loaded":
                break
            await asyncio.sleep(0.05)
        if state != "loaded":
            raise RuntimeError(f"entry {email} did not load: {state}")
        loaded_s = time.monotonic() - t0
        registry = await self.api.call({"type": "config/entity_registry/list"})
        mine = [r for r in registry if r.get("config_entry_id") == entry.entry_id]
        entry.entities = sum(1 for r in mine if not r.get("disabled_by"))
        for reg in mine:
            uid = str(reg.get("unique_id", ""))
            if uid.endswith(STAMP_SUFFIX):
                entry.stamp_entities[reg["entity_id"]] = uid[: -len(STAMP_SUFFIX)]
            elif reg["entity_id"].startswith("water_heater."):
                entry.water_heaters[uid.split("_", 1)[0]] = reg["entity_id"]
        await self.watch(entry)
        states = await self.api.rest("GET", "/api/states")
        numeric = {
            s["entity_id"]
            for s in states
            if s["entity_id"] in entry.stamp_entities and s["state"].isdigit()
        }
        if len(entry.stamp_entities) != len(macs) or len(numeric) != len(macs):
            raise RuntimeError(
                f"{email}: {len(entry.stamp_entities)} stamped sensors, {len(numeric)} with a "
                f"status, for {len(macs)} heaters"
            )
        ready_s = time.monotonic() - t0
        await asyncio.sleep(3)
        rss_after = self.meter.rss()
        return {
            "entry": entry,
            "flow_s": flow_s,
            "loaded_s": loaded_s,
            "ready_s": ready_s,
            "entities": entry.entities,
            "rss_before": rss_before,
            "rss_after": rss_after,
        }

    async def watch(self, entry: Entry) -> None:
        """Subscribe to the state changes of the stamped sensors and the water heaters."""
        assert self.api is not None
        entry.subscription = await self.api.subscribe(
            {
                "type": "subscribe_trigger",
                "trigger": {
                    "platform": "state",
                    "entity_id": sorted([*entry.stamp_entities, *entry.water_heaters.values()]),
                },
            },
            self._on_trigger,
        )

    async def remove_entry(self, entry: Entry) -> None:
        assert self.api is not None
        if entry.subscription is not None:
            await self.api.unsubscribe(entry.subscription)
        await self.api.rest("DELETE", f"/api/config/config_entries/entry/{entry.entry_id}")

    async def settle(
        self, entry: Entry, since_event: int, since: float, timeout: float = 60
    ) -> None:
        """Connected (an event after `since_event`) and a status sent after `since`."""

        def done() -> bool:
            events = [e for e in self.conn_events[since_event:] if e["entry_id"] == entry.entry_id]
            connected = bool(events) and events[-1]["state"] == "connected"
            return connected and bool(self.stamped_since(entry, since))

        await self.wait_until(done, timeout, "the entry to connect and report")

    async def reload(self, entry: Entry) -> None:
        assert self.api is not None
        idx, since = len(self.conn_events), time.time()
        await self.api.rest("POST", f"/api/config/config_entries/entry/{entry.entry_id}/reload")
        await self.settle(entry, idx, since)

    # ---------------------------------------------------------------- phases

    async def idle_rate(self, seconds: float) -> dict[str, float]:
        """hass CPU seconds per wall second with nothing happening."""
        assert self.meter is not None
        a = self.meter.snap()
        await asyncio.sleep(seconds)
        d = self.meter.delta(a, self.meter.snap())
        return {"cpu_per_s": d["hass_cpu_s"] / d["wall_s"], "other_cores": d["other_cores"]}

    async def phase_setup(self) -> Entry:
        assert self.sim is not None and self.meter is not None
        account = self.sim.accounts[0]
        await asyncio.sleep(2)  # let hass finish starting up before the "before" RSS
        info = await self.add_entry(account.email, account.password, account.devices)
        self.results["setup_one"] = {k: v for k, v in info.items() if k != "entry"}
        entry: Entry = info["entry"]
        return entry

    async def phase_push(self, entry: Entry) -> None:
        assert self.control is not None and self.meter is not None
        mac = entry.macs[0]
        idle = await self.idle_rate(self.p.idle_s)
        start = len(self.records)
        a = self.meter.snap()
        t0 = time.time()
        await self.control.push(mac, self.p.push_n, self.p.push_interval_s)
        n = self.p.push_n
        await self.wait_until(
            lambda: len(self.stamped_since(entry, t0, start)) >= n,
            n * self.p.push_interval_s + 60,
            f"{n} pushed statuses in hass",
        )
        b = self.meter.snap()
        recs = self.stamped_since(entry, t0, start)
        window = self.meter.delta(a, b)
        busy = window["hass_cpu_s"] - idle["cpu_per_s"] * window["wall_s"]
        latencies = [(r.written - r.stamp) * 1000 for r in recs if r.stamp is not None]
        deliver = [(r.received - r.written) * 1000 for r in recs]
        cpu = await self._unwatched_burst(entry)
        self.results["push"] = {
            "latency_ms": summary(latencies),
            "ws_delivery_ms": summary(deliver),
            "messages": len(recs),
            "rate_per_s": len(recs) / window["wall_s"],
            "idle_cpu_per_s": cpu["idle_cpu_per_s"],
            "cpu_ms_per_msg": cpu["cpu_ms_per_msg"],
            "cpu_ms_per_msg_watched": busy / len(recs) * 1000,
            "window": cpu["window"],
            "entities": entry.entities,
        }

    async def _unwatched_burst(self, entry: Entry) -> dict[str, Any]:
        """The push burst again, for its CPU, without the bench's trigger subscription: that
        subscription makes hass run a trigger and send a websocket event per status, work an
        installation without such a client does not do. The end is seen by reading the stamped
        sensor over REST (a few requests after the burst's nominal end, not one per status);
        the latency burst just before showed that every status of such a burst arrives."""
        assert self.control is not None and self.meter is not None and self.api is not None
        mac = entry.macs[0]
        sensor = next(e for e, m in entry.stamp_entities.items() if m == mac)
        if entry.subscription is not None:
            await self.api.unsubscribe(entry.subscription)
            entry.subscription = None
        await asyncio.sleep(1)
        idle = await self.idle_rate(self.p.idle_s)
        n, interval = self.p.push_n, self.p.push_interval_s
        a = self.meter.snap()
        t0 = time.time()
        await self.control.push(mac, n, interval)
        await asyncio.sleep(n * interval)
        last_sent = t0 + (n - 1) * interval
        previous = None
        for _ in range(240):
            state = await self.api.rest("GET", f"/api/states/{sensor}")
            stamp = int(state["state"]) / 1e6
            # the last status is in when the stamp is that of the last push and stays put
            if stamp == previous and stamp >= last_sent - 1.0:
                break
            previous = stamp
            await asyncio.sleep(0.25)
        else:
            raise TimeoutError(f"the {n} unwatched statuses did not all arrive")
        b = self.meter.snap()
        window = self.meter.delta(a, b)
        busy = window["hass_cpu_s"] - idle["cpu_per_s"] * window["wall_s"]
        await self.watch(entry)
        return {
            "idle_cpu_per_s": idle["cpu_per_s"],
            "cpu_ms_per_msg": busy / n * 1000,
            "window": window,
        }

    async def phase_commands(self, entry: Entry) -> None:
        assert self.api is not None
        mac = entry.macs[0]
        wh = entry.water_heaters[mac]
        state_rt: list[float] = []
        service_rt: list[float] = []
        for i in range(self.p.commands):
            target = 50.0 if i % 2 == 0 else 52.5
            start = len(self.records)
            t0 = time.time()
            call = self.api.send_nowait(
                {
                    "type": "call_service",
                    "domain": "water_heater",
                    "service": "set_temperature",
                    "service_data": {"temperature": target},
                    "target": {"entity_id": wh},
                }
            )

            def confirmed(target: float = target, start: int = start) -> StateRecord | None:
                for rec in self.records[start:]:
                    if rec.entity_id == wh and rec.attributes.get("temperature") == target:
                        return rec
                return None

            rec = await self.wait_until(confirmed, 30, f"set_temperature {target} in hass")
            await asyncio.wait_for(call, 30)
            t_service = time.time()
            state_rt.append((rec.written - t0) * 1000)
            service_rt.append((t_service - t0) * 1000)
        self.results["commands"] = {
            "state_ms": summary(state_rt),
            "service_ms": summary(service_rt),
        }

    async def _recover(
        self, entry: Entry, name: str, fault: Callable[[], Awaitable[tuple[float, float]]]
    ) -> dict[str, Any]:
        """Run `fault` (returns its start and end, epoch s) and time the way back."""
        await self.reload(entry)  # a fresh session: the backoff starts at attempt 1
        idx = len(self.conn_events)
        t_start, t_end = await fault()

        def recovered() -> tuple[dict[str, Any], StateRecord] | None:
            events = [e for e in self.conn_events[idx:] if e["entry_id"] == entry.entry_id]
            if not events or events[-1]["state"] != "connected":
                return None
            fresh = self.stamped_since(entry, t_end)
            return (events[-1], fresh[0]) if fresh else None

        try:
            connected, fresh = await self.wait_until(recovered, 240, f"recovery from {name}")
        except TimeoutError as err:
            return {"name": name, "error": str(err)}
        events = [e for e in self.conn_events[idx:] if e["entry_id"] == entry.entry_id]
        retries = [e for e in events if e["type"] in ("reconnecting", "deep_reconnect")]
        last_retry = retries[-1] if retries else None
        retry_at = (
            _ts(last_retry["next_retry_at"])
            if last_retry and last_retry.get("next_retry_at")
            else None
        )
        t_connected = _ts(connected["at"])
        due = max(t_end, retry_at) if retry_at is not None else t_end
        return {
            "name": name,
            "fault_s": t_end - t_start,
            "recovery_s": fresh.written - t_end,
            "connected_s": t_connected - t_end,
            "scheduled_retry_s": None if retry_at is None else retry_at - t_end,
            "beyond_schedule_s": fresh.written - due,
            "fresh_after_connect_s": fresh.written - t_connected,
            "attempts": connected.get("attempt"),
            "tier": last_retry.get("tier") if last_retry else None,
            "reason": connected.get("reason"),
            "disconnects": sum(1 for e in events if e["type"] == "disconnected"),
            "timeline": [
                {
                    "type": e["type"],
                    "attempt": e.get("attempt"),
                    "at_s": round(_ts(e["at"]) - t_end, 3),
                    "retry_s": (
                        round(_ts(e["next_retry_at"]) - t_end, 3)
                        if e.get("next_retry_at")
                        else None
                    ),
                    "reason": e.get("reason"),
                }
                for e in events
            ],
            "retries": len(retries),
        }

    async def phase_recovery(self, entry: Entry) -> None:
        control = self.control
        assert control is not None
        out: list[dict[str, Any]] = []

        def outage(state: str, seconds: float) -> Callable[[], Awaitable[tuple[float, float]]]:
            async def run() -> tuple[float, float]:
                t_start = time.time()
                await control.network(state)
                await asyncio.sleep(seconds)
                t_end = time.time()
                await control.network("up")
                return t_start, t_end

            return run

        async def broker() -> tuple[float, float]:
            t_start = time.time()
            await control.broker_restart()
            return t_start, time.time()

        async def expire() -> tuple[float, float]:
            t = time.time()
            await control.expire_credentials()
            return t, t

        down = self.p.network_down_s
        out.append(await self._recover(entry, f"network down {down:.0f} s", outage("down", down)))
        out.append(await self._recover(entry, "broker restart", broker))
        out.append(await self._recover(entry, "credentials expired", expire))
        bh = self.p.blackhole_s
        out.append(await self._recover(entry, f"blackhole {bh:.0f} s", outage("blackhole", bh)))
        # Longer outages are measured at the library level (phase "outage"): the options no
        # longer accept the scaled-down policy a scaled outage in hass would need.
        self.results["recovery"] = out

    async def phase_outage(self) -> None:
        assert self.sim is not None and self.control is not None
        self.results["outage"] = [
            await run_outage(self.sim, self.control, o, self.p.outage_sessions, seed=i)
            for i, o in enumerate(self.p.outages)
        ]

    async def phase_scale(self) -> None:
        self.results["scale"] = [await self._scale_one(n) for n in self.p.scale_sizes]

    async def _scale_one(self, n: int) -> dict[str, Any]:
        assert self.control is not None and self.meter is not None
        control = self.control
        email = f"scale{n}@example.com"
        account = await control.add_account(email, "scale-pw", heaters=n)
        macs = list(account["devices"])
        for _ in range(200):
            devices = (await control.state())["devices"]
            if all(devices[m]["broker_connected"] for m in macs):
                break
            await asyncio.sleep(0.1)
        info = await self.add_entry(email, "scale-pw", macs)
        entry: Entry = info["entry"]
        idle = await self.idle_rate(self.p.idle_s)
        # the same message rate at every size: time is compressed for the smaller ones
        interval = n / self.p.scale_rate_per_s
        count = max(1, round(self.p.scale_run_s / interval))
        expected = count * n
        # ... and so is their tank physics: each status carries 30 s of simulated change, as
        # at the real period (else the compressed sizes would change fewer entities per status)
        for mac in macs:
            await control.speed(mac, 30 / interval)
        start = len(self.records)
        a = self.meter.snap()
        t0 = time.time()

        async def pusher(i: int, mac: str) -> None:
            await asyncio.sleep(i * interval / n)
            await control.push(mac, count, interval)

        await asyncio.gather(*(pusher(i, m) for i, m in enumerate(macs)))
        await self.wait_until(
            lambda: len(self.stamped_since(entry, t0, start)) >= expected,
            count * interval + 120,
            f"{expected} statuses from {n} heaters",
        )
        # poll replies are stamped too: wait for the last push itself, and a second more
        last_push = t0 + (n - 1) * interval / n + (count - 1) * interval
        await asyncio.sleep(max(0.0, last_push - time.time()) + 1)
        b = self.meter.snap()
        window = self.meter.delta(a, b)
        recs = self.stamped_since(entry, t0, start)
        # The integration's own status polls (one per heater and status_interval) run during
        # the idle windows as well as the load: the idle rate (the lower of the windows before
        # and after, so that start-up work still running is not subtracted) takes them out with
        # the rest of the background, and the pushed statuses alone count.
        idle_after = await self.idle_rate(self.p.idle_s)
        idle_rate = min(idle["cpu_per_s"], idle_after["cpu_per_s"])
        busy = window["hass_cpu_s"] - idle_rate * window["wall_s"]
        per_msg = busy / expected
        latencies = [(r.written - r.stamp) * 1000 for r in recs if r.stamp is not None]
        await self.remove_entry(entry)
        for mac in macs:
            await control.stamp(mac, None)
        return {
            "heaters": n,
            "entities": info["entities"],
            "setup_s": info["loaded_s"],
            "ready_s": info["ready_s"],
            "rss_added_mib": (info["rss_after"] - info["rss_before"]) / 2**20,
            "idle_cpu_s_per_min": idle_rate * 60,
            "idle_cpu_s_per_min_before_after": (
                idle["cpu_per_s"] * 60,
                idle_after["cpu_per_s"] * 60,
            ),
            "cpu_ms_per_msg": per_msg * 1000,
            "cpu_ms_per_msg_all_window": window["hass_cpu_s"] / len(recs) * 1000,
            "cpu_s_per_min_at_30s": per_msg * n * 2 + idle_rate * 60,
            "compression": 30 / interval,
            "interval_s": interval,
            "messages": len(recs),
            "pushed": expected,
            "latency_ms": summary(latencies),
            "window": window,
        }

    async def run(self, phases: set[str]) -> dict[str, Any]:
        started = time.monotonic()
        try:
            await self.start()
            entry = await self.phase_setup()
            if "push" in phases:
                await self.phase_push(entry)
            if "commands" in phases:
                await self.phase_commands(entry)
            if "recovery" in phases:
                await self.phase_recovery(entry)
            await self.remove_entry(entry)
            if "outage" in phases:
                await self.phase_outage()
            if "scale" in phases:
                await self.phase_scale()
            self.results["load"] = self.load.result(self.own_cpu_s())
            self.results["backoff_model"] = backoff_model()
        finally:
            if self.hass is not None:
                self.results["hass_log"] = scan_log(self.hass.log_path)
            self.results["bench_s"] = time.monotonic() - started
            await self.stop()
        self.results["pid"] = os.getpid()
        return self.results


def scan_log(path: Path) -> dict[str, Any]:
    """Warnings and errors hass logged about the integration during the run."""
    blocking: dict[str, int] = {}
    errors: dict[str, int] = {}
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return {}
    for line in lines:
        if "Detected blocking call" in line and "'navilink'" in line:
            call = line.split("Detected blocking call to ", 1)[1].split(" with args", 1)[0]
            site = line.split(" at ", 1)[1].split(":", 1)[0] if " at " in line else "?"
            key = f"{call} ({site})"
            blocking[key] = blocking.get(key, 0) + 1
        elif " ERROR " in line and "navilink" in line:
            msg = line.split("] ", 1)[-1][:160]
            errors[msg] = errors.get(msg, 0) + 1
    return {"blocking_calls": blocking, "errors": errors}


def backoff_model(draws: int = 10_000, attempt_s: float = 0.05) -> list[dict[str, Any]]:
    """Wait from the end of an outage to the first retry, under the real ReconnectPolicy.

    Monte-Carlo over the policy's jitter; every failing attempt is taken to cost `attempt_s`
    (the gateway refuses at once). Gives the distribution the single measured run is one draw of.
    """
    import random

    from aionavilink import ReconnectPolicy

    rng = random.Random(6)
    cases = [
        ("network down 30 s, default policy", ReconnectPolicy(), 30.0),
        ("network down 5 min, default policy", ReconnectPolicy(), 300.0),
        (
            "network down 5 min ÷10 (30 s, policy ÷10)",
            ReconnectPolicy(initial_delay=0.1, max_delay=12.0),
            30.0,
        ),
    ]
    out = []
    for name, policy, outage in cases:
        waits = []
        attempts: list[float] = []
        for _ in range(draws):
            t, n = 0.0, 0
            while True:
                n += 1
                t += policy.delay(n, rng)
                if t >= outage:
                    break
                t += attempt_s
            waits.append(t - outage)
            attempts.append(n)
        out.append({"name": name, "wait_s": summary(waits), "attempt": summary(attempts)})
    return out
