"""The connection lifecycle: connect, go ready, lose, resume, renew credentials, reconnect.

`Connection` does what the `ReconnectSupervisor` decides. Ready means connected *and* every
subscription restored; only then does the command queue send. AWS credentials are renewed
ahead of their expiry on the live connection without a visible outage: the state stays
`connected` and commands wait in the queue for the swap.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from .auth import NaviLinkAuth
from .clock import Clock, TimerHandle
from .errors import InvalidCredentialsError, NaviLinkError, NotConnectedError
from .health import ConnectionEvent, ConnectionState, Health
from .link import Link
from .options import SessionOptions
from .policy import ReconnectTier
from .queue import CommandQueue
from .reachability import Opener, PathProbe, tcp_open_close
from .subscriptions import SubscriptionRegistry
from .supervisor import ReconnectSupervisor
from .tasks import TaskSet
from .watchdog import Check, LivenessWatchdog, Verdict

_LOGGER = logging.getLogger(__package__)


class Connection:
    """One session's link to the broker, kept alive."""

    def __init__(
        self,
        *,
        options: SessionOptions,
        clock: Clock,
        rng: random.Random,
        tasks: TaskSet,
        health: Health,
        auth: NaviLinkAuth,
        link: Link,
        subscriptions: SubscriptionRegistry,
        queue: CommandQueue,
        watchdog: LivenessWatchdog,
        load_devices: Callable[[], Awaitable[None]],
        on_ready: Callable[[], None],
        notify: Callable[[ConnectionEvent], None],
        probe_opener: Opener | None = None,
    ) -> None:
        self._options = options
        self._clock = clock
        self._tasks = tasks
        self._health = health
        self._auth = auth
        self._link = link
        self._subscriptions = subscriptions
        self._queue = queue
        self._watchdog = watchdog
        self._load_devices = load_devices
        self._on_ready = on_ready
        self.ready = False
        self.stopping = False
        self._rotation_timer: TimerHandle | None = None
        self.path_probe = PathProbe(
            link.endpoint.host,
            link.endpoint.port,
            clock,
            enabled=options.path_probe,
            interval=options.probe_interval,
            timeout=options.probe_timeout,
            opener=probe_opener or tcp_open_close,
        )
        self.supervisor = ReconnectSupervisor(
            policy=options.policy,
            clock=clock,
            rng=rng,
            tasks=tasks,
            health=health,
            connect=self.connect,
            sign_in=auth.sign_in,
            on_auth_failed=self._drop_for_auth_failure,
            on_give_up=self._give_up,
            notify=notify,
            path_probe=self.path_probe,
        )

    def pause(self) -> None:
        """Not ready: commands wait."""
        self.ready = False
        self._queue.pause()

    async def connect(self, tier: ReconnectTier) -> None:
        """Tear down, (deep: renew credentials and devices,) connect, restore, go ready."""
        self.pause()
        await self._link.close()
        if tier is ReconnectTier.DEEP:
            tokens = await self._auth.ensure_valid(force_refresh=True)
            await self._load_devices()
        else:
            tokens = await self._auth.ensure_valid()
        await self._link.open(tokens, self._options.connect_timeout)
        await self._subscriptions.restore()
        first = self.supervisor.attempt == 0
        self._connected("connected" if first else f"reconnected ({tier.value})")

    def _connected(self, reason: str) -> None:
        self._watchdog.reset()
        self._queue.accept()
        self.supervisor.connected(reason)
        self.ready = True
        self._arm_rotation()
        self._queue.resume()
        self._on_ready()

    def halt(self) -> None:
        """The session stops: no more sending, renewing or reconnecting."""
        self.stopping = True
        self.pause()
        self._cancel_rotation()
        self.supervisor.stop()

    async def close(self, *, graceful: bool) -> None:
        """Drop the link (after `halt`)."""
        await self._link.close(graceful=graceful)

    # -- credential renewal ---------------------------------------------------------------

    def _arm_rotation(self) -> None:
        self._cancel_rotation()
        tokens = self._auth.tokens
        if tokens is None or tokens.aws_expires_at is None:
            return
        margin = self._options.expiry_margin
        delay = max(1.0, tokens.aws_expires_at - margin - self._clock.time())
        self._rotation_timer = self._clock.call_later(delay, self._rotation_due)

    def _rotation_due(self) -> None:
        self._rotation_timer = None
        self._tasks.spawn(self._rotate_credentials(), "navilink-rotate")

    def _cancel_rotation(self) -> None:
        if self._rotation_timer is not None:
            self._rotation_timer.cancel()
            self._rotation_timer = None

    async def _rotate_credentials(self) -> None:
        """New credentials, new connection, same client id: the old one must go first, or the
        broker (one connection per client id) and the old connection's own auto-reconnect
        would keep kicking each other."""
        if self._health.state is not ConnectionState.CONNECTED or self.stopping:
            return
        _LOGGER.debug("NaviLink: renewing AWS credentials ahead of expiry")
        self.pause()
        try:
            tokens = await self._auth.ensure_valid(force_refresh=True)
            await self._link.close(graceful=True)
            await self._link.open(tokens, self._options.connect_timeout)
            await self._subscriptions.restore()
        except InvalidCredentialsError:
            await self.supervisor.auth_failed()
            return
        except NaviLinkError as err:
            self.lost(f"credential renewal failed: {err}")
            return
        self._health.counters.credential_rotations += 1
        self.ready = True
        self._arm_rotation()
        self._queue.resume()

    # -- losing and regaining -------------------------------------------------------------

    def on_interrupted(self, transport: Any, reason: str) -> None:
        """awscrt says the connection dropped."""
        if self._link.is_current(transport) and not self.stopping:
            self.lost(reason)

    def lost(self, reason: str) -> None:
        """The connection is gone (interruption, failed renewal, watchdog)."""
        self.pause()
        self._queue.requeue_inflight()
        self._cancel_rotation()
        self.supervisor.lost(reason)

    def on_resumed(self, transport: Any, session_present: bool) -> None:
        """The SDK reconnected by itself: end the loop, restore, then send the queue."""
        if not self._link.is_current(transport) or self.stopping:
            return
        self.supervisor.cancel_loop()

        async def restore() -> None:
            if not session_present:
                await self._subscriptions.restore()
            if self._link.is_current(transport):
                self._connected("resumed by the SDK")

        self._tasks.spawn(restore(), "navilink-resume")

    def on_verdict(self, check: Check) -> None:
        """What the watchdog found after a silent probe streak."""
        if check.verdict is Verdict.RESUBSCRIBE:
            self._tasks.spawn(self._subscriptions.restore(), "navilink-watchdog-resubscribe")
            return
        if check.deep:
            self.supervisor.request_deep()
        self._link.silence()
        self.lost(check.reason)

    def _give_up(self) -> None:
        self._queue.refuse("NaviLink gave up reconnecting; reconnect to retry")
        self._queue.fail_all(NotConnectedError("NaviLink gave up reconnecting"))

    async def _drop_for_auth_failure(self) -> None:
        self.pause()
        self._cancel_rotation()
        await self._link.close()
        self._queue.requeue_inflight()

    async def reconnect(self, *, deep: bool) -> None:
        """Reconnect now, without waiting for a backoff; raises what the attempt raised."""
        was_auth_failed = self.supervisor.auth_failed_now
        self.pause()
        self._queue.accept()
        self._queue.requeue_inflight()
        tier = self.supervisor.reconnect_now(deep)
        try:
            if was_auth_failed:
                await self._auth.sign_in()
            await self.connect(tier)
        except InvalidCredentialsError:
            await self.supervisor.auth_failed()
            raise
        except NaviLinkError as err:
            self.supervisor.connect_failed(err)
            self.supervisor.schedule(f"reconnect failed: {err}")
            raise
