"""The browser half of the end-to-end test: Chromium drives Home Assistant's UI.

Runs in its own process (Playwright's sync API keeps a thread and an event loop that the
pytest-homeassistant-custom-component cleanup checks would object to). It can also be pointed at a
running ``scripts/develop``:

    .venv/bin/python tests/e2e/run_browser.py --state-file .sim/dev.json --shots /tmp/shots

Exit code 0 when every step passed; the last line on stdout is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import traceback
from contextlib import suppress
from pathlib import Path
from typing import Any

from browser_blueprint import CONNECTION_BLUEPRINT, BlueprintAutomation, now
from browser_session import Session, log
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The account hub device (its name carries no email address).
ACCOUNT_DEVICE = "NaviLink"
UI_TIMEOUT_MS = 30_000


# The dev config's demo automations (config/automations.yaml), by entity id and alias.
DEMO_AUTOMATIONS = (
    "automation.navilink_demo_connection_event_bus",
    "automation.navilink_demo_connection_event_entity",
)
DEMO_ALIASES = (
    "NaviLink demo: connection event (bus)",
    "NaviLink demo: Connection event entity",
)


class Run(Session):
    """The newcomer path, step by step, in one browser session."""

    def __init__(self, page: Page, state: dict[str, Any], shots: Path) -> None:
        super().__init__(page, state, shots)
        self.triggered_before_outage: dict[str, str | None] = {}
        self.triggered_after_drop: dict[str, str | None] = {}

    # ----------------------------------------------------------------- steps

    def login(self) -> None:
        with self.step("login"):
            self.page.goto(f"{self.base}/")
            self.page.locator("input[name=username]").fill(self.owner["username"])
            self.page.locator("input[name=password]").fill(self.owner["password"])
            self.page.get_by_role("button", name="Log in").click()
            self.page.wait_for_url(lambda url: "/auth/" not in url, timeout=UI_TIMEOUT_MS)
            expect(self.page.locator("ha-sidebar")).to_be_visible(timeout=UI_TIMEOUT_MS)

    def add_integration(self) -> None:
        with self.step("add_integration"):
            self.goto("/config/integrations/dashboard")
            self.page.get_by_role("button", name="Add integration").click()
            # A labelled field up to 2026.2, a placeholder-only textbox in the 2026.10 frontend.
            brand = "Search for a brand name"
            search = self.page.get_by_label(brand).or_(self.page.get_by_placeholder(brand))
            expect(search.first).to_be_visible()
            search = search.first
            search.fill("NaviLink")
            self.page.get_by_text("Navien NaviLink", exact=True).first.click()
            self.page.get_by_role("textbox", name="Email").fill(self.account["email"])
            self.page.get_by_role("textbox", name="Password").fill(self.account["password"])
            self.shot("config-flow")
            self.page.get_by_role("button", name="Submit").click()
            # The created devices are listed to be named ("Devices created" up to 2026.2, "Name
            # and assign" in 2026.10); the dialog's content is slotted: locate from the page.
            boxes = self.page.get_by_role("textbox", name="Device name")
            expect(boxes).to_have_count(3, timeout=UI_TIMEOUT_MS)
            names = {boxes.nth(i).input_value() for i in range(3)}
            expected = {"Water Heater 1", "Water Heater 2", ACCOUNT_DEVICE}
            assert names == expected, f"devices created: {names}, expected {expected}"
            self.shot("config-flow-done")
            # "Finish", or "Skip and finish" when no area is chosen (2026.10)
            self.page.get_by_role("button", name=re.compile("finish$", re.I)).click()
            expect(boxes).to_have_count(0)

    def find_entities(self) -> None:
        """The heater's water_heater entity and the account's connectivity entity."""
        mac = self.account["devices"][0]
        self.mac = mac
        states = self.api("GET", "/api/states")
        heaters = [s for s in states if s["entity_id"].startswith("water_heater.")]
        connection = [
            s
            for s in states
            if s["entity_id"].startswith("binary_sensor.")
            and s["attributes"].get("device_class") == "connectivity"
        ]
        assert heaters, "no water_heater entity"
        assert connection, "no connectivity binary_sensor"
        first = [s for s in heaters if s["attributes"].get("friendly_name") == "Water Heater 1"]
        self.heater = (first or heaters)[0]["entity_id"]
        self.heater_name = (first or heaters)[0]["attributes"]["friendly_name"]
        self.connection = connection[0]["entity_id"]
        log(f"heater {self.heater} ({mac}), connection {self.connection}")

    def devices(self) -> None:
        with self.step("devices"):
            self.goto("/config/devices/dashboard")
            expect(self.page.get_by_text(self.heater_name, exact=True).first).to_be_visible()
            expect(self.page.get_by_text(ACCOUNT_DEVICE, exact=True).first).to_be_visible()
            self.page.get_by_text(self.heater_name, exact=True).first.click()
            self.page.wait_for_url("**/config/devices/device/**")
            self.heater_device_url = self.page.url
            expect(self.page.get_by_text("NWP500").first).to_be_visible()
            self.page.wait_for_timeout(2000)
            self.shot("device")

    def dialog(self) -> Any:
        """The open more-info dialog: an alertdialog named after the heater up to 2026.2, an
        unnamed dialog with the heater's name in its (slotted) header in 2026.10."""
        named = self.page.get_by_role("alertdialog", name=self.heater_name)
        return named.or_(self.in_dialog().get_by_text(self.heater_name, exact=True)).first

    def in_dialog(self) -> Any:
        """Scope for what is inside it (slotted content: not a descendant of the dialog role)."""
        return self.page.locator("ha-more-info-dialog")

    def open_more_info(self) -> None:
        """Click the heater in the device page's Controls card (the event is the fallback)."""
        row = self.page.locator("ha-card", has_text="Controls").get_by_text(
            self.heater_name, exact=True
        )
        try:
            row.first.click(timeout=10_000)
            expect(self.dialog()).to_be_visible(timeout=10_000)
            return
        except Exception as err:
            log(f"clicking the Controls row did not open the dialog ({err}); firing hass-more-info")
        self.page.locator("home-assistant").evaluate(
            """(el, entityId) => el.dispatchEvent(new CustomEvent("hass-more-info",
                {detail: {entityId}, bubbles: true, composed: true}))""",
            self.heater,
        )
        expect(self.dialog()).to_be_visible()

    def mode_control(self) -> Any:
        """The dialog's mode selector: a combobox up to 2026.2, a "Mode <current>" button in
        2026.10."""
        dialog = self.in_dialog()
        combo = dialog.get_by_role("combobox", name="Mode", exact=True)
        return combo.or_(dialog.get_by_role("button", name=re.compile(r"^Mode\b"))).first

    def connection_row(self) -> Any:
        """The 'Cloud connection' row on the account device page ("Connected" / "Disconnected")."""
        return self.page.locator("hui-simple-entity-row", has_text="Cloud connection").first

    def controls_card(self) -> Any:
        """The Controls card of the heater's device page (the water heater row)."""
        return self.page.locator("ha-card", has_text="Controls").first

    def sim_device(self) -> dict[str, Any]:
        return dict(self.sim("GET", "/state")["devices"][self.mac])

    def control_heater(self) -> None:
        with self.step("more_info"):
            self.open_more_info()
            dialog = self.in_dialog()
            expect(dialog.get_by_text("Target", exact=True)).to_be_visible()
            expect(self.mode_control()).to_be_visible()
        before = self.sim_device()
        log(f"simulator before: setpoint {before['setpoint_c']} °C, mode {before['mode']}")
        with self.step("set_temperature"):
            buttons = self.page.locator("ha-state-control-water_heater-temperature").locator(
                "ha-outlined-icon-button"
            )
            expect(buttons).to_have_count(2)
            for _ in range(4):
                buttons.first.click()  # "-"
                self.page.wait_for_timeout(150)
            self.wait_for(
                "the simulator's setpoint to go down",
                lambda: self.sim_device()["setpoint_c"] < before["setpoint_c"],
                30,
            )
            setpoint = self.sim_device()["setpoint_c"]
            self.wait_for(
                "Home Assistant to report the new target",
                lambda: (
                    abs(
                        float(
                            self.api("GET", f"/api/states/{self.heater}")["attributes"][
                                "temperature"
                            ]
                        )
                        - setpoint
                    )
                    < 0.01
                ),
                30,
            )
            log(f"setpoint {before['setpoint_c']} -> {setpoint} °C")
        with self.step("set_mode"):
            target_mode, label = (
                ("high_demand", "High demand")
                if before["mode"] != "high_demand"
                else ("electric", "Electric")
            )
            self.mode_control().click()
            choice = self.page.get_by_role("option", name=label, exact=True)
            for role in ("menuitemradio", "menuitem", "radio"):
                choice = choice.or_(self.page.get_by_role(role, name=label, exact=True))
            choice.first.click()
            self.wait_for(
                f"the simulator's mode to become {target_mode}",
                lambda: self.sim_device()["mode"] == target_mode,
                30,
            )
            expect(self.mode_control()).to_contain_text(label)
            self.mode_label = label
            log(f"mode {before['mode']} -> {target_mode}")
            self.page.wait_for_timeout(1000)
            self.shot("water-heater")
            self.page.keyboard.press("Escape")
            expect(self.dialog()).to_be_hidden()

    def speed_up_reconnects(self) -> None:
        """Options flow through the API: the shortest safe backoff (1 s, at most 30 s apart)."""
        with self.step("options"):
            entries = self.api("GET", "/api/config/config_entries/entry?domain=navilink")
            entry_id = entries[0]["entry_id"]
            flow = self.api(
                "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
            )
            result = self.api(
                "POST",
                f"/api/config/config_entries/options/flow/{flow['flow_id']}",
                {
                    "initial_delay": 1.0,
                    "max_delay": 30.0,
                    "deep_every": 10,
                    "unlimited_attempts": True,
                    "max_attempts": 10,
                    "auth_retry_interval": 1800.0,
                },
            )
            assert result["type"] == "create_entry", result
            self.wait_for(
                "the entry to be loaded again",
                lambda: (
                    self.api("GET", "/api/config/config_entries/entry?domain=navilink")[0]["state"]
                    == "loaded"
                ),
                60,
            )
            self.wait_for(
                "the heater to be available",
                lambda: self.state_of(self.heater) != "unavailable",
                60,
            )

    def last_triggered(self) -> dict[str, str | None]:
        """When each demo automation (config/automations.yaml) last ran."""
        return {
            entity_id: self.api("GET", f"/api/states/{entity_id}")["attributes"].get(
                "last_triggered"
            )
            for entity_id in DEMO_AUTOMATIONS
        }

    def wait_for_automations(self, before: dict[str, str | None], what: str) -> None:
        """Both demo automations ran again (a new last_triggered) since `before`."""
        for entity_id in DEMO_AUTOMATIONS:
            self.wait_for(
                f"{entity_id} to fire {what}",
                lambda entity_id=entity_id: (  # type: ignore[misc]
                    self.last_triggered()[entity_id] not in (None, before[entity_id])
                ),
                60,
            )

    def automations(self) -> None:
        """The dev config's automations and the repository's blueprints are in the UI."""
        with self.step("automations"):
            self.goto("/config/automation/dashboard")
            for alias in DEMO_ALIASES:
                expect(self.page.get_by_text(alias).first).to_be_visible()
            self.goto("/config/blueprint/dashboard")
            expect(self.page.get_by_text(CONNECTION_BLUEPRINT).first).to_be_visible()
            self.shot("blueprints")
            self.triggered_before_outage = self.last_triggered()

    def outage(self) -> None:
        with self.step("connection_page"):
            self.page.goto(self.heater_device_url)
            self.page.get_by_role("link", name=ACCOUNT_DEVICE, exact=True).click()
            self.page.wait_for_url("**/config/devices/device/**")
            self.account_device_url = self.page.url
            expect(self.connection_row()).to_contain_text("Connected")
            self.page.wait_for_timeout(1500)
            self.wait_for(
                "the connectivity entity on", lambda: self.state_of(self.connection) == "on", 30
            )
            self.page.wait_for_timeout(1000)
            self.shot("connection")
        with self.step("network_down"):
            cut = time.monotonic()
            cut_at = now()
            self.sim("POST", "/faults/network", {"state": "down"})
            self.wait_for(
                "the connectivity entity to turn off",
                lambda: self.state_of(self.connection) == "off",
                30,
            )
            expect(self.connection_row()).to_contain_text("Disconnected")
            log(f"connection off after {time.monotonic() - cut:.1f} s")
            self.shot("connection-down")
            self.blueprint.check_lost(cut_at)
            log(f"the blueprint automation ran {self.blueprint.lost_after_s} s after the cut")
            self.wait_for(
                "the heater to become unavailable (after the grace period)",
                lambda: self.state_of(self.heater) == "unavailable",
                90,
            )
            self.unavailable_after = round(time.monotonic() - cut, 1)
            log(f"heater unavailable after {self.unavailable_after} s")
            self.wait_for_automations(self.triggered_before_outage, "on the network drop")
            self.triggered_after_drop = self.last_triggered()
            self.page.goto(self.heater_device_url)
            expect(self.controls_card()).to_contain_text("Unavailable")
            self.page.wait_for_timeout(1500)  # let the page transition finish
            self.shot("device-unavailable")
        with self.step("network_up"):
            restored = time.monotonic()
            restored_at = now()
            self.sim("POST", "/faults/network", {"state": "up"})
            self.wait_for(
                "the heater to be available again",
                lambda: self.state_of(self.heater) != "unavailable",
                90,
            )
            self.wait_for(
                "the connectivity entity on again",
                lambda: self.state_of(self.connection) == "on",
                30,
            )
            self.recovered_after = round(time.monotonic() - restored, 1)
            self.wait_for_automations(self.triggered_after_drop, "on the recovery")
            self.blueprint.wait_fired(restored_at, "on the recovery")
            log(f"recovered {self.recovered_after} s after the network came back")
            expect(self.controls_card()).to_contain_text(self.mode_label)
            expect(self.controls_card()).not_to_contain_text("Unavailable")
            self.page.goto(self.account_device_url)
            expect(self.connection_row()).to_contain_text("Connected")
            self.page.wait_for_timeout(1500)
            self.shot("connection-recovered")
            entries = self.api("GET", "/api/config/config_entries/entry?domain=navilink")
            assert entries[0]["state"] == "loaded", entries

    def run(self) -> dict[str, Any]:
        self.login()
        self.add_integration()
        self.find_entities()
        self.speed_up_reconnects()
        self.devices()
        self.control_heater()
        self.automations()
        self.blueprint = BlueprintAutomation(self, self.connection)
        try:
            self.blueprint.create()
            self.outage()
        except Exception:
            # the first failure is the one to report; the network is up again either way
            with suppress(Exception):
                self.sim("POST", "/faults/network", {"state": "up"})
            with suppress(Exception):
                self.blueprint.remove()
            raise
        self.blueprint.remove()
        return {
            "ok": True,
            "unavailable_after_s": self.unavailable_after,
            "recovered_after_s": self.recovered_after,
            "blueprint_lost_after_s": self.blueprint.lost_after_s,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-file", required=True, help="scripts/develop's state file")
    parser.add_argument("--shots", required=True, help="folder for screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--headed", action="store_true")
    args = parser.parse_args(argv)
    state = json.loads(Path(args.state_file).read_text(encoding="utf-8"))
    shots = Path(args.shots)
    shots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    summary: dict[str, Any] = {"ok": False}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=args.chromium, headless=not args.headed, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            run = Run(page, state, shots)
            try:
                summary = run.run()
            except Exception as err:
                traceback.print_exc()
                summary = {"ok": False, "error": f"{type(err).__name__}: {err}"}
            summary["timings"] = run.timings
        finally:
            browser.close()
    summary["duration_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary), flush=True)
    return 0 if summary.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
