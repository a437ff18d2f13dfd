"""scripts/develop's engine: Home Assistant + navilink_sim for local development.

Run through ``scripts/develop`` (which bootstraps .venv and Mosquitto first):

    scripts/develop                         start the simulator and Home Assistant (Ctrl-C: stop)
    scripts/develop fault network down      refuse new connections and cut the open ones
    scripts/develop fault network blackhole accept nothing, answer nothing (silent outage)
    scripts/develop fault network up        restore the network
    scripts/develop fault drop              drop every open MQTT connection once
    scripts/develop fault broker-restart    restart Mosquitto behind the gateway
    scripts/develop fault expire            expire the AWS credentials and drop connections
    scripts/develop fault reset             clear all faults
    scripts/develop draw [LPM [SECONDS]]    draw hot water from every heater
    scripts/develop state                   the simulator's state (JSON)

Only the standard library is used here besides navilink_sim and Home Assistant's own packages.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from _develop_http import confirm_http_config, forget_stored_http_config, update_core_config

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config"
DEFAULT_STATE_FILE = ROOT / ".sim" / "dev.json"
COMMITTED_CONFIG_FILES = ("configuration.yaml", "automations.yaml")

# Home Assistant exits with this code when it asks to be restarted (Settings > Restart, the
# homeassistant.restart action): homeassistant.const.RESTART_EXIT_CODE.
RESTART_EXIT_CODE = 100

# Core settings for a new dev config, set once through the UI's own command (config/core/update)
# and stored: configuration.yaml leaves `homeassistant:` out so that they stay editable in the UI
# (a newcomer can switch to °F under Settings > System > General).
CORE_CONFIG: dict[str, Any] = {
    "location_name": "NaviLink dev",
    "unit_system": "metric",
    "currency": "USD",
    "country": "US",
    "time_zone": "UTC",
    "latitude": 33.68,
    "longitude": -117.82,
    "elevation": 20,
}

OWNER_NAME = "dev"
OWNER_PASSWORD = "navilink-dev"
LANGUAGE = "en"

# Integrations Home Assistant sets up without being configured (homeassistant/bootstrap.py),
# plus the platforms the NaviLink integration forwards to.
_ALWAYS = (
    "homeassistant",
    "persistent_notification",
    "logger",
    "network",
    "system_log",
    "analytics",
    "application_credentials",
    "backup",
    "frontend",
    "hardware",
    "labs",
    "system_health",
    "automation",
    "person",
    "scene",
    "script",
    "tag",
    "zone",
    "counter",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "schedule",
    "timer",
    "water_heater",
    "sensor",
    "binary_sensor",
    "number",
    "switch",
    "button",
    "event",
    "select",
    "blueprint",
    # Imported by homeassistant.helpers.service._base_components() as soon as any services.yaml
    # filters on supported features (the frontend's service list fails without them).
    "ai_task",
    "alarm_control_panel",
    "assist_satellite",
    "calendar",
    "camera",
    "climate",
    "cover",
    "fan",
    "humidifier",
    "light",
    "lock",
    "media_player",
    "notify",
    "remote",
    "siren",
    "todo",
    "update",
    "vacuum",
)


def say(msg: str) -> None:
    sys.stderr.write(f"\033[1m[navilink]\033[0m {msg}\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------- requirements


def _configured_domains(config_dir: Path) -> set[str]:
    domains: set[str] = set()
    text = (config_dir / "configuration.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and ":" in line:
            domains.add(line.split(":", 1)[0].strip())
    return domains


def missing_requirements(config_dir: Path) -> list[str]:
    """Pinned requirements of every integration the dev config loads that are not installed.

    Home Assistant would pip-install them at start; scripts/develop runs it with --skip-pip (so it
    never reaches for the network at run time) and installs exactly these once instead.
    """
    from homeassistant import bootstrap, components
    from homeassistant.util.package import is_installed

    base = Path(components.__file__).parent
    manifests = {"navilink": ROOT / "custom_components" / "navilink" / "manifest.json"}
    # The release's own list of always-set-up integrations grows (2026.11: infrared, ...).
    defaults = getattr(bootstrap, "DEFAULT_INTEGRATIONS", ())
    todo = [*_configured_domains(config_dir), *_ALWAYS, *defaults, "navilink"]
    seen: set[str] = set()
    wanted: list[str] = []
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        path = manifests.get(domain, base / domain / "manifest.json")
        if not path.is_file():
            continue
        manifest = json.loads(path.read_text(encoding="utf-8"))
        wanted.extend(manifest.get("requirements", []))
        todo.extend(manifest.get("dependencies", []))
        # Imported by the integration when present (analytics imports hassio's client library).
        todo.extend(manifest.get("after_dependencies", []))
    return sorted({req for req in wanted if not is_installed(req)})


# --------------------------------------------------------------------------- http helpers


def _request(
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    form: bool = False,
    timeout: float = 30.0,
) -> tuple[int, Any]:
    headers = {}
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        raw = err.read()
        status = err.code
    try:
        return status, json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def hass_login(base: str, username: str, password: str) -> str:
    """Access token through Home Assistant's login flow (what the login page does)."""
    client_id = f"{base}/"
    status, flow = _request(
        "POST",
        f"{base}/auth/login_flow",
        {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id},
    )
    if status != 200:
        raise RuntimeError(f"login flow: {status} {flow}")
    status, result = _request(
        "POST",
        f"{base}/auth/login_flow/{flow['flow_id']}",
        {"client_id": client_id, "username": username, "password": password},
    )
    if status != 200 or result.get("type") != "create_entry":
        raise RuntimeError(f"login refused for {username!r}: {result}")
    return _exchange_code(base, result["result"])


def _exchange_code(base: str, code: str) -> str:
    status, tokens = _request(
        "POST",
        f"{base}/auth/token",
        {"grant_type": "authorization_code", "code": code, "client_id": f"{base}/"},
        form=True,
    )
    if status != 200:
        raise RuntimeError(f"token exchange: {status} {tokens}")
    return str(tokens["access_token"])


def onboard(base: str, username: str, password: str) -> str:
    """Finish every onboarding step that is not done yet; returns an access token."""
    client_id = f"{base}/"
    status, steps = _request("GET", f"{base}/api/onboarding")
    if status == 404:  # onboarding finished: its views are gone
        return hass_login(base, username, password)
    if status != 200:
        raise RuntimeError(f"GET /api/onboarding: {status} {steps}")
    done = {step["step"] for step in steps if step["done"]}
    if "user" not in done:
        say(f"onboarding: creating the owner account {username!r}")
        status, result = _request(
            "POST",
            f"{base}/api/onboarding/users",
            {
                "client_id": client_id,
                "name": username,
                "username": username,
                "password": password,
                "language": LANGUAGE,
            },
        )
        if status != 200:
            raise RuntimeError(f"onboarding user step: {status} {result}")
        token = _exchange_code(base, result["auth_code"])
    else:
        token = hass_login(base, username, password)
    if "core_config" not in done:
        _step(base, "core_config", {}, token)
        _remove_onboarding_extras(base, token)
    if "analytics" not in done:
        _step(base, "analytics", {}, token)
    if "integration" not in done:
        _step(
            base,
            "integration",
            {"client_id": client_id, "redirect_uri": f"{base}/?auth_callback=1"},
            token,
        )
    return token


# The core_config step starts config flows for these; offline they only fail (or create entries
# that fail to set up), so scripts/develop removes what they leave behind.
_ONBOARDING_EXTRAS = ("google_translate", "met", "radio_browser")


def _remove_onboarding_extras(base: str, token: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status, entries = _request("GET", f"{base}/api/config/config_entries/entry", token=token)
        if status == 200:
            for entry in entries:
                if entry["domain"] in _ONBOARDING_EXTRAS:
                    _request(
                        "DELETE",
                        f"{base}/api/config/config_entries/entry/{entry['entry_id']}",
                        token=token,
                    )
        time.sleep(0.5)


def _step(base: str, step: str, body: dict[str, Any], token: str) -> None:
    status, result = _request("POST", f"{base}/api/onboarding/{step}", body, token=token)
    if status not in (200, 403):  # 403: already done
        raise RuntimeError(f"onboarding {step} step: {status} {result}")


# --------------------------------------------------------------------------- processes


def _die_with_parent() -> None:
    """Child side: get SIGTERM when scripts/develop dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(proc: subprocess.Popen[Any] | None, name: str, timeout: float) -> None:
    if proc is None or proc.poll() is not None:
        return
    say(f"stopping {name} (pid {proc.pid})")
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        say(f"{name} did not stop within {timeout:.0f} s; killing it")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class _Stop(Exception):
    pass


def _raise_stop(signum: int, _frame: Any) -> None:
    raise _Stop(signal.Signals(signum).name)


def _copy_blueprints(config_dir: Path) -> None:
    """The repository's blueprints, in the UI as they would be after an import, updated at every
    start (copied: Home Assistant's blueprint list does not follow symlinked folders)."""
    shutil.copytree(
        ROOT / "blueprints" / "automation" / "navilink",
        config_dir / "blueprints" / "automation" / "navilink",
        dirs_exist_ok=True,
    )


def _prepare_config(config_dir: Path) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    if config_dir != DEFAULT_CONFIG:
        for name in COMMITTED_CONFIG_FILES:
            if not (config_dir / name).exists():
                shutil.copy2(DEFAULT_CONFIG / name, config_dir / name)
    _copy_blueprints(config_dir)
    link = config_dir / "custom_components" / "navilink"
    link.parent.mkdir(exist_ok=True)
    target = ROOT / "custom_components" / "navilink"
    if link.is_symlink() and link.resolve() == target:
        return
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    link.symlink_to(target, target_is_directory=True)


class ProcessExited(Exception):
    """A supervised process ended without being asked to."""


def supervise(procs: dict[str, subprocess.Popen[Any]], restart_hass: Any) -> None:
    """Check the processes once: Home Assistant asking to be restarted is restarted.

    `restart_hass()` starts Home Assistant again and returns the new process. Any other exit
    (of Home Assistant or the simulator) raises, which stops the stack.
    """
    for name, proc in list(procs.items()):
        code = proc.poll()
        if code is None:
            continue
        if name == "Home Assistant" and code == RESTART_EXIT_CODE:
            say("Home Assistant asked to be restarted (exit code 100): starting it again")
            procs[name] = restart_hass()
            continue
        raise ProcessExited(f"{name} exited with code {code}")


def _core_config_stored(config_dir: Path) -> bool:
    return (config_dir / ".storage" / "core.config").is_file()


def _write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def _wait_http(url: str, procs: dict[str, subprocess.Popen[Any]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except urllib.error.URLError, OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _wait_integration_addable(base: str, token: str, timeout: float) -> None:
    """Until the NaviLink config flow is offered in "Add integration"."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        status, result = _request(
            "GET", f"{base}/api/config/config_entries/flow_handlers", token=token
        )
        last = (status, result)
        if status == 200 and "navilink" in result:
            return
        time.sleep(0.5)
    raise RuntimeError(f"the navilink config flow is not offered: {last}")


def _banner(state: dict[str, Any], elapsed: float, control: str) -> str:
    dev = f"scripts/develop{control}"
    base = state["hass_url"]
    account = state["accounts"][0] if state["accounts"] else {"email": "?", "password": "?"}
    lines = [
        "",
        f"Home Assistant is ready at {base}  (started in {elapsed:.0f} s)",
        "",
        f"  1. Open {base} and log in as  {state['owner']['username']} / "
        f"{state['owner']['password']}",
        "  2. Settings -> Devices & services -> + Add integration -> Navien NaviLink",
        f"  3. Sign in with the simulated cloud account  {account['email']} / "
        f"{account['password']}",
        "     (the simulator's endpoints are filled in for you; "
        f"{len(account.get('devices', []))} heaters)",
        "",
        "Break things (from another terminal):",
        f"  {dev} fault network down      cut the cloud connection (refuse and drop)",
        f"  {dev} fault network blackhole silent outage: nothing gets through",
        f"  {dev} fault network up        restore it",
        f"  {dev} fault drop              drop the MQTT connections once",
        f"  {dev} fault broker-restart    restart the MQTT broker",
        f"  {dev} fault expire            expire the cloud credentials",
        f"  {dev} fault reset             clear every fault",
        f"  {dev} draw [LPM [SECONDS]]    run a hot-water tap on every heater",
        f"  {dev} state                   what the simulator thinks (JSON)",
        "The heater entities go unavailable 30 s after the connection is lost; the",
        "'Cloud connection' entity on the account device shows the raw link at once.",
        "Reconnects back off up to 120 s: Navien NaviLink -> Configure (cog) shortens that.",
        "",
        "Logs:",
        f"  Home Assistant  {state['logs']['hass']}",
        f"  simulator       {state['logs']['sim']}",
        f"Simulator control API: {state['control_url']}   (state file {state['state_file']})",
        "Ctrl-C stops Home Assistant and the simulator.",
        "",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    config_dir = Path(args.config).resolve()
    state_file = Path(args.state_file).resolve()
    sim_dir = Path(args.sim_dir).resolve() if args.sim_dir else state_file.with_suffix("")
    sim_dir.mkdir(parents=True, exist_ok=True)
    _prepare_config(config_dir)
    forget_stored_http_config(config_dir)

    for port, what in (
        (args.port, "Home Assistant"),
        (args.sim_port, "the simulator"),
        (args.gateway_port, "the simulator's gateway"),
    ):
        if port and not _port_free(port):
            say(
                f"port {port} for {what} is in use: is another scripts/develop running? "
                "(choose other ports with --port / --sim-port / --gateway-port)"
            )
            return 1

    base = f"http://127.0.0.1:{args.port}"
    sim_log = sim_dir / "sim.log"
    hass_log = config_dir / "home-assistant.log"
    hass_console = sim_dir / "hass-console.log"
    procs: dict[str, subprocess.Popen[Any]] = {}
    state: dict[str, Any] = {}
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGHUP, _raise_stop)
    rc = 0
    try:
        say(f"starting navilink_sim (speed x{args.speed:g}, control port {args.sim_port})")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        with sim_log.open("ab") as log:
            sim = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "navilink_sim",
                    "--port",
                    str(args.sim_port),
                    "--gateway-port",
                    str(args.gateway_port),
                    "--speed",
                    str(args.speed),
                    "--state-dir",
                    str(sim_dir),
                ],
                stdout=subprocess.PIPE,
                stderr=log,
                stdin=subprocess.DEVNULL,
                cwd=ROOT,
                env=env,
                text=True,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads here
            )
        procs["navilink_sim"] = sim
        assert sim.stdout is not None
        ready, _, _ = select.select([sim.stdout], [], [], 30)
        line = sim.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"navilink_sim did not start; see {sim_log}")
        info = json.loads(line)

        env["NAVILINK_API_URL"] = info["api_url"]
        env["NAVILINK_MQTT_URL"] = info["mqtt_url"]
        env["NAVILINK_CA_FILE"] = info["ca_file"]
        env["NAVILINK_DEV_HASS_PORT"] = str(args.port)
        state = {
            "ready": False,
            "hass_url": base,
            "config_dir": str(config_dir),
            "state_file": str(state_file),
            "owner": {"username": OWNER_NAME, "password": OWNER_PASSWORD},
            **info,
            "pids": {"scripts/develop": os.getpid(), "navilink_sim": sim.pid},
            "logs": {"hass": str(hass_log), "hass_console": str(hass_console), "sim": str(sim_log)},
        }
        _write_state(state_file, state)

        say(f"starting Home Assistant on {base} (config {config_dir})")

        def start_hass() -> subprocess.Popen[Any]:
            with hass_console.open("ab") as log:
                proc = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "hass"),
                        "-c",
                        str(config_dir),
                        "--skip-pip",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,  # noqa: PLW1509
                )
            state["pids"]["hass"] = proc.pid
            _write_state(state_file, state)
            return proc

        def restart_hass() -> subprocess.Popen[Any]:
            state["ready"] = False
            forget_stored_http_config(config_dir)
            proc = start_hass()
            procs["Home Assistant"] = proc
            _wait_http(f"{base}/manifest.json", procs, args.timeout)
            token = hass_login(base, OWNER_NAME, OWNER_PASSWORD)
            say(f"HTTP settings from configuration.yaml: {confirm_http_config(base, token)}")
            state["ready"] = True
            state["restarts"] = state.get("restarts", 0) + 1
            _write_state(state_file, state)
            say(f"Home Assistant is back on {base}")
            return proc

        procs["Home Assistant"] = start_hass()

        _wait_http(f"{base}/manifest.json", procs, args.timeout)
        token = onboard(base, OWNER_NAME, OWNER_PASSWORD)
        if not _core_config_stored(config_dir):
            say(f"core settings (location, units): {update_core_config(base, token, CORE_CONFIG)}")
        say(f"HTTP settings from configuration.yaml: {confirm_http_config(base, token)}")
        _wait_integration_addable(base, token, 60)
        elapsed = time.monotonic() - started
        state["ready"] = True
        state["ready_after_s"] = round(elapsed, 1)
        _write_state(state_file, state)
        control = "" if state_file == DEFAULT_STATE_FILE else f" --state-file {state_file}"
        sys.stdout.write(_banner(state, elapsed, control) + "\n")
        sys.stdout.flush()

        while True:
            supervise(procs, restart_hass)
            time.sleep(1)
    except _Stop as sig:
        say(f"{sig}: shutting down")
    except (RuntimeError, OSError, ProcessExited) as err:
        say(f"error: {err}")
        for name, path in (("Home Assistant", hass_log), ("navilink_sim", sim_log)):
            if path.is_file():
                tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
                say(f"last lines of {name}'s log ({path}):\n    " + "\n    ".join(tail))
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop(procs.get("Home Assistant"), "Home Assistant", 60)
        _stop(procs.get("navilink_sim"), "navilink_sim", 20)
        if state:
            state["ready"] = False
            state["stopped"] = True
            _write_state(state_file, state)
        say("stopped")
    return rc


# --------------------------------------------------------------------------- control commands


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"no {path}: start scripts/develop first") from None
    if state.get("stopped"):
        raise SystemExit(f"scripts/develop is not running ({path} says it stopped)")
    return state


def control(args: argparse.Namespace) -> int:
    state = _load_state(Path(args.state_file))
    url = state["control_url"].rstrip("/")
    if args.command == "state":
        method, path, body = "GET", "/state", None
    elif args.command == "draw":
        macs = list(state["accounts"][0]["devices"]) if state["accounts"] else []
        for mac in macs:
            status, result = _request(
                "POST", f"{url}/devices/{mac}/draw", {"lpm": args.lpm, "seconds": args.seconds}
            )
            print(mac, status, json.dumps(result))
        return 0
    else:
        kind = args.fault
        if kind == "network":
            method, path, body = "POST", "/faults/network", {"state": args.state}
        elif kind == "drop":
            method, path, body = "POST", "/faults/drop", {}
        elif kind == "broker-restart":
            method, path, body = "POST", "/faults/broker-restart", {}
        elif kind == "expire":
            method, path, body = "POST", "/credentials/expire", {}
        else:
            method, path, body = "POST", "/reset", {}
    try:
        status, result = _request(method, url + path, body)
    except (urllib.error.URLError, OSError) as err:
        raise SystemExit(
            f"the simulator at {url} does not answer ({err}): is scripts/develop running?"
        ) from None
    print(json.dumps(result, indent=2 if args.command == "state" else None))
    return 0 if status < 400 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description="Home Assistant with the NaviLink integration against navilink_sim.",
    )
    parser.add_argument(
        "--state-file",
        default=os.environ.get("NAVILINK_DEV_STATE", str(DEFAULT_STATE_FILE)),
        help="where the running stack is described (default .sim/dev.json)",
    )
    sub = parser.add_subparsers(dest="command", metavar="{fault,state,draw}")
    p_fault = sub.add_parser("fault", help="inject a fault into the running simulator")
    faults = p_fault.add_subparsers(dest="fault", required=True)
    p_net = faults.add_parser("network", help="network down | blackhole | up")
    p_net.add_argument("state", choices=["down", "blackhole", "up"])
    faults.add_parser("drop", help="drop every MQTT connection once")
    faults.add_parser("broker-restart", help="restart the MQTT broker")
    faults.add_parser("expire", help="expire the cloud credentials")
    faults.add_parser("reset", help="clear every fault")
    sub.add_parser("state", help="print the simulator's state")
    p_draw = sub.add_parser("draw", help="draw hot water from every heater")
    p_draw.add_argument("lpm", nargs="?", type=float, default=8.0)
    p_draw.add_argument("seconds", nargs="?", type=float, default=120.0)
    p_req = sub.add_parser("requirements")  # for scripts/develop: not listed in --help
    p_req.add_argument("--config", default=str(DEFAULT_CONFIG))

    parser.add_argument(
        "--config",
        default=None,
        help="Home Assistant config dir (default config/, or config/ha-VERSION with --ha-version)",
    )
    parser.add_argument(
        "--ha-version",
        default=None,
        metavar="VERSION",
        help="run this Home Assistant release instead of the pinned one (scripts/develop "
        "installs it once into .venv-ha-VERSION)",
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant port")
    parser.add_argument("--sim-port", type=int, default=8300, help="simulator REST/control port")
    parser.add_argument("--gateway-port", type=int, default=8301, help="simulator MQTT gateway")
    parser.add_argument("--sim-dir", default=None, help="simulator state dir (default .sim/dev)")
    parser.add_argument("--speed", type=float, default=30.0, help="simulated seconds per second")
    parser.add_argument("--timeout", type=float, default=150.0, help="start-up limit in seconds")
    args = parser.parse_args(argv)

    if args.command == "requirements":
        print("\n".join(missing_requirements(Path(args.config))))
        return 0
    if args.command in ("fault", "state", "draw"):
        return control(args)
    if args.config is None:
        # Another release gets its own config: Home Assistant migrates its storage on start.
        version = args.ha_version
        args.config = str(DEFAULT_CONFIG / f"ha-{version}" if version else DEFAULT_CONFIG)
    if args.ha_version and args.ha_version != _installed_ha_version():
        say(
            f"--ha-version {args.ha_version}: this Python has Home Assistant "
            f"{_installed_ha_version()}; run it through scripts/develop"
        )
        return 1
    return run(args)


def _installed_ha_version() -> str:
    from homeassistant.const import __version__

    return __version__


if __name__ == "__main__":
    sys.exit(main())
