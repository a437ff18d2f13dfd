"""Subscriptions, devices, listeners and diagnostics of NaviLinkSession on the fake cloud."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from conftest import MAC, OTHER_MAC, Factory

from aionavilink import (
    ConnectionState,
    DeviceFeature,
    DeviceStatus,
    NaviLinkConnectionError,
    NaviLinkDevice,
    Tokens,
    device_subscription,
)
from aionavilink.testing import FakeClock, FakeCloud, FakeHeater, settle


async def test_a_failed_subscription_is_retried_until_restored(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    topic = device_subscription(MAC)
    cloud.subscribe_errors[topic] = 2
    session, _ = await make_session(initial_data_timeout=0)
    assert session.unrestored_topics == [topic]
    assert session.health.counters.resubscribe_failures == 1
    await clock.run(2.0)  # second failure
    assert session.unrestored_topics == [topic]
    await clock.run(2.0)
    assert session.unrestored_topics == []
    assert topic in cloud.live[0].subscriptions


async def test_subscription_retry_waits_for_the_link(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    topic = device_subscription(MAC)
    session, _ = await make_session()
    cloud.subscribe_errors[topic] = 1
    cloud.connect_errors = [NaviLinkConnectionError("refused")] * 2
    cloud.drop()
    await clock.run(1.0)  # attempt 1 fails
    cloud.connect_errors.clear()
    await clock.run(2.0)  # attempt 2 connects, the device topic fails once
    assert session.unrestored_topics == [topic]
    await clock.run(2.0)
    assert session.unrestored_topics == []


async def test_extra_handlers_get_raw_messages(make_session: Factory, cloud: FakeCloud) -> None:
    session, _ = await make_session()
    seen: list[tuple[str, bytes]] = []
    remove = session.subscribe("evt/52/+/app-connection", lambda t, p: seen.append((t, p)))
    await settle()
    assert "evt/52/+/app-connection" in cloud.live[0].subscriptions
    cloud.route(f"evt/52/navilink-{MAC}/app-connection", {"clientID": "x"})
    await settle()
    assert [t for t, _ in seen] == [f"evt/52/navilink-{MAC}/app-connection"]
    remove()
    remove()  # twice is harmless
    cloud.route(f"evt/52/navilink-{MAC}/app-connection", {"clientID": "y"})
    await settle()
    assert len(seen) == 1


async def test_devices_come_and_go_with_the_rest_list(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    lists: list[dict[str, NaviLinkDevice]] = []
    session.add_devices_listener(lists.append)
    cloud.heaters[OTHER_MAC] = FakeHeater(OTHER_MAC)
    devices = await session.refresh_devices()
    assert set(devices) == {MAC, OTHER_MAC}
    await settle()
    assert device_subscription(OTHER_MAC) in cloud.live[0].subscriptions
    assert session.status(OTHER_MAC) is not None  # fetched at once
    del cloud.heaters[MAC]
    await session.refresh_devices()
    assert session.status(MAC) is None and session.feature(MAC) is None
    assert device_subscription(MAC) not in session.subscribed_topics
    cloud.heaters[OTHER_MAC].online = False
    await session.refresh_devices()
    assert session.devices[OTHER_MAC].online is False
    assert [set(d) for d in lists] == [{MAC, OTHER_MAC}, {OTHER_MAC}, {OTHER_MAC}]
    await session.refresh_devices()  # nothing changed: no call
    assert len(lists) == 3


async def test_offline_devices_are_not_waited_for(make_session: Factory, cloud: FakeCloud) -> None:
    cloud.heaters[MAC].online = False
    session, _ = await make_session()
    assert session.devices[MAC].online is False
    assert session.status(MAC) is None


async def test_the_device_list_is_refreshed_periodically(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session(device_refresh_interval=600.0)
    cloud.heaters[OTHER_MAC] = FakeHeater(OTHER_MAC)
    cloud.rest_down = True
    await clock.run(600.0)  # a failed refresh is only logged
    assert OTHER_MAC not in session.devices
    cloud.rest_down = False
    await clock.run(600.0)
    assert OTHER_MAC in session.devices


async def test_the_device_refresh_pauses_while_auth_failed(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session(
        device_refresh_interval=600.0, policy_auth_retry_interval=0, policy_deep_every=1
    )
    cloud.password = "changed"
    cloud.reject_refresh = True
    cloud.drop()
    await clock.run(1.0)
    assert session.state is ConnectionState.AUTH_FAILED
    sign_ins = cloud.sign_ins
    await clock.run(1200.0)
    assert cloud.sign_ins == sign_ins


async def test_listeners_hear_status_feature_and_tokens_and_may_fail(
    make_session: Factory, cloud: FakeCloud, caplog: pytest.LogCaptureFixture
) -> None:
    session, _ = await make_session(start=False)
    statuses: list[tuple[str, DeviceStatus]] = []
    features: list[tuple[str, DeviceFeature]] = []
    tokens: list[Tokens] = []
    session.add_status_listener(lambda mac, status: statuses.append((mac, status)))
    remove = session.add_feature_listener(lambda mac, feature: features.append((mac, feature)))
    session.add_tokens_listener(tokens.append)

    def broken(mac: str, status: DeviceStatus) -> None:
        raise RuntimeError("listener bug")

    session.add_status_listener(broken)
    with caplog.at_level(logging.ERROR):
        await session.start()
    assert statuses and statuses[0][0] == MAC
    assert features and tokens and session.tokens == tokens[-1]
    assert "listener failed" in caplog.text
    remove()
    await session.request_feature(MAC)
    assert len(features) == 1


async def test_malformed_messages_are_counted_and_dropped(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, _ = await make_session()
    transport = cloud.live[0]
    transport.deliver(f"cmd/52/navilink-{MAC}/x/res", b"{not json")
    transport.deliver(f"cmd/52/navilink-{MAC}/x/res", json.dumps({"response": 5}).encode())
    transport.deliver(f"cmd/52/navilink-{MAC}/x/res", b"")
    await settle()
    assert session.health.counters.malformed_messages == 2
    assert session.connected


async def test_diagnostics_hold_no_secrets(make_session: Factory, cloud: FakeCloud) -> None:
    session, _ = await make_session()
    text = json.dumps(session.diagnostics())
    tokens = session.tokens
    assert tokens is not None
    for secret in (
        cloud.password,
        tokens.access_token,
        tokens.refresh_token,
        tokens.aws_secret_key,
        tokens.aws_session_token,
        tokens.aws_access_key_id,
        MAC,
        session.client_id,
    ):
        assert secret not in text
    assert json.loads(text)["health"]["state"] == "connected"


async def test_initial_data_wait_is_bounded(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.heaters[MAC].answers = False
    session, _ = await make_session(start=False, initial_data_timeout=5.0)
    start = asyncio.ensure_future(session.start())
    await clock.run(4.0)
    assert not start.done()
    await clock.run(1.5)
    assert start.done() and start.exception() is None
    assert session.connected and session.status(MAC) is None


async def test_logs_never_show_a_full_mac(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    cloud.subscribe_errors[device_subscription(MAC)] = 1
    with caplog.at_level(logging.DEBUG, logger="aionavilink"):
        session, _ = await make_session(initial_data_timeout=0)
        cloud.live[0].deliver(f"cmd/52/navilink-{MAC}/x/res", b"[")
        await clock.run(3.0)
    assert session.unrestored_topics == []
    assert "subscribing cmd/52/navilink-********fca0/# failed" in caplog.text
    assert MAC not in caplog.text
