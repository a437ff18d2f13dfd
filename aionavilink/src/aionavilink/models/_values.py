"""Tolerant readers of payload values: a wrong value becomes None for that field only."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from ..errors import MalformedPayloadError

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})
_EXACT: Final = 1 << 53  # ints below this in magnitude convert to float exactly


def _int(value: object) -> int | None:
    """An int (bool excluded; integral finite floats accepted) or None."""
    if type(value) is int:  # the common case first: a status has ~70 such values
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _num(value: object) -> float | None:
    """A finite number as float (bool excluded) or None."""
    if type(value) is float:
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def _scaled(value: object, divisor: float) -> float | None:
    if type(value) is int and -_EXACT < value < _EXACT:
        return value / divisor  # what float(value) / divisor gives, without the calls
    number = _num(value)
    return None if number is None else number / divisor


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _flag_zero_false(value: object) -> bool | None:
    """1 = off, 2 = on, 0 = off; anything else unknown."""
    code = value if type(value) is int else _int(value)
    if code == 2:
        return True
    if code in (0, 1):
        return False
    return None


def _flag_zero_none(value: object) -> bool | None:
    """1 = off, 2 = on; 0 and anything else unknown."""
    code = value if type(value) is int else _int(value)
    if code == 2:
        return True
    if code == 1:
        return False
    return None


def _capability(value: object) -> bool | None:
    """Feature flag: 2 = present, 0/1 = absent, anything else unknown."""
    code = _int(value)
    if code is None:
        return None
    return code == 2


def _mapping(payload: object, what: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise MalformedPayloadError(f"{what} is not an object")
    return payload
