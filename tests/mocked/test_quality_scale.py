"""quality_scale.yaml: every rule listed, statuses that say something, a claim the rules earn,
and the statuses that the repository itself can check."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "navilink"

TIERS: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}


def rules() -> dict[str, dict[str, Any]]:
    """Every rule as {"status", "comment"}."""
    raw = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    return {
        rule: value if isinstance(value, dict) else {"status": value, "comment": None}
        for rule, value in raw.items()
    }


def status(rule: str) -> str:
    """The status of one rule."""
    return str(rules()[rule]["status"])


def test_every_rule_once_with_a_known_status() -> None:
    """The 54 rules, no other; `todo` and `exempt` say why."""
    listed = rules()
    assert sorted(listed) == sorted(rule for tier in TIERS.values() for rule in tier)
    for rule, value in listed.items():
        assert value["status"] in ("done", "todo", "exempt"), rule
        if value["status"] != "done":
            assert value["comment"], f"{rule} is {value['status']} without a reason"


def test_manifest_claims_the_tier_the_rules_earn() -> None:
    """The claimed tier is the highest whose rules, and every lower tier's, are done or exempt."""
    earned = None
    for tier, tier_rules in TIERS.items():
        if any(status(rule) == "todo" for rule in tier_rules):
            break
        earned = tier
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    assert manifest.get("quality_scale") == earned


def test_device_automation_docs_rules_exempt_without_device_automations() -> None:
    """There is nothing to document without device triggers or conditions."""
    for module, rule in (
        ("device_trigger.py", "docs-triggers"),
        ("device_condition.py", "docs-conditions"),
    ):
        assert (status(rule) == "exempt") is not (INTEGRATION / module).exists(), rule


def test_discovery_exempt_without_a_discovery_method() -> None:
    """Discovery is done only when the manifest declares a discovery method."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    methods = {"bluetooth", "dhcp", "homekit", "mqtt", "ssdp", "usb", "zeroconf"} & set(manifest)
    assert (status("discovery") == "done") is bool(methods)


def test_coverage_omits_nothing_of_the_integration() -> None:
    """test-coverage is measured over every module of the integration."""
    coverage = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["coverage"]
    assert coverage["run"]["source"] == ["custom_components.navilink"]
    assert not coverage["run"].get("omit")
    assert not coverage.get("report", {}).get("omit")
