"""Chaos soak: a seeded storm of every fault navilink_sim offers against one live session.

A dedicated simulator (own Mosquitto, own gateway, ``--speed``) keeps the storm away from the
shared one. The session runs with a scaled clock (reconnect policy in tens of milliseconds).
Commands are issued throughout; at the end every one of them must have an outcome (confirmed,
or failed with its own error), nothing may still be pending, every heater must be online with
a status newer than the last cleared fault, and no task, thread or memory may have leaked.

Default: 500 faults (a few minutes at most). ``--soak`` / ``NAVILINK_SOAK=1``: 5000 faults.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import json
import linecache
import logging
import os
import random
import resource
import sys
import threading
import time
import traceback
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aionavilink import (
    CommandError,
    CommandEvictedError,
    CommandExpiredError,
    CommandTimeoutError,
    ConnectionEvent,
    ConnectionState,
    DhwMode,
    Endpoints,
    NaviLinkSession,
    NotConnectedError,
    ReconnectPolicy,
    SessionOptions,
)
from navilink_sim.testing import SimControl, SimInfo, isolated_control, running_sim

SEED = 20261123
QUIET_WINDOW = 5.0  # seconds after recovery in which no second connection may appear

# The client's clock, scaled down: same code paths, tens of milliseconds instead of minutes.
CHAOS_POLICY = ReconnectPolicy(
    initial_delay=0.02,
    multiplier=2.0,
    max_delay=0.2,
    jitter=0.2,
    deep_every=8,
    max_attempts=None,  # unlimited, as Home Assistant runs it
    auth_retry_interval=0.3,
    stable_after=2.0,
)
CHAOS_OPTIONS = SessionOptions(
    policy=CHAOS_POLICY,
    status_interval=0.3,
    watchdog_misses=2,
    command_timeout=2.0,
    queue_size=12,
    queue_ttl=4.0,
    keep_alive_secs=2,
    ping_timeout_ms=1000,
    operation_timeout=3.0,
    connect_timeout=2.0,
    expiry_margin=0.0,
    device_refresh_interval=1.0,
    resubscribe_retry=0.2,
    initial_data_timeout=5.0,
    sdk_reconnect_min_secs=1,
    sdk_reconnect_max_secs=2,
)

FAULT_KINDS = (
    "drop",
    "network_down",
    "blackhole",
    "broker_restart",
    "credential_expiry",
    "identity_delete",
    "rest_500",
    "rest_delay",
    "device_offline",
)

# Outcomes a command may legitimately end with under chaos (everything else is a bug).
EXPECTED_FAILURES: tuple[type[CommandError], ...] = (
    CommandExpiredError,
    CommandEvictedError,
    CommandTimeoutError,
    NotConnectedError,
)

HEATERS = 3

MIB = 1024 * 1024
# The memory checks measure the session, not this test: what this module allocates (its
# statistics), what the log capture keeps (pytest holds every record of a test) and the stack
# that the test loop's debug mode records for every live future, task and handle (it swings by
# hundreds of KiB with the number of operations in flight at a mark) are left out.
TEST_OWN_RECORDS = (
    tracemalloc.Filter(False, __file__),
    tracemalloc.Filter(False, logging.__file__),
    tracemalloc.Filter(False, "*/_pytest/*"),
    tracemalloc.Filter(False, traceback.__file__),
    tracemalloc.Filter(False, linecache.__file__),
)


def _rss_kib() -> int:
    """Current resident set size (KiB), from /proc."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() // 1024
    except OSError:
        return 0


def _session_bytes() -> int:
    """Traced memory after a full collection, without the test's own records.

    The interpreter's internal caches are emptied first. Its type attribute cache (4096 slots)
    keeps the name of each attribute looked up, and awscrt's C code looks attributes up by
    names it creates anew on every call (``_binding``, ``connect_timeout_ms``, ...), so the
    cache fills with up to 4096 such strings (about 50 bytes each) over the first thousands of
    connections: the interpreter's, bounded, and gone once emptied (measured: 600 bytes per
    connection before, none after)."""
    gc.collect()
    sys._clear_internal_caches()
    snapshot = tracemalloc.take_snapshot().filter_traces(TEST_OWN_RECORDS)
    return sum(stat.size for stat in snapshot.statistics("filename"))


def _text_only_records(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """A log record factory whose records keep only their text.

    pytest keeps every record of a test. A record's arguments (strings the session formatted,
    an exception and whatever its traceback references) were allocated by the session, and its
    file and module names by ``os.path``, so the memory checks would count them as the
    session's. Formatted here, at creation, a record holds its message and exception text
    instead, allocated in this module and left out, and one copy of each name; what pytest
    shows is the same text."""

    names: dict[str, str] = {}

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        record.msg, record.args = record.getMessage(), None
        # a new copy of the module's file and module name per record, made by logging
        record.filename = names.setdefault(record.filename, record.filename)
        record.module = names.setdefault(record.module, record.module)
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        return record

    return make_record


def _live_threads() -> set[threading.Thread]:
    """Threads that count as a leak. Excluded, as pytest-homeassistant-custom-component does:
    awscrt's native-callback dummy threads and pycares' channel-shutdown thread (aiohttp's
    resolver); and the event loop's default executor workers (``asyncio_N``, or Home
    Assistant's ``SyncWorker_N`` under its loop policy): the loop owns that bounded pool, which
    serves DNS lookups and the session's connection builds."""
    return {
        t
        for t in threading.enumerate()
        if t.is_alive()
        and not isinstance(t, threading._DummyThread)
        and not t.name.startswith(("asyncio_", "SyncWorker_"))
        and "_run_safe_shutdown_loop" not in t.name
    }


async def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


class _ErrorLogs(logging.Handler):
    """Collects ERROR records of the library's and the integration's loggers (a failed task,
    a crashed listener)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class ChaosStats:
    """What one run did; written as the summary."""

    seed: int
    faults_planned: int
    faults: collections.Counter[str] = field(default_factory=collections.Counter)
    commands_issued: collections.Counter[str] = field(default_factory=collections.Counter)
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    unexpected: list[str] = field(default_factory=list)
    loop_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "faults_planned": self.faults_planned,
            "faults_by_kind": dict(sorted(self.faults.items())),
            "commands_by_kind": dict(sorted(self.commands_issued.items())),
            "commands_by_outcome": dict(sorted(self.outcomes.items())),
            "unexpected_outcomes": self.unexpected[:20],
            "loop_errors": self.loop_errors[:20],
        }


@pytest.fixture(scope="module")
def chaos_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimInfo]:
    """A simulator of our own: the storm restarts its broker hundreds of times."""
    with running_sim(
        tmp_path_factory.mktemp("chaos_sim"), "--heaters", "0", "--speed", "120"
    ) as info:
        yield info


@pytest.fixture
async def chaos_control(chaos_sim: SimInfo) -> AsyncIterator[SimControl]:
    async with isolated_control(chaos_sim) as control:
        yield control


class Chaos:
    """Runs the seeded fault schedule and the command stream against one session."""

    def __init__(
        self,
        *,
        session: NaviLinkSession,
        control: SimControl,
        account: dict[str, Any],
        macs: list[str],
        faults: int,
        seed: int,
    ) -> None:
        self.session = session
        self.control = control
        self.account = account
        self.macs = macs
        self.n_faults = faults
        self.rng = random.Random(seed)
        self.cmd_rng = random.Random(seed + 1)
        self.stats = ChaosStats(seed=seed, faults_planned=faults)
        # Only the commands still running: a finished one is counted in the stats and let go
        # (kept, every task would hold its result or its exception with its traceback, and
        # the memory check would measure this bookkeeping instead of the session).
        self.command_tasks: set[asyncio.Task[Any]] = set()
        self.issued = 0
        self.last_cleared = 0.0
        # (tracemalloc current, the same without the test's own records, rss KiB)
        self.mem_marks: list[tuple[int, int, int]] = []
        self._stop_commands = asyncio.Event()

    # -------------------------------------------------------------- faults

    async def _hold(self, low: float, high: float) -> None:
        await asyncio.sleep(self.rng.uniform(low, high))

    async def fault(self, kind: str) -> None:
        control, rng = self.control, self.rng
        email = self.account["email"]
        if kind == "drop":
            await control.drop()
        elif kind == "network_down":
            await control.network("down")
            try:
                await self._hold(0.02, 0.5)
            finally:
                await control.network("up")
        elif kind == "blackhole":
            await control.network("blackhole")
            try:
                # mostly a short stall; now and then long enough for the watchdog to act
                await self._hold(0.9, 1.4) if rng.random() < 0.2 else await self._hold(0.02, 0.3)
            finally:
                await control.network("up")
        elif kind == "broker_restart":
            await control.broker_restart()
        elif kind == "credential_expiry":
            await control.expire_credentials()
        elif kind == "identity_delete":
            await control.delete_account(email)
            try:
                await self._hold(0.05, 0.6)
            finally:
                await control.restore_account(email)
        elif kind == "rest_500":
            await control.rest_fault(status=500, count=rng.randint(1, 6))
            try:
                await control.drop()  # make the session need REST (deep tiers, refresh)
                await self._hold(0.05, 0.4)
            finally:
                await control.rest_fault(count=0)
        elif kind == "rest_delay":
            await control.rest_fault(delay_s=rng.uniform(0.05, 0.4), count=rng.randint(1, 4))
            try:
                if rng.random() < 0.5:
                    await control.expire_credentials()  # the reconnect must sign in, slowly
                await self._hold(0.05, 0.4)
            finally:
                await control.rest_fault(count=0)
        elif kind == "device_offline":
            offline = rng.sample(self.macs, rng.randint(1, len(self.macs)))
            for mac in offline:
                await control.set_online(mac, False)
            try:
                await self._hold(0.05, 0.6)
            finally:
                for mac in offline:
                    await control.set_online(mac, True)
        else:  # pragma: no cover - the schedule only draws known kinds
            raise AssertionError(kind)
        self.stats.faults[kind] += 1
        self.last_cleared = time.monotonic()

    def schedule(self) -> list[str]:
        """Every kind at least n // (2 * kinds) times, the rest drawn at random; shuffled."""
        base = max(1, self.n_faults // (2 * len(FAULT_KINDS)))
        kinds = [k for k in FAULT_KINDS for _ in range(base)]
        kinds += [self.rng.choice(FAULT_KINDS) for _ in range(self.n_faults - len(kinds))]
        self.rng.shuffle(kinds)
        return kinds

    def _mark_memory(self) -> None:
        session = _session_bytes()
        current, _ = tracemalloc.get_traced_memory()
        self.mem_marks.append((current, session, _rss_kib()))

    async def run_faults(self) -> None:
        plan = self.schedule()
        half = len(plan) // 2
        self._mark_memory()
        for index, kind in enumerate(plan):
            if index == half:
                self._mark_memory()
            await self.fault(kind)
            await asyncio.sleep(self.rng.uniform(0.0, 0.08))
        await self.control.reset()  # belt and braces: every fault is already cleared
        self.last_cleared = time.monotonic()

    # -------------------------------------------------------------- commands

    def _issue(self) -> None:
        rng, session = self.cmd_rng, self.session
        mac = rng.choice(self.macs)
        kind = rng.choices(
            ("set_temperature", "set_mode", "request_status", "energy", "reservations"),
            weights=(4, 3, 3, 1, 1),
        )[0]
        coro: Any
        if kind == "set_temperature":
            coro = session.set_temperature(mac, rng.randrange(90, 121) / 2)  # 45.0..60.0 °C
        elif kind == "set_mode":
            coro = session.set_mode(
                mac, rng.choice((DhwMode.HEAT_PUMP, DhwMode.ELECTRIC, DhwMode.HIGH_DEMAND))
            )
        elif kind == "request_status":
            coro = session.request_status(mac)
        elif kind == "energy":
            today = date.today()
            coro = session.request_energy_usage(mac, today.year, [today.month])
        else:
            coro = session.read_reservations(mac)
        self.stats.commands_issued[kind] += 1
        task = asyncio.get_running_loop().create_task(coro, name=f"chaos-{kind}")
        task.add_done_callback(self._record)
        self.command_tasks.add(task)
        self.issued += 1

    def _record(self, task: asyncio.Task[Any]) -> None:
        self.command_tasks.discard(task)
        if task.cancelled():
            self.stats.outcomes["cancelled"] += 1
            self.stats.unexpected.append(f"{task.get_name()}: cancelled")
            return
        exc = task.exception()
        if exc is None:
            self.stats.outcomes["confirmed"] += 1
        elif isinstance(exc, EXPECTED_FAILURES):
            self.stats.outcomes[type(exc).__name__] += 1
        else:
            self.stats.outcomes[type(exc).__name__] += 1
            self.stats.unexpected.append(f"{task.get_name()}: {type(exc).__name__}: {exc}")

    async def run_commands(self) -> None:
        while not self._stop_commands.is_set():
            self._issue()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._stop_commands.wait(), timeout=self.cmd_rng.uniform(0.03, 0.2)
                )

    def stop_commands(self) -> None:
        self._stop_commands.set()


async def _new_account(control: SimControl) -> tuple[dict[str, Any], list[str]]:
    email = f"chaos-{uuid.uuid4().hex[:10]}@example.com"
    account = await control.add_account(email, "pw-" + uuid.uuid4().hex[:8], heaters=1)
    macs = list(account["devices"])
    for _ in range(HEATERS - 1):
        macs.append(await control.add_device(email))  # account-level faults hit every heater
    return account, macs


async def run_chaos(
    sim: SimInfo, control: SimControl, faults: int, tmp_path: Path, record: Callable[..., None]
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    stats_loop_errors: list[str] = []
    previous_handler = loop.get_exception_handler()

    def on_loop_error(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        stats_loop_errors.append(f"{context.get('message')}: {exc!r}")

    error_logs = _ErrorLogs()
    watched = [logging.getLogger(name) for name in ("aionavilink", "custom_components.navilink")]
    for logger in watched:
        logger.addHandler(error_logs)
    previous_factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(_text_only_records(previous_factory))

    account, macs = await _new_account(control)
    tasks_before = set(asyncio.all_tasks())
    threads_before = _live_threads()
    started = time.monotonic()

    events: collections.Counter[str] = collections.Counter()
    status_at: dict[str, float] = {}

    loop.set_exception_handler(on_loop_error)
    tracemalloc.start()
    websession = aiohttp.ClientSession()
    session = NaviLinkSession(
        websession,
        account["email"],
        account["password"],
        endpoints=Endpoints(api_url=sim.api_url, mqtt_url=sim.mqtt_url, ca_file=sim.ca_file),
        options=CHAOS_OPTIONS,
        rng=random.Random(SEED + 2),
    )

    def on_event(event: ConnectionEvent) -> None:
        events[event.type.value] += 1

    def on_status(mac: str, _: Any) -> None:
        status_at[mac] = time.monotonic()

    session.add_connection_listener(on_event)
    session.add_status_listener(on_status)
    chaos = Chaos(
        session=session, control=control, account=account, macs=macs, faults=faults, seed=SEED
    )
    summary: dict[str, Any] = {}
    try:
        await session.start()
        assert session.connected
        assert set(session.devices) == set(macs)

        commander = loop.create_task(chaos.run_commands(), name="chaos-commander")
        try:
            await chaos.run_faults()
        finally:
            chaos.stop_commands()
            await commander
        faults_done = time.monotonic()
        chaos._mark_memory()

        # -- recovery: connected, subscriptions back, every heater online and fresh
        cleared = chaos.last_cleared
        await wait_until(lambda: session.connected, 30, "the session to reconnect")
        await wait_until(lambda: not session.unrestored_topics, 30, "every topic restored")
        await wait_until(
            lambda: all(status_at.get(mac, 0.0) > cleared for mac in macs),
            30,
            "a status newer than the last cleared fault from every heater",
        )
        await wait_until(
            lambda: all(session.devices[m].online is True for m in macs),
            30,
            "every heater listed online again",
        )
        # -- every command ends: confirmed or failed with its own error
        bound = CHAOS_OPTIONS.queue_ttl + CHAOS_OPTIONS.command_timeout + 10
        if chaos.command_tasks:
            await asyncio.wait(set(chaos.command_tasks), timeout=bound)
        lost = len(chaos.command_tasks)
        await wait_until(lambda: session.pending_commands == 0, 30, "no command pending")
        recovered = time.monotonic()

        # a live round-trip per heater proves the recovered state is usable
        for mac in macs:
            fresh = await session.request_status(mac)
            assert fresh.dhw_temperature is not None
        # no abandoned connection lives on beside the session's own: a quiet window with no
        # CONNECT of our client id while another lives (awscrt's own reconnect is scaled to
        # 1-2 s, so a surviving connection would fight within it), and exactly one left
        takeovers = (await control.state())["gateway"]["takeovers"]["count"]
        await asyncio.sleep(QUIET_WINDOW)
        gateway = (await control.state())["gateway"]
        live = [c for c in gateway["connections"] if c["client_id"] == session.client_id]
        assert gateway["takeovers"]["count"] == takeovers, gateway["takeovers"]
        assert len(live) == 1, gateway["connections"]
        counters = session.health.counters
        summary = {
            **chaos.stats.as_dict(),
            "faults_total": sum(chaos.stats.faults.values()),
            "commands_issued": chaos.issued,
            "commands_lost": lost,
            "reconnects": {
                "quick": counters.quick_reconnects,
                "deep": counters.deep_reconnects,
                "connects": counters.connects,
                "auth_retries": counters.auth_retries,
            },
            "connection_events": dict(sorted(events.items())),
            "malformed_messages": counters.malformed_messages,
            "session_counters": {
                "commands_sent": counters.commands_sent,
                "commands_confirmed": counters.commands_confirmed,
                "commands_failed": counters.commands_failed,
                "commands_expired": counters.commands_expired,
                "commands_evicted": counters.commands_evicted,
                "resubscribe_failures": counters.resubscribe_failures,
            },
            "sign_ins": session.auth.sign_ins,
            "token_refreshes": session.auth.refreshes,
            "seconds": {
                "faults": round(faults_done - started, 1),
                "recovery": round(recovered - faults_done, 2),
            },
        }
    finally:
        await session.stop()
        await websession.close()
        await asyncio.sleep(0.1)
        session_end = _session_bytes()
        mem_end = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        loop.set_exception_handler(previous_handler)
        logging.setLogRecordFactory(previous_factory)
        for logger in watched:
            logger.removeHandler(error_logs)
    assert session.state is ConnectionState.STOPPED

    # -- leaks: tasks and threads
    leaked_tasks = [
        t for t in asyncio.all_tasks() - tasks_before if t is not asyncio.current_task()
    ]
    await wait_until(
        lambda: not (_live_threads() - threads_before),
        10,
        f"threads to end: {sorted(t.name for t in _live_threads() - threads_before)}",
    )
    m0, m_half, m_end = chaos.mem_marks[0], chaos.mem_marks[1], chaos.mem_marks[2]
    second_half = m_end[1] - m_half[1]
    after_stop = session_end - m0[1]
    summary["memory"] = {
        "tracemalloc_kib": {
            "start": m0[0] // 1024,
            "half": m_half[0] // 1024,
            "end": m_end[0] // 1024,
            "after_stop": mem_end // 1024,
            "first_half_growth": (m_half[0] - m0[0]) // 1024,
            "second_half_growth": (m_end[0] - m_half[0]) // 1024,
        },
        "without_test_records_kib": {
            "start": m0[1] // 1024,
            "half": m_half[1] // 1024,
            "end": m_end[1] // 1024,
            "after_stop": session_end // 1024,
            "first_half_growth": (m_half[1] - m0[1]) // 1024,
            "second_half_growth": second_half // 1024,
            "after_stop_above_start": after_stop // 1024,
        },
        "rss_kib": {"start": m0[2], "half": m_half[2], "end": m_end[2]},
    }
    summary["leaked_tasks"] = [t.get_name() for t in leaked_tasks]
    summary["loop_errors"] = stats_loop_errors[:20]
    summary["error_logs"] = [r.getMessage() for r in error_logs.records][:20]
    (tmp_path / "chaos_summary.json").write_text(json.dumps(summary, indent=2))
    record("chaos_summary", json.dumps(summary))
    logging.getLogger(__name__).warning("chaos summary: %s", json.dumps(summary))

    # -- the verdict
    stats = chaos.stats
    assert set(stats.faults) == set(FAULT_KINDS), "every kind of fault was exercised"
    assert sum(stats.faults.values()) == faults
    assert not stats.unexpected, stats.unexpected
    assert lost == 0, f"{lost} commands never ended"
    assert chaos.issued == sum(stats.outcomes.values()), "a command was lost"
    assert stats.outcomes["confirmed"] > 0
    assert not leaked_tasks, summary["leaked_tasks"]
    assert not stats_loop_errors, stats_loop_errors
    assert not error_logs.records, summary["error_logs"]
    # memory, without the test's own records: flat over the second half (the first one warms
    # caches and fills bounded histories), and back near the start once the session stopped
    assert second_half <= MIB, summary["memory"]
    assert after_stop <= MIB, summary["memory"]
    return summary


@pytest.mark.timeout(600)  # a few minutes: above pytest-timeout's default 120 s
async def test_chaos_500_faults(
    chaos_sim: SimInfo,
    chaos_control: SimControl,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    """The default storm: 500 seeded faults of every kind, commands throughout."""
    faults = int(os.environ.get("NAVILINK_CHAOS_FAULTS", "500"))
    await run_chaos(chaos_sim, chaos_control, faults, tmp_path, record_property)


@pytest.mark.soak
@pytest.mark.timeout(3600)
async def test_chaos_long_soak(
    chaos_sim: SimInfo,
    chaos_control: SimControl,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    """The long storm (--soak / NAVILINK_SOAK=1): 5000 faults."""
    await run_chaos(chaos_sim, chaos_control, 5000, tmp_path, record_property)
