"""Percentiles, process CPU/RSS accounting and the machine description."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

import psutil  # type: ignore[import-untyped]


def percentile(values: list[float], pct: float) -> float | None:
    """Linear-interpolated percentile (pct in 0..100); None for no values."""
    if not values:
        return None
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def summary(values: list[float]) -> dict[str, Any]:
    """n, p50, p95, p99, max and mean (values in the caller's unit)."""
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
        "mean": sum(values) / len(values) if values else None,
    }


def _busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as fh:
        parts = fh.readline().split()[1:]
    ticks = [int(p) for p in parts]
    hz = os.sysconf("SC_CLK_TCK")
    user, nice, system, idle, iowait, irq, softirq, steal = (ticks + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy / hz, (busy + idle + iowait) / hz


def _proc_cpu(pid: int) -> float:
    try:
        t = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(t.user + t.system)


def _threads_cpu(pid: int) -> float:
    """CPU seconds of a process's living threads from the scheduler's nanosecond run time
    (`/proc/<pid>/task/*/schedstat`); psutil's figure (10 ms ticks) where Linux has none. The
    ticks made short windows and idle rates coarse: one tick in an 8 s idle window was 0.4 ms
    per status in the scale rows. (A thread that ends takes its time with it: hass's worker and
    awscrt threads live as long as the process.)"""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as fh:
                    total += int(fh.read().split()[0])
            except OSError, ValueError, IndexError:
                continue
    except OSError:
        return _proc_cpu(pid)
    return total / 1e9 if total else _proc_cpu(pid)


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its living children (the simulator and its Mosquitto)."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


@dataclass
class CpuSnapshot:
    """CPU counters at one instant."""

    wall: float
    hass: float
    sim: float
    bench: float
    machine_busy: float


@dataclass
class CpuMeter:
    """Measures the hass process and what else the machine did over a window."""

    hass_pid: int
    sim_pid: int
    bench_pid: int = field(default_factory=os.getpid)

    def snap(self) -> CpuSnapshot:
        return CpuSnapshot(
            wall=time.monotonic(),
            hass=_threads_cpu(self.hass_pid),
            sim=_tree_cpu(self.sim_pid),
            bench=_proc_cpu(self.bench_pid),
            machine_busy=_busy_seconds()[0],
        )

    @staticmethod
    def delta(a: CpuSnapshot, b: CpuSnapshot) -> dict[str, float]:
        """CPU seconds per part over the window, and the cores used by other processes."""
        wall = max(b.wall - a.wall, 1e-9)
        hass = b.hass - a.hass
        sim = b.sim - a.sim
        bench = b.bench - a.bench
        machine = b.machine_busy - a.machine_busy
        others = max(0.0, machine - hass - sim - bench)
        return {
            "wall_s": wall,
            "hass_cpu_s": hass,
            "sim_cpu_s": sim,
            "bench_cpu_s": bench,
            "machine_busy_s": machine,
            "other_cores": others / wall,
            "hass_cores": hass / wall,
        }

    def rss(self) -> int:
        return int(psutil.Process(self.hass_pid).memory_info().rss)


class LoadSampler:
    """1-minute load average samples and machine-wide CPU use over the run."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.start_busy, self.start_total = _busy_seconds()
        self.start_wall = time.monotonic()
        self.start_load = os.getloadavg()

    def sample(self) -> None:
        self.samples.append(os.getloadavg()[0])

    def result(self, own_cpu_s: float) -> dict[str, Any]:
        busy, _total = _busy_seconds()
        wall = time.monotonic() - self.start_wall
        machine = busy - self.start_busy
        return {
            "loadavg_start": self.start_load,
            "loadavg_end": os.getloadavg(),
            "load1_min": min(self.samples, default=None),
            "load1_mean": sum(self.samples) / len(self.samples) if self.samples else None,
            "load1_max": max(self.samples, default=None),
            "machine_cores_used": machine / wall if wall else None,
            "bench_processes_cores_used": own_cpu_s / wall if wall else None,
            "other_cores_used": max(0.0, machine - own_cpu_s) / wall if wall else None,
            "wall_s": wall,
        }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(mosquitto: str | None) -> dict[str, Any]:
    """CPU, cores, RAM, Python, Home Assistant, awscrt, Mosquitto, kernel, date."""
    import awscrt
    from homeassistant.const import __version__ as ha_version

    mosq = "unknown"
    if mosquitto:
        try:
            out = subprocess.run(
                [mosquitto, "-h"], capture_output=True, text=True, timeout=5, check=False
            )
            first = (out.stdout or out.stderr).splitlines()
            mosq = first[0].strip() if first else "unknown"
        except OSError, subprocess.SubprocessError:
            pass
    awscrt_version = "unknown"
    try:
        from importlib.metadata import version

        awscrt_version = version("awscrt")
    except Exception:
        awscrt_version = getattr(awscrt, "__version__", "unknown")
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "home_assistant": ha_version,
        "awscrt": awscrt_version,
        "mosquitto": mosq,
    }
