"""NaviLink REST: sign-in, token refresh with expiry tracking, and the device API.

The aiohttp session is injected by the caller (Home Assistant passes its shared one).
Errors are split three ways, because the session treats them differently:

* InvalidCredentialsError: the account or password was rejected. Final until the user acts.
* NaviLinkConnectionError: network failure, timeout, 5xx, or a reply that is not JSON. Retried.
* NaviLinkProtocolError: a JSON reply the protocol does not allow. Retried, but logged as a bug.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from ._version import __version__
from .clock import SYSTEM_CLOCK, Clock
from .errors import InvalidCredentialsError, NaviLinkConnectionError, NaviLinkProtocolError
from .models import NaviLinkDevice

_LOGGER = logging.getLogger(__name__)

CLOUD_API_URL = "https://nlus.naviensmartcontrol.com/api/v2.1"
USER_AGENT = f"aionavilink/{__version__}"
DEVICE_LIST_PAGE = 20


def validate_api_url(url: str) -> str:
    """Return the base URL without a trailing slash; plain http only for a loopback host."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("plain http is only allowed for a loopback host; use https")
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Tokens:
    """What sign-in and refresh hand out. Times are epoch seconds (wall clock)."""

    access_token: str
    refresh_token: str
    id_token: str
    access_expires_at: float
    aws_access_key_id: str
    aws_secret_key: str
    aws_session_token: str
    aws_expires_at: float | None
    user_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form, to persist in a config entry."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tokens | None:
        """Rebuild persisted tokens; None when they are incomplete or of another shape."""
        try:
            return cls(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                id_token=str(data.get("id_token", "")),
                access_expires_at=float(data["access_expires_at"]),
                aws_access_key_id=str(data["aws_access_key_id"]),
                aws_secret_key=str(data["aws_secret_key"]),
                aws_session_token=str(data["aws_session_token"]),
                aws_expires_at=(
                    None if data.get("aws_expires_at") is None else float(data["aws_expires_at"])
                ),
                user_seq=None if data.get("user_seq") is None else int(data["user_seq"]),
            )
        except KeyError, TypeError, ValueError, OverflowError:
            return None

    def access_valid(self, now: float, margin: float) -> bool:
        """True while the JWT access token is valid for at least `margin` more seconds."""
        return bool(self.access_token) and now < self.access_expires_at - margin

    def aws_valid(self, now: float, margin: float) -> bool:
        """True while the AWS credentials are valid for at least `margin` more seconds."""
        if not self.aws_access_key_id or not self.aws_secret_key:
            return False
        return self.aws_expires_at is None or now < self.aws_expires_at - margin


def _parse_tokens(data: Mapping[str, Any], now: float, previous: Tokens | None) -> Tokens:
    """Build Tokens from a sign-in `token` object or a flat refresh reply.

    Any field the reply leaves empty keeps its previous value (the refresh reply may carry
    only a new access token).
    """

    def pick(key: str, old: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) and value else old

    def lifetime(key: str, default: float | None) -> float | None:
        value = data.get(key)
        # Lifetimes beyond ten years are nonsense (or overflow): treat them as absent.
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 3.2e8:
            return now + float(value)
        return default

    access = pick("accessToken", previous.access_token if previous else "")
    if not access:
        raise NaviLinkProtocolError("token reply has no accessToken")
    access_expires = lifetime(
        "authenticationExpiresIn", previous.access_expires_at if previous else now + 3600
    )
    new_aws_key = data.get("accessKeyId")
    aws_expires = lifetime(
        "authorizationExpiresIn",
        # New AWS keys without a lifetime never expire; old keys keep theirs
        # (docs/protocol.md, "Authentication").
        None
        if isinstance(new_aws_key, str) and new_aws_key
        else (previous.aws_expires_at if previous else None),
    )
    return Tokens(
        access_token=access,
        refresh_token=pick("refreshToken", previous.refresh_token if previous else ""),
        id_token=pick("idToken", previous.id_token if previous else ""),
        access_expires_at=access_expires if access_expires is not None else now + 3600,
        aws_access_key_id=pick("accessKeyId", previous.aws_access_key_id if previous else ""),
        aws_secret_key=pick("secretKey", previous.aws_secret_key if previous else ""),
        aws_session_token=pick("sessionToken", previous.aws_session_token if previous else ""),
        aws_expires_at=aws_expires,
        user_seq=previous.user_seq if previous else None,
    )


class _ApiError(NaviLinkProtocolError):
    """A well-formed envelope with a failure code (kept internal; mapped by callers)."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"NaviLink API error {code}: {msg}")
        self.code = code
        self.msg = msg


type TokensListener = Callable[[Tokens], None]


class NaviLinkAuth:
    """Signs in, keeps tokens fresh, and performs authenticated REST calls."""

    def __init__(
        self,
        websession: aiohttp.ClientSession,
        email: str,
        password: str,
        *,
        api_url: str = CLOUD_API_URL,
        tokens: Tokens | None = None,
        expiry_margin: float = 300.0,
        request_timeout: float = 20.0,
        clock: Clock | None = None,
    ) -> None:
        self._websession = websession
        self.email = email
        self._password = password
        self.api_url = validate_api_url(api_url)
        self._tokens = tokens
        self.expiry_margin = expiry_margin
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._now = (clock or SYSTEM_CLOCK).time
        self._lock = asyncio.Lock()
        self._listeners: list[TokensListener] = []
        self.sign_ins = 0
        self.refreshes = 0

    @property
    def tokens(self) -> Tokens | None:
        """The current tokens, if any."""
        return self._tokens

    def add_listener(self, listener: TokensListener) -> Callable[[], None]:
        """Call `listener` with the new tokens after every sign-in or refresh."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def update_password(self, password: str) -> None:
        """Use a new password from the next sign-in on (reauth)."""
        self._password = password

    def _set_tokens(self, tokens: Tokens) -> None:
        self._tokens = tokens
        for listener in list(self._listeners):
            try:
                listener(tokens)
            except Exception:
                _LOGGER.exception("tokens listener failed")

    # -- raw HTTP -----------------------------------------------------------------------

    async def _post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        access_token: str | None = None,
        method: str = "POST",
    ) -> Any:
        """POST (or `method`; a GET sends `body` as the query) and unwrap the envelope.
        Raises _ApiError for a failure code."""
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if access_token is not None:
            headers["authorization"] = access_token  # raw token, no "Bearer " (docs/protocol.md)
        payload = {k: v for k, v in body.items() if v is not None}
        send: dict[str, Any] = (
            {"params": {k: str(v) for k, v in payload.items()}}
            if method == "GET"
            else {"json": payload}
        )
        try:
            async with self._websession.request(
                method, f"{self.api_url}{path}", headers=headers, timeout=self._timeout, **send
            ) as resp:
                status = resp.status
                try:
                    reply = await resp.json()
                except (aiohttp.ContentTypeError, ValueError, RecursionError) as err:
                    raise NaviLinkConnectionError(
                        f"{path}: HTTP {status} with a body that is not JSON"
                    ) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise NaviLinkConnectionError(f"{path}: {type(err).__name__}: {err}") from err
        if not isinstance(reply, dict):
            raise NaviLinkProtocolError(f"{path}: reply is not a JSON object")
        code = reply.get("code", status)
        if not isinstance(code, int) or isinstance(code, bool):
            code = status
        msg = str(reply.get("msg", ""))
        if code == 200 and 200 <= status < 300:
            return reply.get("data")
        if code >= 500 or status >= 500:
            raise NaviLinkConnectionError(f"{path}: server error {max(code, status)}: {msg}")
        raise _ApiError(code if code != 200 else status, msg)

    @staticmethod
    def _is_invalid_credentials(err: _ApiError) -> bool:
        lowered = err.msg.lower()
        return err.code == 401 or "invalid" in lowered or "unauthorized" in lowered

    # -- tokens -------------------------------------------------------------------------

    async def sign_in(self) -> Tokens:
        """Full sign-in with email and password."""
        async with self._lock:
            return await self._sign_in_locked()

    async def _sign_in_locked(self) -> Tokens:
        self.sign_ins += 1
        try:
            data = await self._post(
                "/user/sign-in", {"userId": self.email, "password": self._password}
            )
        except _ApiError as err:
            if self._is_invalid_credentials(err):
                raise InvalidCredentialsError("the NaviLink account rejected the sign-in") from err
            raise
        if not isinstance(data, dict):
            raise NaviLinkProtocolError("sign-in reply has no data object")
        token = data.get("token") or data.get("tokens")
        if not isinstance(token, dict):
            raise NaviLinkProtocolError("sign-in reply has no token object")
        tokens = _parse_tokens(token, self._now(), None)
        if not tokens.aws_access_key_id or not tokens.aws_secret_key:
            raise NaviLinkProtocolError("sign-in reply has no AWS credentials")
        user = data.get("userInfo")
        if isinstance(user, dict) and isinstance(user.get("userSeq"), int):
            tokens = replace(tokens, user_seq=user["userSeq"])
        _LOGGER.debug("signed in to NaviLink")
        self._set_tokens(tokens)
        return tokens

    async def _refresh_locked(self) -> Tokens:
        previous = self._tokens
        if previous is None or not previous.refresh_token:
            return await self._sign_in_locked()
        self.refreshes += 1
        try:
            data = await self._post("/auth/refresh", {"refreshToken": previous.refresh_token})
        except _ApiError as err:
            # A rejected refresh token is not a rejected password: fall back to a sign-in.
            _LOGGER.debug("token refresh rejected (%s); signing in again", err.code)
            return await self._sign_in_locked()
        if not isinstance(data, dict):
            raise NaviLinkProtocolError("refresh reply has no data object")
        nested = data.get("token")
        flat: Mapping[str, Any] = nested if isinstance(nested, dict) else data
        tokens = _parse_tokens(flat, self._now(), previous)
        _LOGGER.debug("refreshed NaviLink tokens")
        self._set_tokens(tokens)
        return tokens

    async def ensure_valid(self, *, force_refresh: bool = False) -> Tokens:
        """Tokens valid for at least the expiry margin.

        AWS credentials expired (or missing): full sign-in, since refresh may not renew them.
        Only the access token expired, or `force_refresh`: refresh, falling back to sign-in.
        """
        async with self._lock:
            now = self._now()
            tokens = self._tokens
            if tokens is None or not tokens.aws_valid(now, self.expiry_margin):
                return await self._sign_in_locked()
            if force_refresh:
                tokens = await self._refresh_locked()
                if not tokens.aws_valid(self._now(), self.expiry_margin):
                    tokens = await self._sign_in_locked()
                return tokens
            if not tokens.access_valid(now, self.expiry_margin):
                return await self._refresh_locked()
            return tokens

    async def request(self, path: str, body: Mapping[str, Any], *, method: str = "POST") -> Any:
        """Authenticated POST (or `method`): one refresh and one retry after a 401."""
        tokens = await self.ensure_valid()
        try:
            return await self._post(path, body, access_token=tokens.access_token, method=method)
        except _ApiError as err:
            if err.code != 401:
                raise
        async with self._lock:
            if self._tokens is tokens:
                await self._refresh_locked()
            current = self._tokens
        assert current is not None
        try:
            return await self._post(path, body, access_token=current.access_token, method=method)
        except _ApiError as err:
            if err.code == 401:
                raise NaviLinkConnectionError(
                    f"{path}: still unauthorized after a refresh"
                ) from err
            raise


class NaviLinkApi:
    """The REST device API."""

    def __init__(self, auth: NaviLinkAuth) -> None:
        self.auth = auth

    async def list_devices(self) -> list[NaviLinkDevice]:
        """Every device on the account (paged by 20)."""
        devices: list[NaviLinkDevice] = []
        offset = 0
        while True:
            data = await self.auth.request(
                "/device/list",
                {"offset": offset, "count": DEVICE_LIST_PAGE, "userId": self.auth.email},
            )
            if data is None:
                data = []
            if not isinstance(data, list):
                raise NaviLinkProtocolError("device list reply is not a list")
            for item in data:
                devices.append(NaviLinkDevice.from_rest(item))
            if len(data) < DEVICE_LIST_PAGE:
                return devices
            offset += DEVICE_LIST_PAGE

    async def device_info(self, mac: str, additional_value: str) -> NaviLinkDevice:
        """One device's details."""
        data = await self.auth.request(
            "/device/info",
            {"macAddress": mac, "additionalValue": additional_value, "userId": self.auth.email},
        )
        return NaviLinkDevice.from_rest(data)
