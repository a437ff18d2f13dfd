"""The newcomer path in a real browser.

``scripts/develop`` starts navilink_sim and Home Assistant (own config dir and free ports); Chromium
logs in, adds the integration with the demo account, finds the heater and the account devices,
changes the target temperature and the mode (checked in the simulator), creates an automation from
the "connection lost" blueprint in the automation editor (0 minutes, a notification as the action),
then cuts the simulated network and watches the connectivity entity turn off, the new automation run
(its notification in the drawer) and the heater go unavailable, and all recover once the network is
back, without a reload.

The browser half lives in ``run_browser.py`` and runs as a subprocess: Playwright's sync API keeps
a thread and an event loop of its own, which the Home Assistant test plugin's cleanup check would
flag. ``NAVILINK_E2E_DOCS=1`` copies the screenshots used by the README into ``docs/``. Afterwards
Home Assistant's log may hold no warning or error about navilink.
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
# NAVILINK_E2E_HA_VERSION=2026.11.0: the same path on another Home Assistant release
# (scripts/develop --ha-version; installed once into .venv-ha-VERSION).
HA_VERSION = os.environ.get("NAVILINK_E2E_HA_VERSION", "")
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


# Home Assistant's standing notice for every custom integration: not a problem of this one.
UNTESTED_NOTICE = "which has not been tested by Home Assistant"


def navilink_log_problems(text: str) -> list[str]:
    """Warning, error and critical lines of a home-assistant.log that mention navilink."""
    problems = []
    for line in text.splitlines():
        fields = line.split(" ", 3)
        if len(fields) < 4 or fields[2] not in ("WARNING", "ERROR", "CRITICAL"):
            continue
        if "navilink" in line.lower() and UNTESTED_NOTICE not in line:
            problems.append(line)
    return problems


def test_log_check_finds_navilink_warnings() -> None:
    """The log check below catches what Home Assistant writes about navilink, and only that."""
    log = "\n".join(
        [
            "2026-11-26 05:20:12.890+00:00 WARNING (SyncWorker_0) [homeassistant.loader] We found "
            f"a custom integration navilink {UNTESTED_NOTICE}. This component might cause ...",
            "2026-11-26 05:20:13.162+00:00 ERROR (MainThread) [haffmpeg.core] FFmpeg fails",
            "2026-11-26 05:20:14.000+00:00 WARNING (MainThread) [homeassistant.helpers.frame] "
            "Detected that custom integration 'navilink' calls `x`, which is deprecated",
            "2026-11-26 05:20:15.000+00:00 DEBUG (MainThread) [custom_components.navilink] "
            "NaviLink disconnected: AWS_ERROR_MQTT_UNEXPECTED_HANGUP",
            "2026-11-26 05:20:16.000+00:00 ERROR (MainThread) [homeassistant.config_entries] "
            "Error setting up entry demo@example.com for navilink",
        ]
    )
    assert [line.split(" ", 4)[4][:30] for line in navilink_log_problems(log)] == [
        "[homeassistant.helpers.frame] ",
        "[homeassistant.config_entries]",
    ]


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
                *(["--ha-version", HA_VERSION] if HA_VERSION else []),
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
    hass_log = Path(state["logs"]["hass"])
    problems = navilink_log_problems(hass_log.read_text(errors="replace"))
    assert not problems, f"{hass_log} has warnings or errors about navilink:\n" + "\n".join(
        problems
    )
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
