"""Repairs: only issues the user can act on.

An outage that fixes itself raises nothing (the connectivity sensor and the connection event
show it); rejected credentials go through reauthentication. Raised here:

* `reconnect_gave_up`: the finite reconnect policy gave up; the fix flow reconnects.
* `heater_offline`: a heater has been offline for more than a day (check its Wi-Fi); deleted
  when it reports online again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import voluptuous as vol
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from aionavilink import ConnectionEvent, ConnectionEventType, ConnectionState, NaviLinkError

from .const import (
    DOMAIN,
    HEATER_OFFLINE_REPAIR_AFTER,
    ISSUE_HEATER_OFFLINE,
    ISSUE_RECONNECT_GAVE_UP,
    LOGGER,
)
from .coordinator import NaviLinkConfigEntry, NaviLinkCoordinator


def gave_up_issue_id(entry_id: str) -> str:
    """The issue raised when reconnecting gave up for an entry."""
    return f"{ISSUE_RECONNECT_GAVE_UP}_{entry_id}"


def offline_issue_id(mac: str) -> str:
    """The issue raised when a heater has been offline for long."""
    return f"{ISSUE_HEATER_OFFLINE}_{mac}"


class NaviLinkRepairs:
    """Raises and deletes one account's issues from its coordinator's events and data."""

    def __init__(self, hass: HomeAssistant, coordinator: NaviLinkCoordinator) -> None:
        """Initialise; call `async_start` to follow the coordinator."""
        self.hass = hass
        self.coordinator = coordinator
        self.entry: NaviLinkConfigEntry = coordinator.config_entry
        self._offline_timers: dict[str, CALLBACK_TYPE] = {}
        self._offline_issues: set[str] = set()

    @callback
    def async_start(self) -> Callable[[], None]:
        """Follow the coordinator; the returned callback stops and deletes the issues."""
        unsubs = [
            self.coordinator.connection.add_event_listener(self._on_connection_event),
            self.coordinator.async_add_listener(self._on_data),
            # the device list (with each heater's online flag) reaches entities per heater,
            # not through the coordinator's listeners
            self.coordinator.session.add_devices_listener(lambda _devices: self._on_data()),
        ]
        self._on_data()

        @callback
        def stop() -> None:
            for unsub in unsubs:
                unsub()
            for cancel in self._offline_timers.values():
                cancel()
            self._offline_timers.clear()
            ir.async_delete_issue(self.hass, DOMAIN, gave_up_issue_id(self.entry.entry_id))
            for mac in self._offline_issues:
                ir.async_delete_issue(self.hass, DOMAIN, offline_issue_id(mac))
            self._offline_issues.clear()

        return stop

    # ------------------------------------------------------------------ reconnect gave up

    @callback
    def _on_connection_event(self, event: ConnectionEvent) -> None:
        issue_id = gave_up_issue_id(self.entry.entry_id)
        if event.type is ConnectionEventType.RECONNECT_FAILED:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=True,
                is_persistent=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=ISSUE_RECONNECT_GAVE_UP,
                translation_placeholders={
                    "account": self.entry.title,
                    "reason": event.reason or event.state.value,
                },
                data={"entry_id": self.entry.entry_id},
            )
        elif event.state in (ConnectionState.CONNECTED, ConnectionState.AUTH_FAILED):
            # Connected again, or reauthentication (its own flow) is what the user needs now.
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    # ------------------------------------------------------------------ heater offline

    @callback
    def _on_data(self) -> None:
        devices = self.coordinator.heaters
        offline = {mac for mac, info in devices.items() if info.online is False}
        for mac in offline - set(self._offline_timers) - self._offline_issues:
            self._offline_timers[mac] = async_call_later(
                self.hass, HEATER_OFFLINE_REPAIR_AFTER, self._offline_due(mac)
            )
        for mac in set(self._offline_timers) - offline:
            self._offline_timers.pop(mac)()
        for mac in self._offline_issues - offline:
            self._offline_issues.discard(mac)
            ir.async_delete_issue(self.hass, DOMAIN, offline_issue_id(mac))

    def _offline_due(self, mac: str) -> Callable[[datetime], None]:
        @callback
        def due(_now: datetime) -> None:
            self._offline_timers.pop(mac, None)
            info = self.coordinator.heaters.get(mac)
            if info is None or info.online is not False:
                return
            self._offline_issues.add(mac)
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                offline_issue_id(mac),
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_HEATER_OFFLINE,
                translation_placeholders={
                    "name": info.name or f"NWP500 {mac[-4:].upper()}",
                    "hours": str(int(HEATER_OFFLINE_REPAIR_AFTER.total_seconds() // 3600)),
                },
            )

        return due


class ReconnectFlow(RepairsFlow):
    """Confirm, then reconnect the account whose reconnect attempts gave up."""

    def __init__(self, entry_id: str) -> None:
        """Initialise for one config entry."""
        self._entry_id = entry_id

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Start at the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Reconnect when the user confirms; show the error if it fails again."""
        errors: dict[str, str] = {}
        entry: NaviLinkConfigEntry | None = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            ir.async_delete_issue(self.hass, DOMAIN, gave_up_issue_id(self._entry_id))
            return self.async_abort(reason="entry_not_loaded")
        if user_input is not None:
            try:
                await entry.runtime_data.coordinator.session.reconnect()
            except NaviLinkError as err:
                LOGGER.debug("Reconnect from the repair flow failed: %s", err)
                errors["base"] = "cannot_connect"
            else:
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"account": entry.title},
            errors=errors,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The fix flow of a fixable issue (only `reconnect_gave_up` is fixable)."""
    entry_id = str((data or {}).get("entry_id", ""))
    return ReconnectFlow(entry_id)
