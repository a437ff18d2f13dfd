"""The account's heaters as Home Assistant devices: which products become devices, what the
device registry shows of them, and keeping it in step with the account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr

from aionavilink import DEVICE_TYPE, ConnectionState, DeviceFeature, NaviLinkDevice

from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from .coordinator import NaviLinkCoordinator

MANUFACTURER = "Navien"
MODEL = "NWP500"


def format_mac(mac: str) -> str:
    """aa:bb:cc:dd:ee:ff from the cloud's aabbccddeeff."""
    return ":".join(mac[i : i + 2] for i in range(0, len(mac), 2))


def firmware_version(feature: DeviceFeature | None) -> str | None:
    """The controller firmware as the device registry shows it."""
    if feature is None or feature.controller_sw_version is None:
        return None
    return f"{feature.controller_sw_version:08x}"


def is_supported(info: NaviLinkDevice) -> bool:
    """Only NWP500 heat-pump water heaters (their device type) become devices."""
    return info.device_type == DEVICE_TYPE


def heater_device_info(coordinator: NaviLinkCoordinator, mac: str) -> dr.DeviceInfo:
    """The device-registry entry of one heater (linked to the account's device)."""
    data = coordinator.data
    info = data.devices.get(mac) if data is not None else None
    feature = data.feature.get(mac) if data is not None else None
    return dr.DeviceInfo(
        identifiers={(DOMAIN, mac)},
        connections={(dr.CONNECTION_NETWORK_MAC, format_mac(mac))},
        manufacturer=MANUFACTURER,
        model=MODEL,
        name=(info.name if info and info.name else f"NaviLink {mac[-4:]}"),
        serial_number=feature.controller_serial_number if feature else None,
        sw_version=firmware_version(feature),
        via_device_id=coordinator.account_device_id,
    )


@callback
def async_register_heaters(coordinator: NaviLinkCoordinator, macs: Iterable[str]) -> None:
    """Heaters are devices as soon as the account lists them, answering or not."""
    registry = dr.async_get(coordinator.hass)
    entry_id = coordinator.config_entry.entry_id
    for mac in macs:
        registry.async_get_or_create(
            config_entry_id=entry_id, **heater_device_info(coordinator, mac)
        )


@callback
def async_remove_heaters(coordinator: NaviLinkCoordinator, macs: Iterable[str]) -> None:
    """Heaters that left the account leave Home Assistant too."""
    registry = dr.async_get(coordinator.hass)
    for mac in macs:
        device = registry.async_get_device_by_identifier(
            (DOMAIN, mac), coordinator.config_entry.entry_id
        )
        if device is not None:
            LOGGER.info("NaviLink heater …%s left the account; removing it", mac[-4:])
            registry.async_remove_device(device.id)


@callback
def async_remove_stale_heaters(coordinator: NaviLinkCoordinator) -> None:
    """Heaters that left the account while Home Assistant was not running go too
    (only with a device list read at start: an outage at start proves nothing)."""
    if coordinator.session.state is not ConnectionState.CONNECTED:
        return
    registry = dr.async_get(coordinator.hass)
    keep = {coordinator.account_id, *coordinator.data.devices}
    for device in dr.async_entries_for_config_entry(registry, coordinator.config_entry.entry_id):
        ours = {i for d, i in device.identifiers if d == DOMAIN}
        if ours and not ours & keep:
            LOGGER.info("NaviLink heater %s is no longer on the account; removing it", device.name)
            registry.async_remove_device(device.id)


@callback
def async_update_heater_entry(
    coordinator: NaviLinkCoordinator, mac: str, feature: DeviceFeature
) -> None:
    """Keep a heater's serial number and firmware in the device registry current."""
    registry = dr.async_get(coordinator.hass)
    device = registry.async_get_device_by_identifier(
        (DOMAIN, mac), coordinator.config_entry.entry_id
    )
    if device is None:
        return
    registry.async_update_device(
        device.id,
        serial_number=feature.controller_serial_number,
        sw_version=firmware_version(feature),
    )
