"""Signed report webhooks to sellers (Standard Webhooks), through the SSRF guard, within a hard deadline.

Each delivery resolves and checks the seller's host once, then connects to that address only, with the
host name kept in the Host header and as TLS SNI (so the certificate is checked against the name).
Redirects are refused, not followed.

A seller's receiver must never hold the report job: httpx's timeouts bound each socket operation, so a
receiver sending one byte every two seconds would never trip them. Every socket operation of an attempt
(connect, TLS, send, each read) is therefore given only the time left before the attempt's deadline
(``_DeadlineBackend``), and the whole delivery, retries and their backoff included, ends by the job's
deadline. At most ``MAX_RESPONSE_BYTES`` of the answer's body are read; only its status counts.
429, 5xx and network errors (a missed deadline included) are retried with jittered backoff, or after the
receiver's ``Retry-After`` when that still fits before the deadline; every other answer is final.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import random
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpcore
import httpx

from trackguard.clients.http import is_retryable, retry_after_seconds
from trackguard.clients.ssrf import PinnedUrl, Resolver, UnsafeUrlError, pin_url, system_resolver

SECRET_PREFIX = "whsec_"  # noqa: S105 (the scheme's prefix, not a secret)
USER_AGENT = "trackguard-reports/1"
MAX_RESPONSE_BYTES = 64 * 1024


class InvalidWebhookSecretError(ValueError):
    pass


@dataclass(frozen=True)
class WebhookPolicy:
    """How long one attempt and the whole delivery may take, and how retries back off."""

    attempts: int = 3
    attempt_seconds: float = 3.0
    total_seconds: float = 10.0
    base_delay: float = 0.5
    max_delay: float = 2.0

    def backoff(self, retry: int) -> float:
        """Full jitter before retry number ``retry`` (0-based)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**retry))  # noqa: S311 (jitter)


DEFAULT_POLICY = WebhookPolicy()


@dataclass(frozen=True)
class WebhookResult:
    delivered: bool
    reason: str | None = None
    status_code: int | None = None
    attempts: int = 0


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
        *,
        resolver: Resolver = system_resolver,
        policy: WebhookPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._policy = policy
        self._sleep = sleep
        self._now = now
        self._clock = clock

    def send(self, url: str, secret: str, message_id: str, body: bytes) -> WebhookResult:
        """POST a signed JSON body; the result says whether the receiver took it, and if not, why.

        Returns by ``policy.total_seconds`` from the call, whatever the receiver does.
        """
        deadline = self._clock() + self._policy.total_seconds
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
        return self._deliver(pinned, headers, body, deadline)

    def _deliver(
        self, pinned: PinnedUrl, headers: dict[str, str], body: bytes, deadline: float
    ) -> WebhookResult:
        made = 0
        while True:
            made += 1
            attempt_deadline = min(self._clock() + self._policy.attempt_seconds, deadline)
            status: int | None = None
            retry_after: float | None = None
            try:
                answered, retry_after = self._attempt(pinned, headers, body, attempt_deadline)
            except httpx.TransportError as error:
                failure = type(error).__name__
            else:
                if not is_retryable(answered):
                    return _final(answered, made)
                status, failure = answered, f"HTTP {answered}"
            delay = retry_after if retry_after is not None else self._policy.backoff(made - 1)
            if made >= self._policy.attempts:
                reason = f"failed {_times(made)} (last: {failure})"
                return WebhookResult(delivered=False, reason=reason, status_code=status, attempts=made)
            if self._clock() + delay >= deadline:
                waited = f"Retry-After {retry_after:g} s" if retry_after is not None else "a retry"
                reason = f"failed {_times(made)} (last: {failure}); {waited} does not fit before the deadline"
                return WebhookResult(delivered=False, reason=reason, status_code=status, attempts=made)
            self._sleep(delay)

    def _attempt(
        self, pinned: PinnedUrl, headers: dict[str, str], body: bytes, deadline: float
    ) -> tuple[int, float | None]:
        """One POST; its status and any Retry-After. Raises httpx.TransportError past the deadline."""
        transport = _PinnedTransport(pinned.host, _DeadlineBackend(deadline, self._clock))
        with (
            httpx.Client(transport=transport, follow_redirects=False, trust_env=False) as client,
            client.stream("POST", pinned.address_url, headers=headers, content=body) as response,
        ):
            _drain(response.iter_raw(), MAX_RESPONSE_BYTES)
            return response.status_code, retry_after_seconds(response)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _drain(chunks: Iterable[bytes], limit: int) -> None:
    """Read at most ``limit`` bytes of a body nobody needs, so a huge answer costs nothing."""
    read = 0
    for chunk in chunks:
        read += len(chunk)
        if read >= limit:
            return


def _final(status: int, attempts: int) -> WebhookResult:
    if 200 <= status < 300:
        return WebhookResult(delivered=True, status_code=status, attempts=attempts)
    if 300 <= status < 400:
        reason = f"redirect refused (HTTP {status})"
        return WebhookResult(delivered=False, reason=reason, status_code=status, attempts=attempts)
    reason = f"receiver answered HTTP {status}"
    return WebhookResult(delivered=False, reason=reason, status_code=status, attempts=attempts)


class _PinnedTransport(httpx.HTTPTransport):
    """Connects to the URL's (checked) address but speaks TLS to the seller's host name, within a deadline.

    httpx has no public way to give its connection pool a network backend, so the pool it builds is
    replaced by one with the same TLS settings and the deadline backend.
    """

    def __init__(self, sni_hostname: str, backend: httpcore.NetworkBackend) -> None:
        super().__init__(trust_env=False)
        self._sni_hostname = sni_hostname
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=1, network_backend=backend
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions = {**request.extensions, "sni_hostname": self._sni_hostname}
        return super().handle_request(request)


class _DeadlineBackend(httpcore.NetworkBackend):
    """The standard sockets, each operation given only the time left before one instant."""

    def __init__(self, deadline: float, clock: Callable[[], float]) -> None:
        self._deadline = _Deadline(deadline, clock)
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._sockets.connect_tcp(
            host, port, self._deadline.left(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class _Deadline:
    at: float
    clock: Callable[[], float]

    def left(self, timeout: float | None, timed_out: type[httpcore.TimeoutException]) -> float:
        """The operation's timeout cut to the time left; raises ``timed_out`` once none is left."""
        remaining = self.at - self.clock()
        if remaining <= 0:
            raise timed_out("the delivery's deadline has passed")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        secured = self._stream.start_tls(
            ssl_context, server_hostname, self._deadline.left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(secured, self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)
