"""Diagnostics of the Navien NaviLink integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from aionavilink import DeviceFeature, DeviceStatus, NaviLinkDevice, redact_mac

from .const import CONF_CLIENT_ID, CONF_TOKENS, CONF_USER_SEQ, DOMAIN
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator

TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_TOKENS,
    CONF_CLIENT_ID,
    CONF_USER_SEQ,
    "title",
    "unique_id",
    "macAddress",
    "controllerSerialNumber",
    "latitude",
    "longitude",
    "address",
}


def _redact_macs(value: Any, macs: set[str]) -> Any:
    """Replace every full MAC (in keys and string values) by its redacted form."""
    if isinstance(value, Mapping):
        return {_redact_macs(k, macs): _redact_macs(v, macs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_macs(v, macs) for v in value]
    if isinstance(value, str):
        for mac in macs:
            if mac in value.lower():
                value = value.lower().replace(mac, redact_mac(mac))
        return value
    return value


def _device(coordinator: NaviLinkCoordinator, mac: str) -> dict[str, Any]:
    data = coordinator.data
    info: NaviLinkDevice | None = data.devices.get(mac)
    status: DeviceStatus | None = data.status.get(mac)
    feature: DeviceFeature | None = data.feature.get(mac)
    energy = (coordinator.energy.data or {}).get(mac)
    return {
        "mac": redact_mac(mac),
        "name": info.name if info else None,
        "online": info.online if info else None,
        "device_type": info.device_type if info else None,
        "status": async_redact_data(dict(status.raw), TO_REDACT) if status else None,
        "feature": async_redact_data(dict(feature.raw), TO_REDACT) if feature else None,
        "energy_this_month": None
        if energy is None
        else {"heat_pump_wh": energy.heat_pump_wh, "element_wh": energy.element_wh},
    }


def _entry(coordinator: NaviLinkCoordinator) -> dict[str, Any]:
    entry = coordinator.config_entry
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "connection_available": coordinator.connection.available,
        "unavailable_heaters": sorted(redact_mac(m) for m in coordinator.unavailable_heaters),
        "session": coordinator.session.diagnostics(),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: NaviLinkConfigEntry
) -> dict[str, Any]:
    """Diagnostics for the account."""
    coordinator = entry.runtime_data.coordinator
    macs = set(coordinator.data.devices)
    data = {
        **_entry(coordinator),
        "devices": [_device(coordinator, mac) for mac in sorted(macs)],
    }
    return cast(dict[str, Any], _redact_macs(data, macs))


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: NaviLinkConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Diagnostics for one heater (or the account device)."""
    coordinator = entry.runtime_data.coordinator
    macs = set(coordinator.data.devices)
    result = _entry(coordinator)
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier in macs:
            result["device"] = _device(coordinator, identifier)
    return cast(dict[str, Any], _redact_macs(result, macs))
