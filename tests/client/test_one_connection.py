"""No connection outlives the session's decision to abandon it.

A connect that hangs in a blackhole times out on our side while awscrt is still connecting.
When the path comes back, that abandoned connect completes; if it stayed alive it would carry
the session's client id beside the session's new connection, the broker would close one of
the two, awscrt would reconnect it, and the two would take turns kicking each other for as
long as anyone watched. The simulator's gateway counts every CONNECT whose client id another
live connection already carries ("takeovers").
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from aionavilink import ConnectionEventType as E

from .conftest import SessionFactory, wait_for
from .test_session import assert_fully_recovered, mac_of

# awscrt's own reconnect after an interruption, scaled down so that a fight would show
# within the observation window (the defaults are 5-60 s).
SDK_RECONNECT = {"sdk_reconnect_min_secs": 1, "sdk_reconnect_max_secs": 2}
CONNECT_TIMEOUT = 2.0
WATCH = 12.0  # seconds of quiet asked for after recovery (several awscrt reconnect rounds)


def live_connections_per_client_id(state: dict[str, Any]) -> Counter[str]:
    return Counter(
        c["client_id"] for c in state["gateway"]["connections"] if c["client_id"] is not None
    )


@pytest.mark.parametrize(
    "blackhole_s",
    [0.5, 4.5],
    ids=["shorter-than-connect-timeout", "longer-than-connect-timeout"],
)
async def test_one_connection_per_client_id_after_a_blackhole(
    make_session: SessionFactory,
    sim_account: dict[str, Any],
    sim_control: Any,
    blackhole_s: float,
) -> None:
    session, rec = await make_session(
        connect_timeout=CONNECT_TIMEOUT,
        policy_initial_delay=0.05,
        policy_max_delay=0.1,
        **SDK_RECONNECT,
    )
    mark = len(rec.events)
    await sim_control.network("blackhole")
    await wait_for(lambda: E.DISCONNECTED in rec.since(mark), timeout=30, what="silence noticed")
    # let reconnect attempts hang in the blackhole (and, for the long one, time out)
    await asyncio.sleep(blackhole_s)
    await sim_control.network("up")
    await assert_fully_recovered(session, mac_of(sim_account))

    # Once recovered: quiet. No new CONNECT of our client id while another lives, no event.
    await asyncio.sleep(2.0)  # abandoned connects complete (and must close) in this window
    settled = len(rec.events)
    takeovers = (await sim_control.state())["gateway"]["takeovers"]["count"]
    await asyncio.sleep(WATCH)
    state = await sim_control.state()
    assert state["gateway"]["takeovers"]["count"] == takeovers, state["gateway"]["takeovers"]
    assert rec.since(settled) == [], rec.events[settled:]
    assert live_connections_per_client_id(state) == Counter({session.client_id: 1})
    assert session.connected
