"""The troubleshooting CLI, black-box: a subprocess against navilink_sim."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


async def run_cli(sim: Any, account: dict[str, Any], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aionavilink",
        *args,
        "--api-url",
        sim.api_url,
        "--mqtt-url",
        sim.mqtt_url,
        "--ca-file",
        sim.ca_file,
        "--email",
        account["email"],
        "--password",
        account["password"],
        "--initial-delay",
        "0.05",
        "--max-delay",
        "0.3",
        "--status-interval",
        "0.5",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_json(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert line, "the CLI ended without output"
    result: dict[str, Any] = json.loads(line)
    return result


async def test_monitor_prints_transitions_and_statuses(
    sim: Any, sim_account: dict[str, Any], sim_control: Any
) -> None:
    proc = await run_cli(sim, sim_account, "monitor")
    try:
        lines = [await read_json(proc) for _ in range(2)]
        assert lines[0] == {
            "event": "connection",
            "type": "connecting",
            "state": "connecting",
            "tier": None,
            "attempt": 0,
            "reason": "starting",
            "next_retry_at": None,
        }
        assert lines[1]["event"] == "connection" and lines[1]["state"] == "connected"
        status = await read_json(proc)
        while status["event"] != "status":
            status = await read_json(proc)
        assert status["mac"] == sim_account["devices"][0]
        assert isinstance(status["dhw_temperature"], float)
        await sim_control.drop()
        states = []
        while "connected" not in states[1:]:
            line = await read_json(proc)
            if line["event"] == "connection":
                states.append(line["state"])
        assert states[0] == "disconnected" and "reconnecting" in states
    finally:
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 30)
    assert proc.returncode == 0


async def test_one_shot_commands(sim: Any, sim_account: dict[str, Any], sim_control: Any) -> None:
    mac = sim_account["devices"][0]
    proc = await run_cli(sim, sim_account, "set-temperature", mac, "48.5")
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert proc.returncode == 0
    assert next(x for x in lines if x["event"] == "status")["setpoint"] == 48.5
    assert (await sim_control.state())["devices"][mac]["setpoint_c"] == 48.5

    proc = await run_cli(sim, sim_account, "set-mode", mac, "energy_saver")
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0
    assert json.loads(out.decode().splitlines()[-2])["mode"] == "energy_saver"


async def test_wrong_password_is_reported(sim: Any, sim_account: dict[str, Any]) -> None:
    proc = await run_cli(sim, {**sim_account, "password": "wrong"}, "status")
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    errors = [json.loads(x) for x in out.decode().splitlines() if '"error"' in x]
    assert errors[0]["error"] == "InvalidCredentialsError"
