"""Firmware update entities: the installed and the latest controller firmware of each heater,
from the cloud's firmware endpoint.

The heater fetches and installs firmware by itself; the protocol's OTA commit needs details
of a downloaded image that the cloud does not hand out, so these entities offer no install.
"""

from __future__ import annotations

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .client import Firmware, NaviLinkError, firmware_info, format_version
from .const import DOMAIN, FIRMWARE_INTERVAL, LOGGER
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator
from .entity import NaviLinkEntity, async_setup_heater_entities

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
    coordinator = entry.runtime_data
    firmware = NaviLinkFirmwareCoordinator(hass, coordinator)
    await firmware.async_refresh()
    async_setup_heater_entities(
        coordinator,
        async_add_entities,
        lambda mac: [NaviLinkFirmwareUpdate(coordinator, mac, FIRMWARE, firmware)],
    )


class NaviLinkFirmwareUpdate(NaviLinkEntity, UpdateEntity):
    """The heater's controller firmware: installed and latest known version."""

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
