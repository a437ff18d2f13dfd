"""Every action sends exactly one library call with exactly these arguments."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock, call

import pytest
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.water_heater import (
    ATTR_AWAY_MODE,
    ATTR_OPERATION_MODE,
    SERVICE_SET_AWAY_MODE,
    SERVICE_SET_OPERATION_MODE,
    SERVICE_SET_TEMPERATURE,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from aionavilink import (
    CommandEvictedError,
    CommandExpiredError,
    CommandRefusedError,
    CommandTimeoutError,
    DeviceStatus,
    DhwMode,
    InvalidCredentialsError,
    NaviLinkError,
    NotConnectedError,
    OutOfRangeError,
    Reservation,
    SessionStoppedError,
    UnsupportedCommandError,
)
from custom_components.navilink.const import DOMAIN

from .conftest import EMAIL, MAC, Listeners

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


def entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """The entity id of a unique id (names are not what these tests are about)."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found, unique_id
    return found


# (platform, description key, service, service data, session method, its arguments)
@pytest.mark.parametrize(
    "case",
    [
        (
            "water_heater",
            "water_heater",
            SERVICE_SET_TEMPERATURE,
            {ATTR_TEMPERATURE: 55.5},
            "set_temperature",
            (MAC, 55.5),
        ),
        (
            "water_heater",
            "water_heater",
            SERVICE_SET_OPERATION_MODE,
            {ATTR_OPERATION_MODE: "eco"},
            "set_mode",
            (MAC, DhwMode.ENERGY_SAVER),
        ),
        (
            "water_heater",
            "water_heater",
            SERVICE_SET_OPERATION_MODE,
            {ATTR_OPERATION_MODE: "high_demand"},
            "set_mode",
            (MAC, DhwMode.HIGH_DEMAND),
        ),
        (
            "water_heater",
            "water_heater",
            SERVICE_SET_OPERATION_MODE,
            {ATTR_OPERATION_MODE: "off"},
            "set_power",
            (MAC, False),
        ),
        ("water_heater", "water_heater", SERVICE_TURN_ON, {}, "set_power", (MAC, True)),
        ("water_heater", "water_heater", SERVICE_TURN_OFF, {}, "set_power", (MAC, False)),
        (
            "water_heater",
            "water_heater",
            SERVICE_SET_AWAY_MODE,
            {ATTR_AWAY_MODE: True},
            "set_vacation",
            (MAC, 7),
        ),
        (
            "water_heater",
            "water_heater",
            SERVICE_SET_AWAY_MODE,
            {ATTR_AWAY_MODE: False},
            "set_mode",
            (MAC, DhwMode.HEAT_PUMP),
        ),
        ("switch", "anti_legionella", SERVICE_TURN_ON, {}, "set_anti_legionella", (MAC, True)),
        ("switch", "anti_legionella", SERVICE_TURN_OFF, {}, "set_anti_legionella", (MAC, False)),
        ("switch", "tou", SERVICE_TURN_ON, {}, "set_tou", (MAC, True)),
        ("switch", "tou", SERVICE_TURN_OFF, {}, "set_tou", (MAC, False)),
        ("switch", "demand_response", SERVICE_TURN_ON, {}, "set_demand_response", (MAC, True)),
        ("switch", "demand_response", SERVICE_TURN_OFF, {}, "set_demand_response", (MAC, False)),
        (
            "number",
            "anti_legionella_period",
            SERVICE_SET_VALUE,
            {ATTR_VALUE: 14},
            "set_anti_legionella",
            (MAC, True, 14),
        ),
        (
            "number",
            "freeze_protection_temperature",
            SERVICE_SET_VALUE,
            {ATTR_VALUE: 8.5},
            "set_freeze_protection_temperature",
            (MAC, 8.5),
        ),
        ("button", "reset_air_filter", SERVICE_PRESS, {}, "reset_air_filter", (MAC,)),
        ("button", "refresh_status", SERVICE_PRESS, {}, "request_status", (MAC,)),
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_entity_action(
    hass: HomeAssistant, mock_session: MagicMock, case: tuple[Any, ...]
) -> None:
    """An entity action calls one session method with the heater's MAC and the value."""
    platform, key, service, data, method, args = case
    target = entity_id(hass, platform, f"{MAC}_{key}")
    await hass.services.async_call(
        platform, service, {ATTR_ENTITY_ID: target, **data}, blocking=True
    )
    getattr(mock_session, method).assert_awaited_once_with(*args)


async def test_reconnect_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_session: MagicMock
) -> None:
    """The account's reconnect button asks the session for a (quick) reconnect."""
    target = entity_id(hass, "button", f"{EMAIL}_reconnect")
    await hass.services.async_call("button", SERVICE_PRESS, {ATTR_ENTITY_ID: target}, blocking=True)
    mock_session.reconnect.assert_awaited_once_with()


@pytest.mark.usefixtures("init_integration")
async def test_mode_while_off_powers_on_first(
    hass: HomeAssistant, mock_session: MagicMock, listeners: Listeners
) -> None:
    """Selecting a mode on a heater that is off powers it on, then selects the mode."""
    off = DeviceStatus.from_payload({**mock_session.status(MAC).raw, "dhwOperationSetting": 6})
    assert off.dhw_mode is DhwMode.POWER_OFF
    for listener in listeners.status:
        listener(MAC, off)
    await hass.async_block_till_done()
    heater = entity_id(hass, "water_heater", f"{MAC}_water_heater")
    assert hass.states.get(heater).state == "off"
    manager = MagicMock()
    manager.attach_mock(mock_session.set_power, "set_power")
    manager.attach_mock(mock_session.set_mode, "set_mode")
    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_OPERATION_MODE,
        {ATTR_ENTITY_ID: heater, ATTR_OPERATION_MODE: "eco"},
        blocking=True,
    )
    assert manager.mock_calls == [
        call.set_power(MAC, True),
        call.set_mode(MAC, DhwMode.ENERGY_SAVER),
    ]


@pytest.mark.parametrize(
    ("error", "raised", "translation_key"),
    [
        (OutOfRangeError("55.5 is outside 40.5-65.5"), ServiceValidationError, "out_of_range"),
        (UnsupportedCommandError("no"), ServiceValidationError, "unsupported"),
        (CommandTimeoutError("late"), HomeAssistantError, "command_timeout"),
        (CommandRefusedError("mode: the device refused it"), HomeAssistantError, "command_refused"),
        (CommandExpiredError("old"), HomeAssistantError, "command_expired"),
        (CommandEvictedError("full"), HomeAssistantError, "command_evicted"),
        (NotConnectedError("down"), HomeAssistantError, "not_connected"),
        (SessionStoppedError("stopped"), HomeAssistantError, "session_stopped"),
        (InvalidCredentialsError("bad"), HomeAssistantError, "invalid_auth"),
        (NaviLinkError("anything else"), HomeAssistantError, "command_failed"),
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_command_errors_are_translated(
    hass: HomeAssistant,
    mock_session: MagicMock,
    error: NaviLinkError,
    raised: type[HomeAssistantError],
    translation_key: str,
) -> None:
    """Each library error reaches the caller as one translated Home Assistant error."""
    mock_session.set_temperature.side_effect = error
    with pytest.raises(raised) as err:
        await hass.services.async_call(
            "water_heater",
            SERVICE_SET_TEMPERATURE,
            {
                ATTR_ENTITY_ID: entity_id(hass, "water_heater", f"{MAC}_water_heater"),
                ATTR_TEMPERATURE: 55.5,
            },
            blocking=True,
        )
    assert type(err.value) is raised
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == translation_key


async def test_unsupported_mode_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_session: MagicMock
) -> None:
    """A mode the heater does not offer is refused (by Home Assistant's operation list check)
    before anything is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "water_heater",
            SERVICE_SET_OPERATION_MODE,
            {
                ATTR_ENTITY_ID: entity_id(hass, "water_heater", f"{MAC}_water_heater"),
                ATTR_OPERATION_MODE: "performance",
            },
            blocking=True,
        )
    assert err.value.translation_key == "not_valid_operation_mode"
    mock_session.set_mode.assert_not_awaited()
    mock_session.set_power.assert_not_awaited()


def heater_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The device id of the heater."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, MAC), entry.entry_id)
    assert device is not None
    return device.id


# (action, fields besides the device, session method, its arguments)
@pytest.mark.parametrize(
    "case",
    [
        ("set_vacation_days", {"days": 5}, "set_vacation", (MAC, 5)),
        (
            "request_energy_usage",
            {"year": 2025, "months": [1, 2]},
            "request_energy_usage",
            (MAC, 2025, [1, 2]),
        ),
        # Without year and months: the current month of the (frozen) clock.
        ("request_energy_usage", {}, "request_energy_usage", (MAC, 2026, [11])),
        ("list_reservations", {}, "read_reservations", (MAC,)),
    ],
)
async def test_heater_action(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_session: MagicMock,
    case: tuple[Any, ...],
) -> None:
    """A heater action calls one session method with the heater's MAC and the fields."""
    service, data, method, args = case
    mock_session.request_energy_usage.reset_mock()  # the entry's own energy query at start-up
    await hass.services.async_call(
        DOMAIN,
        service,
        {"device_id": heater_device(hass, init_integration), **data},
        blocking=True,
        return_response=service in ("request_energy_usage", "list_reservations"),
    )
    getattr(mock_session, method).assert_awaited_once_with(*args)


@pytest.mark.parametrize("deep", [False, True])
async def test_reconnect_action(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_session: MagicMock, deep: bool
) -> None:
    """The reconnect action passes `deep` through."""
    await hass.services.async_call(
        DOMAIN,
        "reconnect",
        {"config_entry_id": init_integration.entry_id, "deep": deep},
        blocking=True,
    )
    mock_session.reconnect.assert_awaited_once_with(deep=deep)


async def test_add_and_remove_reservation(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_session: MagicMock
) -> None:
    """A reservation is appended to, or removed from, the schedule the heater reports."""
    device_id = heater_device(hass, init_integration)
    heater_entity = entity_id(hass, "water_heater", f"{MAC}_water_heater")
    (existing,) = mock_session.read_reservations.return_value.entries
    added = await hass.services.async_call(
        DOMAIN,
        "add_reservation",
        {
            "device_id": device_id,
            "weekdays": ["saturday"],
            "time": "07:15:00",
            "mode": "eco",
            "temperature": 50,
        },
        blocking=True,
        return_response=True,
    )
    new = Reservation(
        enabled=True,
        weekdays=["saturday"],
        hour=7,
        minute=15,
        mode=DhwMode.ENERGY_SAVER,
        temperature=50.0,
    )
    mock_session.write_reservations.assert_awaited_once_with(MAC, True, [existing, new])
    assert added == {
        heater_entity: {
            "enabled": True,
            "reservations": [
                {
                    "index": 1,
                    "enabled": True,
                    "weekdays": ["friday", "monday"],
                    "time": "06:30",
                    "mode": "high_demand",
                    "temperature": 55.0,
                },
                {
                    "index": 2,
                    "enabled": True,
                    "weekdays": ["saturday"],
                    "time": "07:15",
                    "mode": "eco",
                    "temperature": 50.0,
                },
            ],
            "temperature_unit": "°C",
        }
    }

    mock_session.write_reservations.reset_mock()
    removed = await hass.services.async_call(
        DOMAIN,
        "remove_reservation",
        {"device_id": device_id, "index": 1},
        blocking=True,
        return_response=True,
    )
    mock_session.write_reservations.assert_awaited_once_with(MAC, True, [])
    assert removed == {
        heater_entity: {"enabled": True, "reservations": [], "temperature_unit": "°C"}
    }


async def test_energy_usage_response(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_session: MagicMock
) -> None:
    """The energy action answers with the recorded month, day by day."""
    usage = await hass.services.async_call(
        DOMAIN,
        "request_energy_usage",
        {"device_id": heater_device(hass, init_integration)},
        blocking=True,
        return_response=True,
    )
    usage = usage[entity_id(hass, "water_heater", f"{MAC}_water_heater")]
    assert usage["total"] == {
        "heat_pump_wh": 113,
        "element_wh": 0,
        "heat_pump_hours": 0,
        "element_hours": 0,
    }
    (month,) = usage["months"]
    assert (month["year"], month["month"], len(month["days"])) == (2026, 11, 30)
    assert [d for d in month["days"] if d["heat_pump_wh"] or d["element_wh"]] == [
        {"day": 26, "heat_pump_wh": 113, "element_wh": 0}
    ]


async def test_heater_action_error_is_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_session: MagicMock
) -> None:
    """A heater action whose command is not confirmed fails with a translated error."""
    mock_session.set_vacation.side_effect = CommandTimeoutError("no echo")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_vacation_days",
            {"device_id": heater_device(hass, init_integration), "days": 5},
            blocking=True,
        )
    assert err.value.translation_key == "command_timeout"


async def test_leaving_away_mode_entered_before_start(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_session: MagicMock
) -> None:
    """A heater already in vacation when the entry starts has no remembered mode: leaving
    away mode selects its first supported mode (the heat pump)."""
    vacation = DeviceStatus.from_payload(
        {**mock_session.status(MAC).raw, "dhwOperationSetting": DhwMode.VACATION.code}
    )
    mock_session.status.side_effect = {MAC: vacation}.get
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    heater = entity_id(hass, "water_heater", f"{MAC}_water_heater")
    state = hass.states.get(heater)
    assert state.attributes[ATTR_AWAY_MODE] == "on"
    await hass.services.async_call(
        "water_heater",
        SERVICE_SET_AWAY_MODE,
        {ATTR_ENTITY_ID: heater, ATTR_AWAY_MODE: False},
        blocking=True,
    )
    mock_session.set_mode.assert_awaited_once_with(MAC, DhwMode.HEAT_PUMP)
