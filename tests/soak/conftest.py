"""Soak fixtures: the --soak switch (NAVILINK_SOAK=1 until tests/conftest.py registers it)."""

from __future__ import annotations

import os

import pytest


def soak_enabled(config: pytest.Config) -> bool:
    """True with ``--soak`` (when tests/conftest.py registers it) or ``NAVILINK_SOAK=1``."""
    if os.environ.get("NAVILINK_SOAK", "").strip() in ("1", "true", "yes"):
        return True
    try:
        return bool(config.getoption("--soak"))
    except ValueError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the `soak`-marked tests unless the long soak was asked for."""
    if soak_enabled(config):
        return
    skip = pytest.mark.skip(reason="long soak: run with --soak or NAVILINK_SOAK=1")
    for item in items:
        if item.get_closest_marker("soak") is not None:
            item.add_marker(skip)
