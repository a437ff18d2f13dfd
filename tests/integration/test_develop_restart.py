"""scripts/develop: Home Assistant restarts when it asks to; core settings stay editable."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from homeassistant.const import RESTART_EXIT_CODE

ROOT = Path(__file__).parents[2]


@pytest.fixture
def develop(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """scripts/_develop.py, imported as scripts/develop runs it."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import _develop

    yield _develop
    sys.modules.pop("_develop", None)
    sys.modules.pop("_develop_http", None)


class FakeProcess:
    """A process that has exited with `code` (None: still running)."""

    def __init__(self, code: int | None) -> None:
        self.code = code

    def poll(self) -> int | None:
        return self.code


def test_restart_exit_code_is_home_assistants(develop: ModuleType) -> None:
    """The script's constant is Home Assistant's own."""
    assert develop.RESTART_EXIT_CODE == RESTART_EXIT_CODE


def test_home_assistant_asking_to_restart_is_restarted(develop: ModuleType) -> None:
    """Exit code 100 from Home Assistant starts it again; the simulator keeps running."""
    sim = FakeProcess(None)
    procs: dict[str, Any] = {"navilink_sim": sim, "Home Assistant": FakeProcess(100)}
    started: list[FakeProcess] = []

    def restart() -> FakeProcess:
        started.append(FakeProcess(None))
        return started[-1]

    develop.supervise(procs, restart)
    assert len(started) == 1
    assert procs == {"navilink_sim": sim, "Home Assistant": started[0]}
    develop.supervise(procs, restart)  # running: nothing to do
    assert len(started) == 1


@pytest.mark.parametrize(
    ("name", "code"), [("Home Assistant", 1), ("Home Assistant", 0), ("navilink_sim", 100)]
)
def test_other_exits_stop_the_stack(develop: ModuleType, name: str, code: int) -> None:
    """A crash, a plain stop or the simulator ending is not a restart request."""
    procs: dict[str, Any] = {"navilink_sim": FakeProcess(None), "Home Assistant": FakeProcess(None)}
    procs[name] = FakeProcess(code)

    def restart() -> FakeProcess:
        raise AssertionError("must not restart")

    with pytest.raises(develop.ProcessExited, match=f"{name} exited with code {code}"):
        develop.supervise(procs, restart)


def test_core_settings_are_left_to_the_ui(develop: ModuleType) -> None:
    """configuration.yaml does not pin `homeassistant:`; the script sets them once instead."""
    yaml_text = (ROOT / "config" / "configuration.yaml").read_text(encoding="utf-8")
    assert not re.search(r"^homeassistant:", yaml_text, re.MULTILINE)
    assert develop.CORE_CONFIG["unit_system"] == "metric"
    assert {"country", "time_zone", "latitude", "longitude"} <= set(develop.CORE_CONFIG)
