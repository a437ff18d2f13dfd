"""SigV4 verifier against AWS's published presigned-URL example and by construction."""

from __future__ import annotations

import datetime as dt

import pytest

from navilink_sim import sigv4

# docs.aws.amazon.com "Authenticating Requests: Using Query Parameters" (S3 example).
AWS_EXAMPLE_QUERY = (
    "X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
)
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_aws_documented_example() -> None:
    query = sigv4.parse_query(AWS_EXAMPLE_QUERY)
    signature = sigv4.compute_signature(
        AWS_EXAMPLE_SECRET,
        method="GET",
        path="/test.txt",
        query=query,
        headers={"host": "examplebucket.s3.amazonaws.com"},
        payload_hash=sigv4.UNSIGNED_PAYLOAD,
    )
    assert signature == query.signature


def _signed(token: str = "tok/en+1==") -> tuple[sigv4.PresignedQuery, str]:
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=ASIAABCDEFGHIJKLMNOP%2F{now[:8]}%2Fus-east-1%2Fiotdevicegateway"
        f"%2Faws4_request&X-Amz-Date={now}&X-Amz-SignedHeaders=connection%3Bhost"
    )
    unsigned = sigv4.parse_query(base + "&X-Amz-Signature=00")
    sig = sigv4.compute_signature(
        "s" * 40,
        method="GET",
        path="/mqtt",
        query=unsigned,
        headers={"host": "127.0.0.1", "connection": "Upgrade"},
    )
    raw = f"{base}&X-Amz-Security-Token=tok%2Fen%2B1%3D%3D&X-Amz-Signature={sig}"
    return sigv4.parse_query(raw), raw


def test_verify_strict() -> None:
    query, _ = _signed()
    assert query.security_token == "tok/en+1=="  # appended after signing, not signed
    headers = {"host": "127.0.0.1", "connection": "Upgrade"}
    sigv4.verify(query, "s" * 40, method="GET", path="/mqtt", headers=headers)
    bad_cases = [
        ("t" * 40, "/mqtt", headers, None),
        ("s" * 40, "/other", headers, None),
        ("s" * 40, "/mqtt", {**headers, "host": "127.0.0.1:443"}, None),
        ("s" * 40, "/mqtt", {"host": "127.0.0.1"}, None),
        ("s" * 40, "/mqtt", headers, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)),
    ]
    for secret, path, hdrs, now in bad_cases:
        with pytest.raises(sigv4.SigV4Error):
            sigv4.verify(query, secret, method="GET", path=path, headers=hdrs, now=now)
    with pytest.raises(sigv4.SigV4Error):
        sigv4.verify(
            query,
            "s" * 40,
            method="GET",
            path="/mqtt",
            headers=headers,
            payload_hash=sigv4.UNSIGNED_PAYLOAD,
        )
