"""Shared fixtures: sockets on for every test, and one navilink_sim process per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from navilink_sim.testing import SimControl, SimInfo, isolated_control, running_sim


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--soak`: also run the long chaos soak (tests marked `soak`)."""
    parser.addoption(
        "--soak", action="store_true", default=False, help="run the long chaos soak too"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last; the long soak only with --soak (or NAVILINK_SOAK=1)."""
    soak = config.getoption("--soak") or os.environ.get("NAVILINK_SOAK", "") in ("1", "true", "yes")
    skip_soak = pytest.mark.skip(reason="long soak: run with --soak or NAVILINK_SOAK=1")
    for item in items:
        if item.get_closest_marker("soak") is not None and not soak:
            item.add_marker(skip_soak)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _sockets_on(socket_enabled: None) -> None:
    """pytest-homeassistant-custom-component blocks sockets; every test here needs them."""


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimInfo]:
    """One ``python -m navilink_sim --heaters 2 --speed 60`` for the whole session."""
    with running_sim(
        tmp_path_factory.mktemp("navilink_sim"), "--heaters", "2", "--speed", "60"
    ) as info:
        yield info


@pytest.fixture
async def sim_control(sim: SimInfo) -> AsyncIterator[SimControl]:
    """Control API client; resets the simulator's faults after the test."""
    async with isolated_control(sim) as control:
        yield control


@pytest.fixture
async def sim_account(sim_control: SimControl) -> dict[str, Any]:
    """A fresh account with one heater: {"email", "password", "devices": [mac]}."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    return await sim_control.add_account(email, "pw-" + uuid.uuid4().hex[:8], heaters=1)
