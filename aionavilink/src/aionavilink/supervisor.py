"""The reconnect supervisor: connection state machine, attempt counter, tiers, auth retry.

Recovery, in one place:

* A loss (awscrt interruption, failed credential renewal, watchdog) or a failed first connect
  start the reconnect loop. Attempt n waits `policy.delay(n)` and then reconnects: **quick**
  (new connection, same credentials while valid), or on every `deep_every`-th attempt, after
  the server refused the signed upgrade, or when the watchdog asks, **deep** (refresh tokens,
  falling back to a sign-in, re-list devices, new connection).
* A finite `max_attempts` ends the loop in `reconnect_failed`: commands fail and new ones are
  refused until someone reconnects by hand.
* Rejected credentials end it in `auth_failed`; a slow sign-in retry (`auth_retry_interval`)
  resumes the loop by itself once the identity is accepted again.
* Once connected for `stable_after` seconds, the attempt counter starts again from zero.
* While it waits, an optional path probe (reachability.py) ends the wait early when the MQTT
  endpoint turns reachable again after having been unreachable: recovery within seconds of the
  network returning, with no more attempts than the backoff schedule allows.

Every state change is a ConnectionEvent, and `Health.record_transition` is the only writer
of state, attempt, tier and timestamps.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta

from .clock import Clock, TimerHandle
from .errors import InvalidCredentialsError, NaviLinkError
from .health import ConnectionEvent, ConnectionEventType, ConnectionState, Health
from .policy import ReconnectPolicy, ReconnectTier
from .reachability import PathProbe
from .tasks import TaskSet, cancel_task
from .transport import is_auth_rejection

_LOGGER = logging.getLogger(__package__)

_WARN_EVENTS = frozenset({ConnectionEventType.AUTH_FAILED, ConnectionEventType.RECONNECT_FAILED})


class ReconnectSupervisor:
    """Decides when and how hard to reconnect; the session supplies the doing."""

    def __init__(
        self,
        *,
        policy: ReconnectPolicy,
        clock: Clock,
        rng: random.Random,
        tasks: TaskSet,
        health: Health,
        connect: Callable[[ReconnectTier], Awaitable[None]],
        sign_in: Callable[[], Awaitable[object]],
        on_auth_failed: Callable[[], Awaitable[None]],
        on_give_up: Callable[[], None],
        notify: Callable[[ConnectionEvent], None],
        path_probe: PathProbe | None = None,
    ) -> None:
        self._policy = policy
        self._path_probe = path_probe
        self._clock = clock
        self._rng = rng
        self._tasks = tasks
        self._health = health
        self._connect = connect
        self._sign_in = sign_in
        self._on_auth_failed = on_auth_failed
        self._on_give_up = on_give_up
        self._notify = notify
        self._attempt = 0
        self._force_deep = False
        self._renew_now = False  # a quick attempt's signature was refused: go deep at once
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        self._auth_retry_task: asyncio.Task[None] | None = None
        self._stable_timer: TimerHandle | None = None

    @property
    def attempt(self) -> int:
        """Reconnect attempts since the last stable connection."""
        return self._attempt

    @property
    def auth_failed_now(self) -> bool:
        """True while the account's credentials stand rejected."""
        return self._health.state is ConnectionState.AUTH_FAILED

    def request_deep(self) -> None:
        """Make the next attempt a deep one."""
        self._force_deep = True

    # -- transitions ----------------------------------------------------------------------

    def transition(
        self,
        state: ConnectionState,
        event_type: ConnectionEventType,
        reason: str,
        *,
        tier: ReconnectTier | None = None,
        retry_in: float | None = None,
    ) -> None:
        """Record and announce one state change."""
        now = self._clock.now()
        event = ConnectionEvent(
            type=event_type,
            state=state,
            previous_state=self._health.state,
            reason=reason,
            tier=tier,
            attempt=self._attempt,
            at=now,
            next_retry_at=None if retry_in is None else now + timedelta(seconds=retry_in),
        )
        self._health.record_transition(event)
        log = _LOGGER.warning if event_type in _WARN_EVENTS else _LOGGER.debug
        log("NaviLink %s: %s (attempt %s)", event_type.value, reason, self._attempt)
        self._notify(event)

    def starting(self) -> None:
        self._stopping = False
        self.transition(ConnectionState.CONNECTING, ConnectionEventType.CONNECTING, "starting")

    def connected(self, reason: str) -> None:
        """The link is up and restored."""
        self._health.counters.connects += 1
        self._force_deep = False
        if self._path_probe is not None:
            self._path_probe.connected()
        self.transition(ConnectionState.CONNECTED, ConnectionEventType.CONNECTED, reason)
        self._cancel_stable_timer()
        self._stable_timer = self._clock.call_later(self._policy.stable_after, self._stable)

    def _stable(self) -> None:
        self._stable_timer = None
        if self._health.state is ConnectionState.CONNECTED:
            self._attempt = 0
            self._health.record_stable()

    def _cancel_stable_timer(self) -> None:
        if self._stable_timer is not None:
            self._stable_timer.cancel()
            self._stable_timer = None

    def lost(self, reason: str) -> None:
        """The link is gone: announce it and start the loop."""
        self._cancel_stable_timer()
        self.transition(ConnectionState.DISCONNECTED, ConnectionEventType.DISCONNECTED, reason)
        self.schedule(reason)

    def connect_failed(self, err: NaviLinkError, tier: ReconnectTier | None = None) -> None:
        """A connect attempt failed (the loop goes on)."""
        self._health.record_connect_failure(str(err))
        if is_auth_rejection(err):
            # The server was reached and refused our signature: renew the credentials. After a
            # quick attempt, at once (the backoff would only delay a reconnect the refusal has
            # shown to be needed); a deep attempt refused again waits its backoff as usual.
            self._force_deep = True
            self._renew_now = tier is ReconnectTier.QUICK

    # -- the loop -------------------------------------------------------------------------

    def schedule(self, reason: str, *, after_auth_failure: bool = False) -> None:
        """Start the reconnect loop unless it runs, the session stops, or auth failed."""
        if self._stopping:
            return
        if self._health.state is ConnectionState.AUTH_FAILED and not after_auth_failure:
            return
        if self._loop_task is not None and not self._loop_task.done():
            return
        self._loop_task = self._tasks.spawn(self._run(reason), "navilink-reconnect")

    def cancel_loop(self) -> None:
        """The SDK resumed by itself, or a manual reconnect takes over."""
        cancel_task(self._loop_task)
        self._loop_task = None

    async def _run(self, reason: str) -> None:
        policy = self._policy
        while not self._stopping:
            self._attempt += 1
            attempt = self._attempt
            if policy.exhausted(attempt):
                self._attempt -= 1
                self.transition(
                    ConnectionState.DISCONNECTED,
                    ConnectionEventType.RECONNECT_FAILED,
                    f"gave up after {attempt - 1} attempts: {reason}",
                )
                self._loop_task = None
                self._on_give_up()
                return
            deep = self._force_deep or policy.tier(attempt) is ReconnectTier.DEEP
            tier = ReconnectTier.DEEP if deep else ReconnectTier.QUICK
            delay = 0.0 if self._renew_now else policy.delay(attempt, self._rng)
            self._renew_now = False
            self.transition(
                ConnectionState.RECONNECTING,
                ConnectionEventType.DEEP_RECONNECT if deep else ConnectionEventType.RECONNECTING,
                reason,
                tier=tier,
                retry_in=delay,
            )
            if self._path_probe is None or delay == 0:
                await self._clock.sleep(delay)
            elif await self._path_probe.wait(delay):
                _LOGGER.debug("NaviLink: the MQTT endpoint is reachable again; reconnecting now")
            if deep:
                self._health.counters.deep_reconnects += 1
            else:
                self._health.counters.quick_reconnects += 1
            try:
                await self._connect(tier)
            except InvalidCredentialsError:
                self._loop_task = None
                await self.auth_failed()
                return
            except NaviLinkError as err:
                reason = str(err)
                self.connect_failed(err, tier)
                continue
            self._loop_task = None
            return

    def reconnect_now(self, deep: bool) -> ReconnectTier:
        """A manual reconnect: stop waiting, announce it; the caller connects."""
        self.cancel_loop()
        cancel_task(self._auth_retry_task)
        self._auth_retry_task = None
        tier = ReconnectTier.DEEP if deep else ReconnectTier.QUICK
        self.transition(
            ConnectionState.RECONNECTING,
            ConnectionEventType.DEEP_RECONNECT if deep else ConnectionEventType.RECONNECTING,
            "reconnect requested",
            tier=tier,
        )
        return tier

    # -- auth failed ----------------------------------------------------------------------

    async def auth_failed(self) -> None:
        """The account rejected the credentials: stop trying, retry sign-in slowly."""
        self._cancel_stable_timer()
        await self._on_auth_failed()
        self.transition(
            ConnectionState.AUTH_FAILED,
            ConnectionEventType.AUTH_FAILED,
            "the NaviLink account rejected the credentials",
        )
        if self._policy.auth_retry_interval > 0 and not self._stopping:
            self._auth_retry_task = self._tasks.spawn(self._auth_retry(), "navilink-auth-retry")

    async def _auth_retry(self) -> None:
        """Sign in again, slowly, so a returning identity recovers without anyone acting."""
        while not self._stopping:
            await self._clock.sleep(self._policy.auth_retry_interval)
            self._health.counters.auth_retries += 1
            try:
                await self._sign_in()
            except InvalidCredentialsError:
                _LOGGER.debug("NaviLink: credentials still rejected")
                continue
            except NaviLinkError as err:
                _LOGGER.debug("NaviLink: sign-in retry failed: %s", str(err))
                continue
            self._auth_retry_task = None
            self._attempt = 0
            self.schedule("credentials accepted again", after_auth_failure=True)
            return

    def stop(self) -> None:
        """No more attempts; the tasks themselves are cancelled with the session's."""
        self._stopping = True
        self._cancel_stable_timer()
