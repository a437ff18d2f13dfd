"""Config flow for the Navien NaviLink integration."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .client.auth import NaviLinkApi, NaviLinkAuth, Tokens
from .client.errors import InvalidCredentialsError, NaviLinkConnectionError
from .const import (
    CONF_API_URL,
    CONF_AUTH_RETRY_INTERVAL,
    CONF_CA_FILE,
    CONF_CLIENT_ID,
    CONF_DEEP_EVERY,
    CONF_INITIAL_DELAY,
    CONF_MAX_ATTEMPTS,
    CONF_MAX_DELAY,
    CONF_MQTT_URL,
    CONF_STATUS_INTERVAL,
    CONF_TOKENS,
    CONF_UNLIMITED,
    CONF_USER_SEQ,
    DEFAULT_API_URL,
    DEFAULT_AUTH_RETRY_INTERVAL,
    DEFAULT_DEEP_EVERY,
    DEFAULT_INITIAL_DELAY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY,
    DEFAULT_MQTT_URL,
    DEFAULT_STATUS_INTERVAL,
    DEFAULT_UNLIMITED,
    DOMAIN,
    ENV_API_URL,
    ENV_CA_FILE,
    ENV_MQTT_URL,
    LOGGER,
)
from .coordinator import is_supported

CREDENTIALS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_EMAIL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
        ),
        vol.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
        ),
    }
)


def _endpoints_from_environment() -> dict[str, str]:
    """Endpoint overrides for the offline simulator (set by scripts/develop), else the cloud."""
    endpoints = {
        CONF_API_URL: os.environ.get(ENV_API_URL) or DEFAULT_API_URL,
        CONF_MQTT_URL: os.environ.get(ENV_MQTT_URL) or DEFAULT_MQTT_URL,
    }
    if ca_file := os.environ.get(ENV_CA_FILE):
        endpoints[CONF_CA_FILE] = ca_file
    return endpoints


def _account_id(email: str) -> str:
    return email.strip().lower()


class NaviLinkConfigFlow(ConfigFlow, domain=DOMAIN):
    """Sign in to a NaviLink account."""

    VERSION = 1
    MINOR_VERSION = 1

    async def _async_validate(
        self, email: str, password: str, api_url: str
    ) -> tuple[Tokens | None, dict[str, str]]:
        """Sign in and list devices. Returns the tokens, or the form errors."""
        auth = NaviLinkAuth(async_get_clientsession(self.hass), email, password, api_url=api_url)
        try:
            tokens = await auth.sign_in()
            devices = await NaviLinkApi(auth).list_devices()
        except InvalidCredentialsError:
            return None, {"base": "invalid_auth"}
        except NaviLinkConnectionError:
            return None, {"base": "cannot_connect"}
        except Exception:
            LOGGER.exception("Unexpected error while signing in to NaviLink")
            return None, {"base": "unknown"}
        if not any(is_supported(device) for device in devices):
            return None, {"base": "no_devices"}
        return tokens, {}

    @staticmethod
    def _credential_data(email: str, password: str, tokens: Tokens) -> dict[str, Any]:
        return {
            CONF_EMAIL: email,
            CONF_PASSWORD: password,
            CONF_TOKENS: tokens.as_dict(),
            CONF_USER_SEQ: tokens.user_seq,
        }

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the account credentials."""
        errors: dict[str, str] = {}
        if user_input is not None:
            email = user_input[CONF_EMAIL].strip()
            await self.async_set_unique_id(_account_id(email))
            self._abort_if_unique_id_configured()
            endpoints = _endpoints_from_environment()
            tokens, errors = await self._async_validate(
                email, user_input[CONF_PASSWORD], endpoints[CONF_API_URL]
            )
            if tokens is not None:
                return self.async_create_entry(
                    title=email,
                    data={
                        **endpoints,
                        **self._credential_data(email, user_input[CONF_PASSWORD], tokens),
                        CONF_CLIENT_ID: f"navien-client-{uuid.uuid4().hex[:8]}",
                    },
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(CREDENTIALS_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The cloud rejected the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the credentials again; they must belong to the same account."""
        entry = self._get_reauth_entry()
        return await self._async_update_credentials(
            entry, "reauth_confirm", user_input, {"email": entry.data[CONF_EMAIL]}
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials of the configured account."""
        return await self._async_update_credentials(
            self._get_reconfigure_entry(), "reconfigure", user_input, None
        )

    async def _async_update_credentials(
        self,
        entry: ConfigEntry,
        step_id: str,
        user_input: dict[str, Any] | None,
        placeholders: dict[str, str] | None,
    ) -> ConfigFlowResult:
        """Shared by reauth and reconfigure: validate, then update the same account's entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            email = user_input[CONF_EMAIL].strip()
            await self.async_set_unique_id(_account_id(email))
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            tokens, errors = await self._async_validate(
                email, user_input[CONF_PASSWORD], entry.data[CONF_API_URL]
            )
            if tokens is not None:
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates=self._credential_data(email, user_input[CONF_PASSWORD], tokens),
                )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA, user_input or {CONF_EMAIL: entry.data[CONF_EMAIL]}
            ),
            description_placeholders=placeholders,
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: Any) -> NaviLinkOptionsFlow:
        """Options: reconnect policy and status interval."""
        return NaviLinkOptionsFlow()


def _seconds(minimum: float, maximum: float, step: float) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_INITIAL_DELAY, default=DEFAULT_INITIAL_DELAY): _seconds(0.01, 600, 0.01),
        vol.Required(CONF_MAX_DELAY, default=DEFAULT_MAX_DELAY): _seconds(0.1, 3600, 0.1),
        vol.Required(CONF_DEEP_EVERY, default=DEFAULT_DEEP_EVERY): NumberSelector(
            NumberSelectorConfig(min=1, max=100, step=1, mode=NumberSelectorMode.BOX)
        ),
        vol.Required(CONF_UNLIMITED, default=DEFAULT_UNLIMITED): BooleanSelector(),
        vol.Required(CONF_MAX_ATTEMPTS, default=DEFAULT_MAX_ATTEMPTS): NumberSelector(
            NumberSelectorConfig(min=1, max=10000, step=1, mode=NumberSelectorMode.BOX)
        ),
        vol.Required(CONF_AUTH_RETRY_INTERVAL, default=DEFAULT_AUTH_RETRY_INTERVAL): _seconds(
            0.1, 86400, 0.1
        ),
        vol.Required(CONF_STATUS_INTERVAL, default=DEFAULT_STATUS_INTERVAL): _seconds(
            0.1, 3600, 0.1
        ),
    }
)


class NaviLinkOptionsFlow(OptionsFlowWithReload):
    """Reconnect policy and status request interval; the entry reloads when they change."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input[CONF_INITIAL_DELAY] > user_input[CONF_MAX_DELAY]:
                errors[CONF_MAX_DELAY] = "max_below_initial"
            else:
                data = {
                    **user_input,
                    CONF_DEEP_EVERY: int(user_input[CONF_DEEP_EVERY]),
                    CONF_MAX_ATTEMPTS: int(user_input[CONF_MAX_ATTEMPTS]),
                }
                return self.async_create_entry(data=data)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, user_input or self.config_entry.options
            ),
            errors=errors,
        )
