"""Set-up, unload and the session's pushes as Home Assistant shows them (mocked session)."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest.mock import MagicMock

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from aionavilink import (
    ConnectionEvent,
    ConnectionEventType,
    ConnectionState,
    DeviceFeature,
    DeviceStatus,
    InvalidCredentialsError,
    NaviLinkConnectionError,
    NaviLinkDevice,
)
from custom_components.navilink import async_remove_config_entry_device
from custom_components.navilink.const import (
    DEVICE_REFRESH_INTERVAL,
    DOMAIN,
    ENERGY_REFRESH_INTERVAL,
    UNAVAILABLE_GRACE,
)

from .conftest import EMAIL, MAC, Listeners, load

OTHER_MAC = "040f2600beef"


def entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str | None:
    """The entity id of a unique id, or None."""
    return er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)


def event(
    event_type: ConnectionEventType, state: ConnectionState, previous: ConnectionState
) -> ConnectionEvent:
    """A connection event as the session sends it."""
    return ConnectionEvent(
        type=event_type, state=state, previous_state=previous, reason=f"test {event_type}"
    )


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (InvalidCredentialsError("rejected"), ConfigEntryState.SETUP_ERROR),
        (NaviLinkConnectionError("unreachable"), ConfigEntryState.SETUP_RETRY),
    ],
)
async def test_setup_failure(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_session: MagicMock,
    error: Exception,
    state: ConfigEntryState,
) -> None:
    """Rejected credentials need the user (reauth); an unreachable cloud is retried."""
    mock_session.start.side_effect = error
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is state
    mock_session.stop.assert_awaited_with()
    reauth = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(reauth) == (1 if state is ConfigEntryState.SETUP_ERROR else 0)


async def test_unload_stops_the_session(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_session: MagicMock
) -> None:
    """Unloading stops the session (stop is idempotent; the entry and the coordinator's
    shutdown both call it)."""
    assert init_integration.state is ConfigEntryState.LOADED
    mock_session.stop.assert_not_awaited()
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    mock_session.stop.assert_awaited_with()


async def test_status_push_updates_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_session: MagicMock,
    listeners: Listeners,
) -> None:
    """A pushed status is shown at once."""
    sensor = entity_id(hass, "sensor", f"{MAC}_dhw_temperature")
    assert sensor is not None
    assert hass.states.get(sensor).state == "44.5"
    pushed = DeviceStatus.from_payload({**load("status.json"), "dhwTemperature": 101})
    for listener in listeners.status:
        listener(MAC, pushed)
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == "50.5"


async def test_status_push_writes_what_its_changed_fields_show(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    listeners: Listeners,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Entities skip a status that changes none of the fields they read: one that changes
    a field reaches what shows it, directly (temperatures) or through a derived value
    (usable energy, the error flag), and leaves the rest unwritten."""
    temperature = entity_id(hass, "sensor", f"{MAC}_dhw_temperature")
    heater = entity_id(hass, "water_heater", f"{MAC}_water_heater")
    usable = entity_id(hass, "sensor", f"{MAC}_usable_energy")
    error = entity_id(hass, "binary_sensor", f"{MAC}_error")
    watched = (temperature, heater, usable, error)
    assert None not in watched
    payload = load("status.json")
    base = hass.states.get(usable).state  # type: ignore[union-attr]

    def push(**changes: object) -> dict[str | None, object]:
        freezer.tick(timedelta(seconds=1))
        before = {e: hass.states.get(e).last_reported for e in watched}  # type: ignore[union-attr]
        status = DeviceStatus.from_payload({**payload, **changes})
        for listener in listeners.status:
            listener(MAC, status)
        return {
            e: hass.states.get(e).last_reported > before[e]  # type: ignore[union-attr]
            for e in watched
        }

    written = push(dhwTemperature=101)
    await hass.async_block_till_done()
    assert written == {temperature: True, heater: True, usable: False, error: False}
    assert hass.states.get(heater).attributes["current_temperature"] == 50.5  # type: ignore[union-attr]

    written = push(dhwTemperature=101, availableEnergyCapacity=1000)
    assert written == {temperature: False, heater: False, usable: True, error: False}
    assert hass.states.get(usable).state != base  # type: ignore[union-attr]

    written = push(dhwTemperature=101, availableEnergyCapacity=1000, errorCode=3)
    assert written == {temperature: False, heater: False, usable: False, error: True}
    assert hass.states.get(error).state == "on"  # type: ignore[union-attr]


@pytest.mark.usefixtures("init_integration")
async def test_connection_loss_after_grace_logged_once(
    hass: HomeAssistant,
    mock_session: MagicMock,
    listeners: Listeners,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Heater entities stay through a short outage, go unavailable after the grace with one
    info line, and come back with one info line; the account's health stays readable."""
    caplog.set_level(logging.INFO, logger="custom_components.navilink")
    heater = entity_id(hass, "water_heater", f"{MAC}_water_heater")
    connection = entity_id(hass, "binary_sensor", f"{EMAIL}_connection")
    assert heater is not None and connection is not None

    mock_session.state = ConnectionState.RECONNECTING
    for listener in listeners.connection:
        listener(
            event(
                ConnectionEventType.DISCONNECTED,
                ConnectionState.RECONNECTING,
                ConnectionState.CONNECTED,
            )
        )
    await hass.async_block_till_done()
    assert hass.states.get(heater).state == "heat_pump"
    assert hass.states.get(connection).state == "off"

    freezer.tick(UNAVAILABLE_GRACE + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(heater).state == STATE_UNAVAILABLE
    assert hass.states.get(connection).state == "off"
    lost = [r for r in caplog.records if r.getMessage().startswith("Lost the connection")]
    assert [r.levelno for r in lost] == [logging.INFO]

    # Further events of the same outage log nothing more.
    for listener in listeners.connection:
        listener(
            event(
                ConnectionEventType.RECONNECTING,
                ConnectionState.RECONNECTING,
                ConnectionState.RECONNECTING,
            )
        )
    freezer.tick(UNAVAILABLE_GRACE * 2)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len([r for r in caplog.records if r.getMessage().startswith("Lost the")]) == 1

    mock_session.state = ConnectionState.CONNECTED
    for listener in listeners.connection:
        listener(
            event(
                ConnectionEventType.CONNECTED,
                ConnectionState.CONNECTED,
                ConnectionState.RECONNECTING,
            )
        )
    await hass.async_block_till_done()
    assert hass.states.get(heater).state == "heat_pump"
    assert hass.states.get(connection).state == "on"
    back = [r for r in caplog.records if r.getMessage().startswith("Connection to the NaviLink")]
    assert [r.levelno for r in back] == [logging.INFO]


@pytest.mark.usefixtures("init_integration")
async def test_quick_reconnect_keeps_entities_available(
    hass: HomeAssistant,
    mock_session: MagicMock,
    listeners: Listeners,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reconnect within the grace never makes the heater unavailable nor logs an outage."""
    heater = entity_id(hass, "water_heater", f"{MAC}_water_heater")
    assert heater is not None
    for listener in listeners.connection:
        listener(
            event(
                ConnectionEventType.DISCONNECTED,
                ConnectionState.RECONNECTING,
                ConnectionState.CONNECTED,
            )
        )
        listener(
            event(
                ConnectionEventType.CONNECTED,
                ConnectionState.CONNECTED,
                ConnectionState.RECONNECTING,
            )
        )
    freezer.tick(UNAVAILABLE_GRACE * 2)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(heater).state == "heat_pump"
    assert "Lost the connection" not in caplog.text


async def test_connection_event_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry, listeners: Listeners
) -> None:
    """The event entity fires for the documented event types and ignores the others."""
    entity = entity_id(hass, "event", f"{EMAIL}_connection")
    assert entity is not None
    assert hass.states.get(entity).state == STATE_UNKNOWN
    for listener in listeners.connection:
        listener(
            event(
                ConnectionEventType.CONNECTING,
                ConnectionState.CONNECTING,
                ConnectionState.DISCONNECTED,
            )
        )
    await hass.async_block_till_done()
    assert hass.states.get(entity).state == STATE_UNKNOWN
    for listener in listeners.connection:
        listener(
            event(
                ConnectionEventType.DEEP_RECONNECT,
                ConnectionState.RECONNECTING,
                ConnectionState.RECONNECTING,
            )
        )
    await hass.async_block_till_done()
    state = hass.states.get(entity)
    assert state.attributes["event_type"] == "deep_reconnect"
    assert state.attributes["reason"] == "test deep_reconnect"


async def test_auth_failure_while_running_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, listeners: Listeners
) -> None:
    """Credentials rejected after set-up start the reauth flow."""
    for listener in listeners.connection:
        listener(
            event(
                ConnectionEventType.AUTH_FAILED,
                ConnectionState.AUTH_FAILED,
                ConnectionState.RECONNECTING,
            )
        )
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_device_added_when_its_feature_arrives_and_removed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_session: MagicMock,
    listeners: Listeners,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A new heater gets its entities once its capabilities are known; a heater that leaves
    the account leaves the device registry."""
    raw = load("device_list.json")[0]
    other = NaviLinkDevice.from_rest(
        {**raw, "deviceInfo": {**raw["deviceInfo"], "macAddress": OTHER_MAC}}
    )
    main = NaviLinkDevice.from_rest(raw)
    status = DeviceStatus.from_payload(load("status.json"))
    feature = DeviceFeature.from_payload(load("feature_no_dr.json"))
    mock_session.devices = {MAC: main, OTHER_MAC: other}
    mock_session.status.side_effect = {MAC: status, OTHER_MAC: status}.get
    mock_session.feature.side_effect = {MAC: mock_session.feature(MAC)}.get
    for listener in listeners.devices:
        listener(dict(mock_session.devices))
    await hass.async_block_till_done()
    assert entity_id(hass, "water_heater", f"{OTHER_MAC}_water_heater") is None

    mock_session.feature.side_effect = {MAC: mock_session.feature(MAC), OTHER_MAC: feature}.get
    for listener in listeners.feature:
        listener(OTHER_MAC, feature)
    await hass.async_block_till_done()
    assert entity_id(hass, "water_heater", f"{OTHER_MAC}_water_heater") is not None
    assert entity_id(hass, "switch", f"{OTHER_MAC}_demand_response") is None
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, OTHER_MAC), init_integration.entry_id
    )

    mock_session.devices = {MAC: main}
    for listener in listeners.devices:
        listener({MAC: main})
    await hass.async_block_till_done()
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, OTHER_MAC), init_integration.entry_id
        )
        is None
    )
    assert entity_id(hass, "water_heater", f"{OTHER_MAC}_water_heater") is None
    assert entity_id(hass, "water_heater", f"{MAC}_water_heater") is not None


async def test_manual_device_removal(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Only a device that is not on the account any more may be removed by hand."""
    entry_id = init_integration.entry_id
    heater = device_registry.async_get_device_by_identifier((DOMAIN, MAC), entry_id)
    account = device_registry.async_get_device_by_identifier((DOMAIN, EMAIL), entry_id)
    stale = device_registry.async_get_or_create(
        config_entry_id=entry_id,
        identifiers={("other_domain", "x"), (DOMAIN, OTHER_MAC)},
    )
    assert heater is not None and account is not None
    assert await async_remove_config_entry_device(hass, init_integration, heater) is False
    assert await async_remove_config_entry_device(hass, init_integration, account) is False
    assert await async_remove_config_entry_device(hass, init_integration, stale) is True


async def test_periodic_refreshes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_session: MagicMock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The device list and the month's energy are re-read on their intervals; a failed device
    list refresh is only logged (debug) and changes nothing."""
    caplog.set_level(logging.DEBUG, logger="custom_components.navilink")
    mock_session.request_energy_usage.assert_awaited_once_with(MAC, 2026, [11])
    mock_session.refresh_devices.assert_not_awaited()
    mock_session.refresh_devices.side_effect = NaviLinkConnectionError("cloud down")
    freezer.tick(DEVICE_REFRESH_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    mock_session.refresh_devices.assert_awaited_once_with()
    assert "Device list refresh failed: cloud down" in caplog.text
    assert entity_id(hass, "water_heater", f"{MAC}_water_heater") is not None

    mock_session.request_energy_usage.reset_mock()
    freezer.tick(ENERGY_REFRESH_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    mock_session.request_energy_usage.assert_awaited_once_with(MAC, 2026, [11])
