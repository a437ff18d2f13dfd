"""Why the connection dropped, in words a user can act on (the raw reason stays in diagnostics)."""

from __future__ import annotations

from typing import Final

# The enum options of the "Last disconnect reason" sensor (translated in strings.json).
DISCONNECT_REASONS: Final = [
    "network_closed",
    "network_unreachable",
    "timeout",
    "no_answer",
    "credentials_rejected",
    "broker_hangup",
    "dns",
    "tls",
    "other",
]

# Checked in order against the upper-cased raw reason (awscrt error names, HTTP statuses,
# the session's own reasons); the first match wins.
_RULES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("no_answer", ("WATCHDOG", "STATUS REQUESTS UNANSWERED")),
    (
        "credentials_rejected",
        (
            "WEBSOCKET_UPGRADE_FAILURE",
            "NOT_AUTHORIZED",
            "CREDENTIAL",
            "UNAUTHORIZED",
            "FORBIDDEN",
            " 401",
            " 403",
        ),
    ),
    ("broker_hangup", ("UNEXPECTED_HANGUP", "CONNECTION_RESET", "REMOTE_CLOSED")),
    ("dns", ("AWS_IO_DNS", "DNS_", "NAME OR SERVICE NOT KNOWN")),
    ("tls", ("AWS_IO_TLS", "SSL", "CERTIFICATE")),
    ("timeout", ("TIMEOUT", "TIMED OUT")),
    (
        "network_unreachable",
        (
            "CONNECTION_REFUSED",
            "NETWORK_DOWN",
            "NO_ROUTE",
            "UNREACHABLE",
            "CANNOT CONNECT",
            "CONNECT CALL FAILED",
        ),
    ),
    ("network_closed", ("SOCKET_CLOSED", "CLOSED", "BROKEN_PIPE")),
)


def disconnect_category(reason: str | None) -> str | None:
    """Classify a raw disconnect reason (`AWS_IO_SOCKET_CLOSED`, …) into DISCONNECT_REASONS."""
    if not reason:
        return None
    text = reason.upper()
    for category, needles in _RULES:
        if any(needle in text for needle in needles):
            return category
    return "other"
