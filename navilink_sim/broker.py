"""Mosquitto as a child process on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
from pathlib import Path

_LOGGER = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1


def find_mosquitto() -> str:
    """MOSQUITTO env var, else PATH, else /usr/sbin/mosquitto."""
    env = os.environ.get("MOSQUITTO")
    if env:
        return env
    return shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    """A currently unused loopback TCP port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _child_setup() -> None:  # pragma: no cover - runs in the child
    # Die with the simulator even if it is killed hard (Linux only; best effort).
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Broker:
    """A Mosquitto subprocess; ``restart`` keeps the port."""

    def __init__(self, state_dir: Path, port: int = 0) -> None:
        self.state_dir = state_dir
        self.port = port or free_port()
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._conf = state_dir / "mosquitto.conf"
        self._log = state_dir / "mosquitto.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _write_config(self) -> None:
        self._conf.write_text(
            "\n".join(
                [
                    f"listener {self.port} 127.0.0.1",
                    "allow_anonymous true",
                    "persistence false",
                    "max_keepalive 65535",
                    # No Nagle: Mosquitto writes a forwarded message and then the sender's
                    # PUBACK; held behind the first one's delayed ACK, each would wait 40 ms.
                    # (This once cut pushed-status throughput to a quarter: the heaters'
                    # own Nagle then stalled every push. Heaters run without it now.)
                    "set_tcp_nodelay true",
                    # Started as root, Mosquitto would switch to the "mosquitto" user, and the
                    # kernel clears the parent-death signal on that switch: an orphan broker
                    # could outlive a killed simulator. Stay the user we are.
                    f"user {pwd.getpwuid(os.getuid()).pw_name}",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    "",
                ]
            )
        )

    def _spawn(self) -> None:
        # Synchronous on purpose: PR_SET_PDEATHSIG is tied to the spawning thread.
        self._write_config()
        log = self._log.open("ab")
        try:
            self._proc = subprocess.Popen(
                [find_mosquitto(), "-c", str(self._conf)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                preexec_fn=_child_setup,  # noqa: PLW1509
            )
        finally:
            log.close()

    async def start(self) -> None:
        self._spawn()
        await self._wait_ready()
        _LOGGER.info("mosquitto pid %s listening on 127.0.0.1:%s", self.pid, self.port)

    async def _wait_ready(self) -> None:
        assert self._proc is not None
        for _ in range(200):
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with {self._proc.returncode}; see {self._log}"
                )
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.025)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return
        raise RuntimeError("mosquitto did not start listening")

    def kill(self) -> None:
        """Stop the process (and its process group) now; safe to call repeatedly."""
        proc = self._proc
        self._proc = None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=3)

    async def restart(self) -> None:
        """Kill hard and start again on the same port."""
        proc = self._proc
        self._proc = None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            await _reap(proc, 5)
        self.restarts += 1
        await self.start()

    async def stop(self) -> None:
        """Like ``kill`` but without blocking the event loop (and without threads)."""
        proc = self._proc
        self._proc = None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        if not await _reap(proc, 3):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            await _reap(proc, 3)


async def _reap(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Poll until ``proc`` exited (True) or ``timeout`` passed (False)."""
    for _ in range(int(timeout / 0.02)):
        if proc.poll() is not None:
            return True
        await asyncio.sleep(0.02)
    return proc.poll() is not None
