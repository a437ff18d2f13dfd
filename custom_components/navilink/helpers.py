"""Helpers: map client command errors to translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from contextlib import contextmanager

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from aionavilink import (
    CommandEvictedError,
    CommandExpiredError,
    CommandRefusedError,
    CommandTimeoutError,
    InvalidCredentialsError,
    NaviLinkError,
    NotConnectedError,
    OutOfRangeError,
    SessionStoppedError,
    UnsupportedCommandError,
)

from .const import DOMAIN

_COMMAND_ERRORS: tuple[tuple[type[NaviLinkError], str], ...] = (
    (CommandTimeoutError, "command_timeout"),
    (CommandExpiredError, "command_expired"),
    (CommandEvictedError, "command_evicted"),
    (NotConnectedError, "not_connected"),
    (SessionStoppedError, "session_stopped"),
    (InvalidCredentialsError, "invalid_auth"),
)


def translate_error(err: NaviLinkError) -> HomeAssistantError:
    """A translated Home Assistant error for a client error."""
    if isinstance(err, OutOfRangeError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="out_of_range",
            translation_placeholders={"error": str(err)},
        )
    if isinstance(err, UnsupportedCommandError):
        return ServiceValidationError(translation_domain=DOMAIN, translation_key="unsupported")
    if isinstance(err, CommandRefusedError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_refused",
            translation_placeholders={"error": str(err)},
        )
    for error_type, key in _COMMAND_ERRORS:
        if isinstance(err, error_type):
            return HomeAssistantError(translation_domain=DOMAIN, translation_key=key)
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="command_failed",
        translation_placeholders={"error": str(err)},
    )


async def run_command[T](call: Awaitable[T]) -> T:
    """Await a client call; raise a translated error when it cannot be confirmed."""
    try:
        return await call
    except NaviLinkError as err:
        raise translate_error(err) from err


@contextmanager
def command_errors() -> Iterator[None]:
    """Turn client errors raised in the block into translated Home Assistant errors."""
    try:
        yield
    except NaviLinkError as err:
        raise translate_error(err) from err
