"""Hypothesis strategies: arbitrary JSON, and realistic NaviLink envelopes with mutated values.

The realistic bodies come from navilink_sim's own heater model, so they track the protocol.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from navilink_sim.heater import Heater

MAC = "0c1f2a3b4c5d"
CLIENT_ID = "navien-client-f0f0f0f0"
SESSION_ID = "0123456789abcdef0123456789abcdef"

_HEATER = Heater(MAC, "fuzz@example.com", 0)
STATUS: dict[str, Any] = _HEATER.status_payload()
FEATURE: dict[str, Any] = _HEATER.feature_payload()
ENERGY: dict[str, Any] = _HEATER.energy_payload(2026, [10, 11])
RESERVATION_ENTRY: dict[str, int] = {
    "enable": 2,
    "week": 64 | 4,
    "hour": 6,
    "min": 30,
    "mode": 1,
    "param": 100,
}
# two entries (Mon+Fri 06:30 heat pump 50 °C, Thu 20:00 energy saver 60 °C) and an empty slot
RESERVATION_HEX = "0244061e0164" + "000000000000" + "080814000378"

# Every kind of scalar JSON (and Python's json) can produce, big ints and non-finite included.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=10), inner, max_size=4),
    ),
    max_leaves=12,
)


def _near(value: Any) -> st.SearchStrategy[Any]:
    """A value of the same kind as `value`, but wrong in range or type."""
    if isinstance(value, bool):
        return st.one_of(st.booleans(), st.integers(-3, 3))
    if isinstance(value, int):
        return st.one_of(
            st.integers(),
            st.just(value + 1),
            st.just(-value),
            st.just(float(value)),
            st.just(str(value)),
            st.just(value * 10**300),
            st.sampled_from((10**400, -(10**400), 2**63, -(2**63) - 1)),
            st.floats(),
        )
    if isinstance(value, float):
        return st.one_of(
            st.floats(), st.integers(), st.just(str(value)), st.just(10**400), st.just(-(10**400))
        )
    if isinstance(value, str):
        return st.one_of(st.text(max_size=20), st.integers(), st.just(value.upper()))
    return json_values


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], max_changes: int = 6) -> dict[str, Any]:
    """`base` with a few keys dropped, retyped, pushed out of range, or added."""
    out = dict(base)
    keys = sorted(base)
    changes = draw(st.integers(0, max_changes))
    for _ in range(changes):
        action = draw(st.sampled_from(("drop", "near", "any", "add")))
        if action == "add" or not keys:
            out[draw(st.text(max_size=10))] = draw(json_values)
            continue
        key = draw(st.sampled_from(keys))
        if action == "drop":
            out.pop(key, None)
        elif action == "near":
            out[key] = draw(_near(base[key]))
        else:
            out[key] = draw(json_values)
    return out


def _reservation_field() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(RESERVATION_HEX),
        st.text(alphabet="0123456789abcdefABCDEF ", max_size=40),
        st.lists(mutated(RESERVATION_ENTRY, 3), max_size=4),
        st.lists(json_values, max_size=3),
        json_values,
    )


def _response(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    head = {
        "command": 16777219,
        "deviceType": 52,
        "macAddress": MAC,
        "additionalValue": "5322",
    }
    if kind == "status":
        return st.builds(lambda s, h: {**h, "status": s}, mutated(STATUS), mutated(head, 2))
    if kind == "feature":
        return st.builds(lambda f, h: {**h, "feature": f}, mutated(FEATURE), mutated(head, 2))
    if kind == "energy":
        energy = dict(ENERGY)
        return st.builds(
            lambda e, usage, h: {**h, **e, "usage": usage},
            mutated({k: v for k, v in energy.items() if k != "usage"}, 3),
            st.one_of(
                st.just(energy["usage"]),
                st.lists(mutated(energy["usage"][0], 3), max_size=3),
                json_values,
            ),
            mutated(head, 2),
        )
    # reservation
    return st.builds(
        lambda use, res, h: {**h, "reservationUse": use, "reservation": res},
        st.one_of(st.just(2), st.just(1), json_values),
        _reservation_field(),
        mutated(head, 2),
    )


TOPICS = {
    "status": f"cmd/52/navilink-{MAC}/{CLIENT_ID}/res",
    "feature": f"cmd/52/navilink-{MAC}/{CLIENT_ID}/res/did",
    "energy": f"cmd/52/{CLIENT_ID}/res/energy-usage-daily-query/rd",
    "reservation": f"cmd/52/{CLIENT_ID}/res/rsv/rd",
}

topics = st.one_of(
    st.sampled_from(sorted(TOPICS.values())),
    st.sampled_from(
        [
            f"cmd/52/navilink-{MAC}/st",
            f"cmd/52/navilink-{MAC}/#",
            f"cmd/52/{CLIENT_ID}/res/tou/rd",
            "cmd/52/navilink-/res",
            "cmd/52",
            "",
            "/",
            "cmd//navilink-x",
        ]
    ),
    st.text(max_size=40),
)


@st.composite
def envelopes(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """(topic, document): a realistic reply, perhaps mutated at the envelope level too."""
    kind = draw(st.sampled_from(("status", "feature", "energy", "reservation")))
    doc: dict[str, Any] = {
        "protocolVersion": 2,
        "clientID": CLIENT_ID,
        "sessionID": SESSION_ID,
        "requestTopic": f"cmd/52/navilink-{MAC}/st",
        "responseTopic": TOPICS[kind],
        "response": draw(_response(kind)),
    }
    shape = draw(st.sampled_from(("as is", "mutated", "flat", "response any", "request echo")))
    if shape == "mutated":
        doc = draw(mutated(doc, 3))
    elif shape == "flat":  # the body at the top level (alias keys st / did too)
        body = doc.pop("response")
        if draw(st.booleans()):  # the short aliases
            for key, alias in (("status", "st"), ("feature", "did")):
                if key in body:
                    body[alias] = body.pop(key)
        doc.update(body)
    elif shape == "response any":
        doc["response"] = draw(json_values)
    else:
        doc["request"] = doc.pop("response")
    topic = draw(st.one_of(st.just(TOPICS[kind]), topics))
    return topic, doc


def to_bytes(doc: Any, *, allow_nan: bool = True) -> bytes:
    return json.dumps(doc, allow_nan=allow_nan).encode()


raw_payloads = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(to_bytes),
    st.sampled_from(
        [
            b"",
            b"   ",
            b"null",
            b"[]",
            b"{}",
            b'{"response": null}',
            b'{"response": 5}',
            b'{"response": {}}',
            b'{"response": {"status": []}}',
            b'{"response": {"status": {}}}',
            b'{"st": "x"}',
            b'{"did": {}}',
            b"[" * 5000 + b"]" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b"\xff\xfe",
            b"NaN",
            b'{"response": {"status": {"dhwTemperature": NaN, "wifiRssi": Infinity}}}',
        ]
    ),
)
