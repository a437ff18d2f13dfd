"""Tests for the reconnect policy and the fake clock."""

from __future__ import annotations

import asyncio
import random

import pytest

from aionavilink import (
    Clock,
    ReconnectPolicy,
    ReconnectTier,
    SystemClock,
)
from aionavilink.testing import FakeClock


def test_nominal_backoff_sequence_caps_at_max() -> None:
    policy = ReconnectPolicy()
    assert [policy.base_delay(n) for n in range(1, 11)] == [
        1.0,
        2.0,
        4.0,
        8.0,
        16.0,
        32.0,
        64.0,
        120.0,
        120.0,
        120.0,
    ]
    assert policy.base_delay(0) == 1.0
    assert policy.base_delay(10**9) == 120.0  # no overflow


def test_jitter_bounds_and_recap() -> None:
    policy = ReconnectPolicy()
    rng = random.Random(1234)
    for attempt in range(1, 40):
        base = policy.base_delay(attempt)
        for _ in range(50):
            d = policy.delay(attempt, rng)
            assert base * 0.5 <= d <= min(base * 1.5, 120.0)
    # at the cap, jitter above 1 is re-capped: never more than max_delay
    capped = [policy.delay(20, rng) for _ in range(200)]
    assert max(capped) == 120.0
    assert min(capped) >= 60.0


def test_jitter_is_deterministic_with_seeded_rng() -> None:
    policy = ReconnectPolicy()
    a = [policy.delay(n, random.Random(7)) for n in range(1, 6)]
    b = [policy.delay(n, random.Random(7)) for n in range(1, 6)]
    assert a == b


def test_no_jitter_gives_base() -> None:
    policy = ReconnectPolicy(jitter=0.0, initial_delay=3.0, multiplier=3.0, max_delay=50.0)
    assert [policy.delay(n) for n in range(1, 5)] == [3.0, 9.0, 27.0, 50.0]


def test_deep_tier_every_nth() -> None:
    policy = ReconnectPolicy()
    tiers = [policy.tier(n) for n in range(1, 31)]
    deep = [n for n, t in zip(range(1, 31), tiers, strict=True) if t is ReconnectTier.DEEP]
    assert deep == [10, 20, 30]
    assert policy.tier(9) is ReconnectTier.QUICK
    every_time = ReconnectPolicy(deep_every=1)
    assert all(every_time.tier(n) is ReconnectTier.DEEP for n in range(1, 5))
    assert ReconnectPolicy(deep_every=3).tier(6) == "deep"


def test_exhausted() -> None:
    unlimited = ReconnectPolicy()
    assert not unlimited.exhausted(10**6)
    limited = ReconnectPolicy(max_attempts=3)
    assert [limited.exhausted(n) for n in (1, 2, 3, 4, 5)] == [False, False, False, True, True]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"initial_delay": -1.0},
        {"max_delay": -0.1},
        {"multiplier": 0.5},
        {"jitter": 1.5},
        {"jitter": -0.1},
        {"deep_every": 0},
        {"max_attempts": 0},
        {"auth_retry_interval": -5.0},
        {"stable_after": float("nan")},
    ],
)
def test_validate_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ReconnectPolicy(**kwargs).validate()  # type: ignore[arg-type]


def test_validate_accepts_defaults_and_edges() -> None:
    ReconnectPolicy().validate()
    ReconnectPolicy(max_attempts=1, deep_every=1, jitter=0, auth_retry_interval=0).validate()


async def test_fake_clock_sleep_resolves_only_when_advanced() -> None:
    clock = FakeClock(start=100.0)
    assert clock.monotonic() == 100.0
    woke: list[str] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append(name)

    t1 = asyncio.create_task(sleeper("a", 5))
    t2 = asyncio.create_task(sleeper("b", 10))
    await asyncio.sleep(0)
    assert clock.sleepers == 2
    assert clock.next_deadline == 105.0
    clock.advance(4.9)
    await asyncio.sleep(0)
    assert woke == []
    clock.advance(0.1)
    await t1
    assert woke == ["a"]
    assert clock.monotonic() == 105.0
    clock.advance(100)
    await t2
    assert woke == ["a", "b"]
    assert clock.sleepers == 0
    assert clock.next_deadline is None


async def test_fake_clock_zero_sleep_and_cancel() -> None:
    clock = FakeClock()
    await clock.sleep(0)  # returns without advance
    task = asyncio.create_task(clock.sleep(30))
    await asyncio.sleep(0)
    assert clock.sleepers == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.sleepers == 0
    clock.advance(60)  # waking a cancelled sleeper is harmless
    with pytest.raises(ValueError):
        clock.advance(-1)


async def test_system_clock_is_a_clock() -> None:
    clock: Clock = SystemClock()
    before = clock.monotonic()
    await clock.sleep(0)
    assert clock.monotonic() >= before
    fake: Clock = FakeClock()
    assert fake.monotonic() == 0.0
