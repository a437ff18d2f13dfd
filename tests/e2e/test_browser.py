"""The newcomer path in a real browser.

``scripts/develop`` starts navilink_sim and Home Assistant (own config dir and free ports); Chromium
logs in, adds the integration with the demo account, finds the heater and the account devices,
changes the target temperature and the mode (checked in the simulator), then cuts the simulated
network and watches the connectivity entity turn off and the heater go unavailable, and both recover
once the network is back, without a reload.

The browser half lives in ``run_browser.py`` and runs as a subprocess: Playwright's sync API keeps
a thread and an event loop of its own, which the Home Assistant test plugin's cleanup check would
flag. ``NAVILINK_E2E_DOCS=1`` copies the screenshots used by the README into ``docs/``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS_SHOTS = {
    "device.png": "screenshot-device.png",
    "water-heater.png": "screenshot-water-heater.png",
    "connection-down.png": "screenshot-connection.png",
    "device-unavailable.png": "screenshot-unavailable.png",
}


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _tail(path: Path, lines: int = 40) -> str:
    if not path.is_file():
        return f"({path} missing)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_newcomer_path_in_a_browser(tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("Chromium not found (apt-get install chromium, or set CHROMIUM=/path/to/it)")

    hass_port, sim_port, gateway_port = _free_ports(3)
    state_file = tmp_path / "dev.json"
    develop_log = tmp_path / "develop.log"
    shots = tmp_path / "shots"
    started = time.monotonic()
    with develop_log.open("wb") as log:
        develop = subprocess.Popen(
            [
                str(ROOT / "scripts" / "develop"),
                "--state-file",
                str(state_file),
                "--config",
                str(tmp_path / "config"),
                "--port",
                str(hass_port),
                "--sim-port",
                str(sim_port),
                "--gateway-port",
                str(gateway_port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            start_new_session=True,
        )
    state: dict = {}
    browser: subprocess.CompletedProcess[str] | None = None
    try:
        deadline = time.monotonic() + 240
        while True:
            if state_file.is_file():
                try:
                    state = json.loads(state_file.read_text())
                except json.JSONDecodeError:
                    state = {}
                if state.get("ready"):
                    break
            assert develop.poll() is None, f"scripts/develop exited:\n{_tail(develop_log)}"
            assert time.monotonic() < deadline, f"not ready in 240 s:\n{_tail(develop_log)}"
            time.sleep(0.5)
        ready_s = time.monotonic() - started

        browser_started = time.monotonic()
        browser = subprocess.run(
            [
                sys.executable,
                str(ROOT / "tests" / "e2e" / "run_browser.py"),
                "--state-file",
                str(state_file),
                "--shots",
                str(shots),
                "--chromium",
                chromium,
            ],
            capture_output=True,
            text=True,
            timeout=420,
            cwd=ROOT,
            check=False,
        )
        browser_s = time.monotonic() - browser_started
        print(browser.stdout)
        summary = json.loads(browser.stdout.strip().splitlines()[-1]) if browser.stdout else {}
        print(
            f"scripts/develop ready after {ready_s:.1f} s; browser run {browser_s:.1f} s; "
            f"screenshots in {shots}"
        )
        assert browser.returncode == 0 and summary.get("ok"), (
            f"browser run failed: {summary.get('error')}\n--- stderr ---\n{browser.stderr[-4000:]}"
            f"\n--- Home Assistant log ---\n{_tail(Path(state['logs']['hass']))}"
        )
        if os.environ.get("NAVILINK_E2E_DOCS") == "1":
            for name, target in DOCS_SHOTS.items():
                shutil.copyfile(shots / name, ROOT / "docs" / target)
    finally:
        if develop.poll() is None:
            develop.send_signal(signal.SIGINT)
            try:
                develop.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(develop.pid, signal.SIGKILL)
                develop.wait()
    assert develop.returncode == 0, f"scripts/develop did not stop cleanly:\n{_tail(develop_log)}"
    leftovers = {
        name: pid for name, pid in state.get("pids", {}).items() if pid and _alive(int(pid))
    }
    assert not leftovers, f"processes left behind: {leftovers}"
    sim_dir = str(state_file.with_suffix(""))
    running = subprocess.run(
        ["ps", "-eo", "args"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    stray = [cmd for cmd in running if f"--state-dir {sim_dir}" in cmd or f"{sim_dir}/" in cmd]
    assert not stray, f"navilink_sim or its Mosquitto is still running: {stray}"
