"""Verification of SigV4 presigned websocket upgrade queries (AWS IoT style)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "iotdevicegateway"
REGION = "us-east-1"
MAX_SKEW = dt.timedelta(minutes=15)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Determined empirically with awscrt 0.36.1 (see tests/sim/test_gateway.py): the websocket
# presign of awsiot's websockets_with_default_aws_signing hashes the empty payload.
PAYLOAD_HASH = EMPTY_SHA256

UNSIGNED_PARAMS = frozenset({"X-Amz-Signature", "X-Amz-Security-Token"})


class SigV4Error(Exception):
    """The presigned query is malformed or does not verify."""


@dataclass(frozen=True)
class PresignedQuery:
    """The parts of a presigned query that matter for verification."""

    params: list[tuple[str, str]]
    access_key_id: str
    date_stamp: str
    region: str
    service: str
    amz_date: dt.datetime
    amz_date_raw: str
    signed_headers: str
    signature: str
    security_token: str | None


def _uri_encode(value: str) -> str:
    return quote(value, safe="-_.~")


def parse_query(raw_query: str) -> PresignedQuery:
    """Parse the raw (still percent-encoded) query string of the upgrade request."""
    params: list[tuple[str, str]] = []
    for part in raw_query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        # SigV4 never uses '+' for spaces; decode percent escapes only.
        params.append((unquote(key), unquote(value)))
    found: dict[str, str] = {}
    for key, value in params:
        if key in found:
            raise SigV4Error(f"duplicate query parameter {key}")
        found[key] = value
    for required in (
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ):
        if required not in found:
            raise SigV4Error(f"missing {required}")
    if found["X-Amz-Algorithm"] != ALGORITHM:
        raise SigV4Error("unsupported algorithm")
    cred_parts = found["X-Amz-Credential"].split("/")
    if len(cred_parts) != 5 or cred_parts[4] != "aws4_request":
        raise SigV4Error("malformed credential scope")
    akid, date_stamp, region, service, _ = cred_parts
    try:
        amz_date = dt.datetime.strptime(found["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=dt.UTC
        )
    except ValueError as err:
        raise SigV4Error("malformed X-Amz-Date") from err
    return PresignedQuery(
        params=params,
        access_key_id=akid,
        date_stamp=date_stamp,
        region=region,
        service=service,
        amz_date=amz_date,
        amz_date_raw=found["X-Amz-Date"],
        signed_headers=found["X-Amz-SignedHeaders"],
        signature=found["X-Amz-Signature"],
        security_token=found.get("X-Amz-Security-Token"),
    )


def canonical_query(params: list[tuple[str, str]]) -> str:
    """Sorted, URI-encoded query without the signature and the unsigned session token."""
    encoded = sorted(
        (_uri_encode(k), _uri_encode(v)) for k, v in params if k not in UNSIGNED_PARAMS
    )
    return "&".join(f"{k}={v}" for k, v in encoded)


def _canonical_value(value: str) -> str:
    return " ".join(value.strip().split())


def canonical_request(
    method: str,
    path: str,
    query: PresignedQuery,
    headers: Mapping[str, str],
    payload_hash: str,
) -> str:
    """The SigV4 canonical request; ``headers`` maps lower-case names to received values."""
    names = query.signed_headers.split(";")
    canonical_headers = "".join(f"{n}:{_canonical_value(headers.get(n, ''))}\n" for n in names)
    return "\n".join(
        [
            method,
            path,
            canonical_query(query.params),
            canonical_headers,
            query.signed_headers,
            payload_hash,
        ]
    )


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signing_key(secret: str, date_stamp: str, region: str, service: str) -> bytes:
    """Derive the SigV4 signing key."""
    k_date = _hmac(("AWS4" + secret).encode(), date_stamp)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


def compute_signature(
    secret: str,
    *,
    method: str,
    path: str,
    query: PresignedQuery,
    headers: Mapping[str, str],
    payload_hash: str = PAYLOAD_HASH,
) -> str:
    """The hex signature the client should have produced."""
    creq = canonical_request(method, path, query, headers, payload_hash)
    scope = f"{query.date_stamp}/{query.region}/{query.service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, query.amz_date_raw, scope, hashlib.sha256(creq.encode()).hexdigest()]
    )
    key = signing_key(secret, query.date_stamp, query.region, query.service)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(
    query: PresignedQuery,
    secret: str,
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    now: dt.datetime | None = None,
    payload_hash: str = PAYLOAD_HASH,
) -> None:
    """Raise ``SigV4Error`` unless the query is a valid, fresh presign for ``secret``."""
    if query.region != REGION or query.service != SERVICE:
        raise SigV4Error("wrong region or service in credential scope")
    names = query.signed_headers.split(";")
    if "host" not in names or names != sorted(set(names)) or any(n != n.lower() for n in names):
        raise SigV4Error("signed headers must be sorted lower-case names including host")
    missing = [n for n in names if n not in headers]
    if missing:
        raise SigV4Error(f"signed header(s) missing from the request: {','.join(missing)}")
    if query.amz_date.strftime("%Y%m%d") != query.date_stamp:
        raise SigV4Error("credential scope date does not match X-Amz-Date")
    current = now or dt.datetime.now(dt.UTC)
    if abs(current - query.amz_date) > MAX_SKEW:
        raise SigV4Error("stale X-Amz-Date")
    expected = compute_signature(
        secret, method=method, path=path, query=query, headers=headers, payload_hash=payload_hash
    )
    if not hmac.compare_digest(expected, query.signature.lower()):
        raise SigV4Error("signature mismatch")
