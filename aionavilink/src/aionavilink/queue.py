"""The command queue: every command from issue to confirmation (or failure).

A command is published at once when the connection is ready and nothing waits before it;
otherwise it waits in a bounded FIFO (oldest evicted when full) for at most `ttl` seconds.
Once published it is in flight until an inbound message confirms it (its matcher returns a
result, not None) or `timeout` passes. When the link drops, in-flight commands go back to
the front of the queue: every NaviLink control sets an absolute value, so sending one again
is harmless. The queue is generic over the confirmation: each command's matcher decides what
the caller gets back.

All counters of commands in `Counters` are written here and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .clock import Clock, TimerHandle
from .errors import (
    CommandEvictedError,
    CommandExpiredError,
    CommandTimeoutError,
    MalformedPayloadError,
    NaviLinkConnectionError,
    NotConnectedError,
)
from .health import Counters, LatencyStats
from .inbound import DeviceRefusal, InboundMessage
from .protocol import Request
from .tasks import TaskSet

_LOGGER = logging.getLogger(__package__)

type Matcher[T] = Callable[[InboundMessage], T | None]
type Publish = Callable[[Request], Awaitable[None]]


@dataclass(eq=False)
class _Command[T]:
    mac: str
    request: Request
    label: str
    match: Matcher[T]
    future: asyncio.Future[T]
    created: float
    sent_at: float | None = None
    timer: TimerHandle | None = None

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


class CommandQueue:
    """Queued and in-flight commands of one session."""

    def __init__(
        self,
        *,
        clock: Clock,
        tasks: TaskSet,
        publish: Publish,
        counters: Counters,
        latency: LatencyStats,
        size: int,
        ttl: float,
        timeout: float,
    ) -> None:
        self._clock = clock
        self._tasks = tasks
        self._publish = publish
        self._counters = counters
        self._latency = latency
        self._size = size
        self._ttl = ttl
        self._timeout = timeout
        self._queue: deque[_Command[object]] = deque()
        self._inflight: list[_Command[object]] = []
        self._ready = False
        self._refusal: str | None = "the NaviLink session is not running"
        self._flush_task: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        """Commands waiting for the connection."""
        return len(self._queue)

    @property
    def inflight(self) -> int:
        """Commands published and not yet confirmed."""
        return len(self._inflight)

    # -- admission ------------------------------------------------------------------------

    def refuse(self, reason: str) -> None:
        """From now on, new commands fail at once with NotConnectedError(reason)."""
        self._refusal = reason

    def accept(self) -> None:
        """Take new commands again (queued until the connection is ready)."""
        self._refusal = None

    def resume(self) -> None:
        """The connection is ready: send what waits, in order."""
        self._ready = True
        if self._queue and (self._flush_task is None or self._flush_task.done()):
            self._flush_task = self._tasks.spawn(self._flush(), "navilink-flush")

    def pause(self) -> None:
        """The connection is not ready: new commands wait."""
        self._ready = False

    async def submit[T](self, mac: str, request: Request, label: str, match: Matcher[T]) -> T:
        """Send (or queue) one command and wait for its confirmation."""
        if self._refusal is not None:
            raise NotConnectedError(self._refusal)
        cmd: _Command[T] = _Command(
            mac=mac,
            request=request,
            label=label,
            match=match,
            future=asyncio.get_running_loop().create_future(),
            created=self._clock.monotonic(),
        )
        entry: _Command[object] = cmd  # type: ignore[assignment]
        if self._ready and not self._queue:
            self._tasks.spawn(self._send(entry), "navilink-send")
        else:
            self._enqueue(entry)
            if self._ready:
                self.resume()
        try:
            return await cmd.future
        finally:
            cmd.cancel_timer()
            if entry in self._queue:
                self._queue.remove(entry)
            if entry in self._inflight:
                self._inflight.remove(entry)

    # -- waiting --------------------------------------------------------------------------

    def _enqueue(self, cmd: _Command[object], *, front: bool = False) -> None:
        remaining = cmd.created + self._ttl - self._clock.monotonic()
        if remaining <= 0:
            self._fail(cmd, CommandExpiredError(f"{cmd.label}: not delivered within its TTL"))
            return
        if front:
            self._queue.appendleft(cmd)
        else:
            while len(self._queue) >= self._size:
                oldest = self._queue.popleft()
                self._fail(oldest, CommandEvictedError(f"{oldest.label}: evicted, queue full"))
            self._queue.append(cmd)
        cmd.cancel_timer()
        cmd.timer = self._clock.call_later(remaining, lambda: self._expire(cmd))

    def _expire(self, cmd: _Command[object]) -> None:
        cmd.timer = None
        if cmd in self._queue:
            self._queue.remove(cmd)
            self._fail(cmd, CommandExpiredError(f"{cmd.label}: not delivered within its TTL"))

    def requeue_inflight(self) -> None:
        """Sent but unconfirmed when the link dropped: send again after recovery."""
        for cmd in reversed(self._inflight):
            cmd.cancel_timer()
            cmd.sent_at = None
            self._enqueue(cmd, front=True)
        self._inflight.clear()

    # -- sending --------------------------------------------------------------------------

    async def _flush(self) -> None:
        while self._queue and self._ready:
            cmd = self._queue.popleft()
            cmd.cancel_timer()
            if cmd.future.done():
                continue
            if not await self._send(cmd):
                return

    async def _send(self, cmd: _Command[object]) -> bool:
        if not self._ready:
            self._enqueue(cmd, front=True)
            return False
        self._inflight.append(cmd)
        cmd.sent_at = self._clock.monotonic()
        try:
            await self._publish(cmd.request)
        except NaviLinkConnectionError as err:
            _LOGGER.debug("NaviLink: %s publish failed: %s", cmd.label, str(err))
            if cmd in self._inflight:
                self._inflight.remove(cmd)
                cmd.sent_at = None
                self._enqueue(cmd, front=True)
            return False
        if cmd in self._inflight and not cmd.future.done():
            self._counters.commands_sent += 1
            cmd.timer = self._clock.call_later(self._timeout, lambda: self._timed_out(cmd))
        return True

    def _timed_out(self, cmd: _Command[object]) -> None:
        cmd.timer = None
        if cmd in self._inflight:
            self._inflight.remove(cmd)
            self._fail(cmd, CommandTimeoutError(f"{cmd.label}: the device did not confirm it"))

    # -- outcome --------------------------------------------------------------------------

    def confirm(self, message: InboundMessage) -> None:
        """Offer an inbound message to every in-flight command of its device; a refusal
        fails the command it answers at once (and confirms nothing for it)."""
        refusal = message.refusal
        if refusal is not None and (refused := self._refused_by(message, refusal)) is not None:
            self._inflight.remove(refused)
            self._counters.commands_refused += 1
            self._fail(refused, refusal.error(refused.label))
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
                self._latency.record(self._clock.monotonic() - cmd.sent_at)
            self._inflight.remove(cmd)
            cmd.cancel_timer()
            self._counters.commands_confirmed += 1
            if not cmd.future.done():
                cmd.future.set_result(result)

    def _refused_by(
        self, message: InboundMessage, refusal: DeviceRefusal
    ) -> _Command[object] | None:
        """The oldest in-flight command a refusal answers: same device and command code,
        sent by us (client and session id, when the reply names them) on the topic the reply
        names, with the parameters it echoes."""
        doc = message.document
        echoed = refusal.param
        for cmd in self._inflight:
            payload = cmd.request.payload
            request = payload.get("request", {})
            if (
                (message.mac and cmd.mac != message.mac)
                or message.command != cmd.request.command
                or (message.client_id and message.client_id != payload.get("clientID"))
                or (message.session_id and message.session_id != payload.get("sessionID"))
                or doc.get("requestTopic", cmd.request.topic) != cmd.request.topic
            ):
                continue
            if echoed is not None and "param" in request and tuple(request["param"]) != echoed:
                continue
            return cmd
        return None

    def _fail(self, cmd: _Command[object], error: Exception) -> None:
        cmd.cancel_timer()
        if cmd.future.done():
            return
        cmd.future.set_exception(error)
        if isinstance(error, CommandExpiredError):
            self._counters.commands_expired += 1
        elif isinstance(error, CommandEvictedError):
            self._counters.commands_evicted += 1
        else:
            self._counters.commands_failed += 1

    def fail_all(self, error: Exception) -> None:
        """Fail every queued and in-flight command with `error`."""
        for cmd in [*self._queue, *self._inflight]:
            self._fail(cmd, error)
        self._queue.clear()
        self._inflight.clear()
