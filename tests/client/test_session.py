"""The session against navilink_sim: real Mosquitto, real TLS + SigV4 gateway, real awscrt.

For every fault: the session reaches `connected` again, status flows, every subscription is
back (a device-topic reply AND a client-topic reply arrive), and no command is lost.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from aionavilink import (
    CommandCode,
    CommandEvictedError,
    CommandExpiredError,
    CommandRefusedError,
    ConnectionEventType,
    ConnectionState,
    DhwMode,
    InvalidCredentialsError,
    NaviLinkConnectionError,
    NaviLinkSession,
    OutOfRangeError,
    Reservation,
    control_request,
)
from aionavilink.testing import FakeClock

from .conftest import SessionFactory, wait_for

E = ConnectionEventType


async def assert_fully_recovered(session: NaviLinkSession, mac: str) -> None:
    """Connected, nothing left to restore, and replies arrive on both kinds of topic."""
    await wait_for(lambda: session.state is ConnectionState.CONNECTED, what="connected")
    await wait_for(lambda: not session.unrestored_topics, what="subscriptions restored")
    status = await session.request_status(mac)  # device topic cmd/52/navilink-{mac}/#
    assert status.dhw_temperature is not None
    today = date.today()
    usage = await session.request_energy_usage(mac, today.year, [today.month])  # client topic
    assert usage is not None


def mac_of(account: dict[str, Any]) -> str:
    mac: str = account["devices"][0]
    return mac


async def test_start_reads_devices_status_and_feature(
    make_session: SessionFactory, sim_account: dict[str, Any]
) -> None:
    session, rec = await make_session()
    mac = mac_of(sim_account)
    assert rec.types() == [E.CONNECTING, E.CONNECTED]
    assert set(session.devices) == set(sim_account["devices"])
    assert session.devices[mac].online is True
    status, feature = session.status(mac), session.feature(mac)
    assert status is not None and feature is not None
    assert feature.dhw_temperature_min is not None and feature.dhw_temperature_max is not None
    assert feature.dhw_temperature_min < feature.dhw_temperature_max
    assert DhwMode.HEAT_PUMP in feature.supported_modes
    # one broker subscription per device plus the client-keyed response topics
    assert f"cmd/52/navilink-{mac}/#" in session.subscribed_topics
    assert any(t.endswith("/res/energy-usage-daily-query/rd") for t in session.subscribed_topics)
    assert session.health.counters.connects == 1


async def test_every_command_is_confirmed_by_the_device(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, _ = await make_session()
    mac = mac_of(sim_account)

    status = await session.set_temperature(mac, 55.0)
    assert status.dhw_temperature_setting == 55.0
    status = await session.set_mode(mac, DhwMode.HIGH_DEMAND)
    assert status.dhw_mode is DhwMode.HIGH_DEMAND
    status = await session.set_vacation(mac, 5)
    assert status.dhw_mode is DhwMode.VACATION and status.vacation_days_setting == 5
    status = await session.set_power(mac, False)
    assert status.dhw_mode is DhwMode.POWER_OFF
    status = await session.set_power(mac, True)
    assert status.dhw_mode is not DhwMode.POWER_OFF
    status = await session.set_anti_legionella(mac, True, 10)
    assert status.anti_legionella_enabled is True and status.anti_legionella_period_days == 10
    status = await session.set_anti_legionella(mac, False)
    assert status.anti_legionella_enabled is False
    status = await session.set_tou(mac, True)
    assert status.tou_enabled is True
    await session.set_demand_response(mac, True)
    status = await session.set_freeze_protection_temperature(mac, 8.0)
    assert status.freeze_protection_temperature == 8.0
    status = await session.reset_air_filter(mac)
    assert status.air_filter_alarm_elapsed_h == 0

    entry = Reservation(
        enabled=True,
        weekdays=["monday", "friday"],
        hour=6,
        minute=30,
        mode=DhwMode.HEAT_PUMP,
        temperature=50.0,
    )
    written = await session.write_reservations(mac, True, [entry])
    assert written.enabled and len(written.entries) == 1
    read = await session.read_reservations(mac)
    assert read.matches(written)

    state = (await sim_control.state())["devices"][mac]
    assert state["setpoint_c"] == 55.0
    for kind in (
        "dhw-temperature",
        "dhw-mode",
        "power-off",
        "power-on",
        "anti-leg-on",
        "anti-leg-off",
        "tou-on",
        "dr-on",
        "frez-temp",
        "air-filter-reset",
    ):
        assert state["commands"].get(kind, 0) >= 1, kind
    counters = session.health.counters
    assert counters.commands_confirmed >= 12 and counters.commands_failed == 0


async def test_out_of_range_commands_are_refused_before_sending(
    make_session: SessionFactory, sim_account: dict[str, Any]
) -> None:
    session, _ = await make_session()
    mac = mac_of(sim_account)
    sent = session.health.counters.commands_sent
    with pytest.raises(OutOfRangeError):
        await session.set_temperature(mac, 90.0)
    with pytest.raises(OutOfRangeError):
        await session.set_vacation(mac, 31)
    with pytest.raises(OutOfRangeError):
        await session.set_mode(mac, DhwMode.VACATION)
    assert session.health.counters.commands_sent == sent


async def test_a_command_the_heater_refuses_fails_at_once(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    """Requests the library itself cannot check (built by hand) reach the heater, which refuses
    them in its reply; the caller hears it at once, long before the (10 minute) command timeout,
    and the heater's state is unchanged."""
    session, _ = await make_session(command_timeout=600.0)
    mac = mac_of(sim_account)
    before = await session.request_status(mac)

    def accepted(message: Any) -> Any:
        # only a reply to this very command would do; the refusal fails it before this runs
        return message if message.command == CommandCode.DHW_TEMPERATURE else None

    async def send(label: str, **control: Any) -> None:
        await asyncio.wait_for(
            session.send_request(mac, lambda t: control_request(t, **control), label, accepted),
            timeout=30,
        )

    with pytest.raises(OutOfRangeError, match="raw setpoint: the device refused it"):
        await send("raw setpoint", command=CommandCode.DHW_TEMPERATURE, param=[250])
    with pytest.raises(CommandRefusedError, match="made-up mode: the device refused it"):
        await send("made-up mode", command=CommandCode.DHW_TEMPERATURE, mode="warp-speed")
    after = await session.request_status(mac)
    assert after.dhw_temperature_setting == before.dhw_temperature_setting
    assert session.health.counters.commands_refused == 2
    heater = (await sim_control.state())["devices"][mac]
    assert heater["refused"] == 2
    assert heater["last_refusal"]["reason"] == "unknown_command"


async def test_drop_recovers_and_restores_every_subscription(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session()
    mark = len(rec.events)
    await sim_control.drop()
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), what="disconnect seen")
    await assert_fully_recovered(session, mac_of(sim_account))
    seen = rec.since(mark)
    assert seen[0] is E.DISCONNECTED and seen[-1] is E.CONNECTED
    assert E.RECONNECTING in seen
    assert session.health.counters.quick_reconnects >= 1


async def test_network_down_longer_than_the_backoff_cap(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session(policy_max_delay=0.2, policy_deep_every=4)
    mark = len(rec.events)
    await sim_control.network("down")
    # several attempts, reaching the cap and at least one deep tier, all refused
    await wait_for(lambda: session.health.attempt >= 6, what="six failed attempts")
    assert session.state is ConnectionState.RECONNECTING
    seen = rec.since(mark)
    assert E.DEEP_RECONNECT in seen and E.RECONNECTING in seen
    delays = [
        (e.next_retry_at - e.at).total_seconds() for e in rec.events[mark:] if e.next_retry_at
    ]
    assert max(delays) <= 0.2 + 1e-6
    await sim_control.network("up")
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_blackhole_is_detected_and_recovered(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session()
    mark = len(rec.events)
    await sim_control.network("blackhole")
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), timeout=30, what="silence noticed")
    await sim_control.network("up")
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_broker_restart(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session()
    mark = len(rec.events)
    await sim_control.broker_restart()
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), what="disconnect seen")
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_expired_credentials_are_renewed_by_a_deep_reconnect(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session()
    mark = len(rec.events)
    refreshes = session.auth.refreshes + session.auth.sign_ins
    await sim_control.expire_credentials()
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), what="disconnect seen")
    await assert_fully_recovered(session, mac_of(sim_account))
    assert E.DEEP_RECONNECT in rec.since(mark)
    assert session.auth.refreshes + session.auth.sign_ins > refreshes


async def test_credentials_are_renewed_ahead_of_expiry_without_an_outage(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    await sim_control.config(credential_ttl=4)
    session, rec = await make_session(expiry_margin=2.0)
    mark = len(rec.events)
    await wait_for(
        lambda: session.health.counters.credential_rotations >= 2, timeout=30, what="rotations"
    )
    assert rec.since(mark) == []  # no disconnect, no reconnect: nothing visible
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_account_deleted_then_restored_recovers_on_its_own(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session()
    mark = len(rec.events)
    await sim_control.delete_account(sim_account["email"])
    await wait_for(lambda: session.state is ConnectionState.AUTH_FAILED, what="auth_failed")
    assert E.AUTH_FAILED in rec.since(mark)
    await sim_control.restore_account(sim_account["email"])
    await assert_fully_recovered(session, mac_of(sim_account))
    assert session.health.counters.auth_retries >= 1


async def test_account_deleted_for_good_retries_sign_in_only_as_configured(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    clock = FakeClock()
    session, _rec = await make_session(policy_auth_retry_interval=1800.0, clock=clock)
    await sim_control.delete_account(sim_account["email"])
    for _ in range(1500):  # the reconnect backoff sleeps on the fake clock too: drive it
        if session.state is ConnectionState.AUTH_FAILED:
            break
        clock.advance(0.5)
        await asyncio.sleep(0.02)
    assert session.state is ConnectionState.AUTH_FAILED
    sign_ins = session.auth.sign_ins
    for retry in range(1, 7):  # three hours of fake time: six retries, no more
        clock.advance(1800.0)
        await wait_for(
            lambda n=retry: session.auth.sign_ins - sign_ins == n,  # type: ignore[misc]
            what=f"retry {retry}",
        )
    await asyncio.sleep(0.2)
    assert session.auth.sign_ins - sign_ins == 6
    assert session.state is ConnectionState.AUTH_FAILED
    assert session.health.counters.auth_retries == 6


async def test_rest_failures_during_a_deep_reconnect(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    # every attempt is deep; one REST reply below is slower than the 0.5 s request timeout
    session, rec = await make_session(policy_deep_every=1, request_timeout=0.5)
    mark = len(rec.events)
    await sim_control.network("down")
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), what="disconnect seen")
    await sim_control.rest_fault(status=500, count=3)
    await sim_control.network("up")
    await wait_for(lambda: session.health.attempt >= 2, what="failed deep attempts")
    await sim_control.rest_fault(delay_s=30, count=1)  # one reply slower than any timeout
    await assert_fully_recovered(session, mac_of(sim_account))
    assert session.health.counters.deep_reconnects >= 2


async def test_first_connect_while_the_network_is_down(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    await sim_control.network("down")
    session, _rec = await make_session(retry_first_connect=True)
    await wait_for(lambda: session.state is ConnectionState.RECONNECTING, what="reconnecting")
    await wait_for(lambda: session.health.attempt >= 2, what="retrying")
    await sim_control.network("up")
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_first_connect_failure_raises_without_retry(
    make_session: SessionFactory, sim_control: Any
) -> None:
    await sim_control.network("down")
    session, _rec = await make_session(start=False)
    with pytest.raises(NaviLinkConnectionError):
        await session.start()
    assert session.state is ConnectionState.STOPPED


async def test_wrong_password_raises_invalid_credentials(make_session: SessionFactory) -> None:
    session, _ = await make_session(start=False, password="wrong")
    with pytest.raises(InvalidCredentialsError):
        await session.start()


async def test_malformed_payloads_are_dropped_and_counted(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, _rec = await make_session()
    mac = mac_of(sim_account)
    before = session.status(mac)
    kinds = [
        "not json",
        "{",
        "null",
        "[]",
        "42",
        '"text"',
        "\xff\xfe",
        '{"response": 5}',
        '{"response": {"status": []}}',
        '{"response": {"feature": "x"}}',
    ]
    for i in range(200):
        await sim_control.inject(mac, kinds[i % len(kinds)])
    await wait_for(
        lambda: session.health.counters.malformed_messages >= 200, what="malformed counted"
    )
    assert session.health.counters.malformed_messages == 200
    assert session.state is ConnectionState.CONNECTED
    assert session.status(mac) is before or session.status(mac) is not None
    await assert_fully_recovered(session, mac)


async def test_command_while_offline_is_delivered_after_recovery(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session()
    mac = mac_of(sim_account)
    mark = len(rec.events)
    await sim_control.network("down")
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), what="disconnect seen")
    command = asyncio.ensure_future(session.set_temperature(mac, 52.5))
    await wait_for(lambda: session.queued_commands == 1, what="queued")
    assert not command.done()
    await sim_control.network("up")
    status = await asyncio.wait_for(command, 30)
    assert status.dhw_temperature_setting == 52.5
    assert (await sim_control.state())["devices"][mac]["setpoint_c"] == 52.5


async def test_command_outliving_its_ttl_fails_with_its_own_error(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session(queue_ttl=0.3)
    mark = len(rec.events)
    await sim_control.network("down")
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), what="disconnect seen")
    with pytest.raises(CommandExpiredError):
        await session.set_temperature(mac_of(sim_account), 50.0)
    assert session.health.counters.commands_expired == 1
    assert session.pending_commands == 0


async def test_full_queue_evicts_the_oldest_with_its_own_error(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session(queue_size=2)
    mac = mac_of(sim_account)
    mark = len(rec.events)
    await sim_control.network("down")
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), what="disconnect seen")
    first = asyncio.ensure_future(session.set_temperature(mac, 50.0))
    second = asyncio.ensure_future(session.set_temperature(mac, 51.0))
    third = asyncio.ensure_future(session.set_temperature(mac, 52.0))
    with pytest.raises(CommandEvictedError):
        await asyncio.wait_for(first, 10)
    await sim_control.network("up")
    assert (await asyncio.wait_for(second, 30)).dhw_temperature_setting is not None
    assert (await asyncio.wait_for(third, 30)).dhw_temperature_setting == 52.0
    assert session.health.counters.commands_evicted == 1


async def test_sdk_resume_restores_subscriptions(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    # Our own first retry is far away; awscrt's own resume (1 s) wins the race.
    session, rec = await make_session(
        policy_initial_delay=20.0,
        policy_max_delay=20.0,
        policy_jitter=0.0,
        sdk_reconnect_min_secs=1,
        sdk_reconnect_max_secs=2,
    )
    mark = len(rec.events)
    await sim_control.drop()
    await wait_for(lambda: E.CONNECTED in rec.since(mark), timeout=20, what="SDK resume")
    assert any("SDK" in e.reason for e in rec.events[mark:] if e.type is E.CONNECTED)
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_finite_attempts_end_in_reconnect_failed(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session(policy_max_attempts=3)
    mark = len(rec.events)
    await sim_control.network("down")
    await wait_for(lambda: E.RECONNECT_FAILED in rec.since(mark), what="gave up")
    assert session.state is ConnectionState.DISCONNECTED
    await sim_control.network("up")
    await session.reconnect()
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_manual_reconnect_now(
    make_session: SessionFactory, sim_account: dict[str, Any]
) -> None:
    session, rec = await make_session()
    mark = len(rec.events)
    await session.reconnect(deep=True)
    assert rec.since(mark) == [E.DEEP_RECONNECT, E.CONNECTED]
    await assert_fully_recovered(session, mac_of(sim_account))


async def test_device_offline_and_devices_added_live(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, _rec = await make_session()
    seen: list[set[str]] = []
    session.add_devices_listener(lambda devices: seen.append(set(devices)))
    mac = await sim_control.add_device(sim_account["email"])
    await session.refresh_devices()
    assert mac in session.devices and seen and mac in seen[-1]
    await wait_for(lambda: session.status(mac) is not None, what="new device status")
    await sim_control.set_online(mac, False)
    await session.refresh_devices()
    assert session.devices[mac].online is False
    await sim_control.remove_device(sim_account["email"], mac)
    await session.refresh_devices()
    assert mac not in session.devices
    assert f"cmd/52/navilink-{mac}/#" not in session.subscribed_topics


async def test_latency_is_measured(
    make_session: SessionFactory, sim_account: dict[str, Any]
) -> None:
    session, _ = await make_session()
    for _ in range(5):
        await session.request_status(mac_of(sim_account))
    snapshot = session.health.latency.snapshot()
    assert snapshot["since_start"]["count"] >= 5
    assert snapshot["since_start"]["p50_ms"] is not None
    assert session.health.as_dict()["events"]


async def test_a_topic_that_fails_to_restore_is_retried_and_reported(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, rec = await make_session()
    received: list[str] = []
    session.subscribe("cmd/52/bad/#/filter", lambda topic, payload: received.append(topic))
    await wait_for(lambda: session.unrestored_topics == ["cmd/52/bad/#/filter"], what="reported")
    failures = session.health.counters.resubscribe_failures
    await wait_for(
        lambda: session.health.counters.resubscribe_failures >= failures + 2, what="retried"
    )
    # ... and it is still in the registry after a reconnect, with the good ones restored
    mark = len(rec.events)
    await sim_control.drop()
    await wait_for(lambda: E.CONNECTED in rec.since(mark), what="reconnected")
    assert "cmd/52/bad/#/filter" in session.subscribed_topics
    assert session.unrestored_topics == ["cmd/52/bad/#/filter"]
    await session.request_status(mac_of(sim_account))


async def test_extra_subscription_handlers_receive_messages(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    session, _ = await make_session()
    mac = mac_of(sim_account)
    received: list[str] = []
    remove = session.subscribe(f"cmd/52/navilink-{mac}/#", lambda t, p: received.append(t))
    await session.request_status(mac)
    await wait_for(lambda: len(received) >= 2, what="request echo and reply")  # echo + reply
    remove()
    count = len(received)
    await session.request_status(mac)
    assert len(received) == count


async def test_watchdog_catches_a_silent_link_that_keepalive_would_miss(
    make_session: SessionFactory, sim_account: dict[str, Any], sim_control: Any
) -> None:
    # keep-alive far beyond the test: only the application watchdog can notice the blackhole
    session, rec = await make_session(keep_alive_secs=1200, ping_timeout_ms=3000)
    mark = len(rec.events)
    await sim_control.network("blackhole")
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), timeout=30, what="watchdog")
    lost = next(e for e in rec.events[mark:] if e.type is E.DISCONNECTED)
    assert lost.reason.startswith("watchdog:")
    await sim_control.network("up")
    await assert_fully_recovered(session, mac_of(sim_account))
