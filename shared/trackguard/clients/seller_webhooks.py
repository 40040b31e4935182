"""Signed report webhooks to sellers (Standard Webhooks), through the SSRF guard.

Each delivery resolves and checks the seller's host once, then connects to that address only, with the
host name kept in the Host header and as TLS SNI (so the certificate is checked against the name).
Redirects are refused, not followed. 429, 5xx and network errors are retried with jittered backoff
(``trackguard.clients.http``); every other answer is final.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from trackguard.clients.http import DEFAULT_TIMEOUT, RetriesExhaustedError, RetryingHttp, RetryPolicy
from trackguard.clients.ssrf import Resolver, UnsafeUrlError, pin_url, system_resolver

SECRET_PREFIX = "whsec_"  # noqa: S105 (the scheme's prefix, not a secret)
USER_AGENT = "trackguard-reports/1"
DEFAULT_POLICY = RetryPolicy()


class InvalidWebhookSecretError(ValueError):
    pass


@dataclass(frozen=True)
class WebhookResult:
    delivered: bool
    reason: str | None = None
    status_code: int | None = None


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}`` keyed by the decoded ``whsec_`` secret."""
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise InvalidWebhookSecretError("the webhook secret is not whsec_<base64>") from error
    if not secret.startswith(SECRET_PREFIX) or not key:
        raise InvalidWebhookSecretError("the webhook secret is not whsec_<base64>")
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class SellerWebhookSender:
    def __init__(
        self,
        allow_loopback: bool,
        resolver: Resolver = system_resolver,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._policy = policy
        self._sleep = sleep
        self._now = now

    def send(self, url: str, secret: str, message_id: str, body: bytes) -> WebhookResult:
        """POST a signed JSON body; the result says whether the receiver took it, and if not, why."""
        try:
            pinned = pin_url(url, self._allow_loopback, self._resolver)
            timestamp = int(self._now().timestamp())
            headers = {
                "Host": pinned.host_header,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "webhook-id": message_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(secret, message_id, timestamp, body),
            }
        except (UnsafeUrlError, InvalidWebhookSecretError) as error:
            return WebhookResult(delivered=False, reason=f"refused: {error}")
        transport = _PinnedTransport(sni_hostname=pinned.host)
        with httpx.Client(
            transport=transport, timeout=DEFAULT_TIMEOUT, follow_redirects=False, trust_env=False
        ) as client:
            try:
                response = RetryingHttp(client, self._policy, self._sleep).request(
                    "POST", pinned.address_url, headers=headers, content=body
                )
            except RetriesExhaustedError as error:
                return WebhookResult(delivered=False, reason=str(error), status_code=error.status)
        return _result(response)


class _PinnedTransport(httpx.HTTPTransport):
    """Connects to the URL's (checked) address but speaks TLS to the seller's host name."""

    def __init__(self, sni_hostname: str) -> None:
        super().__init__()
        self._sni_hostname = sni_hostname

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions = {**request.extensions, "sni_hostname": self._sni_hostname}
        return super().handle_request(request)


def _result(response: httpx.Response) -> WebhookResult:
    status = response.status_code
    if 200 <= status < 300:
        return WebhookResult(delivered=True, status_code=status)
    if response.is_redirect:
        return WebhookResult(delivered=False, reason=f"redirect refused (HTTP {status})", status_code=status)
    return WebhookResult(delivered=False, reason=f"receiver answered HTTP {status}", status_code=status)
