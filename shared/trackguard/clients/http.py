"""The outbound HTTP policy every client shares.

One ``httpx.Client`` per base URL for the life of the process, so warm Lambda invocations reuse their
TLS connections; explicit timeouts (connect 2 s, read 5 s); a bounded number of attempts, retrying
429, 5xx and network errors after an exponential backoff with full jitter, or after the server's
``Retry-After`` (capped) when it gives one. Anything else is returned to the caller to interpret.
Every module that makes HTTP calls imports this one, which has the Tracer instrument httpx.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from trackguard.observability import trace_httpx

trace_httpx()

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)

_clients: dict[str, httpx.Client] = {}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


class HttpError(Exception):
    """An outbound request failed for good."""


class RetriesExhaustedError(HttpError):
    """Every attempt met a retryable failure; ``status`` is the last HTTP status (None: network error)."""

    def __init__(self, message: str, status: int | None, attempts: int) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0
    max_retry_after: float = 10.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**retry))  # noqa: S311 (jitter)


def is_retryable(status: int) -> bool:
    return status == 429 or status >= 500


def retry_after_seconds(
    response: httpx.Response | None, now: Callable[[], datetime] | None = None
) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    value = response.headers.get("retry-after", "").strip() if response is not None else ""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = now() if now else datetime.now(UTC)
    return max((when - current).total_seconds(), 0.0)


def shared_client(base_url: str) -> httpx.Client:
    """The process-wide client for ``base_url`` (created on first use)."""
    with _lock:
        client = _clients.get(base_url)
        if client is None or client.is_closed:
            client = httpx.Client(base_url=base_url, timeout=DEFAULT_TIMEOUT)
            _clients[base_url] = client
        return client


def shared_async_client(base_url: str) -> httpx.AsyncClient:
    """The async client for ``base_url`` on the running event loop (its connections belong to that loop)."""
    per_loop = _async_clients.setdefault(asyncio.get_running_loop(), {})
    client = per_loop.get(base_url)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(base_url=base_url, timeout=DEFAULT_TIMEOUT)
        per_loop[base_url] = client
    return client


class RetryingHttp:
    def __init__(
        self,
        client: httpx.Client,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._policy = policy
        self._sleep = sleep

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        attempt = _Attempts(self._policy, method, url)
        while True:
            response: httpx.Response | None
            try:
                response = self._client.request(method, url, params=params, headers=headers, content=content)
            except httpx.TransportError as error:
                response = None
                attempt.failed(None, error)
            else:
                if not is_retryable(response.status_code):
                    return response
                attempt.failed(response, None)
            self._sleep(attempt.next_delay(response))


class AsyncRetryingHttp:
    def __init__(
        self,
        client: httpx.AsyncClient,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._policy = policy
        self._sleep = sleep

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        attempt = _Attempts(self._policy, method, url)
        while True:
            response: httpx.Response | None
            try:
                response = await self._client.request(
                    method, url, params=params, headers=headers, content=content
                )
            except httpx.TransportError as error:
                response = None
                attempt.failed(None, error)
            else:
                if not is_retryable(response.status_code):
                    return response
                attempt.failed(response, None)
            await self._sleep(attempt.next_delay(response))


class _Attempts:
    """Counts attempts of one request and raises once the budget is spent."""

    def __init__(self, policy: RetryPolicy, method: str, url: str) -> None:
        self._policy = policy
        self._what = f"{method} {url}"
        self._made = 0

    def failed(self, response: httpx.Response | None, error: httpx.TransportError | None) -> None:
        self._made += 1
        if self._made < self._policy.attempts:
            return
        status = response.status_code if response is not None else None
        reason = f"HTTP {status}" if status is not None else type(error).__name__
        raise RetriesExhaustedError(
            f"{self._what} failed {self._made} times (last: {reason})", status, self._made
        ) from error

    def next_delay(self, response: httpx.Response | None) -> float:
        return self._policy.delay(self._made - 1, retry_after_seconds(response))
