"""Reconnect supervisor and connection lifecycle, branch by branch, on fake cloud and clock."""

from __future__ import annotations

import pytest
from conftest import MAC, Factory

from aionavilink import (
    ConnectionEventType,
    ConnectionState,
    InvalidCredentialsError,
    NaviLinkConnectionError,
    NotConnectedError,
    ReconnectTier,
)
from aionavilink.testing import FakeClock, FakeCloud, settle

E = ConnectionEventType
UPGRADE_REFUSED = NaviLinkConnectionError("connect: AWS_ERROR_HTTP_WEBSOCKET_UPGRADE_FAILURE")


async def test_start_connects_subscribes_and_reads_every_device(
    make_session: Factory, cloud: FakeCloud
) -> None:
    session, rec = await make_session()
    assert rec.types() == [E.CONNECTING, E.CONNECTED]
    assert rec.events[-1].reason == "connected"
    assert session.connected
    assert session.status(MAC) is not None and session.feature(MAC) is not None
    assert f"cmd/52/navilink-{MAC}/#" in session.subscribed_topics
    assert session.unrestored_topics == []
    assert cloud.live[0].subscriptions == session.subscribed_topics
    assert session.health.counters.connects == 1
    assert session.health.last_connected_at == session.health.connected_since
    await session.start()  # a second start is a no-op
    assert session.health.counters.connects == 1


async def test_a_drop_backs_off_and_reconnects_quickly(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session()
    mark = len(rec.events)
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")] * 2
    cloud.drop("AWS_ERROR_MQTT_UNEXPECTED_HANGUP")
    await settle()
    assert rec.types(mark) == [E.DISCONNECTED, E.RECONNECTING]
    assert session.health.last_disconnect_reason == "AWS_ERROR_MQTT_UNEXPECTED_HANGUP"
    assert session.health.connected_since is None
    first = rec.events[-1]
    assert first.tier is ReconnectTier.QUICK and first.attempt == 1
    assert first.next_retry_at is not None
    assert (first.next_retry_at - first.at).total_seconds() == pytest.approx(1.0)
    await clock.run(1.0)
    assert session.health.last_disconnect_reason == "connect: refused"
    assert [e.attempt for e in rec.events[mark:]] == [0, 1, 2]
    await clock.run(2.0 + 4.0)  # delays 2 and 4
    assert rec.types(mark) == [E.DISCONNECTED, *[E.RECONNECTING] * 3, E.CONNECTED]
    assert rec.events[-1].reason == "reconnected (quick)"
    assert session.health.counters.quick_reconnects == 3
    assert session.health.attempt == 3
    await clock.run(30.0)  # stable for stable_after: the count starts again
    assert session.health.attempt == 0


async def test_every_nth_attempt_is_deep_and_refreshes_tokens_and_devices(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session(policy_deep_every=2)
    refreshes = cloud.refreshes
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")]
    cloud.drop()
    await clock.run(1.0 + 2.0)
    assert rec.types()[-2:] == [E.DEEP_RECONNECT, E.CONNECTED]
    assert rec.events[-2].tier is ReconnectTier.DEEP
    assert rec.events[-1].reason == "reconnected (deep)"
    assert session.health.counters.deep_reconnects == 1
    assert cloud.refreshes == refreshes + 1


async def test_a_refused_signature_renews_the_credentials_at_once(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    """A quick attempt the server refuses (expired credentials) is followed by a deep one
    without waiting the backoff: the refusal has shown it is needed."""
    session, rec = await make_session()
    refreshes = cloud.refreshes
    cloud.connect_errors = [UPGRADE_REFUSED]
    cloud.drop()
    await clock.run(1.0)  # the first quick attempt, after its 1 s backoff, and no more time
    assert rec.types()[-3:] == [E.RECONNECTING, E.DEEP_RECONNECT, E.CONNECTED]
    deep = rec.events[-2]
    assert deep.tier is ReconnectTier.DEEP and deep.next_retry_at == deep.at
    assert cloud.refreshes == refreshes + 1
    assert session.health.counters.deep_reconnects == 1


async def test_a_deep_attempt_refused_again_waits_its_backoff(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    """Only a quick attempt's refusal skips the wait: refusals that go on back off as usual."""
    session, rec = await make_session()
    cloud.connect_errors = [UPGRADE_REFUSED] * 3
    cloud.drop()
    await clock.run(1.0)  # quick (refused) then deep at once (refused)
    assert session.state is ConnectionState.RECONNECTING
    waiting = rec.events[-1]
    assert waiting.type is E.DEEP_RECONNECT and waiting.attempt == 3
    assert waiting.next_retry_at is not None
    assert (waiting.next_retry_at - waiting.at).total_seconds() == pytest.approx(4.0)
    await clock.run(3.9)
    assert session.state is ConnectionState.RECONNECTING
    await clock.run(0.1 + 8.0)  # attempt 3 refused too, attempt 4 after 8 s connects
    assert session.state is ConnectionState.CONNECTED
    assert session.health.counters.deep_reconnects == 3


async def test_rejected_credentials_stop_the_loop_and_a_slow_retry_recovers(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session(policy_deep_every=1)
    password = cloud.password
    cloud.password = "changed"
    cloud.reject_refresh = True
    cloud.drop()
    await clock.run(1.0)
    assert session.state is ConnectionState.AUTH_FAILED
    assert rec.events[-1].type is E.AUTH_FAILED
    await clock.run(60.0)  # still rejected
    assert session.state is ConnectionState.AUTH_FAILED
    cloud.rest_down = True
    await clock.run(60.0)  # sign-in unreachable
    assert session.health.counters.auth_retries == 2
    cloud.rest_down = False
    cloud.password = password
    cloud.reject_refresh = False
    await clock.run(60.0 + 1.0)
    assert session.state is ConnectionState.CONNECTED
    resumed = rec.events[-2]
    assert resumed.previous_state is ConnectionState.AUTH_FAILED
    assert resumed.reason == "credentials accepted again"
    assert [e.type for e in session.health.events.as_list()] == rec.types()[-50:]


async def test_no_auth_retry_when_it_is_switched_off(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, _ = await make_session(policy_auth_retry_interval=0, policy_deep_every=1)
    cloud.password = "changed"
    cloud.reject_refresh = True
    cloud.drop()
    await clock.run(1.0)
    assert session.state is ConnectionState.AUTH_FAILED
    await clock.run(3600.0)
    assert session.health.counters.auth_retries == 0
    cloud.password = "secret"
    await session.reconnect()  # from auth_failed: sign in first
    assert session.state is ConnectionState.CONNECTED


async def test_the_sdk_resuming_by_itself_ends_the_loop(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session()
    transport = cloud.live[0]
    transport.interrupt("hangup")
    await settle()
    assert session.state is ConnectionState.RECONNECTING
    transport.resume(session_present=False)
    await settle()
    assert rec.events[-1].reason == "resumed by the SDK"
    assert transport.subscriptions == session.subscribed_topics  # restored
    await clock.run(10.0)
    assert len(cloud.connections) == 1  # the loop never built another connection
    transport.interrupt("hangup")
    await settle()
    transport.resume(session_present=True)
    await settle()
    assert session.connected


async def test_late_callbacks_of_a_replaced_connection_are_ignored(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session()
    old = cloud.live[0]
    await session.reconnect()
    assert cloud.live[-1] is not old
    mark = len(rec.events)
    old.silenced = False
    old.interrupt("late")
    old.resume()
    await settle()
    assert rec.events[mark:] == []
    assert session.connected


async def test_manual_reconnect_success_failure_and_rejection(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session()
    await session.reconnect(deep=True)
    assert rec.types()[-2:] == [E.DEEP_RECONNECT, E.CONNECTED]
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")]
    with pytest.raises(NaviLinkConnectionError):
        await session.reconnect()
    assert session.state is ConnectionState.RECONNECTING  # the loop took over
    await clock.run(2.0)
    assert session.connected
    cloud.password = "changed"
    cloud.reject_refresh = True
    with pytest.raises(InvalidCredentialsError):
        await session.reconnect(deep=True)
    assert session.state is ConnectionState.AUTH_FAILED


async def test_reconnect_needs_a_running_session(make_session: Factory) -> None:
    session, _ = await make_session(start=False)
    with pytest.raises(NotConnectedError):
        await session.reconnect()


async def test_first_connect_failure_raises_and_leaves_nothing_running(
    make_session: Factory, cloud: FakeCloud
) -> None:
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")]
    session, rec = await make_session(start=False)
    with pytest.raises(NaviLinkConnectionError):
        await session.start()
    assert session.state is ConnectionState.STOPPED
    assert rec.types() == [E.CONNECTING, E.STOPPED]


async def test_first_connect_failure_can_enter_the_loop(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")]
    session, rec = await make_session(retry_first_connect=True)
    await settle()
    assert session.state is ConnectionState.RECONNECTING
    assert rec.events[-1].reason == "first connect failed: connect: refused"
    await clock.run(1.0)
    assert session.connected


async def test_first_sign_in_rejected_can_wait_in_auth_failed(
    make_session: Factory, clock: FakeClock
) -> None:
    session, _ = await make_session(password="wrong", retry_first_connect=True)
    assert session.state is ConnectionState.AUTH_FAILED
    session.update_password("secret")
    await clock.run(60.0 + 1.0)
    assert session.connected


async def test_credentials_are_renewed_on_the_live_connection(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.aws_lifetime = 120  # renewed 60 s (expiry margin) before expiry
    session, rec = await make_session()
    mark = len(rec.events)
    first = cloud.live[0]
    await clock.run(61.0)
    assert session.health.counters.credential_rotations == 1
    assert rec.events[mark:] == []  # no visible outage
    assert first.closed and cloud.live[0] is not first
    assert (await session.set_power(MAC, False)).dhw_mode is not None


async def test_a_failed_credential_renewal_is_a_lost_connection(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.aws_lifetime = 120
    session, rec = await make_session()
    cloud.connect_errors = [NaviLinkConnectionError("connect: refused")]
    await clock.run(61.0)
    assert rec.types()[-3:] == [E.DISCONNECTED, E.RECONNECTING, E.CONNECTED]
    assert rec.events[-3].reason == "credential renewal failed: connect: refused"
    assert session.connected


async def test_a_rejected_credential_renewal_is_auth_failed(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.aws_lifetime = 120
    session, _ = await make_session()
    cloud.password = "changed"
    cloud.reject_refresh = True
    await clock.run(61.0)
    assert session.state is ConnectionState.AUTH_FAILED


async def test_a_silent_link_is_resubscribed_then_declared_lost(
    make_session: Factory, cloud: FakeCloud, clock: FakeClock
) -> None:
    session, rec = await make_session(watchdog_misses=2)
    cloud.blackhole = True
    mark = len(rec.events)
    await clock.run(35.0)  # probes at 10 and 20 unanswered: resubscribe at 30
    assert rec.types(mark) == []
    await clock.run(10.0)  # one more silent round: the link is lost
    lost = rec.events[mark]
    assert lost.type is E.DISCONNECTED
    assert lost.reason == "watchdog: 3 status requests unanswered"
    cloud.blackhole = False
    await clock.run(5.0)
    assert session.connected
    assert (await session.request_status(MAC)) is not None


async def test_status_probes_feed_the_latency_figures(
    make_session: Factory, clock: FakeClock
) -> None:
    session, _ = await make_session()
    before = session.health.latency.count
    await clock.run(25.0)
    assert session.health.latency.count > before
    assert session.health.counters.messages > 0


async def test_stop_is_final(make_session: Factory, cloud: FakeCloud) -> None:
    session, rec = await make_session()
    await session.stop()
    assert rec.events[-1].type is E.STOPPED
    assert cloud.live == []
    cloud.drop()
    await settle()
    assert session.state is ConnectionState.STOPPED
