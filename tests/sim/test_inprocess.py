"""The Simulator class used in-process (no subprocess), as other test suites may do."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from navilink_sim import Simulator, SimulatorConfig
from navilink_sim.testing import SimInfo
from tests.sim.helpers import connected_client, sign_in


async def test_in_process_simulator(tmp_path: Path) -> None:
    sim = Simulator(SimulatorConfig(heaters=1, speed=60, state_dir=tmp_path))
    await sim.start()
    try:
        info = SimInfo.from_json(json.dumps(sim.ready_info()))
        (account,) = info.accounts
        mac = account.devices[0]
        token = await sign_in(info, account.email, account.password)
        client = await connected_client(info, token, mac)
        try:
            reply = await client.request(mac, "st", 16777219)
            assert reply["response"]["status"]["dhwOperationSetting"] == 1
            sim.set_online(mac, False)
            assert sim.device_objects(account.email)[0]["deviceInfo"]["connected"] == 1
            sim.set_online(mac, True)
            assert sim.drop_connections() == 1
            await asyncio.wait_for(client.interrupted.wait(), 10)
        finally:
            await client.disconnect()
        broker_pid = sim.broker_state()["pid"]
        assert sim.state()["gateway"]["network"] == "up"
    finally:
        await sim.stop()
    assert not Path(f"/proc/{broker_pid}").exists() or _zombie(broker_pid)
    assert os.path.exists(tmp_path / "ca.pem")


def _zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
