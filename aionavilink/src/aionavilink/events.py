"""Listener lists: callbacks the session calls; one failing listener never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from .auth import NaviLinkAuth, Tokens
from .health import ConnectionEvent
from .models import DeviceFeature, DeviceStatus, NaviLinkDevice

_LOGGER = logging.getLogger(__package__)


def call_all(listeners: Iterable[Callable[..., None]], *args: Any) -> None:
    """Call each listener; log (not raise) what one raises."""
    for listener in list(listeners):
        try:
            listener(*args)
        except Exception:
            _LOGGER.exception("NaviLink listener failed")


class ListenerList[**P]:
    """Callbacks of one kind."""

    def __init__(self) -> None:
        self._listeners: list[Callable[P, None]] = []

    def add(self, listener: Callable[P, None]) -> Callable[[], None]:
        """Register; returns the function that removes it again."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def notify(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for listener in list(self._listeners):
            try:
                listener(*args, **kwargs)
            except Exception:
                _LOGGER.exception("NaviLink listener failed")


class Listeners:
    """Every listener list of a session."""

    def __init__(self) -> None:
        self.connection: ListenerList[[ConnectionEvent]] = ListenerList()
        self.status: ListenerList[[str, DeviceStatus]] = ListenerList()
        self.feature: ListenerList[[str, DeviceFeature]] = ListenerList()
        self.devices: ListenerList[[dict[str, NaviLinkDevice]]] = ListenerList()


class SessionListeners:
    """The session's `add_*_listener` methods; each returns a function that removes it."""

    _listeners: Listeners
    auth: NaviLinkAuth

    def add_connection_listener(self, cb: Callable[[ConnectionEvent], None]) -> Callable[[], None]:
        """Call `cb(event)` on every connection transition."""
        return self._listeners.connection.add(cb)

    def add_status_listener(self, cb: Callable[[str, DeviceStatus], None]) -> Callable[[], None]:
        """Call `cb(mac, status)` for every good status."""
        return self._listeners.status.add(cb)

    def add_feature_listener(self, cb: Callable[[str, DeviceFeature], None]) -> Callable[[], None]:
        """Call `cb(mac, feature)` for every good feature report."""
        return self._listeners.feature.add(cb)

    def add_devices_listener(
        self, cb: Callable[[dict[str, NaviLinkDevice]], None]
    ) -> Callable[[], None]:
        """Call `cb(devices)` when the device list changes."""
        return self._listeners.devices.add(cb)

    def add_tokens_listener(self, cb: Callable[[Tokens], None]) -> Callable[[], None]:
        """Call `cb(tokens)` after every sign-in or refresh."""
        return self.auth.add_listener(cb)
