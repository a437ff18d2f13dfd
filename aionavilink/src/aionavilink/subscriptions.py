"""The subscription registry: every topic filter the session wants, restored after every connect.

Each filter is one broker subscription (QoS 1). A filter whose SUBSCRIBE fails is kept in
`unrestored` and retried every `retry_interval` seconds while the link is up; it is never
forgotten. Extra handlers (`add_handler`) receive the raw messages of their filter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from .clock import Clock
from .errors import NaviLinkConnectionError
from .health import Counters
from .models import redact_topic
from .protocol import topic_matches
from .tasks import TaskSet

_LOGGER = logging.getLogger(__package__)

type RawHandler = Callable[[str, bytes], None]
#: Subscribe on the current connection: False when there is none, NaviLinkConnectionError
#: when the broker refused or did not acknowledge.
type Subscribe = Callable[[str], Awaitable[bool]]


class SubscriptionRegistry:
    """Topic filters, their extra handlers, and the ones still to restore."""

    def __init__(
        self,
        *,
        clock: Clock,
        tasks: TaskSet,
        counters: Counters,
        subscribe: Subscribe,
        link_up: Callable[[], bool],
        retry_interval: float,
    ) -> None:
        self._clock = clock
        self._tasks = tasks
        self._counters = counters
        self._subscribe = subscribe
        self._link_up = link_up
        self._retry_interval = retry_interval
        self._handlers: dict[str, list[RawHandler]] = {}
        self._with_handlers: set[str] = set()  # filters that have extra handlers
        self._unrestored: set[str] = set()
        self._retry_task: asyncio.Task[None] | None = None

    @property
    def topics(self) -> list[str]:
        """Every registered topic filter."""
        return list(self._handlers)

    @property
    def unrestored(self) -> list[str]:
        """Filters whose last SUBSCRIBE failed; they are being retried."""
        return sorted(self._unrestored)

    def __contains__(self, topic: object) -> bool:
        return topic in self._handlers

    def add(self, topic: str) -> bool:
        """Register a filter; True when it is new (the caller subscribes it when live)."""
        if topic in self._handlers:
            return False
        self._handlers[topic] = []
        return True

    def remove(self, topic: str) -> None:
        """Forget a filter (the broker subscription lapses with the next connection)."""
        self._handlers.pop(topic, None)
        self._with_handlers.discard(topic)
        self._unrestored.discard(topic)

    def add_handler(self, topic: str, handler: RawHandler) -> tuple[bool, Callable[[], None]]:
        """Add a raw handler; returns (new filter?, remove)."""
        new = self.add(topic)
        self._handlers[topic].append(handler)
        self._with_handlers.add(topic)

        def remove() -> None:
            handlers = self._handlers.get(topic, [])
            if handler in handlers:
                handlers.remove(handler)
            if not handlers:
                self._with_handlers.discard(topic)

        return new, remove

    def dispatch(self, topic: str, payload: bytes) -> list[RawHandler]:
        """The handlers whose filter matches `topic`, in the order they were added (without
        any extra handler, as in Home Assistant, no filter is looked at)."""
        if not self._with_handlers:
            return []
        return [
            handler
            for topic_filter, handlers in self._handlers.items()
            if handlers and topic_matches(topic_filter, topic)
            for handler in handlers
        ]

    async def subscribe_one(self, topic: str) -> bool:
        """SUBSCRIBE one filter; a failure is remembered and retried."""
        try:
            done = await self._subscribe(topic)
        except NaviLinkConnectionError as err:
            self._counters.resubscribe_failures += 1
            self._unrestored.add(topic)
            _LOGGER.warning(
                "NaviLink: subscribing %s failed (%s); will retry",
                redact_topic(topic),
                redact_topic(str(err)),
            )
            if self._retry_task is None or self._retry_task.done():
                self._retry_task = self._tasks.spawn(self._retry(), "navilink-resubscribe")
            return False
        if done:
            self._unrestored.discard(topic)
        return done

    async def restore(self) -> int:
        """One SUBSCRIBE per registered filter; returns how many succeeded."""
        topics = list(self._handlers)
        results = await asyncio.gather(*(self.subscribe_one(t) for t in topics))
        restored = sum(results)
        _LOGGER.debug("NaviLink: %d/%d subscriptions restored", restored, len(topics))
        return restored

    async def _retry(self) -> None:
        while self._unrestored:
            await self._clock.sleep(self._retry_interval)
            if not self._link_up():
                continue
            for topic in sorted(self._unrestored):
                if topic in self._handlers:
                    await self.subscribe_one(topic)
                else:
                    self._unrestored.discard(topic)
