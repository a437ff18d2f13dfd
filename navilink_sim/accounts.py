"""Accounts, JWT-shaped tokens and STS-shaped AWS credentials."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "+/"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(subject: str, token_use: str, lifetime_s: float) -> str:
    """A JWT-shaped token (header.payload.signature); the signature is random."""
    now = int(time.time())
    header = {"alg": "RS256", "kid": "navilink-sim", "typ": "JWT"}
    payload = {
        "sub": subject,
        "token_use": token_use,
        "iss": "navilink_sim",
        "iat": now,
        "exp": now + int(lifetime_s),
        "jti": secrets.token_hex(8),
    }
    return ".".join(
        [
            _b64url(json.dumps(header, separators=(",", ":")).encode()),
            _b64url(json.dumps(payload, separators=(",", ":")).encode()),
            _b64url(secrets.token_bytes(64)),
        ]
    )


def mac_for(email: str, index: int) -> str:
    """Deterministic 12-hex-digit MAC for the ``index``-th heater of ``email``."""
    digest = hashlib.sha256(f"{email.lower()}#{index}".encode()).hexdigest()
    return "04" + digest[:10]


@dataclass
class AwsCredential:
    """An issued STS-shaped credential."""

    access_key_id: str
    secret_key: str
    session_token: str
    email: str
    expires_at: float
    revoked: bool = False

    def valid(self, now: float | None = None) -> bool:
        return not self.revoked and (now or time.time()) < self.expires_at


@dataclass
class AccessToken:
    """An issued access token."""

    email: str
    expires_at: float
    revoked: bool = False

    def valid(self, now: float | None = None) -> bool:
        return not self.revoked and (now or time.time()) < self.expires_at


@dataclass
class Account:
    """A NaviLink user."""

    email: str
    password: str
    user_seq: int
    home_seq: int
    devices: list[str] = field(default_factory=list)
    # other NaviLink products on the account (not heaters): mac -> (deviceType, deviceName)
    products: dict[str, tuple[int, str]] = field(default_factory=dict)
    deleted: bool = False
    next_device_index: int = 0
    push_token: str | None = None  # set by POST /app/update-push-token


class AccountStore:
    """Everything identity related: accounts, tokens, credentials."""

    def __init__(self, credential_ttl: float = 3600.0, token_ttl: float = 3600.0) -> None:
        self.credential_ttl = credential_ttl
        self.token_ttl = token_ttl
        self.accounts: dict[str, Account] = {}
        self.credentials: dict[str, AwsCredential] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, str] = {}
        self._seq = 1000

    # accounts -------------------------------------------------------------
    def add_account(self, email: str, password: str) -> Account:
        key = email.lower()
        if key in self.accounts:
            raise ValueError(f"account {email} exists")
        self._seq += 1
        account = Account(email=email, password=password, user_seq=self._seq, home_seq=self._seq)
        self.accounts[key] = account
        return account

    def get(self, email: str) -> Account | None:
        return self.accounts.get(email.lower())

    def active(self, email: str) -> Account | None:
        account = self.get(email)
        if account is None or account.deleted:
            return None
        return account

    def new_mac(self, account: Account) -> str:
        existing = {mac for acc in self.accounts.values() for mac in acc.devices}
        while True:
            mac = mac_for(account.email, account.next_device_index)
            account.next_device_index += 1
            if mac not in existing:
                return mac

    def delete(self, email: str) -> bool:
        account = self.get(email)
        if account is None:
            return False
        account.deleted = True
        self._revoke_for(account.email)
        return True

    def restore(self, email: str) -> bool:
        account = self.get(email)
        if account is None:
            return False
        account.deleted = False
        return True

    def _revoke_for(self, email: str) -> None:
        for cred in self.credentials.values():
            if cred.email == email:
                cred.revoked = True
        for tok in self.access_tokens.values():
            if tok.email == email:
                tok.revoked = True

    def expire_all(self) -> None:
        """Every issued AWS credential and access token stops working now."""
        now = time.time()
        for cred in self.credentials.values():
            cred.expires_at = min(cred.expires_at, now)
        for tok in self.access_tokens.values():
            tok.expires_at = min(tok.expires_at, now)

    # issuing ---------------------------------------------------------------
    def _issue_credential(self, email: str) -> AwsCredential:
        akid = "ASIA" + "".join(secrets.choice(_UPPER_ALNUM) for _ in range(16))
        secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
        session = "IQoJb3JpZ2luX2VjE" + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(700))
        cred = AwsCredential(
            access_key_id=akid,
            secret_key=secret,
            session_token=session,
            email=email,
            expires_at=time.time() + self.credential_ttl,
        )
        self.credentials[akid] = cred
        return cred

    def _issue_tokens(self, email: str, refresh_token: str | None = None) -> dict[str, Any]:
        access = make_jwt(email, "access", self.token_ttl)
        self.access_tokens[access] = AccessToken(email, time.time() + self.token_ttl)
        if refresh_token is None:
            refresh_token = make_jwt(email, "refresh", 30 * 86400)
            self.refresh_tokens[refresh_token] = email
        return {
            "idToken": make_jwt(email, "id", self.token_ttl),
            "accessToken": access,
            "refreshToken": refresh_token,
            "authenticationExpiresIn": int(self.token_ttl),
            **self.aws_credentials(email),
        }

    def aws_credentials(self, email: str) -> dict[str, Any]:
        """Fresh AWS credentials in the token object's names."""
        cred = self._issue_credential(email)
        return {
            "accessKeyId": cred.access_key_id,
            "secretKey": cred.secret_key,
            "sessionToken": cred.session_token,
            "authorizationExpiresIn": int(self.credential_ttl),
        }

    def sign_in(self, email: str, password: str) -> dict[str, Any] | None:
        account = self.active(email)
        if account is None or not secrets.compare_digest(
            account.password.encode(), password.encode()
        ):
            return None
        return self._sign_in_data(account, self._issue_tokens(account.email))

    def secured_sign_in(self, account: Account) -> dict[str, Any]:
        """Sign-in data for a holder of a live access token: only new AWS credentials."""
        return self._sign_in_data(account, self.aws_credentials(account.email))

    @staticmethod
    def _sign_in_data(account: Account, token: dict[str, Any]) -> dict[str, Any]:
        return {
            "userInfo": {
                "userType": "O",
                "userFirstName": "Sim",
                "userLastName": "User",
                "userStatus": "NORMAL",
                "userSeq": account.user_seq,
            },
            "token": token,
            "legal": [],
        }

    def refresh(self, refresh_token: str) -> dict[str, Any] | None:
        email = self.refresh_tokens.get(refresh_token)
        if email is None or self.active(email) is None:
            return None
        return self._issue_tokens(email, refresh_token=refresh_token)

    def account_for_access_token(self, token: str) -> Account | None:
        tok = self.access_tokens.get(token)
        if tok is None or not tok.valid():
            return None
        return self.active(tok.email)

    def credential(self, akid: str) -> AwsCredential | None:
        return self.credentials.get(akid)

    def credential_usable(self, cred: AwsCredential) -> bool:
        return cred.valid() and self.active(cred.email) is not None
