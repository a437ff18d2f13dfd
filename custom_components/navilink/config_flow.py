"""Config flow for the Navien NaviLink integration."""

from __future__ import annotations

import os
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

from aionavilink import (
    CLOUD_API_URL,
    CLOUD_MQTT_URL,
    InvalidCredentialsError,
    NaviLinkApi,
    NaviLinkAuth,
    NaviLinkConnectionError,
    Tokens,
    new_client_id,
)

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
    CONF_TOKENS,
    CONF_UNLIMITED,
    CONF_USER_SEQ,
    DEFAULT_AUTH_RETRY_INTERVAL,
    DEFAULT_DEEP_EVERY,
    DEFAULT_INITIAL_DELAY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY,
    DEFAULT_UNLIMITED,
    DOMAIN,
    ENV_API_URL,
    ENV_CA_FILE,
    ENV_MQTT_URL,
    LOGGER,
    MAX_AUTH_RETRY_INTERVAL,
    MAX_DEEP_EVERY,
    MAX_INITIAL_DELAY,
    MAX_MAX_ATTEMPTS,
    MAX_MAX_DELAY,
    MIN_AUTH_RETRY_INTERVAL,
    MIN_INITIAL_DELAY,
    MIN_MAX_DELAY,
)
from .heaters import is_supported

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
# Reauth and reconfigure keep the account: they show it and ask for its password only.
PASSWORD_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
        ),
    }
)


def _endpoints_from_environment() -> dict[str, str]:
    """Non-default endpoints (the offline simulator, set by scripts/develop); empty for the cloud.

    Only an override is stored in the entry, so that a change of the cloud default in a later
    release reaches existing entries.
    """
    endpoints: dict[str, str] = {}
    if (api_url := os.environ.get(ENV_API_URL)) and api_url != CLOUD_API_URL:
        endpoints[CONF_API_URL] = api_url
    if (mqtt_url := os.environ.get(ENV_MQTT_URL)) and mqtt_url != CLOUD_MQTT_URL:
        endpoints[CONF_MQTT_URL] = mqtt_url
    if ca_file := os.environ.get(ENV_CA_FILE):
        endpoints[CONF_CA_FILE] = ca_file
    return endpoints


def _account_id(email: str) -> str:
    return email.strip().lower()


class NaviLinkConfigFlow(ConfigFlow, domain=DOMAIN):
    """Sign in to a NaviLink account."""

    VERSION = 1
    # 1.2: default endpoints are no longer stored; the status interval is no longer an option;
    # the reconnect options are clamped to safe bounds (see migration.py).
    MINOR_VERSION = 2

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
                email, user_input[CONF_PASSWORD], endpoints.get(CONF_API_URL, CLOUD_API_URL)
            )
            if tokens is not None:
                return self.async_create_entry(
                    title=email,
                    data={
                        **endpoints,
                        **self._credential_data(email, user_input[CONF_PASSWORD], tokens),
                        CONF_CLIENT_ID: new_client_id(),
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
        """Ask for the password of the same account again."""
        return await self._async_update_password(
            self._get_reauth_entry(), "reauth_confirm", user_input
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Update the password of the configured account (the account itself stays)."""
        return await self._async_update_password(
            self._get_reconfigure_entry(), "reconfigure", user_input
        )

    async def _async_update_password(
        self, entry: ConfigEntry, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Shared by reauth and reconfigure: check the password, then update the entry."""
        errors: dict[str, str] = {}
        email: str = entry.data[CONF_EMAIL]
        if user_input is not None:
            password: str = user_input[CONF_PASSWORD]
            tokens, errors = await self._async_validate(
                email, password, entry.data.get(CONF_API_URL, CLOUD_API_URL)
            )
            if tokens is not None:
                return self.async_update_reload_and_abort(
                    entry, data_updates=self._credential_data(email, password, tokens)
                )
        return self.async_show_form(
            step_id=step_id,
            data_schema=PASSWORD_SCHEMA,
            # `name` fills the title of the common reauth string, `email` the description.
            description_placeholders={"name": entry.title, "email": email},
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: Any) -> NaviLinkOptionsFlow:
        """Options: the reconnect policy."""
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


def _count(maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(min=1, max=maximum, step=1, mode=NumberSelectorMode.BOX)
    )


# The selectors carry the safe bounds (see const.py); NumberSelector does not check the step,
# so whole numbers and the auth retry's "0 or at least 5 minutes" are checked in the step.
OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_INITIAL_DELAY, default=DEFAULT_INITIAL_DELAY): _seconds(
            MIN_INITIAL_DELAY, MAX_INITIAL_DELAY, 0.1
        ),
        vol.Required(CONF_MAX_DELAY, default=DEFAULT_MAX_DELAY): _seconds(
            MIN_MAX_DELAY, MAX_MAX_DELAY, 1
        ),
        vol.Required(CONF_DEEP_EVERY, default=DEFAULT_DEEP_EVERY): _count(MAX_DEEP_EVERY),
        vol.Required(CONF_UNLIMITED, default=DEFAULT_UNLIMITED): BooleanSelector(),
        vol.Required(CONF_MAX_ATTEMPTS, default=DEFAULT_MAX_ATTEMPTS): _count(MAX_MAX_ATTEMPTS),
        vol.Required(CONF_AUTH_RETRY_INTERVAL, default=DEFAULT_AUTH_RETRY_INTERVAL): _seconds(
            0, MAX_AUTH_RETRY_INTERVAL, 1
        ),
    }
)


def _options_errors(user_input: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key in (CONF_DEEP_EVERY, CONF_MAX_ATTEMPTS):
        if user_input[key] != int(user_input[key]):
            errors[key] = "whole_number"
    if user_input[CONF_INITIAL_DELAY] > user_input[CONF_MAX_DELAY]:
        errors[CONF_MAX_DELAY] = "max_below_initial"
    if 0 < user_input[CONF_AUTH_RETRY_INTERVAL] < MIN_AUTH_RETRY_INTERVAL:
        errors[CONF_AUTH_RETRY_INTERVAL] = "auth_retry_too_short"
    return errors


class NaviLinkOptionsFlow(OptionsFlowWithReload):
    """The reconnect policy; the entry reloads when it changes."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _options_errors(user_input)
            if not errors:
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
            description_placeholders={
                "min_auth_retry_minutes": str(int(MIN_AUTH_RETRY_INTERVAL // 60))
            },
        )
