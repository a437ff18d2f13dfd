"""Config, reauth, reconfigure and options flows against the simulator."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.navilink.const import (
    CONF_API_URL,
    CONF_AUTH_RETRY_INTERVAL,
    CONF_CA_FILE,
    CONF_CLIENT_ID,
    CONF_DEEP_EVERY,
    CONF_INITIAL_DELAY,
    CONF_MAX_ATTEMPTS,
    CONF_MAX_DELAY,
    CONF_MQTT_URL,
    CONF_TOKENS,
    CONF_UNLIMITED,
    DEFAULT_API_URL,
    DEFAULT_MQTT_URL,
    DOMAIN,
    ENV_API_URL,
    ENV_CA_FILE,
    ENV_MQTT_URL,
)
from navilink_sim.testing import SimControl, SimInfo

from .conftest import make_entry, setup_entry


@pytest.fixture
def sim_env(monkeypatch: pytest.MonkeyPatch, sim: SimInfo) -> None:
    """The simulator's endpoints, as scripts/develop exports them."""
    monkeypatch.setenv(ENV_API_URL, sim.api_url)
    monkeypatch.setenv(ENV_MQTT_URL, sim.mqtt_url)
    monkeypatch.setenv(ENV_CA_FILE, sim.ca_file)


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


async def _submit(hass: HomeAssistant, flow_id: str, email: str, password: str) -> Any:
    return await hass.config_entries.flow.async_configure(
        flow_id, {CONF_EMAIL: email, CONF_PASSWORD: password}
    )


@pytest.mark.usefixtures("sim_env")
async def test_user_flow_creates_entry(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    """A good sign-in with devices creates the entry with endpoints and tokens."""
    flow_id = await _start(hass)
    result = await _submit(hass, flow_id, sim_account["email"].upper(), sim_account["password"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == sim_account["email"].lower()
    assert entry.title == sim_account["email"].upper()
    data = result["data"]
    assert data[CONF_API_URL] == sim.api_url
    assert data[CONF_MQTT_URL] == sim.mqtt_url
    assert data[CONF_CA_FILE] == sim.ca_file
    assert data[CONF_TOKENS]["access_token"]
    assert data[CONF_CLIENT_ID].startswith("navien-client-")
    await hass.async_block_till_done()
    # Set up with the stored tokens: no second sign-in is needed.
    assert entry.runtime_data.coordinator.session.auth.sign_ins == 0
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_user_flow_defaults_to_cloud(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without overrides (or with the default URLs) no endpoint is stored: the cloud default."""
    monkeypatch.delenv(ENV_API_URL, raising=False)
    monkeypatch.delenv(ENV_MQTT_URL, raising=False)
    monkeypatch.delenv(ENV_CA_FILE, raising=False)
    from custom_components.navilink import config_flow

    assert config_flow._endpoints_from_environment() == {}
    monkeypatch.setenv(ENV_API_URL, DEFAULT_API_URL)
    monkeypatch.setenv(ENV_MQTT_URL, DEFAULT_MQTT_URL)
    assert config_flow._endpoints_from_environment() == {}


@pytest.mark.usefixtures("sim_env")
async def test_user_flow_invalid_auth_recovers(
    hass: HomeAssistant, sim_account: dict[str, Any]
) -> None:
    """A wrong password shows invalid_auth; the right one then succeeds."""
    flow_id = await _start(hass)
    result = await _submit(hass, flow_id, sim_account["email"], "wrong")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _submit(hass, flow_id, sim_account["email"], sim_account["password"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


@pytest.mark.usefixtures("sim_env")
@pytest.mark.parametrize(("status", "error"), [(503, "cannot_connect"), (400, "unknown")])
async def test_user_flow_rest_errors_recover(
    hass: HomeAssistant,
    sim_control: SimControl,
    sim_account: dict[str, Any],
    status: int,
    error: str,
) -> None:
    """A server error or an unexpected reply shows an error; a retry succeeds."""
    flow_id = await _start(hass)
    await sim_control.rest_fault(status=status, count=1)
    result = await _submit(hass, flow_id, sim_account["email"], sim_account["password"])
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    result = await _submit(hass, flow_id, sim_account["email"], sim_account["password"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


@pytest.mark.usefixtures("sim_env")
async def test_user_flow_no_devices_recovers(hass: HomeAssistant, sim_control: SimControl) -> None:
    """An account without heaters shows no_devices until a heater is added."""
    email = f"empty-{uuid.uuid4().hex[:8]}@example.com"
    await sim_control.add_account(email, "pw", heaters=0)
    flow_id = await _start(hass)
    result = await _submit(hass, flow_id, email, "pw")
    assert result["errors"] == {"base": "no_devices"}
    await sim_control.add_device(email)
    result = await _submit(hass, flow_id, email, "pw")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


@pytest.mark.usefixtures("sim_env")
async def test_user_flow_duplicate_aborts(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]
) -> None:
    """The same account cannot be added twice."""
    make_entry(sim, sim_account).add_to_hass(hass)
    flow_id = await _start(hass)
    result = await _submit(hass, flow_id, sim_account["email"].upper(), sim_account["password"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def _reauth(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    return str(result["flow_id"])


async def _password(hass: HomeAssistant, flow_id: str, password: str) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: password})


async def test_reauth_flow(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_control: SimControl,
    sim_account: dict[str, Any],
) -> None:
    """Reauth: wrong password shows an error, the right one updates the entry."""
    entry = make_entry(sim, sim_account)
    entry.add_to_hass(hass)
    flow_id = await _reauth(hass, entry)
    result = await _password(hass, flow_id, "wrong")
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _password(hass, flow_id, sim_account["password"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_TOKENS]["access_token"]
    assert entry.unique_id == sim_account["email"].lower()
    await hass.async_block_till_done()
    if entry.runtime_data is not None:
        await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_reauth_and_reconfigure_show_the_account_and_ask_only_the_password(
    hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any], source: str
) -> None:
    """The account is shown (title and description), not editable: the form has one field."""
    entry = make_entry(sim, sim_account)
    entry.add_to_hass(hass)
    if source == "reauth":
        result = await entry.start_reauth_flow(hass)
    else:
        result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert list(result["data_schema"].schema) == [CONF_PASSWORD]
    assert result["description_placeholders"] == {
        "name": entry.title,
        "email": sim_account["email"],
    }


async def test_reconfigure_flow(
    hass: HomeAssistant,
    sim: SimInfo,
    sim_account: dict[str, Any],
) -> None:
    """Reconfigure: errors are recoverable; the password of the same account is updated."""
    entry = make_entry(sim, sim_account, options={})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    flow_id = result["flow_id"]
    result = await _password(hass, flow_id, "wrong")
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _password(hass, flow_id, sim_account["password"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == sim_account["password"]
    assert entry.unique_id == sim_account["email"].lower()
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_options_flow(hass: HomeAssistant, sim: SimInfo, sim_account: dict[str, Any]) -> None:
    """Options: a maximum below the initial delay is refused; valid options reload."""
    entry = await setup_entry(hass, make_entry(sim, sim_account))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    options = {
        CONF_INITIAL_DELAY: 60.0,
        CONF_MAX_DELAY: 30.0,
        CONF_DEEP_EVERY: 3,
        CONF_UNLIMITED: False,
        CONF_MAX_ATTEMPTS: 20,
        CONF_AUTH_RETRY_INTERVAL: 600,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_MAX_DELAY: "max_below_initial"}
    options[CONF_INITIAL_DELAY] = 1.0
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_MAX_ATTEMPTS] == 20
    assert isinstance(entry.options[CONF_DEEP_EVERY], int)
    await hass.async_block_till_done()
    session = entry.runtime_data.coordinator.session
    assert session.options.policy.max_attempts == 20
    assert session.options.policy.deep_every == 3
    assert await hass.config_entries.async_unload(entry.entry_id)
