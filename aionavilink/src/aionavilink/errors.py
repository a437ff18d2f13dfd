"""Errors raised by the NaviLink client. Every public failure is a NaviLinkError."""

from __future__ import annotations


class NaviLinkError(Exception):
    """Base class for every NaviLink client error."""


class InvalidCredentialsError(NaviLinkError):
    """The cloud rejected the email/password: final until the user acts."""


class NaviLinkConnectionError(NaviLinkError):
    """A transient failure (network, 5xx, timeout, refused MQTT connect): retried."""


class NaviLinkProtocolError(NaviLinkError):
    """The cloud answered with something the protocol does not allow."""


class MalformedPayloadError(NaviLinkProtocolError):
    """An inbound MQTT payload could not be parsed; it is dropped and counted."""


class CommandError(NaviLinkError):
    """A command could not be confirmed by the device."""


class CommandTimeoutError(CommandError):
    """The command was sent but no confirming status echo arrived in time."""


class CommandExpiredError(CommandError):
    """The command waited in the offline queue longer than its time to live."""


class CommandEvictedError(CommandError):
    """The offline queue was full and this (oldest) command was evicted."""


class NotConnectedError(CommandError):
    """The session is not connected and the command could not be queued."""


class SessionStoppedError(CommandError):
    """The session was stopped while the command was pending."""


class UnsupportedCommandError(CommandError):
    """The device does not report the capability this command needs."""


class OutOfRangeError(CommandError, ValueError):
    """A command argument is outside the range the device accepts."""


class CommandRefusedError(CommandError):
    """The device answered that it refuses the command for a reason this library has no
    narrower error for (an unknown command, or a reason it does not know)."""
