"""The account's devices: the REST list, and the last good status and feature of each."""

from __future__ import annotations

from dataclasses import dataclass

from .models import DeviceFeature, DeviceStatus, NaviLinkDevice
from .protocol import Target, client_subscriptions, device_subscription
from .subscriptions import SubscriptionRegistry


@dataclass(frozen=True, slots=True)
class DevicesChange:
    """What applying a new device list changed."""

    changed: bool  # devices added, removed, or online/offline flipped
    new_topics: list[str]


class DeviceRegistry:
    """Devices by MAC; keeps one subscription per device plus the client-keyed topics."""

    def __init__(
        self, client_id: str, session_id: str, subscriptions: SubscriptionRegistry
    ) -> None:
        self._client_id = client_id
        self._session_id = session_id
        self._subscriptions = subscriptions
        self.devices: dict[str, NaviLinkDevice] = {}
        self.status: dict[str, DeviceStatus] = {}
        self.feature: dict[str, DeviceFeature] = {}

    def apply(self, devices: dict[str, NaviLinkDevice]) -> DevicesChange:
        """Take a fresh device list: register new topics, forget devices that are gone."""
        old = self.devices
        changed = set(devices) != set(old) or any(
            devices[mac].online != old[mac].online for mac in devices if mac in old
        )
        self.devices = devices
        wanted = [device_subscription(mac) for mac in devices]
        wanted += client_subscriptions(self._client_id)
        new_topics = [topic for topic in wanted if self._subscriptions.add(topic)]
        for mac in set(old) - set(devices):
            self._subscriptions.remove(device_subscription(mac))
            self.status.pop(mac, None)
            self.feature.pop(mac, None)
        return DevicesChange(changed=changed, new_topics=new_topics)

    def target_of(self, mac: str) -> Target | None:
        """Who sends to this device, or None for a device not (or no longer) on the account."""
        device = self.devices.get(mac)
        if device is None:
            return None
        return Target(self._client_id, self._session_id, mac, device.additional_value)

    def online(self) -> list[str]:
        """Devices not known to be offline."""
        return [mac for mac, device in self.devices.items() if device.online is not False]

    def without_status(self) -> list[str]:
        return [mac for mac in self.devices if mac not in self.status]

    def missing_data(self) -> list[str]:
        """Online devices still without a status or a feature report."""
        return [mac for mac in self.online() if mac not in self.status or mac not in self.feature]
