"""The troubleshooting CLI: JSON lines on stdout, against the fake cloud; and without HA."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest
from conftest import MAC

from aionavilink.cli import run
from aionavilink.testing import FakeCloud

COMMON = ["--email", "user@example.com", "--password", "secret", "--initial-delay", "0.01"]


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


async def cli(cloud: FakeCloud, *args: str, stop: asyncio.Event | None = None) -> int:
    return await run(
        [*args, *COMMON],
        websession=cloud.websession,  # type: ignore[arg-type]
        transport_factory=cloud.transport,
        stop=stop,
    )


async def test_status_prints_one_line_per_device(
    cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli(cloud, "status") == 0
    out = lines(capsys)
    assert [o["type"] for o in out if o["event"] == "connection"] == [
        "connecting",
        "connected",
        "stopped",
    ]
    status = next(o for o in out if o["event"] == "status")
    assert status["mac"] == MAC and status["setpoint"] == 60.0 and status["mode"] == "heat_pump"


async def test_set_temperature_and_mode(
    cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli(cloud, "set-temperature", MAC, "49.5") == 0
    assert next(o for o in lines(capsys) if o["event"] == "status")["setpoint"] == 49.5
    assert await cli(cloud, "set-mode", MAC, "electric") == 0
    assert next(o for o in lines(capsys) if o["event"] == "status")["mode"] == "electric"


async def test_monitor_prints_connection_events_and_statuses(
    cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = asyncio.Event()
    stop.set()  # stop right after the first statuses
    assert await cli(cloud, "monitor", stop=stop) == 0
    events = [o["event"] for o in lines(capsys)]
    assert "status" in events and events[-1] == "connection"


async def test_errors_are_a_json_line_and_exit_code_1(
    cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud.password = "other"
    assert await cli(cloud, "status") == 1
    error = next(o for o in lines(capsys) if o["event"] == "error")
    assert error == {
        "event": "error",
        "error": "InvalidCredentialsError",
        "message": "the NaviLink account rejected the sign-in",
    }


def test_the_library_and_its_cli_run_without_home_assistant() -> None:
    code = (
        "import sys, aionavilink, aionavilink.cli, aionavilink.testing;"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'homeassistant'];"
        "print(len(loaded))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "0"
    usage = subprocess.run(
        [sys.executable, "-m", "aionavilink", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "monitor" in usage.stdout and "--status-interval" in usage.stdout
