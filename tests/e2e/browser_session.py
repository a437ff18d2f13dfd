"""The browser test's session helpers: steps with screenshots on failure, the Home Assistant REST
API and the simulator's control API, waiting on conditions.

Used by ``run_browser.py`` (the steps) and ``browser_blueprint.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from _develop import _request, hass_login  # noqa: E402


def log(msg: str) -> None:
    print(f"[e2e {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Session:
    """One browser page against one scripts/develop stack (its state file's contents)."""

    def __init__(self, page: Page, state: dict[str, Any], shots: Path) -> None:
        self.page = page
        self.base = state["hass_url"]
        self.control = state["control_url"].rstrip("/")
        self.owner = state["owner"]
        self.account = state["accounts"][0]
        self.shots = shots
        self.timings: dict[str, float] = {}
        self.token = hass_login(self.base, self.owner["username"], self.owner["password"])

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        log(f"step: {name}")
        started = time.monotonic()
        try:
            yield
        except Exception:
            log(f"step {name} failed at {self.page.url}")
            self.shot(f"failed-{name}")
            try:
                snapshot = self.page.locator("body").aria_snapshot(timeout=5000)
                (self.shots / f"failed-{name}.aria.txt").write_text(snapshot, encoding="utf-8")
            except Exception as err:
                log(f"aria snapshot failed: {err}")
            raise
        finally:
            self.timings[name] = round(time.monotonic() - started, 1)

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        try:
            self.page.screenshot(path=str(path))
        except Exception as err:
            log(f"screenshot {name} failed: {err}")
        return path

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, result = _request(method, f"{self.base}{path}", body, token=self.token)
        if status >= 400:
            raise AssertionError(f"{method} {path}: {status} {result}")
        return result

    def sim(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, result = _request(method, f"{self.control}{path}", body)
        if status >= 400:
            raise AssertionError(f"sim {method} {path}: {status} {result}")
        return result

    def state_of(self, entity_id: str) -> str:
        return str(self.api("GET", f"/api/states/{entity_id}")["state"])

    def wait_for(self, what: str, check: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if check():
                    return
            except AssertionError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.5)

    def retry(self, what: str, act: Callable[[], Any], done: Callable[[], Any]) -> None:
        """`act`, again while `done` raises (a click the page was not ready for), three times."""
        for attempt in range(3):
            act()
            try:
                done()
                return
            except AssertionError:
                if attempt == 2:
                    raise
                log(f"{what}: no effect yet, again")

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
