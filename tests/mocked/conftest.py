"""Fixtures of the mocked tier: the integration on an autospecced NaviLinkSession.

The session's data are the models the protocol client parses from the JSON fixtures in
``fixtures/`` (recorded from the simulator by ``make_fixtures.py``); no socket is opened.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

import pytest
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from aionavilink import (
    ConnectionEvent,
    ConnectionEventType,
    ConnectionState,
    DeviceFeature,
    DeviceStatus,
    EnergyUsage,
    Health,
    NaviLinkDevice,
    NaviLinkSession,
    Reservation,
    ReservationSchedule,
    SessionOptions,
)
from custom_components.navilink.const import CONF_CLIENT_ID, DOMAIN

FIXTURES = Path(__file__).parent / "fixtures"
# Time is frozen in every mocked test; energy.json holds this month (make_fixtures.py).
FROZEN_TIME = "2026-11-26 05:00:00+00:00"
CONNECTED_AT = datetime(2026, 11, 26, 4, 58, tzinfo=UTC)
EMAIL = "demo@example.com"
ENTRY_ID = "01JNAVILINKMOCKEDENTRY0001"
CLIENT_ID = "navien-client-0123abcd"


def load(name: str) -> Any:
    """A JSON fixture."""
    return json.loads((FIXTURES / name).read_text())


MAC = NaviLinkDevice.from_rest(load("device_list.json")[0]).mac


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


@pytest.fixture(autouse=True)
def _frozen_time(freezer: Any) -> None:
    """Every value in the snapshots is static: the clock does not move unless a test moves it."""
    freezer.move_to(FROZEN_TIME)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format (see tests/integration/conftest.py)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """An entry as the config flow creates it for the real cloud (no endpoint overrides)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=EMAIL,
        unique_id=EMAIL,
        entry_id=ENTRY_ID,
        data={CONF_EMAIL: EMAIL, CONF_PASSWORD: "hunter2", CONF_CLIENT_ID: CLIENT_ID},
    )


@dataclass
class Listeners:
    """The callbacks the integration registered on the mocked session."""

    connection: list[Callable[[ConnectionEvent], None]] = field(default_factory=list)
    status: list[Callable[[str, DeviceStatus], None]] = field(default_factory=list)
    feature: list[Callable[[str, DeviceFeature], None]] = field(default_factory=list)
    devices: list[Callable[[dict[str, NaviLinkDevice]], None]] = field(default_factory=list)


def _adder(target: list[Any]) -> Callable[[Any], Callable[[], None]]:
    def add(callback: Any) -> Callable[[], None]:
        target.append(callback)
        return lambda: target.remove(callback)

    return add


def connected_health() -> Health:
    """Health of a session that connected two minutes ago and measured three commands."""
    health = Health()
    health.record_transition(
        ConnectionEvent(
            type=ConnectionEventType.CONNECTED,
            state=ConnectionState.CONNECTED,
            previous_state=ConnectionState.CONNECTING,
            reason="connected",
            at=CONNECTED_AT,
        )
    )
    health.counters.connects = 1
    health.counters.messages = 42
    for seconds in (0.2, 0.3, 0.9):
        health.latency.record(seconds)
    return health


@pytest.fixture
def feature_fixture(request: pytest.FixtureRequest) -> str:
    """The feature payload of the heater (parametrize indirectly for the variants)."""
    return getattr(request, "param", "feature.json")


@pytest.fixture
def listeners() -> Listeners:
    """What the integration listens to."""
    return Listeners()


@pytest.fixture
def mock_session(feature_fixture: str, listeners: Listeners) -> Generator[MagicMock]:
    """An autospecced NaviLinkSession serving the fixtures, patched where the entry builds it."""
    with patch(
        "custom_components.navilink.NaviLinkSession", autospec=NaviLinkSession
    ) as session_class:
        session = session_class.return_value
        info = NaviLinkDevice.from_rest(load("device_list.json")[0])
        status = DeviceStatus.from_payload(load("status.json"))
        feature = DeviceFeature.from_payload(load(feature_fixture))
        schedule = ReservationSchedule.from_payload(load("reservations.json"))
        session.devices = {info.mac: info}
        session.state = ConnectionState.CONNECTED
        session.connected = True
        session.health = connected_health()
        session.options = SessionOptions()
        # REST beside the session: the firmware endpoint (its reply, as the simulator renders
        # the recorded heater's versions)
        session.auth = AsyncMock(email=EMAIL)
        session.auth.request.return_value = load("firmware.json")
        session.status.side_effect = {info.mac: status}.get
        session.feature.side_effect = {info.mac: feature}.get
        session.add_connection_listener.side_effect = _adder(listeners.connection)
        session.add_status_listener.side_effect = _adder(listeners.status)
        session.add_feature_listener.side_effect = _adder(listeners.feature)
        session.add_devices_listener.side_effect = _adder(listeners.devices)
        session.add_tokens_listener.return_value = lambda: None
        session.refresh_devices.return_value = {info.mac: info}
        session.request_energy_usage.return_value = EnergyUsage.from_payload(load("energy.json"))
        session.read_reservations.return_value = schedule

        async def write(mac: str, enabled: bool, entries: list[Reservation]) -> Any:
            return ReservationSchedule(enabled=enabled, entries=tuple(entries))

        session.write_reservations.side_effect = write
        for command in (
            "set_power",
            "set_mode",
            "set_vacation",
            "set_temperature",
            "set_anti_legionella",
            "set_tou",
            "set_demand_response",
            "set_freeze_protection_temperature",
            "reset_air_filter",
            "request_status",
        ):
            getattr(session, command).return_value = status
        session.diagnostics.return_value = {
            "client_id_suffix": CLIENT_ID[-4:],
            "health": session.health.as_dict(),
            "subscriptions": 3,
            "unrestored_subscriptions": 0,
            "queued_commands": 0,
            "inflight_commands": 0,
            "sign_ins": 1,
            "token_refreshes": 0,
        }
        yield session


@pytest.fixture
def platforms() -> list[Platform] | None:
    """Set up only these platforms (None: all)."""
    return None


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_session: MagicMock,
    platforms: list[Platform] | None,
) -> MockConfigEntry:
    """The entry set up on the mocked session."""
    mock_config_entry.add_to_hass(hass)
    context = (
        nullcontext()
        if platforms is None
        else patch("custom_components.navilink.PLATFORMS", platforms)
    )
    with context:
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    return mock_config_entry
