"""Browser steps: a new automation from the NaviLink "connection lost" blueprint, made in the UI.

Like a newcomer on the dev stack (scripts/develop copies the repository's blueprints into the
config): Settings > Automations & scenes > Create automation > the blueprint, its inputs filled in
(the Cloud connection sensor, 0 minutes, a persistent notification as the action), saved under a
name of its own. The network cut of the outage step must then run it at once: its last_triggered
moves past the cut and its notification shows in the notification drawer.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from browser_session import Session
from playwright.sync_api import expect

# blueprints/automation/navilink/connection_lost.yaml: its name, path under the config's
# blueprints/automation/, and the frontend's labels for its inputs.
CONNECTION_BLUEPRINT = "NaviLink cloud connection lost"
CONNECTION_BLUEPRINT_PATH = "navilink/connection_lost.yaml"
CONNECTION_ENTITY_NAME = "Cloud connection"
# The frontend's labels (home-assistant-frontend 20260930, Home Assistant 2026.10).
SETTINGS_AUTOMATIONS = re.compile(r"^Automations & scenes")
ENTITY_PLACEHOLDER = "Select an entity"
NOTIFICATION_ACTION = "Create persistent notification"


def _parse(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None


class BlueprintAutomation:
    """The automation the test makes from the connection blueprint, and what it checks of it."""

    def __init__(self, run: Session, connection: str) -> None:
        self.run = run
        self.connection = connection  # the entity id the picker should store
        self.page = run.page
        stamp = time.strftime("%H%M%S")
        self.name = f"NaviLink e2e connection lost {stamp}"
        self.message = f"{self.name}: the NaviLink cloud connection is down"
        self.automation_id: str | None = None
        self.entity_id: str | None = None
        self.lost_after_s: float | None = None

    # ----------------------------------------------------------------- creating it

    def create(self) -> None:
        with self.run.step("blueprint_automation"):
            self._open_blueprint_editor()
            self._fill_inputs()
            self._save()
            self._check_saved()
            self.run.shot("blueprint-automation")

    def _open_blueprint_editor(self) -> None:
        page = self.page
        self.run.goto("/config/dashboard")
        page.get_by_role("link", name=SETTINGS_AUTOMATIONS).click()
        # 2026.10 links to /config/automation/dashboard, 2026.11 to /config/automation
        page.wait_for_url(re.compile(r"/config/automation(/dashboard)?/?(\?.*)?$"))
        page.get_by_role("button", name="Create automation").click()
        # The dialog lists "Create new automation" and the blueprints (ha-list-item: the name
        # is its own text, the "By the community" line a slotted span).
        page.locator("ha-dialog-new-automation ha-list-item", has_text=CONNECTION_BLUEPRINT).click()
        page.wait_for_url("**/config/automation/edit/new")
        expect(page.get_by_text("Minutes offline", exact=True)).to_be_visible()

    def _fill_inputs(self) -> None:
        page = self.page
        # The entity picker lists only what the blueprint's filter lets through (the navilink
        # connectivity sensors); the search field shows once the picker is open.
        search = page.locator("ha-picker-combo-box").get_by_placeholder("Search")
        self.run.retry(
            "open the entity picker",
            page.get_by_text(ENTITY_PLACEHOLDER).first.click,
            lambda: expect(search).to_be_visible(timeout=5000),
        )
        search.fill(CONNECTION_ENTITY_NAME)
        page.locator(
            "ha-picker-combo-box ha-combo-box-item", has_text=CONNECTION_ENTITY_NAME
        ).first.click()
        expect(page.get_by_text(ENTITY_PLACEHOLDER)).to_have_count(0)
        minutes = page.get_by_role("spinbutton")
        minutes.fill("0")
        expect(minutes).to_have_value("0")
        # "When lost": the first of the two "Add action" buttons.
        page.get_by_role("button", name="Add action").first.click()
        dialog = page.locator("add-automation-element-dialog")
        dialog.get_by_placeholder("Search").fill("persistent notification")
        dialog.get_by_text(NOTIFICATION_ACTION).first.click()
        row = page.locator("ha-automation-action-row", has_text=NOTIFICATION_ACTION)
        expect(row).to_have_count(1)
        # "Message", the required field (2026.11 names the text box; 2026.10 leaves it unnamed)
        named = row.get_by_role("textbox", name="Message")
        field = named if named.count() else row.get_by_role("textbox").first

        def type_message() -> None:  # typed: 2026.11 drops a fill() made while it renders
            field.fill("")
            field.click()
            field.press_sequentially(self.message)

        self.run.retry(
            "type the message",
            type_message,
            lambda: expect(field).to_have_value(self.message, timeout=3000),
        )
        self.run.shot("blueprint-inputs")

    def _save(self) -> None:
        page = self.page
        page.get_by_role("button", name="Save", exact=True).first.click()
        dialog = page.locator("ha-dialog-automation-save")
        dialog.get_by_role("textbox", name="Name").fill(self.name)
        dialog.get_by_role("button", name="Save", exact=True).click()
        # Saved: the editor moves to the automation's own address.
        page.wait_for_url(re.compile(r"/config/automation/edit/(?!new)[^/]+$"))
        self.automation_id = page.url.rstrip("/").rsplit("/", 1)[1]

    def _check_saved(self) -> None:
        """What the UI stored: the blueprint with our inputs, and a new automation entity."""
        config = self.run.api("GET", f"/api/config/automation/config/{self.automation_id}")
        blueprint = config.get("use_blueprint", {})
        assert blueprint.get("path") == CONNECTION_BLUEPRINT_PATH, config
        inputs = blueprint.get("input", {})
        assert inputs.get("connectivity") == self.connection, config
        assert int(inputs.get("minutes", -1)) == 0, config
        assert self.message in repr(inputs.get("lost_actions")), config
        self.run.wait_for(
            f"the automation entity of {self.name!r}",
            lambda: self._find_entity() is not None,
            30,
        )
        state = self.run.api("GET", f"/api/states/{self.entity_id}")
        assert state["state"] == "on", state
        assert state["attributes"].get("last_triggered") is None, state
        self.run.goto("/config/automation/dashboard")
        expect(self.page.get_by_role("rowheader", name=self.name)).to_be_visible()

    def _find_entity(self) -> str | None:
        for state in self.run.api("GET", "/api/states"):
            attributes: dict[str, Any] = state["attributes"]
            if (
                state["entity_id"].startswith("automation.")
                and attributes.get("id") == self.automation_id
            ):
                self.entity_id = str(state["entity_id"])
                return self.entity_id
        return None

    # ----------------------------------------------------------------- watching it

    def last_triggered(self) -> datetime | None:
        state = self.run.api("GET", f"/api/states/{self.entity_id}")
        return _parse(state["attributes"].get("last_triggered"))

    def wait_fired(self, since: datetime, what: str) -> datetime:
        """Until the automation has run after `since`; returns when it did."""
        fired: list[datetime] = []

        def check() -> bool:
            last = self.last_triggered()
            if last is not None and last >= since:
                fired.append(last)
                return True
            return False

        self.run.wait_for(f"{self.name!r} to run {what}", check, 30)
        return fired[-1]

    def check_lost(self, cut_at: datetime) -> None:
        """It ran on the cut, and its notification is in the drawer."""
        fired = self.wait_fired(cut_at, "on the network cut")
        self.lost_after_s = round((fired - cut_at).total_seconds(), 1)
        page = self.page
        page.get_by_role("button", name=re.compile("Notifications")).click()
        drawer = page.locator("notification-drawer")
        expect(drawer.get_by_text(self.message)).to_be_visible()
        self.run.shot("blueprint-notification")
        drawer.get_by_role("button", name="Close").click()
        expect(drawer.get_by_text(self.message)).to_be_hidden()

    def remove(self) -> None:
        """Deleted again (the API: a run against a developer's own stack leaves nothing)."""
        if self.automation_id is not None:
            self.run.api("DELETE", f"/api/config/automation/config/{self.automation_id}")


def now() -> datetime:
    return datetime.now(UTC)
