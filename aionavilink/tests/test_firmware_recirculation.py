"""Firmware versions and installs, and hot-water recirculation, on the fake cloud."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import MAC, Factory

from aionavilink import (
    CommandCode,
    DeviceFeature,
    DeviceStatus,
    Firmware,
    NaviLinkProtocolError,
    OutOfRangeError,
    RecircMode,
    UnsupportedCommandError,
    firmware_info,
    format_version,
    install_firmware,
    recirc_mode,
    run_recirculation,
    set_recirc_mode,
    supports_recirculation,
)
from aionavilink.testing import FakeCloud, FakeHeater, settle

FIRMWARE_PATH = "/device/firmware/info"


def _reply(data: Any) -> list[tuple[int, Any]]:
    return [(200, {"code": 200, "msg": "SUCCESS", "data": data})]


# -- firmware -------------------------------------------------------------------------------


def test_format_version_is_eight_hex_digits() -> None:
    assert format_version(0x0B010000) == "0b010000"
    assert format_version(0x0102) == "00000102"
    assert format_version(0) == "00000000"


def test_firmware_component_names_and_latest_version() -> None:
    assert Firmware(1, 0x0102).component == "controller"
    assert Firmware(2, 0x0102).component == "panel"
    assert Firmware(4, 0x0102).component == "wifi"
    assert Firmware(9, 0x0102).component == "code 9"
    assert Firmware(1, 0x0102).latest_version == 0x0102
    assert Firmware(1, 0x0102, 0x0103).latest_version == 0x0103


def test_firmware_from_wire() -> None:
    entry = {"curSwCode": 4, "curVersion": 0x0A000300, "downloadedVersion": 0x0A000400}
    assert Firmware.from_wire(entry) == Firmware(4, 0x0A000300, 0x0A000400)
    assert Firmware.from_wire({"curSwCode": 2, "curVersion": 7, "downloadedVersion": None}) == (
        Firmware(2, 7, None)
    )
    # a downloaded version of the wrong type is ignored, not an error
    assert Firmware.from_wire({"curSwCode": 2, "curVersion": 7, "downloadedVersion": "8"}) == (
        Firmware(2, 7, None)
    )
    assert Firmware.from_wire({"curVersion": 7}) is None
    assert Firmware.from_wire({"curSwCode": 1}) is None
    assert Firmware.from_wire({"curSwCode": "1", "curVersion": 7}) is None
    assert Firmware.from_wire({"curSwCode": True, "curVersion": 7}) is None


async def test_firmware_info_lists_every_component(make_session: Factory, cloud: FakeCloud) -> None:
    cloud.heaters[MAC].downloaded = {4: 0x0A000400}
    session, _ = await make_session()
    firmware = await firmware_info(session, MAC)
    assert firmware == {
        "controller": Firmware(1, 0x0102),
        "panel": Firmware(2, 0x0B010000),
        "wifi": Firmware(4, 0x0A000300, 0x0A000400),
    }
    assert firmware["wifi"].latest_version == 0x0A000400


async def test_firmware_info_skips_entries_without_code_or_version(
    make_session: Factory, cloud: FakeCloud
) -> None:
    cloud.rest_replies[FIRMWARE_PATH] = _reply(
        {
            "firmwares": [
                {"curSwCode": 1, "curVersion": 0x0102, "downloadedVersion": 0x0103},
                {"curSwCode": 2},
                {"curVersion": 0x0B010000},
                {"curSwCode": "4", "curVersion": 5},
                "junk",
                None,
            ]
        }
    )
    session, _ = await make_session()
    assert await firmware_info(session, MAC) == {"controller": Firmware(1, 0x0102, 0x0103)}


@pytest.mark.parametrize("data", [{}, {"firmwares": None}, {"firmwares": {"a": 1}}, [], None])
async def test_firmware_info_without_a_firmwares_list_is_a_protocol_error(
    make_session: Factory, cloud: FakeCloud, data: Any
) -> None:
    cloud.rest_replies[FIRMWARE_PATH] = _reply(data)
    session, _ = await make_session()
    with pytest.raises(NaviLinkProtocolError, match="no firmwares list"):
        await firmware_info(session, MAC)


async def test_firmware_info_of_an_unknown_device_is_refused(make_session: Factory) -> None:
    session, _ = await make_session()
    with pytest.raises(NaviLinkProtocolError, match="404"):
        await firmware_info(session, "000000000000")


@pytest.mark.parametrize("firmware", [Firmware(1, 0x0102), Firmware(1, 0x0102, 0x0102)])
async def test_install_needs_a_downloaded_version(
    make_session: Factory, cloud: FakeCloud, firmware: Firmware
) -> None:
    session, _ = await make_session()
    sent = len(cloud.heaters[MAC].requests)
    with pytest.raises(OutOfRangeError, match="no downloaded controller firmware"):
        await install_firmware(session, MAC, firmware)
    assert len(cloud.heaters[MAC].requests) == sent  # nothing reached the heater
    assert cloud.heaters[MAC].firmware[1] == 0x0102


async def test_install_commits_the_downloaded_version(
    make_session: Factory, cloud: FakeCloud
) -> None:
    heater = cloud.heaters[MAC]
    heater.downloaded = {1: 0x0103}
    session, _ = await make_session()
    controller = (await firmware_info(session, MAC))["controller"]
    assert controller == Firmware(1, 0x0102, 0x0103)

    status = await install_firmware(session, MAC, controller)

    assert isinstance(status, DeviceStatus)
    assert status.dhw_temperature_setting == 60.0  # the heater's status reply confirmed it
    request = heater.requests[-1]
    assert request["command"] == CommandCode.OTA_COMMIT
    assert request["commitOta"] == {"swCode": 1, "swVersion": 0x0103}
    assert heater.firmware[1] == 0x0103
    assert heater.downloaded == {}
    assert (await firmware_info(session, MAC))["controller"] == Firmware(1, 0x0103)
    assert session.health.counters.commands_failed == 0


async def test_a_commit_the_heater_refuses_installs_nothing(
    make_session: Factory, cloud: FakeCloud
) -> None:
    heater = cloud.heaters[MAC]
    session, _ = await make_session()
    with pytest.raises(OutOfRangeError, match=r"install panel firmware .*refused it"):
        await install_firmware(session, MAC, Firmware(2, 0x0B010000, 0x0B020000))
    assert heater.requests[-1]["commitOta"] == {"swCode": 2, "swVersion": 0x0B020000}
    assert heater.firmware[2] == 0x0B010000  # never downloaded: the heater keeps its version


# -- recirculation --------------------------------------------------------------------------


def test_recirc_mode_codes() -> None:
    assert [RecircMode.from_code(c) for c in (1, 2, 3, 4)] == [
        RecircMode.ALWAYS,
        RecircMode.BUTTON,
        RecircMode.SCHEDULE,
        RecircMode.TEMPERATURE,
    ]
    assert [m.code for m in RecircMode] == [1, 2, 3, 4]
    for code in (0, 5, -1, True, "1", 1.0, None):
        assert RecircMode.from_code(code) is None


def test_supports_recirculation() -> None:
    assert supports_recirculation(None) is False
    assert supports_recirculation(DeviceFeature.from_payload({"recirculationUse": 2})) is True
    assert supports_recirculation(DeviceFeature.from_payload({"recirculationUse": 1})) is False
    assert supports_recirculation(DeviceFeature.from_payload({})) is False


def test_recirc_mode_of_a_status() -> None:
    assert recirc_mode(None) is None
    assert recirc_mode(DeviceStatus.from_payload({"recircOperationMode": 3})) is (
        RecircMode.SCHEDULE
    )
    assert recirc_mode(DeviceStatus.from_payload({"recircOperationMode": 0})) is None
    assert recirc_mode(DeviceStatus.from_payload({})) is None


async def test_recirculation_commands_need_a_pump(make_session: Factory, cloud: FakeCloud) -> None:
    session, _ = await make_session()
    await session.request_feature(MAC)
    assert supports_recirculation(session.feature(MAC)) is False
    sent = len(cloud.heaters[MAC].requests)
    with pytest.raises(UnsupportedCommandError, match="recirculation mode: the device has no"):
        await set_recirc_mode(session, MAC, RecircMode.ALWAYS)
    with pytest.raises(UnsupportedCommandError, match="recirculation: the device has no"):
        await run_recirculation(session, MAC)
    assert len(cloud.heaters[MAC].requests) == sent  # refused before sending


def _fit_pump(cloud: FakeCloud) -> FakeHeater:
    """The heater gets a recirculation pump (its feature payload reports it)."""
    heater = cloud.heaters[MAC]
    heater.feature.update(recirculationUse=2, recircReservationUse=2)
    heater.status["recircOperationMode"] = 0
    return heater


@pytest.mark.parametrize("mode", list(RecircMode))
async def test_set_recirc_mode_is_confirmed_by_the_status(
    make_session: Factory, cloud: FakeCloud, mode: RecircMode
) -> None:
    heater = _fit_pump(cloud)
    session, _ = await make_session()
    await session.request_feature(MAC)
    assert supports_recirculation(session.feature(MAC)) is True

    status = await set_recirc_mode(session, MAC, mode)

    assert recirc_mode(status) is mode
    assert status.raw["recircOperationMode"] == mode.code
    assert recirc_mode(session.status(MAC)) is mode
    request = heater.requests[-1]
    assert request["command"] == CommandCode.RECIRC_MODE
    assert (request["mode"], request["param"]) == ("recirc-mode", [mode.code])
    assert heater.status["recircOperationMode"] == mode.code


async def test_a_heater_that_lost_its_pump_refuses_the_mode_at_once(
    make_session: Factory, cloud: FakeCloud
) -> None:
    """The session still believes the pump is there; the heater says no, and the caller hears
    it at once (no clock advance) instead of after the command timeout."""
    heater = _fit_pump(cloud)
    session, _ = await make_session()
    await session.request_feature(MAC)
    heater.feature["recirculationUse"] = 1
    pending = asyncio.ensure_future(set_recirc_mode(session, MAC, RecircMode.BUTTON))
    await settle()
    assert pending.done()
    with pytest.raises(UnsupportedCommandError, match=r"refused it \(recirculationUse absent\)"):
        await pending
    assert heater.requests[-1]["mode"] == "recirc-mode"
    assert heater.status["recircOperationMode"] == 0  # unchanged
    counters = session.health.counters
    assert (counters.commands_refused, counters.commands_failed) == (1, 1)
    assert session.pending_commands == 0


async def test_run_recirculation_presses_the_hot_button(
    make_session: Factory, cloud: FakeCloud
) -> None:
    heater = _fit_pump(cloud)
    heater.status["recircOperationMode"] = RecircMode.BUTTON.code
    session, _ = await make_session()
    await session.request_feature(MAC)

    status = await run_recirculation(session, MAC)

    assert recirc_mode(status) is RecircMode.BUTTON
    assert status.dhw_temperature_setting == 60.0
    request = heater.requests[-1]
    assert request["command"] == CommandCode.RECIRC_HOT_BUTTON
    assert (request["mode"], request["param"]) == ("recirc-hotbtn", [1])
    assert session.health.counters.commands_failed == 0
