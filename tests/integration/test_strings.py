"""strings.json: in sync with translations/en.json, every key used, every used key present."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import homeassistant
import yaml
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import setup_entry, wait_for

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "navilink"
_REFERENCE = re.compile(r"\[%key:([a-z0-9_:]+)%\]")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _lookup(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("::"):
        node = node[part]
    return node


def resolve(strings: dict[str, Any]) -> dict[str, Any]:
    """strings.json with the `[%key:…%]` references resolved (what translations/en.json holds)."""
    core = _load(Path(homeassistant.__file__).parent / "strings.json")

    def text(value: str) -> str:
        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            if key.startswith("common::"):
                return str(_lookup(core, key))
            if key.startswith("component::navilink::"):
                return text(_lookup(strings, key.removeprefix("component::navilink::")))
            raise AssertionError(f"unresolvable reference {key}")

        return _REFERENCE.sub(replace, value)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        return text(node)

    return dict(walk(strings))


def _sources() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in INTEGRATION.glob("*.py"))


def test_en_json_is_strings_json_resolved() -> None:
    """translations/en.json is strings.json with the references resolved."""
    strings = _load(INTEGRATION / "strings.json")
    assert _load(INTEGRATION / "translations" / "en.json") == resolve(strings)


def test_reauth_title_names_the_account() -> None:
    """The reauth title is HA's common one, which shows the account through `{name}`."""
    en = _load(INTEGRATION / "translations" / "en.json")
    assert "{name}" in en["config"]["step"]["reauth_confirm"]["title"]


def test_every_exception_and_issue_key_is_used() -> None:
    """No translated exception, issue, abort or error message is left without a user."""
    strings = _load(INTEGRATION / "strings.json")
    sources = _sources()
    keys = [
        *strings["exceptions"],
        *strings.get("issues", {}),
        *strings["config"]["abort"],
        *strings["config"]["error"],
        *strings["options"]["error"],
    ]
    # Home Assistant's own flow manager raises these aborts.
    implicit = {"already_configured", "reauth_successful", "reconfigure_successful"}
    unused = [key for key in keys if key not in implicit and f'"{key}"' not in sources]
    assert unused == []


async def test_every_entity_translation_key_exists_and_is_used(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Each entity's translation_key has strings, and each entity string has a user."""
    strings = _load(INTEGRATION / "strings.json")
    await setup_entry(hass, entry)
    coordinator = entry.runtime_data.coordinator
    await wait_for(hass, lambda: coordinator.data.feature)
    await hass.async_block_till_done()
    registered = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    used = {(e.domain, e.translation_key) for e in registered if e.translation_key}
    assert used
    defined = {(platform, key) for platform, keys in strings["entity"].items() for key in keys}
    assert used - defined == set()
    # Entities of capabilities the simulated heater lacks are not registered: their keys must
    # at least appear in the code.
    sources = _sources()
    unused = {(p, key) for p, key in defined - used if f'"{key}"' not in sources}
    assert unused == set()
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_every_action_and_field_has_strings() -> None:
    """services.yaml and the `services` strings describe the same actions and fields."""
    strings = _load(INTEGRATION / "strings.json")["services"]
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    assert set(services) == set(strings)
    for name, service in services.items():
        assert set((service or {}).get("fields", {})) == set(strings[name].get("fields", {})), name


def test_one_name_per_mode() -> None:
    """Modes read the same on the water heater, the Operation sensor and the actions."""
    water_heater = _load(
        Path(homeassistant.__file__).parent / "components/water_heater/strings.json"
    )
    ha_names = water_heater["entity_component"]["_"]["state"]
    en = _load(INTEGRATION / "translations" / "en.json")
    reservation = en["selector"]["reservation_mode"]["options"]
    for mode in ("eco", "heat_pump", "high_demand", "electric"):
        assert reservation[mode] == ha_names[mode]
    assert "energy_saver" not in reservation
    operation = en["entity"]["sensor"]["operation_state"]["state"]
    assert ha_names["eco"] in operation["hybrid_efficiency"]
    assert ha_names["high_demand"] in operation["hybrid_boost"]
    assert ha_names["heat_pump"] in operation["heat_pump"]
    assert en["entity"]["sensor"]["heat_source"]["state"]["none"] == "Idle"
    assert en["entity"]["sensor"]["error_code"]["state"]["0"] == "No error"
    for element in ("upper_element", "lower_element"):
        assert en["entity"]["binary_sensor"][element]["state"]["on"] == "Heating"
