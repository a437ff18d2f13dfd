"""NaviLinkSession: one account, one MQTT connection, and the will to keep it.

The session owns the REST auth, the awscrt transport, the reconnect policy, the subscription
registry, the command queue and the liveness watchdog. Everything runs on one asyncio loop;
awscrt's threads only ever reach it through `MqttTransport`'s `call_soon_threadsafe` hand-off.

Recovery, in one place:

* An interruption (awscrt callback), a failed probe streak (watchdog) or a failed first connect
  start the reconnect loop. Attempt n sleeps `policy.delay(n)` and then reconnects: a **quick**
  reconnect (new connection, same credentials while they are valid), or every `deep_every`-th
  attempt, or after the server refused the signed upgrade, a **deep** one (refresh the tokens,
  falling back to a sign-in with the stored password, re-list the devices, new connection).
* The SDK's own resume is accepted too; it ends the loop. Either way every registered topic is
  subscribed again and the queued commands are sent only afterwards.
* Rejected credentials stop the loop in `auth_failed`; a slow sign-in retry (policy
  `auth_retry_interval`) brings the session back by itself when the identity returns.
* AWS credentials are renewed ahead of their expiry, on a live connection, without a
  visible outage (state stays `connected`; commands wait in the queue for the swap).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from .auth import CLOUD_API_URL, NaviLinkApi, NaviLinkAuth, Tokens
from .errors import (
    CommandError,
    CommandEvictedError,
    CommandExpiredError,
    CommandTimeoutError,
    InvalidCredentialsError,
    MalformedPayloadError,
    NaviLinkConnectionError,
    NaviLinkError,
    NotConnectedError,
    OutOfRangeError,
    SessionStoppedError,
    UnsupportedCommandError,
)
from .health import ConnectionEvent, ConnectionEventType, ConnectionState, Health
from .models import (
    DeviceFeature,
    DeviceInfo,
    DeviceStatus,
    DhwMode,
    EnergyUsage,
    Reservation,
    ReservationSchedule,
)
from .policy import Clock, ReconnectPolicy, ReconnectTier, SystemClock
from .protocol import (
    CommandCode,
    InboundMessage,
    MessageKind,
    Request,
    Target,
    celsius_to_raw,
    client_subscriptions,
    device_subscription,
    energy_request,
    feature_request,
    mode_request,
    parse_inbound,
    payload_bytes,
    reservation_read_request,
    reservation_write_request,
    status_request,
    topic_matches,
)
from .transport import (
    CLOUD_MQTT_URL,
    AwsCredentials,
    MqttEndpoint,
    MqttTransport,
    is_auth_rejection,
)

_LOGGER = logging.getLogger(__name__)


def new_client_id() -> str:
    """A client id in the app's format: stable per installation once stored."""
    return f"navien-client-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where the cloud is. The defaults are the real NaviLink cloud."""

    api_url: str = CLOUD_API_URL
    mqtt_url: str = CLOUD_MQTT_URL
    ca_file: str | None = None


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Tunables. Defaults suit the real cloud; tests scale the times down."""

    policy: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    status_interval: float = 60.0  # status request per device; doubles as the liveness probe
    watchdog_misses: int = 3  # unanswered probes before escalating
    command_timeout: float = 15.0  # sent -> confirming echo
    queue_size: int = 100
    queue_ttl: float = 300.0
    keep_alive_secs: int = 30
    ping_timeout_ms: int = 3000
    sdk_reconnect_min_secs: int = 5  # awscrt's own resume runs beside our loop
    sdk_reconnect_max_secs: int = 60
    operation_timeout: float = 30.0
    connect_timeout: float = 30.0
    expiry_margin: float = 300.0  # renew tokens / AWS credentials this long before expiry
    device_refresh_interval: float = 600.0
    resubscribe_retry: float = 5.0
    initial_data_timeout: float = 10.0
    retry_first_connect: bool = False  # True: a failed first connect enters the reconnect loop


@dataclass(eq=False)
class _Command:
    """A command in flight: queued, sent, then confirmed (or failed) through its future."""

    mac: str
    request: Request
    label: str
    match: Callable[[InboundMessage], Any]  # returns a result (not None) when confirmed
    future: asyncio.Future[Any]
    created: float
    sent_at: float | None = None
    timer: asyncio.TimerHandle | None = None

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


type Listener[T] = Callable[[T], None]


class NaviLinkSession:
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
    ) -> None:
        self.endpoints = endpoints or Endpoints()
        self.options = options or SessionOptions()
        self.options.policy.validate()
        self._mqtt_endpoint = MqttEndpoint.from_url(self.endpoints.mqtt_url, self.endpoints.ca_file)
        self.auth = NaviLinkAuth(
            websession,
            email,
            password,
            api_url=self.endpoints.api_url,
            tokens=tokens,
            expiry_margin=self.options.expiry_margin,
        )
        self.api = NaviLinkApi(self.auth)
        self.client_id = client_id or new_client_id()
        self.session_id = uuid.uuid4().hex
        self.health = Health()
        self._clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._loop: asyncio.AbstractEventLoop | None = None

        self._devices: dict[str, DeviceInfo] = {}
        self._status: dict[str, DeviceStatus] = {}
        self._feature: dict[str, DeviceFeature] = {}

        # topic filter -> extra handlers (topic, payload); every filter is one broker subscription
        self._subscriptions: dict[str, list[Callable[[str, bytes], None]]] = {}
        self._unrestored: set[str] = set()

        self._transport: MqttTransport | None = None
        self._ready = False  # connected and subscriptions restored: commands may be sent
        self._running = False
        self._stopping = False
        self._attempt = 0
        self._force_deep = False
        self._gave_up = False
        self._last_inbound = 0.0
        self._probe_sent_at: dict[str, float] = {}
        self._probe_outstanding_since: float | None = None
        self._watchdog_misses = 0

        self._queue: deque[_Command] = deque()
        self._inflight: list[_Command] = []

        self._tasks: set[asyncio.Task[Any]] = set()
        self._reconnect_task: asyncio.Task[None] | None = None
        self._auth_retry_task: asyncio.Task[None] | None = None
        self._flush_task: asyncio.Task[None] | None = None
        self._resubscribe_task: asyncio.Task[None] | None = None
        self._stable_timer: asyncio.TimerHandle | None = None
        self._rotation_timer: asyncio.TimerHandle | None = None

        self._connection_listeners: list[Listener[ConnectionEvent]] = []
        self._status_listeners: list[Callable[[str, DeviceStatus], None]] = []
        self._feature_listeners: list[Callable[[str, DeviceFeature], None]] = []
        self._devices_listeners: list[Listener[dict[str, DeviceInfo]]] = []

    # ------------------------------------------------------------------ public read side

    @property
    def state(self) -> ConnectionState:
        """The connection state."""
        return self.health.state

    @property
    def connected(self) -> bool:
        """True while the MQTT connection is up."""
        return self.health.state is ConnectionState.CONNECTED

    @property
    def devices(self) -> dict[str, DeviceInfo]:
        """Devices on the account, by MAC."""
        return dict(self._devices)

    @property
    def tokens(self) -> Tokens | None:
        """Current tokens, to persist."""
        return self.auth.tokens

    def status(self, mac: str) -> DeviceStatus | None:
        """The last good status of a device."""
        return self._status.get(mac)

    def feature(self, mac: str) -> DeviceFeature | None:
        """The last feature (capabilities and limits) of a device."""
        return self._feature.get(mac)

    @property
    def subscribed_topics(self) -> list[str]:
        """Every topic filter in the registry."""
        return list(self._subscriptions)

    @property
    def unrestored_topics(self) -> list[str]:
        """Topics whose last (re)subscription failed and are being retried."""
        return sorted(self._unrestored)

    @property
    def queued_commands(self) -> int:
        """Commands waiting for the connection."""
        return len(self._queue)

    @property
    def pending_commands(self) -> int:
        """Commands not yet confirmed or failed (queued or sent)."""
        return len(self._queue) + len(self._inflight)

    # ------------------------------------------------------------------ listeners

    @staticmethod
    def _add(listeners: list[Any], listener: Any) -> Callable[[], None]:
        listeners.append(listener)

        def remove() -> None:
            if listener in listeners:
                listeners.remove(listener)

        return remove

    def add_connection_listener(self, cb: Listener[ConnectionEvent]) -> Callable[[], None]:
        """Call `cb(event)` on every connection transition."""
        return self._add(self._connection_listeners, cb)

    def add_status_listener(self, cb: Callable[[str, DeviceStatus], None]) -> Callable[[], None]:
        """Call `cb(mac, status)` for every good status."""
        return self._add(self._status_listeners, cb)

    def add_feature_listener(self, cb: Callable[[str, DeviceFeature], None]) -> Callable[[], None]:
        """Call `cb(mac, feature)` for every good feature payload."""
        return self._add(self._feature_listeners, cb)

    def add_devices_listener(self, cb: Listener[dict[str, DeviceInfo]]) -> Callable[[], None]:
        """Call `cb(devices)` when the device list changes."""
        return self._add(self._devices_listeners, cb)

    def add_tokens_listener(self, cb: Listener[Tokens]) -> Callable[[], None]:
        """Call `cb(tokens)` after every sign-in or refresh."""
        return self.auth.add_listener(cb)

    def _notify(self, listeners: Iterable[Callable[..., None]], *args: Any) -> None:
        for listener in list(listeners):
            try:
                listener(*args)
            except Exception:
                _LOGGER.exception("NaviLink listener failed")

    # ------------------------------------------------------------------ state machine

    def _transition(
        self,
        state: ConnectionState,
        event_type: ConnectionEventType,
        reason: str,
        *,
        tier: ReconnectTier | None = None,
        next_retry_at: datetime | None = None,
    ) -> None:
        previous = self.health.state
        event = ConnectionEvent(
            type=event_type,
            state=state,
            previous_state=previous,
            reason=reason,
            tier=tier,
            attempt=self._attempt,
            at=datetime.now(UTC),
            next_retry_at=next_retry_at,
        )
        self.health.state = state
        self.health.attempt = self._attempt
        self.health.tier = tier
        self.health.next_retry_at = next_retry_at
        self.health.record_transition(event)
        log = _LOGGER.warning if event_type in _WARN_EVENTS else _LOGGER.debug
        log("NaviLink %s: %s (attempt %s)", event_type.value, reason, self._attempt)
        self._notify(self._connection_listeners, event)

    # ------------------------------------------------------------------ tasks

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            _LOGGER.error("NaviLink task %s failed", task.get_name(), exc_info=exc)

    # ------------------------------------------------------------------ start / stop

    async def start(self) -> None:
        """Sign in, list devices, connect, subscribe, and fetch each device's state.

        With `retry_first_connect` False (Home Assistant) a failed first connect raises
        InvalidCredentialsError or NaviLinkConnectionError and leaves nothing running.
        With it True, the failure enters the same recovery as any later one.
        """
        if self._running:
            return
        self._loop = asyncio.get_running_loop()
        self._running = True
        self._stopping = False
        self._transition(ConnectionState.CONNECTING, ConnectionEventType.CONNECTING, "starting")
        try:
            await self.auth.ensure_valid()
            await self._load_devices()
            await self._connect(ReconnectTier.QUICK)
        except NaviLinkError as err:
            if not self.options.retry_first_connect:
                await self.stop()
                raise
            if isinstance(err, InvalidCredentialsError):
                await self._enter_auth_failed()
            else:
                self._on_connect_failure(err)
                self._schedule_reconnect(f"first connect failed: {err}")
        self._spawn(self._poll_loop(), "navilink-poll")
        self._spawn(self._device_refresh_loop(), "navilink-device-refresh")
        if self.connected:
            await self._await_initial_data()

    async def stop(self) -> None:
        """Disconnect and cancel everything. Pending commands fail with SessionStoppedError."""
        if self._stopping and not self._running:
            return
        self._stopping = True
        self._running = False
        self._ready = False
        self._cancel_timers()
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._fail_all(SessionStoppedError("the NaviLink session was stopped"))
        await self._teardown_transport(graceful=self.connected)
        if self.health.state is not ConnectionState.STOPPED:
            self._transition(ConnectionState.STOPPED, ConnectionEventType.STOPPED, "stopped")

    async def _await_initial_data(self) -> None:
        """Wait (bounded) until every online device has a status and a feature."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.initial_data_timeout
        while loop.time() < deadline and self.connected:
            missing = [
                mac
                for mac, info in self._devices.items()
                if info.online is not False
                and (mac not in self._status or mac not in self._feature)
            ]
            if not missing:
                return
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ devices

    async def _load_devices(self) -> None:
        devices = await self.api.list_devices()
        self._apply_devices({d.mac: d for d in devices if d.mac})

    def _apply_devices(self, devices: dict[str, DeviceInfo]) -> None:
        changed = set(devices) != set(self._devices) or any(
            devices[m].online != self._devices[m].online for m in devices if m in self._devices
        )
        removed = set(self._devices) - set(devices)
        self._devices = devices
        wanted = {device_subscription(mac) for mac in devices} | set(
            client_subscriptions(self.client_id)
        )
        for topic in wanted - set(self._subscriptions):
            self._subscriptions[topic] = []
            if self._ready:
                self._spawn(self._subscribe_one(topic), "navilink-subscribe")
        for mac in removed:
            topic = device_subscription(mac)
            self._subscriptions.pop(topic, None)
            self._unrestored.discard(topic)
            self._status.pop(mac, None)
            self._feature.pop(mac, None)
        if self._ready:
            for mac in devices:
                if mac not in self._status:
                    self._spawn(self._fetch_device(mac), "navilink-fetch")
        if changed:
            self._notify(self._devices_listeners, dict(devices))

    async def refresh_devices(self) -> dict[str, DeviceInfo]:
        """Re-read the device list over REST; new devices are subscribed, gone ones dropped."""
        await self._load_devices()
        return self.devices

    async def _device_refresh_loop(self) -> None:
        interval = self.options.device_refresh_interval
        if interval <= 0:
            return
        while True:
            await asyncio.sleep(interval)
            if self.health.state is ConnectionState.AUTH_FAILED:
                continue
            try:
                await self._load_devices()
            except NaviLinkError as err:
                _LOGGER.debug("device list refresh failed: %s", err)

    # ------------------------------------------------------------------ subscriptions

    def subscribe(self, topic: str, handler: Callable[[str, bytes], None]) -> Callable[[], None]:
        """Register an extra handler; the topic is (re)subscribed with the others."""
        handlers = self._subscriptions.setdefault(topic, [])
        handlers.append(handler)
        if self._ready and len(handlers) == 1:
            self._spawn(self._subscribe_one(topic), "navilink-subscribe")

        def remove() -> None:
            if handler in self._subscriptions.get(topic, []):
                self._subscriptions[topic].remove(handler)

        return remove

    async def _subscribe_one(self, topic: str) -> bool:
        transport = self._transport
        if transport is None:
            return False
        try:
            await transport.subscribe(topic)
        except NaviLinkConnectionError as err:
            self.health.counters.resubscribe_failures += 1
            self._unrestored.add(topic)
            _LOGGER.warning("NaviLink: subscribing %s failed (%s); will retry", topic, err)
            self._schedule_resubscribe()
            return False
        self._unrestored.discard(topic)
        return True

    async def _restore_subscriptions(self) -> None:
        """One SUBSCRIBE per registered topic; failures are retried, not forgotten."""
        topics = list(self._subscriptions)
        results = await asyncio.gather(*(self._subscribe_one(t) for t in topics))
        restored = sum(results)
        _LOGGER.debug("NaviLink: %d/%d subscriptions restored", restored, len(topics))

    def _schedule_resubscribe(self) -> None:
        if self._resubscribe_task is None or self._resubscribe_task.done():
            self._resubscribe_task = self._spawn(self._resubscribe_loop(), "navilink-resubscribe")

    async def _resubscribe_loop(self) -> None:
        while self._unrestored and self._running:
            await asyncio.sleep(self.options.resubscribe_retry)
            if self._transport is None or not self.connected:
                continue
            for topic in sorted(self._unrestored):
                if topic in self._subscriptions:
                    await self._subscribe_one(topic)
                else:
                    self._unrestored.discard(topic)

    # ------------------------------------------------------------------ connection

    async def _teardown_transport(self, *, graceful: bool = False) -> None:
        """Drop the current connection. Only a graceful teardown (stop, credential renewal,
        on a live link) waits for the broker to see the DISCONNECT: an interrupted awscrt
        connection never confirms it, and recovery must not wait on that."""
        transport, self._transport = self._transport, None
        self._ready = False
        if transport is None:
            return
        transport.silence()
        if graceful:
            await transport.disconnect(timeout=2.0)
        else:
            transport.close()

    async def _build_transport(self, tokens: Tokens) -> MqttTransport:
        """Build off the loop: awscrt reads the CA file and package metadata while building."""
        return await asyncio.get_running_loop().run_in_executor(None, self._new_transport, tokens)

    def _new_transport(self, tokens: Tokens) -> MqttTransport:
        assert self._loop is not None
        return MqttTransport(
            self._loop,
            self._mqtt_endpoint,
            AwsCredentials(
                tokens.aws_access_key_id, tokens.aws_secret_key, tokens.aws_session_token
            ),
            self.client_id,
            on_message=self._on_message,
            on_interrupted=self._on_interrupted,
            on_resumed=self._on_resumed,
            keep_alive_secs=self.options.keep_alive_secs,
            ping_timeout_ms=self.options.ping_timeout_ms,
            operation_timeout=self.options.operation_timeout,
            sdk_reconnect_min_secs=self.options.sdk_reconnect_min_secs,
            sdk_reconnect_max_secs=self.options.sdk_reconnect_max_secs,
        )

    async def _connect(self, tier: ReconnectTier) -> None:
        """Tear down, (deep: renew credentials and devices,) connect, restore, go ready."""
        await self._teardown_transport()
        if tier is ReconnectTier.DEEP:
            tokens = await self.auth.ensure_valid(force_refresh=True)
            await self._load_devices()
        else:
            tokens = await self.auth.ensure_valid()
        transport = await self._build_transport(tokens)
        self._transport = transport
        try:
            await transport.connect(self.options.connect_timeout)
        except NaviLinkError:
            if self._transport is transport:
                await self._teardown_transport()
            raise
        if self._transport is not transport:  # replaced while connecting
            raise NaviLinkConnectionError("connection replaced while connecting")
        await self._restore_subscriptions()
        self._on_connected("connected" if self._attempt == 0 else f"reconnected ({tier.value})")

    def _on_connected(self, reason: str) -> None:
        now = datetime.now(UTC)
        self.health.counters.connects += 1
        self.health.last_connected_at = now
        self.health.connected_since = now
        self._watchdog_misses = 0
        self._probe_outstanding_since = None
        self._last_inbound = time.monotonic()
        self._force_deep = False
        self._gave_up = False
        self._transition(ConnectionState.CONNECTED, ConnectionEventType.CONNECTED, reason)
        self._ready = True
        self._arm_stable_timer()
        self._arm_rotation_timer()
        self._start_flush()
        for mac, info in self._devices.items():
            if info.online is not False:
                self._spawn(self._fetch_device(mac), "navilink-fetch")

    def _cancel_timers(self) -> None:
        """The stable-connection reset and the credential renewal belong to one connection."""
        for handle in (self._stable_timer, self._rotation_timer):
            if handle is not None:
                handle.cancel()
        self._stable_timer = self._rotation_timer = None

    def _arm_stable_timer(self) -> None:
        """Reset the backoff sequence once the connection has been stable for a while."""
        if self._stable_timer is not None:
            self._stable_timer.cancel()
        assert self._loop is not None

        def stable() -> None:
            self._stable_timer = None
            if self.connected:
                self._attempt = 0
                self.health.attempt = 0

        self._stable_timer = self._loop.call_later(self.options.policy.stable_after, stable)

    def _arm_rotation_timer(self) -> None:
        """Renew AWS credentials ahead of expiry on the live connection."""
        if self._rotation_timer is not None:
            self._rotation_timer.cancel()
            self._rotation_timer = None
        tokens = self.auth.tokens
        if tokens is None or tokens.aws_expires_at is None:
            return
        assert self._loop is not None
        delay = max(1.0, tokens.aws_expires_at - self.options.expiry_margin - time.time())
        self._rotation_timer = self._loop.call_later(
            delay, lambda: self._spawn(self._rotate_credentials(), "navilink-rotate")
        )

    async def _rotate_credentials(self) -> None:
        """New credentials, new connection, same client id: the old one must go first,
        or the broker (one connection per client id) and the old connection's own
        auto-reconnect would keep kicking each other. The state stays `connected`;
        commands issued meanwhile wait in the queue."""
        self._rotation_timer = None
        if not self.connected or self._stopping:
            return
        _LOGGER.debug("NaviLink: renewing AWS credentials ahead of expiry")
        self._ready = False
        try:
            tokens = await self.auth.ensure_valid(force_refresh=True)
            await self._teardown_transport(graceful=True)
            transport = await self._build_transport(tokens)
            self._transport = transport
            await transport.connect(self.options.connect_timeout)
            await self._restore_subscriptions()
        except InvalidCredentialsError:
            await self._enter_auth_failed()
            return
        except NaviLinkError as err:
            self._on_lost(f"credential renewal failed: {err}")
            return
        self.health.counters.credential_rotations += 1
        self._ready = True
        self._arm_rotation_timer()
        self._start_flush()

    def _on_interrupted(self, transport: MqttTransport, reason: str) -> None:
        if transport is not self._transport or self._stopping:
            return
        self._on_lost(reason)

    def _on_lost(self, reason: str) -> None:
        """The connection is gone (interruption, failed renewal, watchdog)."""
        self._ready = False
        self._requeue_inflight()
        self._cancel_timers()
        now = datetime.now(UTC)
        self.health.last_disconnected_at = now
        self.health.last_disconnect_reason = reason
        self.health.connected_since = None
        self._transition(ConnectionState.DISCONNECTED, ConnectionEventType.DISCONNECTED, reason)
        self._schedule_reconnect(reason)

    def _on_resumed(self, transport: MqttTransport, session_present: bool) -> None:
        """The SDK reconnected by itself: end the loop, restore, then send the queue."""
        if transport is not self._transport or self._stopping:
            return
        if self._reconnect_task is not None and not self._reconnect_task.done():
            self._reconnect_task.cancel()
        self._reconnect_task = None

        async def restore() -> None:
            if not session_present:
                await self._restore_subscriptions()
            if transport is self._transport:
                self._on_connected("resumed by the SDK")

        self._spawn(restore(), "navilink-resume")

    def _on_connect_failure(self, err: NaviLinkError) -> None:
        self.health.last_disconnect_reason = str(err)
        if is_auth_rejection(err):
            # The server was reached and refused our signature: renew credentials next time.
            self._force_deep = True

    def _schedule_reconnect(self, reason: str) -> None:
        if self._stopping or self.health.state is ConnectionState.AUTH_FAILED:
            return
        if self._reconnect_task is not None and not self._reconnect_task.done():
            return
        self._reconnect_task = self._spawn(self._reconnect_loop(reason), "navilink-reconnect")

    async def _reconnect_loop(self, reason: str) -> None:
        policy = self.options.policy
        while not self._stopping:
            self._attempt += 1
            attempt = self._attempt
            if policy.exhausted(attempt):
                self._attempt -= 1
                self._transition(
                    ConnectionState.DISCONNECTED,
                    ConnectionEventType.RECONNECT_FAILED,
                    f"gave up after {attempt - 1} attempts: {reason}",
                )
                self._gave_up = True
                self._fail_all(NotConnectedError("NaviLink gave up reconnecting"))
                return
            deep = self._force_deep or policy.tier(attempt) is ReconnectTier.DEEP
            tier = ReconnectTier.DEEP if deep else ReconnectTier.QUICK
            delay = policy.delay(attempt, self._rng)
            self._transition(
                ConnectionState.RECONNECTING,
                ConnectionEventType.DEEP_RECONNECT if deep else ConnectionEventType.RECONNECTING,
                reason,
                tier=tier,
                next_retry_at=datetime.now(UTC) + timedelta(seconds=delay),
            )
            await self._clock.sleep(delay)
            if deep:
                self.health.counters.deep_reconnects += 1
            else:
                self.health.counters.quick_reconnects += 1
            try:
                await self._connect(tier)
            except InvalidCredentialsError:
                self._reconnect_task = None
                await self._enter_auth_failed()
                return
            except NaviLinkError as err:
                reason = str(err)
                self._on_connect_failure(err)
                continue
            self._reconnect_task = None
            return

    async def reconnect(self, *, deep: bool = False) -> None:
        """Reconnect now ("Reconnect now" button / action), without waiting for a backoff."""
        if not self._running:
            raise NotConnectedError("the NaviLink session is not running")
        for task in (self._reconnect_task, self._auth_retry_task):
            if task is not None and not task.done():
                task.cancel()
        self._reconnect_task = self._auth_retry_task = None
        tier = ReconnectTier.DEEP if deep else ReconnectTier.QUICK
        was_auth_failed = self.health.state is ConnectionState.AUTH_FAILED
        self._ready = False
        self._gave_up = False
        self._requeue_inflight()
        self._transition(
            ConnectionState.RECONNECTING,
            ConnectionEventType.DEEP_RECONNECT if deep else ConnectionEventType.RECONNECTING,
            "reconnect requested",
            tier=tier,
        )
        try:
            if was_auth_failed:
                await self.auth.sign_in()
            await self._connect(tier)
        except InvalidCredentialsError:
            await self._enter_auth_failed()
            raise
        except NaviLinkError as err:
            self._on_connect_failure(err)
            self._schedule_reconnect(f"reconnect failed: {err}")
            raise

    # ------------------------------------------------------------------ auth failed

    async def _enter_auth_failed(self) -> None:
        await self._teardown_transport()
        self._requeue_inflight()
        self._transition(
            ConnectionState.AUTH_FAILED,
            ConnectionEventType.AUTH_FAILED,
            "the NaviLink account rejected the credentials",
        )
        if self.options.policy.auth_retry_interval > 0 and not self._stopping:
            self._auth_retry_task = self._spawn(self._auth_retry_loop(), "navilink-auth-retry")

    async def _auth_retry_loop(self) -> None:
        """Sign in again, slowly, so a returning identity recovers without anyone acting."""
        interval = self.options.policy.auth_retry_interval
        while not self._stopping:
            await self._clock.sleep(interval)
            self.health.counters.auth_retries += 1
            try:
                await self.auth.sign_in()
            except InvalidCredentialsError:
                _LOGGER.debug("NaviLink: credentials still rejected")
                continue
            except NaviLinkError as err:
                _LOGGER.debug("NaviLink: sign-in retry failed: %s", err)
                continue
            self._auth_retry_task = None
            self._attempt = 0
            self.health.state = ConnectionState.DISCONNECTED
            self._schedule_reconnect("credentials accepted again")
            return

    def update_password(self, password: str) -> None:
        """Use a new password (after the user re-authenticated)."""
        self.auth.update_password(password)

    # ------------------------------------------------------------------ inbound

    def _on_message(self, topic: str, payload: bytes) -> None:
        self._last_inbound = time.monotonic()
        self._probe_outstanding_since = None
        self.health.counters.messages += 1
        for topic_filter, handlers in self._subscriptions.items():
            if handlers and topic_matches(topic_filter, topic):
                self._notify(handlers, topic, payload)
        try:
            message = parse_inbound(topic, payload)
            if message is None:
                return
            self._dispatch(message)
        except MalformedPayloadError as err:
            self.health.counters.malformed_messages += 1
            _LOGGER.debug("NaviLink: dropped a malformed message on %s: %s", topic, err)

    def _dispatch(self, message: InboundMessage) -> None:
        mac = message.mac
        if message.kind is MessageKind.STATUS and mac:
            status = DeviceStatus.from_payload(message.body)
            self._status[mac] = status
            sent = self._probe_sent_at.pop(mac, None)
            elapsed = None if sent is None else time.monotonic() - sent
            if elapsed is not None and elapsed <= self.options.command_timeout:
                self.health.latency.record(elapsed)
            self._notify(self._status_listeners, mac, status)
        elif message.kind is MessageKind.FEATURE and mac:
            feature = DeviceFeature.from_payload(message.body)
            self._feature[mac] = feature
            self._notify(self._feature_listeners, mac, feature)
        self._match_inflight(message)

    def _match_inflight(self, message: InboundMessage) -> None:
        for cmd in list(self._inflight):
            if message.mac and cmd.mac != message.mac:
                continue
            try:
                result = cmd.match(message)
            except MalformedPayloadError:
                raise
            except Exception:
                _LOGGER.exception("NaviLink: command matcher failed")
                continue
            if result is None:
                continue
            if cmd.sent_at is not None:
                self.health.latency.record(time.monotonic() - cmd.sent_at)
            self._inflight.remove(cmd)
            cmd.cancel_timer()
            self.health.counters.commands_confirmed += 1
            if not cmd.future.done():
                cmd.future.set_result(result)

    # ------------------------------------------------------------------ liveness

    async def _poll_loop(self) -> None:
        """A status request per device every `status_interval`, spread over the interval so
        a large account's replies do not all arrive at once."""
        interval = self.options.status_interval
        if interval <= 0:
            return
        while True:
            macs = list(self._devices)
            gap = interval / max(1, len(macs))
            if not macs:
                await asyncio.sleep(interval)
            for index, mac in enumerate(macs):
                await asyncio.sleep(gap)
                if not self._ready or (index == 0 and self._check_watchdog()):
                    break
                info = self._devices.get(mac)
                if info is None:
                    continue
                now = time.monotonic()
                if self._probe_outstanding_since is None:
                    # Armed only when something is sent: the echo of our own request comes
                    # back through the device subscription even when the heater is offline.
                    self._probe_outstanding_since = now
                request = status_request(
                    Target(self.client_id, self.session_id, mac, info.additional_value)
                )
                self._probe_sent_at[mac] = now
                self._spawn(self._publish_quiet(request), "navilink-probe")

    def _check_watchdog(self) -> bool:
        """Every message, even the echo of our own request, proves the path is alive.

        A probe streak with nothing at all coming back means a silent (blackholed) link:
        escalate from resubscribing, to a quick reconnect, to a deep one.
        """
        since = self._probe_outstanding_since
        if since is None or self._last_inbound >= since:
            self._watchdog_misses = 0
            return False
        self._watchdog_misses += 1
        misses, limit = self._watchdog_misses, self.options.watchdog_misses
        if misses < limit:
            return False
        reason = f"{misses} status requests unanswered"
        if misses == limit:
            _LOGGER.info("NaviLink watchdog: %s; resubscribing", reason)
            self._spawn(self._restore_subscriptions(), "navilink-watchdog-resubscribe")
            return False
        self._force_deep = misses > limit + 1
        self._watchdog_misses = 0 if self._force_deep else misses
        self._probe_outstanding_since = None
        transport = self._transport
        if transport is not None:
            transport.silence()
        self._on_lost(f"watchdog: {reason}")
        return True

    async def _publish_quiet(self, request: Request) -> None:
        transport = self._transport
        if transport is None:
            return
        try:
            await transport.publish(request.topic, payload_bytes(request))
        except NaviLinkConnectionError as err:
            _LOGGER.debug("NaviLink: probe publish failed: %s", err)

    async def _fetch_device(self, mac: str) -> None:
        """Fresh status and (when missing) feature after a (re)connect."""
        try:
            if mac not in self._feature:
                await self.request_feature(mac)
            await self.request_status(mac)
        except NaviLinkError as err:
            _LOGGER.debug("NaviLink: fetching %s failed: %s", self._redact(mac), err)

    # ------------------------------------------------------------------ commands

    @staticmethod
    def _redact(mac: str) -> str:
        return f"…{mac[-4:]}"

    def _info(self, mac: str) -> DeviceInfo:
        try:
            return self._devices[mac]
        except KeyError:
            raise CommandError(f"unknown device {self._redact(mac)}") from None

    def _fail(self, cmd: _Command, error: Exception) -> None:
        cmd.cancel_timer()
        if not cmd.future.done():
            cmd.future.set_exception(error)
            if isinstance(error, CommandExpiredError):
                self.health.counters.commands_expired += 1
            elif isinstance(error, CommandEvictedError):
                self.health.counters.commands_evicted += 1
            else:
                self.health.counters.commands_failed += 1

    def _fail_all(self, error: Exception) -> None:
        for cmd in [*self._queue, *self._inflight]:
            self._fail(cmd, error)
        self._queue.clear()
        self._inflight.clear()

    async def _execute(
        self, mac: str, request: Request, label: str, match: Callable[[InboundMessage], Any]
    ) -> Any:
        if not self._running:
            raise NotConnectedError("the NaviLink session is not running")
        if self._gave_up:
            raise NotConnectedError("NaviLink gave up reconnecting; reconnect to retry")
        loop = asyncio.get_running_loop()
        cmd = _Command(
            mac=mac,
            request=request,
            label=label,
            match=match,
            future=loop.create_future(),
            created=loop.time(),
        )
        if self._ready and not self._queue:
            self._spawn(self._send(cmd), "navilink-send")
        else:
            self._enqueue(cmd)
            if self._ready:
                self._start_flush()
        try:
            return await cmd.future
        finally:
            cmd.cancel_timer()
            if cmd in self._queue:
                self._queue.remove(cmd)
            if cmd in self._inflight:
                self._inflight.remove(cmd)

    def _enqueue(self, cmd: _Command, *, front: bool = False) -> None:
        loop = asyncio.get_running_loop()
        remaining = cmd.created + self.options.queue_ttl - loop.time()
        if remaining <= 0:
            self._fail(cmd, CommandExpiredError(f"{cmd.label}: not delivered within its TTL"))
            return
        if front:
            self._queue.appendleft(cmd)
        else:
            while len(self._queue) >= self.options.queue_size:
                oldest = self._queue.popleft()
                self._fail(oldest, CommandEvictedError(f"{oldest.label}: evicted, queue full"))
            self._queue.append(cmd)
        cmd.cancel_timer()
        cmd.timer = loop.call_later(remaining, self._expire, cmd)

    def _expire(self, cmd: _Command) -> None:
        cmd.timer = None
        if cmd in self._queue:
            self._queue.remove(cmd)
            self._fail(cmd, CommandExpiredError(f"{cmd.label}: not delivered within its TTL"))

    def _requeue_inflight(self) -> None:
        """Sent but unconfirmed when the link dropped: send again after recovery.

        Every control here sets an absolute value, so a repeat is harmless.
        """
        for cmd in reversed(self._inflight):
            cmd.cancel_timer()
            cmd.sent_at = None
            self._enqueue(cmd, front=True)
        self._inflight.clear()

    def _start_flush(self) -> None:
        if self._queue and (self._flush_task is None or self._flush_task.done()):
            self._flush_task = self._spawn(self._flush(), "navilink-flush")

    async def _flush(self) -> None:
        while self._queue and self._ready:
            cmd = self._queue.popleft()
            cmd.cancel_timer()
            if cmd.future.done():
                continue
            if not await self._send(cmd):
                return

    async def _send(self, cmd: _Command) -> bool:
        transport = self._transport
        if transport is None or not self._ready:
            self._enqueue(cmd, front=True)
            return False
        self._inflight.append(cmd)
        cmd.sent_at = time.monotonic()
        try:
            await transport.publish(cmd.request.topic, payload_bytes(cmd.request))
        except NaviLinkConnectionError as err:
            _LOGGER.debug("NaviLink: %s publish failed: %s", cmd.label, err)
            if cmd in self._inflight:
                self._inflight.remove(cmd)
                cmd.sent_at = None
                self._enqueue(cmd, front=True)
            return False
        if cmd in self._inflight and not cmd.future.done():
            self.health.counters.commands_sent += 1
            loop = asyncio.get_running_loop()
            cmd.timer = loop.call_later(self.options.command_timeout, self._timeout, cmd)
        return True

    def _timeout(self, cmd: _Command) -> None:
        cmd.timer = None
        if cmd in self._inflight:
            self._inflight.remove(cmd)
            self._fail(cmd, CommandTimeoutError(f"{cmd.label}: the device did not confirm it"))

    # -- request builders -----------------------------------------------------------------

    def _target(self, mac: str) -> Target:
        return Target(self.client_id, self.session_id, mac, self._info(mac).additional_value)

    async def _control(
        self,
        mac: str,
        command: CommandCode,
        param: list[int],
        label: str,
        confirmed: Callable[[DeviceStatus], bool],
    ) -> DeviceStatus:
        request = mode_request(self._target(mac), command=command, param=param)

        def match(message: InboundMessage) -> DeviceStatus | None:
            if message.kind is not MessageKind.STATUS:
                return None
            status = self._status.get(mac)
            return status if status is not None and confirmed(status) else None

        result: DeviceStatus = await self._execute(mac, request, label, match)
        return result

    def _require(self, mac: str, capability: str, label: str) -> DeviceFeature | None:
        feature = self._feature.get(mac)
        if feature is not None and getattr(feature, capability, True) is False:
            raise UnsupportedCommandError(f"{label}: the device does not support it")
        return feature

    async def request_status(self, mac: str) -> DeviceStatus:
        """Ask for a fresh status."""
        request = status_request(self._target(mac))
        result: DeviceStatus = await self._execute(
            mac,
            request,
            "status request",
            lambda m: self._status.get(mac) if m.kind is MessageKind.STATUS else None,
        )
        return result

    async def request_feature(self, mac: str) -> DeviceFeature:
        """Ask for the device's features (capabilities, limits, firmware)."""
        request = feature_request(self._target(mac))
        result: DeviceFeature = await self._execute(
            mac,
            request,
            "feature request",
            lambda m: self._feature.get(mac) if m.kind is MessageKind.FEATURE else None,
        )
        return result

    async def set_power(self, mac: str, on: bool) -> DeviceStatus:
        """Power the heater on or off."""
        self._require(mac, "power", "power")
        return await self._control(
            mac,
            CommandCode.POWER_ON if on else CommandCode.POWER_OFF,
            [],
            f"power {'on' if on else 'off'}",
            lambda s: (
                (s.dhw_mode is not DhwMode.POWER_OFF) if on else s.dhw_mode is DhwMode.POWER_OFF
            ),
        )

    async def set_mode(self, mac: str, mode: DhwMode) -> DeviceStatus:
        """Select heat pump, electric, energy saver or high demand."""
        if mode in (DhwMode.VACATION, DhwMode.POWER_OFF):
            raise OutOfRangeError("use set_vacation or set_power for that mode")
        feature = self._require(mac, "dhw", "mode")
        if feature is not None and mode not in feature.supported_modes:
            raise UnsupportedCommandError(f"mode {mode.value} is not supported by the device")
        return await self._control(
            mac,
            CommandCode.DHW_MODE,
            [mode.code],
            f"mode {mode.value}",
            lambda s: s.dhw_mode is mode,
        )

    async def set_vacation(self, mac: str, days: int) -> DeviceStatus:
        """Vacation mode for 1..30 days."""
        if not 1 <= days <= 30:
            raise OutOfRangeError("vacation days must be between 1 and 30")
        self._require(mac, "holiday", "vacation")
        return await self._control(
            mac,
            CommandCode.DHW_MODE,
            [DhwMode.VACATION.code, days],
            f"vacation {days} days",
            lambda s: s.dhw_mode is DhwMode.VACATION and s.vacation_days_setting == days,
        )

    async def set_temperature(self, mac: str, celsius: float) -> DeviceStatus:
        """Set the hot-water setpoint, within the device's own limits."""
        feature = self._require(mac, "dhw_temperature_setting", "temperature")
        low = feature.dhw_temperature_min if feature else None
        high = feature.dhw_temperature_max if feature else None
        if (low is not None and celsius < low) or (high is not None and celsius > high):
            raise OutOfRangeError(f"{celsius} °C is outside the device's range {low}-{high} °C")
        raw = celsius_to_raw(celsius)
        target = raw / 2
        return await self._control(
            mac,
            CommandCode.DHW_TEMPERATURE,
            [raw],
            f"temperature {target} °C",
            lambda s: s.dhw_temperature_setting == target,
        )

    async def set_anti_legionella(
        self, mac: str, enabled: bool, period_days: int | None = None
    ) -> DeviceStatus:
        """Enable (every `period_days`, 1..30) or disable the anti-legionella cycle."""
        self._require(mac, "anti_legionella_setting", "anti-legionella")
        if not enabled:
            return await self._control(
                mac,
                CommandCode.ANTI_LEGIONELLA_OFF,
                [],
                "anti-legionella off",
                lambda s: s.anti_legionella_enabled is False,
            )
        if period_days is None:
            current = self._status.get(mac)
            period_days = (current.anti_legionella_period_days if current else None) or 7
        if not 1 <= period_days <= 30:
            raise OutOfRangeError("the anti-legionella period must be between 1 and 30 days")
        return await self._control(
            mac,
            CommandCode.ANTI_LEGIONELLA_ON,
            [period_days],
            f"anti-legionella every {period_days} days",
            lambda s: (
                s.anti_legionella_enabled is True and s.anti_legionella_period_days == period_days
            ),
        )

    async def set_tou(self, mac: str, enabled: bool) -> DeviceStatus:
        """Enable or disable time-of-use scheduling."""
        self._require(mac, "program_reservation", "time of use")
        return await self._control(
            mac,
            CommandCode.TOU_ON if enabled else CommandCode.TOU_OFF,
            [],
            f"time of use {'on' if enabled else 'off'}",
            lambda s: s.tou_enabled is enabled,
        )

    async def set_demand_response(self, mac: str, enabled: bool) -> DeviceStatus:
        """Enable or disable demand response."""
        self._require(mac, "dr_setting", "demand response")

        def confirmed(s: DeviceStatus) -> bool:
            # The status has no plain "DR enabled" flag; the echo itself is the confirmation.
            return True

        return await self._control(
            mac,
            CommandCode.DR_ON if enabled else CommandCode.DR_OFF,
            [],
            f"demand response {'on' if enabled else 'off'}",
            confirmed,
        )

    async def set_freeze_protection_temperature(self, mac: str, celsius: float) -> DeviceStatus:
        """Set the freeze-protection temperature within the device's limits."""
        feature = self._require(mac, "freeze_protection", "freeze protection")
        low = feature.freeze_protection_min if feature else None
        high = feature.freeze_protection_max if feature else None
        if (low is not None and celsius < low) or (high is not None and celsius > high):
            raise OutOfRangeError(f"{celsius} °C is outside the device's range {low}-{high} °C")
        raw = celsius_to_raw(celsius)
        return await self._control(
            mac,
            CommandCode.FREEZE_TEMPERATURE,
            [raw],
            f"freeze protection {raw / 2} °C",
            lambda s: s.freeze_protection_temperature == raw / 2,
        )

    async def reset_air_filter(self, mac: str) -> DeviceStatus:
        """Reset the air-filter counter."""
        return await self._control(
            mac,
            CommandCode.AIR_FILTER_RESET,
            [],
            "air filter reset",
            lambda s: s.air_filter_alarm_elapsed_h in (0, None),
        )

    async def request_energy_usage(self, mac: str, year: int, months: list[int]) -> EnergyUsage:
        """Daily energy use for the given months."""
        if not months or any(not 1 <= m <= 12 for m in months):
            raise OutOfRangeError("months must be between 1 and 12")
        request = energy_request(self._target(mac), year=year, months=months)

        def match(message: InboundMessage) -> EnergyUsage | None:
            if message.kind is not MessageKind.ENERGY:
                return None
            return EnergyUsage.from_payload(message.body)

        result: EnergyUsage = await self._execute(mac, request, "energy usage", match)
        return result

    async def read_reservations(self, mac: str) -> ReservationSchedule:
        """The device's reservation schedule."""
        request = reservation_read_request(self._target(mac))
        result: ReservationSchedule = await self._execute(
            mac, request, "reservation read", _reservation_match
        )
        return result

    async def write_reservations(
        self, mac: str, enabled: bool, entries: list[Reservation]
    ) -> ReservationSchedule:
        """Replace the reservation schedule; confirmed by the device's echo."""
        schedule = ReservationSchedule(enabled=enabled, entries=tuple(entries))
        request = reservation_write_request(
            self._target(mac), enabled=enabled, entries=schedule.to_wire()
        )

        def match(message: InboundMessage) -> ReservationSchedule | None:
            echo = _reservation_match(message)
            return echo if echo is not None and schedule.matches(echo) else None

        result: ReservationSchedule = await self._execute(mac, request, "reservation write", match)
        return result

    def diagnostics(self) -> dict[str, Any]:
        """Secret-free state for diagnostics."""
        return {
            "client_id_suffix": self.client_id[-4:],
            "health": self.health.as_dict(),
            "subscriptions": len(self._subscriptions),
            "unrestored_subscriptions": len(self._unrestored),
            "queued_commands": len(self._queue),
            "inflight_commands": len(self._inflight),
            "sign_ins": self.auth.sign_ins,
            "token_refreshes": self.auth.refreshes,
        }

    async def send_request[T](
        self,
        mac: str,
        build: Callable[[Target], Request],
        label: str,
        match: Callable[[InboundMessage], T | None],
    ) -> T:
        """Send a request built for `mac` through the command queue and return what `match`
        makes of the reply it accepts (the extension point of client/recirculation.py, tou.py)."""
        result: T = await self._execute(mac, build(self._target(mac)), label, match)
        return result


def _reservation_match(message: InboundMessage) -> ReservationSchedule | None:
    if message.kind is not MessageKind.RESERVATION:
        return None
    body: Mapping[str, Any] = message.body
    return ReservationSchedule.from_wire(body.get("reservationUse"), body.get("reservation"))


_WARN_EVENTS = frozenset({ConnectionEventType.AUTH_FAILED, ConnectionEventType.RECONNECT_FAILED})
