"""The command queue, branch by branch, on the fake cloud and the fake clock."""

from __future__ import annotations

import asyncio

import pytest
from conftest import MAC, Factory

from aionavilink import (
    CommandError,
    CommandEvictedError,
    CommandExpiredError,
    CommandTimeoutError,
    ConnectionEventType,
    ConnectionState,
    DhwMode,
    NaviLinkConnectionError,
    NotConnectedError,
    SessionStoppedError,
)
from aionavilink.testing import FakeClock, FakeCloud, settle


def controls(cloud: FakeCloud) -> list[int]:
    """The command codes of every control the heater received."""
    return [r["command"] for r in cloud.heaters[MAC].requests if "param" in r]


async def test_a_command_on_a_ready_link_is_sent_and_confirmed(make_session: Factory) -> None:
    session, _ = await make_session()
    status = await session.set_temperature(MAC, 55.0)
    assert status.dhw_temperature_setting == 55.0
    assert session.health.counters.commands_sent >= 1
    assert session.health.counters.commands_confirmed >= 1
    assert session.pending_commands == 0
    assert session.health.latency.count >= 1


async def test_commands_wait_while_disconnected_and_go_out_in_order(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session()
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")]
    cloud.drop()
    await settle()
    assert session.state is ConnectionState.RECONNECTING
    first = asyncio.ensure_future(session.set_temperature(MAC, 50.0))
    second = asyncio.ensure_future(session.set_mode(MAC, DhwMode.ELECTRIC))
    await settle()
    assert session.queued_commands == 2
    await clock.run(4.0)  # attempt 1 fails, attempt 2 connects and flushes
    assert (await first).dhw_temperature_setting == 50.0
    assert (await second).dhw_mode is DhwMode.ELECTRIC
    assert session.queued_commands == 0


async def test_a_full_queue_evicts_the_oldest(make_session: Factory, cloud: FakeCloud) -> None:
    session, _ = await make_session()  # queue_size 3
    cloud.connect_errors = [NaviLinkConnectionError("down")] * 5
    cloud.drop()
    await settle()
    waiting = [asyncio.ensure_future(session.set_vacation(MAC, d)) for d in (1, 2, 3, 4)]
    await settle()
    with pytest.raises(CommandEvictedError):
        await waiting[0]
    assert session.queued_commands == 3
    assert session.health.counters.commands_evicted == 1
    for task in waiting[1:]:
        task.cancel()
    await settle()
    assert session.queued_commands == 0


async def test_a_queued_command_expires_after_its_ttl(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session(policy_initial_delay=100.0, policy_max_delay=100.0)
    cloud.drop()
    await settle()
    pending = asyncio.ensure_future(session.set_power(MAC, False))
    await clock.run(31.0)  # TTL 30 s, the next attempt only after 100 s
    with pytest.raises(CommandExpiredError):
        await pending
    assert session.health.counters.commands_expired == 1
    assert session.queued_commands == 0


async def test_a_command_past_its_ttl_expires_when_it_is_queued_again(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session(queue_ttl=3.0, command_timeout=10.0)
    cloud.heaters[MAC].answers = False
    pending = asyncio.ensure_future(session.set_power(MAC, False))
    await clock.run(4.0)  # sent, unconfirmed, and now older than its TTL
    assert session.pending_commands == 1
    cloud.drop()  # in-flight commands go back to the queue ... this one is too old
    await settle()
    with pytest.raises(CommandExpiredError):
        await pending
    assert session.health.counters.commands_expired == 1


async def test_an_unconfirmed_command_times_out(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session()
    cloud.heaters[MAC].answers = False
    pending = asyncio.ensure_future(session.set_tou(MAC, True))
    await clock.run(5.5)
    with pytest.raises(CommandTimeoutError, match="did not confirm"):
        await pending
    assert session.health.counters.commands_failed == 1


async def test_a_failed_publish_requeues_the_command_for_the_next_connection(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session()
    cloud.publish_errors = [NaviLinkConnectionError("publish: AWS_ERROR_MQTT_NOT_CONNECTED")]
    pending = asyncio.ensure_future(session.set_temperature(MAC, 48.0))
    await settle()
    assert session.queued_commands == 1  # back in the queue, not lost
    assert not pending.done()
    cloud.drop()
    await clock.run(2.0)
    assert (await pending).dhw_temperature_setting == 48.0


async def test_in_flight_commands_are_sent_again_after_a_drop(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session()
    heater = cloud.heaters[MAC]
    heater.answers = False
    pending = asyncio.ensure_future(session.set_temperature(MAC, 52.0))
    await settle()
    assert controls(cloud).count(33554464) == 1
    heater.answers = True
    cloud.drop()
    await clock.run(2.0)
    assert (await pending).dhw_temperature_setting == 52.0
    assert controls(cloud).count(33554464) == 2
    assert rec.events[-1].reason == "reconnected (quick)"


async def test_commands_after_stop_are_refused_and_pending_ones_fail(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    cloud.heaters[MAC].answers = False
    pending = asyncio.ensure_future(session.set_power(MAC, True))
    await settle()
    await session.stop()
    with pytest.raises(SessionStoppedError):
        await pending
    with pytest.raises(NotConnectedError, match="not running"):
        await session.set_power(MAC, True)
    await session.stop()  # a second stop is a no-op
    assert session.state is ConnectionState.STOPPED


async def test_commands_before_start_know_no_device(make_session: Factory) -> None:
    session, _ = await make_session(start=False)
    with pytest.raises(CommandError, match=r"unknown device \*+fca0"):
        await session.request_status(MAC)


async def test_after_giving_up_commands_fail_until_a_manual_reconnect(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session(policy_max_attempts=2)
    cloud.connect_errors = [NaviLinkConnectionError("down")] * 3
    cloud.drop()
    await settle()
    pending = asyncio.ensure_future(session.set_power(MAC, True))
    await clock.run(10.0)
    with pytest.raises(NotConnectedError, match="gave up"):
        await pending
    assert rec.events[-1].reason.startswith("gave up after 2 attempts")
    with pytest.raises(NotConnectedError, match="gave up"):
        await session.set_power(MAC, True)
    with pytest.raises(NaviLinkConnectionError):
        await session.reconnect()  # the third error: the attempts stay used up
    await clock.run(2.0)
    assert rec.events[-1].type is ConnectionEventType.RECONNECT_FAILED
    await session.reconnect()
    assert session.state is ConnectionState.CONNECTED
    assert (await session.set_power(MAC, False)).dhw_mode is DhwMode.POWER_OFF


async def test_an_unknown_device_is_a_command_error(make_session: Factory) -> None:
    session, _ = await make_session()
    with pytest.raises(CommandError, match="unknown device"):
        await session.set_power("001122334455", True)


async def test_a_cancelled_caller_leaves_nothing_behind(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    cloud.heaters[MAC].answers = False
    pending = asyncio.ensure_future(session.reset_air_filter(MAC))
    await settle()
    assert session.pending_commands == 1
    pending.cancel()
    await settle()
    assert session.pending_commands == 0
