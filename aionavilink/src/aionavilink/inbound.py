"""Inbound MQTT messages: what a payload is (status, feature, energy, ...) and whose.

Pure functions (docs/protocol.md, "Replies"). Our own requests come back through the device
subscription; they are recognised and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .errors import (
    CommandError,
    CommandRefusedError,
    MalformedPayloadError,
    OutOfRangeError,
    UnsupportedCommandError,
)
from .protocol import RESPONSE_ENERGY, RESPONSE_RESERVATION, RESPONSE_TOU, RefusalReason


class MessageKind(StrEnum):
    """What an inbound message carries."""

    STATUS = "status"
    FEATURE = "feature"
    ENERGY = "energy"
    RESERVATION = "reservation"
    TOU = "tou"
    OTHER = "other"


_REFUSAL_ERRORS: Final[Mapping[str, type[CommandError]]] = {
    RefusalReason.UNSUPPORTED: UnsupportedCommandError,
    RefusalReason.OUT_OF_RANGE: OutOfRangeError,
    RefusalReason.INVALID_PARAM: OutOfRangeError,
}


@dataclass(frozen=True, slots=True)
class DeviceRefusal:
    """A device's answer that it refuses a command (``response.refusal``).

    ``mode`` and ``param`` echo a refused mode control (None when the device did not say).
    """

    reason: str
    detail: str
    mode: str | None = None
    param: tuple[int, ...] | None = None

    @classmethod
    def from_wire(cls, raw: object) -> DeviceRefusal:
        """Parse ``response.refusal``; MalformedPayloadError when it is not an object."""
        if not isinstance(raw, Mapping):
            raise MalformedPayloadError("refusal is not an object")
        reason, detail, mode, param = (raw.get(k) for k in ("reason", "detail", "mode", "param"))
        params = None
        if isinstance(param, list) and all(_is_int(p) for p in param):
            params = tuple(param)
        return cls(
            reason=reason if isinstance(reason, str) else "",
            detail=detail if isinstance(detail, str) else "",
            mode=mode if isinstance(mode, str) else None,
            param=params,
        )

    def error(self, label: str) -> CommandError:
        """The error a caller gets: UnsupportedCommandError, OutOfRangeError (out of range
        or invalid parameters) or CommandRefusedError (anything else)."""
        error_type = _REFUSAL_ERRORS.get(self.reason, CommandRefusedError)
        why = self.detail or self.reason or "no reason given"
        return error_type(f"{label}: the device refused it ({why})")


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A parsed device message.

    ``body`` is the status dict, the feature dict, or the whole ``response`` object for
    energy / reservation / TOU (for ``other``: the response, or the document when there is
    no response). ``refusal`` is set when the device refused the request this answers.
    """

    kind: MessageKind
    topic: str
    body: Mapping[str, Any]
    mac: str | None = None
    client_id: str | None = None
    session_id: str | None = None
    command: int | None = None
    refusal: DeviceRefusal | None = None
    document: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


_PAYLOAD_KEYS: Final = (
    (MessageKind.STATUS, "status", "st"),
    (MessageKind.FEATURE, "feature", "did"),
)

_RESPONSE_SUFFIX_KINDS: Final[Mapping[str, MessageKind]] = {
    RESPONSE_ENERGY: MessageKind.ENERGY,
    RESPONSE_RESERVATION: MessageKind.RESERVATION,
    RESPONSE_TOU: MessageKind.TOU,
}


def _topic_mac(parts: list[str]) -> str | None:
    if len(parts) >= 3 and parts[2].startswith("navilink-"):
        mac = parts[2][len("navilink-") :]
        return mac.lower() or None
    return None


def _topic_response_suffix(parts: list[str]) -> str | None:
    """``cmd/52/{cid}/res/{suffix}`` -> suffix (None for other topics)."""
    if (
        len(parts) >= 5
        and parts[0] == "cmd"
        and not parts[2].startswith("navilink-")
        and parts[3] == "res"
    ):
        return "/".join(parts[4:])
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _lookup(response: Mapping[str, Any], doc: Mapping[str, Any], key: str, alias: str) -> Any:
    for source in (response, doc):
        for name in (key, alias):
            value = source.get(name)
            if value is not None:
                return value
    return None


def parse_inbound(topic: str, payload: bytes) -> InboundMessage | None:
    """Parse one MQTT message.

    Returns None for our own echoed requests (``request`` without ``response``) and for
    messages with nothing to act on (empty payload, empty status). Raises
    :class:`MalformedPayloadError` for bytes that are not a JSON object or for a
    ``response`` / status / feature that is not an object.
    """
    if not payload or not payload.strip():
        return None
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedPayloadError("invalid utf-8") from err
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise MalformedPayloadError("invalid json") from err
    if not isinstance(doc, dict):
        raise MalformedPayloadError("top level is not an object")
    if not doc:
        return None
    raw_response = doc.get("response")
    if raw_response is None and "request" in doc:
        return None  # our own request, delivered back through the ../# subscription
    if raw_response is not None and not isinstance(raw_response, dict):
        raise MalformedPayloadError("response is not an object")
    response: dict[str, Any] = raw_response or {}

    parts = topic.split("/")
    mac = _topic_mac(parts)
    if mac is None:
        resp_mac = response.get("macAddress")
        if isinstance(resp_mac, str) and resp_mac:
            mac = resp_mac.lower()
    client_id = doc.get("clientID")
    if not isinstance(client_id, str):
        client_id = None
        if _topic_response_suffix(parts) is not None:
            client_id = parts[2]
    session_id = doc.get("sessionID")
    if not isinstance(session_id, str):
        session_id = None
    command = response.get("command")
    if not _is_int(command):
        command = None
    raw_refusal = response.get("refusal")
    refusal = DeviceRefusal.from_wire(raw_refusal) if raw_refusal is not None else None

    def make(kind: MessageKind, body: Mapping[str, Any]) -> InboundMessage:
        return InboundMessage(
            kind=kind,
            topic=topic,
            body=body,
            mac=mac,
            client_id=client_id,
            session_id=session_id,
            command=command,
            refusal=refusal,
            document=doc,
        )

    for kind, key, alias in _PAYLOAD_KEYS:
        value = _lookup(response, doc, key, alias)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise MalformedPayloadError(f"{kind.value} is not an object")
        if not value:
            return None
        return make(kind, value)

    suffix = _topic_response_suffix(parts)
    if response:
        kind_by_topic = _RESPONSE_SUFFIX_KINDS.get(suffix or "")
        if kind_by_topic is not None:
            return make(kind_by_topic, response)
        if "typeOfUsage" in response or "usage" in response:
            return make(MessageKind.ENERGY, response)
        if "reservationUse" in response or "reservation" in response:
            return make(MessageKind.RESERVATION, response)
        return make(MessageKind.OTHER, response)
    if raw_response is not None:
        return None  # an empty response object
    return make(MessageKind.OTHER, doc)
