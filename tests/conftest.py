"""Shared fixtures: sockets on for every test, one navilink_sim process per session, and no test
may pass while Home Assistant warns about this integration's use of a deprecated API."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any
from unittest.mock import PropertyMock, patch

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


def is_navilink_deprecation(record: logging.LogRecord) -> bool:
    """A warning from Home Assistant about this integration's use of a deprecated API.

    Home Assistant reports those as "Detected that custom integration 'navilink' ..." (frame
    reports) or as a warning naming the module (entity members: "custom_components.navilink.x::Y
    provides the deprecated ..."; "Detected code that reads the deprecated ...").
    """
    if record.levelno < logging.WARNING:
        return False
    try:
        message = record.getMessage()
    except TypeError, ValueError:
        message = str(record.msg)
    if "Detected that custom integration 'navilink'" in message:
        return True
    ours = "custom_components.navilink" in message or record.name.startswith(
        "custom_components.navilink"
    )
    lowered = message.lower()
    return ours and ("deprecat" in lowered or "detected code that" in lowered)


class _DeprecationLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if is_navilink_deprecation(record):
            self.records.append(record)


@pytest.fixture(autouse=True)
def navilink_deprecations() -> Iterator[list[logging.LogRecord]]:
    """Fail the test if Home Assistant warned about a deprecated API use of this integration.

    The records seen so far are the fixture's value (a test of the guard itself may clear them).
    Home Assistant reports each use once per process, so the first test that triggers it fails.
    """
    handler = _DeprecationLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
    if handler.records:
        lines = "\n".join(f"  {r.name}: {r.getMessage()}" for r in handler.records)
        pytest.fail(
            f"Home Assistant warned about navilink using a deprecated API:\n{lines}",
            pytrace=False,
        )


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


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create the entities that are disabled by default enabled, so their states exist."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield
