"""The integration and the aionavilink library it requires stay in step."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import aionavilink

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "custom_components" / "navilink"
LIBRARY = ROOT / "aionavilink"


def test_manifest_pins_the_version_this_repository_builds() -> None:
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    pins = [r for r in manifest["requirements"] if r.split("==")[0] == "aionavilink"]
    assert pins == [f"aionavilink=={aionavilink.__version__}"]
    project = tomllib.loads((LIBRARY / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "aionavilink"
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "aionavilink._version.__version__"
    }


def test_library_depends_only_on_aiohttp_and_awscrt() -> None:
    project = tomllib.loads((LIBRARY / "pyproject.toml").read_text(encoding="utf-8"))
    names = {
        dep.split(">")[0].split("<")[0].split("=")[0].strip()
        for dep in project["project"]["dependencies"]
    }
    assert names == {"aiohttp", "awscrt"}


def test_the_installed_library_is_this_working_tree() -> None:
    assert Path(aionavilink.__file__).resolve().is_relative_to(LIBRARY / "src")


def test_no_client_code_under_custom_components() -> None:
    assert not (INTEGRATION / "client").exists()


def _library_imports(path: Path) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aionavilink"):
            found.append((node.module or "", [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend(
                (alias.name, []) for alias in node.names if alias.name.startswith("aionavilink")
            )
    return found


def test_the_integration_uses_only_the_public_api() -> None:
    public = set(aionavilink.__all__)
    used: set[str] = set()
    for path in sorted(INTEGRATION.glob("*.py")):
        for module, names in _library_imports(path):
            assert module == "aionavilink", f"{path.name} imports {module}"
            assert set(names) <= public, f"{path.name}: {set(names) - public} not in __all__"
            used.update(names)
    assert used, "the integration imports nothing from aionavilink"


def test_all_names_exist() -> None:
    missing = [name for name in aionavilink.__all__ if not hasattr(aionavilink, name)]
    assert missing == []


def test_the_library_alone_is_covered_by_its_own_fast_tests() -> None:
    """`cd aionavilink && python -m pytest --cov`: the library's tests, measured on the library
    only, must cover at least 95 % (aionavilink/pyproject.toml's fail_under)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--cov", "-x"],
        cwd=LIBRARY,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    total = re.search(r"Total coverage: ([\d.]+)%", result.stdout)
    assert total is not None and float(total.group(1)) >= 95.0


def test_translations_name_every_value_the_library_defines() -> None:
    """The connection sensor's states and the event entity's types come from the library's
    enums (const.py); strings.json must translate exactly those values."""
    from custom_components.navilink.const import CONNECTION_STATES, EVENT_TYPES

    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))["entity"]
    states = strings["sensor"]["connection_state"]["state"]
    assert list(states) == CONNECTION_STATES == [s.value for s in aionavilink.ConnectionState]
    types = strings["event"]["connection"]["state_attributes"]["event_type"]["state"]
    assert list(types) == EVENT_TYPES
    assert set(EVENT_TYPES) < {t.value for t in aionavilink.ConnectionEventType}
    enums = {
        "heat_source": aionavilink.HeatSource,
        "operation_state": aionavilink.OperationMode,
        "dr_event": aionavilink.DrEvent,
    }
    for key, enum in enums.items():
        assert list(strings["sensor"][key]["state"]) == [m.value for m in enum], key
