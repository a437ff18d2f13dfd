"""NaviLinkSession: one account, one MQTT connection, and the will to keep it.

The session wires the parts; each is the one owner of its facts:

* `NaviLinkAuth` / `NaviLinkApi` (auth.py): tokens and the REST device list;
* `DeviceRegistry` (devices.py): devices and their last status and feature report;
* `Connection` (connection.py) and its `ReconnectSupervisor` (supervisor.py): the link, its
  state machine, attempts, tiers, auth retry and credential renewal;
* `SubscriptionRegistry` (subscriptions.py): topic filters, restored after every connect;
* `CommandQueue` (queue.py): commands from issue to confirmation;
* `LivenessWatchdog` / `StatusProbes` (watchdog.py): periodic status, silent-link detection;
* `DeviceCommands` (commands.py): the device commands this class offers.

Everything runs on one asyncio loop; awscrt's threads reach it only through the transport's
`call_soon_threadsafe` hand-off. Every timer and sleep goes through the injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp

from .auth import NaviLinkApi, NaviLinkAuth, Tokens
from .clock import SYSTEM_CLOCK, Clock
from .commands import DeviceCommands
from .connection import Connection
from .crt import MqttEndpoint
from .devices import DeviceRegistry
from .errors import (
    CommandError,
    InvalidCredentialsError,
    MalformedPayloadError,
    NaviLinkError,
    NotConnectedError,
    SessionStoppedError,
)
from .events import Listeners, SessionListeners, call_all
from .health import ConnectionEvent, ConnectionEventType, ConnectionState, Health, LatencyStats
from .inbound import InboundMessage, MessageKind, parse_inbound
from .link import Link, TransportFactory
from .models import DeviceFeature, DeviceStatus, NaviLinkDevice, redact_mac, redact_topic
from .options import Endpoints, SessionOptions, new_client_id
from .policy import ReconnectTier
from .protocol import DEVICE_TYPE, Request, Target
from .queue import CommandQueue, Matcher
from .reachability import Opener
from .subscriptions import SubscriptionRegistry
from .tasks import TaskSet, first_of
from .watchdog import LivenessWatchdog, StatusProbes

_LOGGER = logging.getLogger(__package__)


class NaviLinkSession(DeviceCommands, SessionListeners):
    """One NaviLink account: REST auth plus one self-healing MQTT session."""

    def __init__(
        self,
        websession: aiohttp.ClientSession,
        email: str,
        password: str,
        *,
        endpoints: Endpoints | None = None,
        options: SessionOptions | None = None,
        tokens: Tokens | None = None,
        client_id: str | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        transport_factory: TransportFactory | None = None,
        probe_opener: Opener | None = None,
    ) -> None:
        self.endpoints = endpoints or Endpoints()
        self.options = opts = options or SessionOptions()
        opts.policy.validate()
        self._clock = clock = clock or SYSTEM_CLOCK
        self.auth = NaviLinkAuth(
            websession,
            email,
            password,
            api_url=self.endpoints.api_url,
            tokens=tokens,
            expiry_margin=opts.expiry_margin,
            request_timeout=opts.request_timeout,
            clock=clock,
        )
        self.api = NaviLinkApi(self.auth)
        self.client_id = client_id or new_client_id()
        self.session_id = uuid.uuid4().hex
        self.health = Health(latency=LatencyStats(clock.monotonic))
        self._running = False
        self._data_arrived = asyncio.Event()
        self._tasks = tasks = TaskSet()
        self._listeners = Listeners()
        self._ignored: set[str] = set()  # other NaviLink products on the account
        link = Link(
            endpoint=MqttEndpoint.from_url(self.endpoints.mqtt_url, self.endpoints.ca_file),
            client_id=self.client_id,
            factory=transport_factory,
            on_message=self._on_message,
            on_interrupted=self._on_interrupted,
            on_resumed=self._on_resumed,
            settings=opts.transport_settings(),
        )
        self._link = link
        self._subscriptions = SubscriptionRegistry(
            clock=clock,
            tasks=tasks,
            counters=self.health.counters,
            subscribe=link.subscribe,
            link_up=lambda: link.current is not None and self.connected,
            retry_interval=opts.resubscribe_retry,
        )
        self._queue = CommandQueue(
            clock=clock,
            tasks=tasks,
            publish=link.publish,
            counters=self.health.counters,
            latency=self.health.latency,
            size=opts.queue_size,
            ttl=opts.queue_ttl,
            timeout=opts.command_timeout,
        )
        self._devices = DeviceRegistry(self.client_id, self.session_id, self._subscriptions)
        self._watchdog = LivenessWatchdog(
            clock=clock,
            misses=opts.watchdog_misses,
            latency=self.health.latency,
            max_latency=opts.command_timeout,
        )
        self._conn = Connection(
            options=opts,
            clock=clock,
            rng=rng or random.Random(),
            tasks=tasks,
            health=self.health,
            auth=self.auth,
            link=link,
            subscriptions=self._subscriptions,
            queue=self._queue,
            watchdog=self._watchdog,
            load_devices=self._load_devices,
            on_ready=self._fetch_online_devices,
            notify=self._on_event,
            probe_opener=probe_opener,
        )
        self._probes = StatusProbes(
            clock=clock,
            tasks=tasks,
            interval=opts.status_interval,
            watchdog=self._watchdog,
            devices=lambda: self._devices.devices,
            ready=lambda: self._conn.ready,
            target=self._devices.target_of,
            publish=link.publish,
            on_verdict=self._conn.on_verdict,
        )

    def _on_interrupted(self, transport: object, reason: str) -> None:
        self._conn.on_interrupted(transport, reason)

    def _on_resumed(self, transport: object, session_present: bool) -> None:
        self._conn.on_resumed(transport, session_present)

    def _on_event(self, event: ConnectionEvent) -> None:
        self._data_arrived.set()
        self._listeners.connection.notify(event)

    # ------------------------------------------------------------------ read side

    @property
    def state(self) -> ConnectionState:
        """The connection state."""
        return self.health.state

    @property
    def connected(self) -> bool:
        """True while the MQTT connection is up."""
        return self.health.state is ConnectionState.CONNECTED

    @property
    def devices(self) -> dict[str, NaviLinkDevice]:
        """Devices on the account, by MAC."""
        return dict(self._devices.devices)

    @property
    def tokens(self) -> Tokens | None:
        """Current tokens, to persist."""
        return self.auth.tokens

    def status(self, mac: str) -> DeviceStatus | None:
        """The last good status of a device."""
        return self._devices.status.get(mac)

    def feature(self, mac: str) -> DeviceFeature | None:
        """The last feature report (capabilities and limits) of a device."""
        return self._devices.feature.get(mac)

    @property
    def subscribed_topics(self) -> list[str]:
        """Every topic filter in the registry."""
        return self._subscriptions.topics

    @property
    def unrestored_topics(self) -> list[str]:
        """Topics whose last (re)subscription failed and are being retried."""
        return self._subscriptions.unrestored

    @property
    def queued_commands(self) -> int:
        """Commands waiting for the connection."""
        return self._queue.queued

    @property
    def pending_commands(self) -> int:
        """Commands not yet confirmed or failed (queued or sent)."""
        return self._queue.queued + self._queue.inflight

    def diagnostics(self) -> dict[str, Any]:
        """Secret-free state for diagnostics."""
        return {
            "client_id_suffix": self.client_id[-4:],
            "health": self.health.as_dict(),
            "subscriptions": len(self._subscriptions.topics),
            "unrestored_subscriptions": len(self._subscriptions.unrestored),
            "queued_commands": self._queue.queued,
            "inflight_commands": self._queue.inflight,
            "sign_ins": self.auth.sign_ins,
            "token_refreshes": self.auth.refreshes,
            "path_probe": self._conn.path_probe.counters.as_dict(),
        }

    # ------------------------------------------------------------------ listeners

    def subscribe(self, topic: str, handler: Callable[[str, bytes], None]) -> Callable[[], None]:
        """Register an extra raw handler; the topic is (re)subscribed with the others."""
        new, remove = self._subscriptions.add_handler(topic, handler)
        if new and self._conn.ready:
            self._tasks.spawn(self._subscriptions.subscribe_one(topic), "navilink-subscribe")
        return remove

    # ------------------------------------------------------------------ start / stop

    async def start(self) -> None:
        """Sign in, list devices, connect, subscribe, and fetch each device's state.

        With `retry_first_connect` False (Home Assistant) a failed first connect raises
        InvalidCredentialsError or NaviLinkConnectionError and leaves nothing running.
        With it True, the failure enters the same recovery as any later one.
        """
        if self._running:
            return
        self._running = True
        self._conn.stopping = False
        self._queue.accept()
        supervisor = self._conn.supervisor
        supervisor.starting()
        try:
            await self.auth.ensure_valid()
            await self._load_devices()
            await self._conn.connect(ReconnectTier.QUICK)
        except NaviLinkError as err:
            if not self.options.retry_first_connect:
                await self.stop()
                raise
            if isinstance(err, InvalidCredentialsError):
                await supervisor.auth_failed()
            else:
                supervisor.connect_failed(err)
                supervisor.schedule(f"first connect failed: {err}")
        self._tasks.spawn(self._probes.run(), "navilink-poll")
        self._tasks.spawn(self._device_refresh_loop(), "navilink-device-refresh")
        if self.connected:
            await self._await_initial_data()

    async def stop(self) -> None:
        """Disconnect and cancel everything. Pending commands fail with SessionStoppedError."""
        if self._conn.stopping and not self._running:
            return
        self._running = False
        self._queue.refuse("the NaviLink session is not running")
        self._conn.halt()
        await self._tasks.cancel_all()
        self._queue.fail_all(SessionStoppedError("the NaviLink session was stopped"))
        await self._conn.close(graceful=self.connected)
        if self.health.state is not ConnectionState.STOPPED:
            self._conn.supervisor.transition(
                ConnectionState.STOPPED, ConnectionEventType.STOPPED, "stopped"
            )

    async def reconnect(self, *, deep: bool = False) -> None:
        """Reconnect now ("Reconnect now" button / action), without waiting for a backoff."""
        if not self._running:
            raise NotConnectedError("the NaviLink session is not running")
        await self._conn.reconnect(deep=deep)

    def update_password(self, password: str) -> None:
        """Use a new password (after the user re-authenticated)."""
        self.auth.update_password(password)

    async def _await_initial_data(self) -> None:
        """Wait (bounded) until every online device has a status and a feature report."""
        deadline = self._clock.monotonic() + self.options.initial_data_timeout
        while self.connected and self._devices.missing_data():
            remaining = deadline - self._clock.monotonic()
            if remaining <= 0:
                return
            self._data_arrived.clear()
            await first_of(self._data_arrived.wait(), self._clock.sleep(remaining))

    # ------------------------------------------------------------------ devices

    async def _load_devices(self) -> None:
        devices = await self.api.list_devices()
        for device in devices:
            if device.device_type != DEVICE_TYPE and device.mac not in self._ignored:
                # Another NaviLink product: never subscribed to or polled.
                self._ignored.add(device.mac)
                _LOGGER.debug(
                    "Ignoring NaviLink device %s: device type %s is not an NWP500 heater",
                    redact_mac(device.mac),
                    device.device_type,
                )
        change = self._devices.apply(
            {d.mac: d for d in devices if d.mac and d.device_type == DEVICE_TYPE}
        )
        if self._conn.ready:
            for topic in change.new_topics:
                self._tasks.spawn(self._subscriptions.subscribe_one(topic), "navilink-subscribe")
            for mac in self._devices.without_status():
                self._tasks.spawn(self._fetch_device(mac), "navilink-fetch")
        if change.changed:
            self._listeners.devices.notify(self.devices)

    async def refresh_devices(self) -> dict[str, NaviLinkDevice]:
        """Re-read the device list over REST; new devices are subscribed, gone ones dropped."""
        await self._load_devices()
        return self.devices

    async def _device_refresh_loop(self) -> None:
        interval = self.options.device_refresh_interval
        if interval <= 0:
            return
        while True:
            await self._clock.sleep(interval)
            if self.health.state is ConnectionState.AUTH_FAILED:
                continue
            try:
                await self._load_devices()
            except NaviLinkError as err:
                _LOGGER.debug("device list refresh failed: %s", str(err))

    def _fetch_online_devices(self) -> None:
        for mac in self._devices.online():
            self._tasks.spawn(self._fetch_device(mac), "navilink-fetch")

    async def _fetch_device(self, mac: str) -> None:
        """Fresh status and (when missing) feature report after a (re)connect."""
        try:
            if self.feature(mac) is None:
                await self.request_feature(mac)
            await self.request_status(mac)
        except NaviLinkError as err:
            _LOGGER.debug("NaviLink: fetching %s failed: %s", redact_mac(mac), str(err))

    # ------------------------------------------------------------------ inbound

    def _on_message(self, topic: str, payload: bytes) -> None:
        self._watchdog.message_seen()
        self.health.counters.messages += 1
        call_all(self._subscriptions.dispatch(topic, payload), topic, payload)
        try:
            message = parse_inbound(topic, payload)
            if message is not None:
                self._dispatch(message)
        except MalformedPayloadError as err:
            self.health.counters.malformed_messages += 1
            _LOGGER.debug(
                "NaviLink: dropped a malformed message on %s: %s", redact_topic(topic), err
            )

    def _dispatch(self, message: InboundMessage) -> None:
        mac = message.mac
        if message.kind is MessageKind.STATUS and mac:
            status = DeviceStatus.from_payload(message.body)
            self._devices.status[mac] = status
            self._watchdog.status_seen(mac)
            self._data_arrived.set()
            self._listeners.status.notify(mac, status)
        elif message.kind is MessageKind.FEATURE and mac:
            feature = DeviceFeature.from_payload(message.body)
            self._devices.feature[mac] = feature
            self._data_arrived.set()
            self._listeners.feature.notify(mac, feature)
        self._queue.confirm(message)

    # ------------------------------------------------------------------ probes and commands

    def _target(self, mac: str) -> Target:
        target = self._devices.target_of(mac)
        if target is None:
            raise CommandError(f"unknown device {redact_mac(mac)}")
        return target

    async def _execute[T](self, mac: str, request: Request, label: str, match: Matcher[T]) -> T:
        _LOGGER.debug("NaviLink: %s for %s", label, redact_mac(mac))
        return await self._queue.submit(mac, request, label, match)

    async def send_request[T](
        self,
        mac: str,
        build: Callable[[Target], Request],
        label: str,
        match: Callable[[InboundMessage], T | None],
    ) -> T:
        """Send a request built for `mac` through the command queue and return what `match`
        makes of the reply it accepts (the extension point of recirculation.py and tou.py)."""
        result: T = await self._execute(mac, build(self._target(mac)), label, match)
        return result
