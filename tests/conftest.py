"""Shared fixtures: sockets on for every test, and one navilink_sim process per session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from navilink_sim.testing import SimControl, SimInfo, SimProcess


@pytest.fixture(autouse=True)
def _sockets_on(socket_enabled: None) -> None:
    """pytest-homeassistant-custom-component blocks sockets; every test here needs them."""


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimInfo]:
    """One ``python -m navilink_sim --heaters 2 --speed 60`` for the whole session."""
    state_dir: Path = tmp_path_factory.mktemp("navilink_sim")
    proc = SimProcess(
        "--heaters",
        "2",
        "--speed",
        "60",
        "--state-dir",
        str(state_dir),
        log_file=state_dir / "sim.log",
    )
    info = proc.start()
    try:
        yield info
    finally:
        proc.stop()


@pytest.fixture
async def sim_control(sim: SimInfo) -> AsyncIterator[SimControl]:
    """Control API client; resets the simulator's faults after the test."""
    control = SimControl(sim.control_url)
    try:
        yield control
    finally:
        try:
            await control.reset()
        finally:
            await control.close()


@pytest.fixture
async def sim_account(sim_control: SimControl) -> dict[str, Any]:
    """A fresh account with one heater: {"email", "password", "devices": [mac]}."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    return await sim_control.add_account(email, "pw-" + uuid.uuid4().hex[:8], heaters=1)
