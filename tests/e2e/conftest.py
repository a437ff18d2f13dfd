"""Browser tests run after everything else (they take the longest and need the whole stack)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the tests marked ``browser`` to the end of the run, keeping their order."""
    browser = [item for item in items if item.get_closest_marker("browser") is not None]
    if browser:
        others = [item for item in items if item.get_closest_marker("browser") is None]
        items[:] = others + browser
