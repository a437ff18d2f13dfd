"""Firmware update entities: the installed and the latest controller firmware of each heater,
from the cloud's firmware endpoint.

The heater downloads firmware by itself; the firmware endpoint reports a downloaded version
next to the installed one. Install commits the downloaded versions (``commitOta``); there is
nothing to install while none is downloaded.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from aionavilink import Firmware, NaviLinkError, firmware_info, format_version, install_firmware

from .const import DOMAIN, FIRMWARE_INTERVAL, LOGGER
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator
from .entity import NaviLinkEntity, async_setup_heater_entities
from .helpers import command_errors

PARALLEL_UPDATES = 0

FIRMWARE = UpdateEntityDescription(
    key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
    entity_category=EntityCategory.DIAGNOSTIC,
)
MAIN_COMPONENT = "controller"

type FirmwareData = dict[str, dict[str, Firmware]]


class NaviLinkFirmwareCoordinator(DataUpdateCoordinator[FirmwareData]):
    """Every heater's firmware, read from the cloud twice a day."""

    config_entry: NaviLinkConfigEntry

    def __init__(self, hass: HomeAssistant, coordinator: NaviLinkCoordinator) -> None:
        """Poll the firmware endpoint for the account's heaters."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=coordinator.config_entry,
            name="NaviLink firmware",
            update_interval=FIRMWARE_INTERVAL,
        )
        self.main = coordinator

    async def _async_update_data(self) -> FirmwareData:
        data: FirmwareData = {}
        for mac in self.main.session.devices:
            try:
                data[mac] = await firmware_info(self.main.session, mac)
            except NaviLinkError as err:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="firmware_failed",
                    translation_placeholders={"error": str(err)},
                ) from err
        return data


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NaviLinkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one firmware entity per heater."""
    coordinator = entry.runtime_data.coordinator
    firmware = NaviLinkFirmwareCoordinator(hass, coordinator)
    await firmware.async_refresh()

    def entities(mac: str) -> list[UpdateEntity]:
        if mac not in (firmware.data or {}):  # a heater that joined the account later
            entry.async_create_background_task(
                hass, firmware.async_request_refresh(), "NaviLink firmware of a new heater"
            )
        return [NaviLinkFirmwareUpdate(coordinator, mac, FIRMWARE, firmware)]

    async_setup_heater_entities(coordinator, async_add_entities, entities)


class NaviLinkFirmwareUpdate(NaviLinkEntity, UpdateEntity):
    """The heater's controller firmware: installed and latest known version."""

    _attr_supported_features = UpdateEntityFeature.INSTALL

    def __init__(
        self,
        coordinator: NaviLinkCoordinator,
        mac: str,
        description: UpdateEntityDescription,
        firmware: NaviLinkFirmwareCoordinator,
    ) -> None:
        """Bind to the heater and to the firmware coordinator."""
        super().__init__(coordinator, mac, description)
        self.firmware = firmware

    async def async_added_to_hass(self) -> None:
        """Also follow the firmware coordinator."""
        await super().async_added_to_hass()
        self.async_on_remove(self.firmware.async_add_listener(self.async_write_ha_state))

    @property
    def _main(self) -> Firmware | None:
        return (self.firmware.data or {}).get(self.mac, {}).get(MAIN_COMPONENT)

    @property
    def available(self) -> bool:
        """Available while the heater is, and its firmware is known."""
        return super().available and self.firmware.last_update_success and self._main is not None

    @property
    def installed_version(self) -> str | None:
        """The running controller firmware."""
        main = self._main
        return None if main is None else format_version(main.current_version)

    @property
    def latest_version(self) -> str | None:
        """The downloaded controller firmware, or the running one when there is none."""
        main = self._main
        return None if main is None else format_version(main.latest_version)

    async def async_update(self) -> None:
        """``homeassistant.update_entity``: read the firmware versions again."""
        await self.firmware.async_request_refresh()

    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Commit every downloaded firmware of the heater, then read the versions again."""
        pending = [
            fw
            for fw in (self.firmware.data or {}).get(self.mac, {}).values()
            if fw.downloaded_version not in (None, fw.current_version)
        ]
        with command_errors():
            for fw in pending:
                await install_firmware(self.coordinator.session, self.mac, fw)
            await self.coordinator.session.request_feature(self.mac)
        await self.firmware.async_refresh()
