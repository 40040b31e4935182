"""TikTok Shop's auth host: exchange an authorisation code for tokens, and refresh them.

Both are plain GETs on the auth host (``https://auth.tiktok-shops.com``), unlike the Open API: no
``sign``, no ``timestamp``, only ``app_key``, ``app_secret``, the code or refresh token and the grant
type (platform-lifecycle.md §1.2, §1.3). The app secret therefore travels in the query string: this
module never logs a URL, and errors name the path only. TikTok answers ``{code, message, request_id,
data}``; ``code`` 0 is success. The expiries in ``data`` are epoch timestamps, not lifetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from trackguard.clients.http import RetriesExhaustedError, RetryingHttp, RetryPolicy, shared_client

TOKEN_GET_PATH = "/api/v2/token/get"  # noqa: S105 (a path, not a secret)
TOKEN_REFRESH_PATH = "/api/v2/token/refresh"  # noqa: S105 (a path, not a secret)
AUTHORIZED_CODE_GRANT = "authorized_code"
REFRESH_TOKEN_GRANT = "refresh_token"  # noqa: S105 (a grant type, not a secret)
# A browser waits on the callback: three quick attempts, not the default four with longer backoff.
CALLBACK_RETRY_POLICY = RetryPolicy(attempts=3, base_delay=0.2, max_delay=1.0, max_retry_after=2.0)


class TikTokAuthError(RuntimeError):
    """The auth host did not give tokens."""


class TikTokAuthRefusedError(TikTokAuthError):
    """TikTok answered and refused (an expired or used code, a revoked refresh token): retrying won't help."""

    def __init__(self, message: str, code: int, request_id: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.request_id = request_id


class TikTokAuthUnavailableError(TikTokAuthError):
    """Unreachable, 5xx or an answer that is not TikTok's envelope: worth trying again later."""


class TokenGrant(BaseModel):
    """Tokens with the instants (epoch seconds) they stop working; tokens never print."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, hide_input_in_errors=True)

    access_token: SecretStr
    access_token_expires_at: int = Field(alias="access_token_expire_in", gt=0)
    refresh_token: SecretStr
    refresh_token_expires_at: int = Field(alias="refresh_token_expire_in", gt=0)
    open_id: str = ""
    seller_name: str = ""
    seller_base_region: str = ""
    granted_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Envelope:
    code: int
    message: str
    request_id: str
    data: Any


class TikTokAuthClient:
    def __init__(
        self, base_url: str, app_key: str, app_secret: SecretStr, http: RetryingHttp | None = None
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._app_key = app_key
        self._app_secret = app_secret
        self._http = http or RetryingHttp(shared_client(self._base_url))

    def exchange_code(self, auth_code: str) -> TokenGrant:
        """The tokens for the ``code`` TikTok's redirect carried (single use, valid 30 minutes)."""
        return self._grant(TOKEN_GET_PATH, {"auth_code": auth_code, "grant_type": AUTHORIZED_CODE_GRANT})

    def refresh(self, refresh_token: SecretStr) -> TokenGrant:
        """A new access token and a new refresh token; store both (the old refresh token may stop working)."""
        query = {"refresh_token": refresh_token.get_secret_value(), "grant_type": REFRESH_TOKEN_GRANT}
        return self._grant(TOKEN_REFRESH_PATH, query)

    def _grant(self, path: str, query: Mapping[str, str]) -> TokenGrant:
        params = {"app_key": self._app_key, "app_secret": self._app_secret.get_secret_value(), **query}
        try:
            response = self._http.request("GET", self._base_url + path, params=params)
        except RetriesExhaustedError as error:
            raise TikTokAuthUnavailableError(f"TikTok auth {path}: {error}") from error
        envelope = _envelope(path, response)
        if envelope.code != 0:
            raise TikTokAuthRefusedError(
                f"TikTok auth {path} refused (code {envelope.code}): {envelope.message}",
                code=envelope.code,
                request_id=envelope.request_id,
            )
        return _token_grant(path, envelope.data)


def _envelope(path: str, response: httpx.Response) -> _Envelope:
    try:
        document = response.json()
    except ValueError as error:
        raise TikTokAuthUnavailableError(
            f"TikTok auth {path} answered HTTP {response.status_code} with a non-JSON body"
        ) from error
    code = document.get("code") if isinstance(document, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        raise TikTokAuthUnavailableError(
            f"TikTok auth {path} answered HTTP {response.status_code} without a code"
        )
    return _Envelope(
        code=code,
        message=str(document.get("message") or ""),
        request_id=str(document.get("request_id") or ""),
        data=document.get("data"),
    )


def _token_grant(path: str, data: Any) -> TokenGrant:
    """Read ``data``; the scopes may come as ``granted_scopes`` or (older) ``granted_permissions``."""
    if not isinstance(data, dict):
        raise TikTokAuthUnavailableError(f"TikTok auth {path} answered success without data")
    scopes = data.get("granted_scopes") or data.get("granted_permissions") or ()
    try:
        return TokenGrant.model_validate({**data, "granted_scopes": tuple(str(scope) for scope in scopes)})
    except ValidationError as error:
        fields = sorted({".".join(str(part) for part in item["loc"]) for item in error.errors()})
        raise TikTokAuthUnavailableError(
            f"TikTok auth {path} answered tokens it cannot read ({fields})"
        ) from None
