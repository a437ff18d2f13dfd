"""The zero-warning guard itself: what it catches, and what it lets through.

tests/conftest.py fails every test during which Home Assistant warns about this integration's use of
a deprecated API; pyproject.toml turns DeprecationWarnings raised from the project's own modules
into errors. These tests feed both the kinds of messages Home Assistant writes.
"""

from __future__ import annotations

import logging
import warnings

import pytest


def test_home_assistant_deprecation_reports_are_caught(
    navilink_deprecations: list[logging.LogRecord],
) -> None:
    """Frame reports and entity-member warnings about navilink are collected; others are not."""
    frame = logging.getLogger("homeassistant.helpers.frame")
    frame.warning(
        "Detected that custom integration '%s' calls `device_registry.async_get_device`, which "
        "is deprecated at custom_components/navilink/coordinator.py, line 1: x",
        "navilink",
    )
    logging.getLogger("custom_components.navilink.water_heater").warning(
        "%s provides the deprecated current_temperature, this will stop working in Home "
        "Assistant 2027.11, use native_current_temperature instead, please report it",
        "custom_components.navilink.water_heater::NaviLinkWaterHeater",
    )
    logging.getLogger("custom_components.navilink.water_heater").warning(
        "Detected code that reads the deprecated NaviLinkWaterHeater.temperature_unit"
    )
    # Not about navilink, or not about a deprecation: let through.
    frame.warning("Detected that custom integration 'other' calls something deprecated")
    logging.getLogger("homeassistant.loader").warning(
        "We found a custom integration navilink which has not been tested by Home Assistant"
    )
    logging.getLogger("custom_components.navilink").warning("Lost the connection")
    logging.getLogger("custom_components.navilink").info("deprecated, but only info")

    assert [record.name for record in navilink_deprecations] == [
        "homeassistant.helpers.frame",
        "custom_components.navilink.water_heater",
        "custom_components.navilink.water_heater",
    ]
    # Caught on purpose here: the guard would fail this test at teardown otherwise.
    navilink_deprecations.clear()


@pytest.mark.parametrize(
    "module", ["custom_components.navilink.entity", "navilink_sim.gateway", "aionavilink.session"]
)
def test_deprecation_warnings_from_our_modules_are_errors(module: str) -> None:
    """A DeprecationWarning raised from the project's own code fails the test."""
    with pytest.raises(DeprecationWarning, match="old API"):
        warnings.warn_explicit("old API", DeprecationWarning, f"{module}.py", 1, module=module)


def test_deprecation_warnings_from_other_modules_stay_warnings() -> None:
    """Dependencies' deprecations are not ours to fix: they stay warnings."""
    with pytest.warns(DeprecationWarning, match="old API"):
        warnings.warn_explicit("old API", DeprecationWarning, "somelib/x.py", 1, module="somelib.x")
