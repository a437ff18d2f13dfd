"""``python -m navilink_sim`` as a process: ready line, state, clean shutdown."""

from __future__ import annotations

import os
from pathlib import Path

import aiohttp

from navilink_sim.testing import SimControl, SimProcess


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive either
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return status != "Z"


async def test_cli_ready_line_and_clean_stop(tmp_path: Path) -> None:
    proc = SimProcess(
        "--account", "a@example.com:secret", "--heaters", "3", "--state-dir", str(tmp_path),
        log_file=tmp_path / "sim.log",
    )  # fmt: skip
    info = proc.start()
    try:
        assert info.api_url.startswith("http://127.0.0.1:") and info.api_url.endswith("/api/v2.1")
        assert info.control_url.endswith("/_sim")
        assert info.mqtt_url.startswith("wss://127.0.0.1:") and info.mqtt_url.endswith("/mqtt")
        assert Path(info.ca_file) == (tmp_path / "ca.pem").resolve()
        assert Path(info.ca_file).read_text().startswith("-----BEGIN CERTIFICATE-----")
        (account,) = info.accounts
        assert (account.email, account.password) == ("a@example.com", "secret")
        assert len(account.devices) == 3
        async with SimControl(info.control_url) as control:
            state = await control.state()
            broker_pid = state["broker"]["pid"]
            assert _alive(broker_pid)
            assert set(state["devices"]) == set(account.devices)
            async with (
                aiohttp.ClientSession() as session,
                session.get(info.control_url + "/nope") as resp,
            ):
                assert resp.status == 404
                assert resp.content_type == "application/json"
    finally:
        assert proc.stop() == 0
    assert not _alive(broker_pid)
    print(f"navilink_sim start-up: {proc.startup_s:.2f}s")


async def test_default_account_deterministic_macs(tmp_path: Path) -> None:
    macs = []
    for run in range(2):
        with SimProcess("--state-dir", str(tmp_path / str(run))) as info:
            (account,) = info.accounts
            assert (account.email, account.password) == ("demo@example.com", "demo")
            assert len(account.devices) == 2
            for mac in account.devices:
                assert len(mac) == 12 and mac == mac.lower()
                int(mac, 16)
            macs.append(account.devices)
    assert macs[0] == macs[1]


async def test_cli_us_units_and_model(tmp_path: Path) -> None:
    proc = SimProcess(
        "--heaters", "1", "--units", "us", "--model", "nwp500-recirc",
        "--state-dir", str(tmp_path), log_file=tmp_path / "sim.log",
    )  # fmt: skip
    info = proc.start()
    try:
        async with SimControl(info.control_url) as control:
            state = await control.state()
            assert (state["config"]["units"], state["config"]["model"]) == ("us", "nwp500-recirc")
            (heater,) = state["devices"].values()
            assert (heater["temperature_type"], heater["model"]) == (2, "nwp500-recirc")
            assert heater["setpoint_c"] == 49.0  # the US factory setpoint, 120 °F
            # heaters added later follow the command line too
            mac = await control.add_device(info.accounts[0].email)
            assert (await control.state())["devices"][mac]["temperature_type"] == 2
    finally:
        assert proc.stop() == 0
