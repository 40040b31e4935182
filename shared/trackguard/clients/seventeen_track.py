"""17TRACK API v2.2 (register, gettrackinfo, retrack, getquota): async, batched by 40, rate-limited, retried.

17TRACK refuses more than 40 numbers a request and answers HTTP 429 beyond about 3 requests a second
per key, so every call is split into batches of 40, at most ``max_concurrency`` requests are in flight,
every attempt (retries included) waits for a slot of a rate limiter — this process's own, or one every
worker of the deployment shares (``SharedRateLimiter``) — and a 429, a 5xx or a network error is retried
by the shared policy of ``trackguard.clients.http`` (backoff with full jitter, or ``Retry-After``).
Registering a number uses one unit of the account's quota, which ``getquota`` reads.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from trackguard.clients.http import DEFAULT_TIMEOUT, AsyncRetryingHttp, RetriesExhaustedError, RetryPolicy

MAX_NUMBERS_PER_REQUEST = 40
REGISTER_PATH = "/track/v2.2/register"
TRACK_INFO_PATH = "/track/v2.2/gettrackinfo"
RETRACK_PATH = "/track/v2.2/retrack"
QUOTA_PATH = "/track/v2.2/getquota"
TOKEN_HEADER = "17token"  # noqa: S105 (a header name, not a secret)

ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
RETRACK_NOT_STOPPED = -18019904
"""retrack works on stopped numbers only."""
RETRACK_ONLY_ONCE = -18019905
"""a number can be retracked once."""
TOO_MANY_NUMBERS = -18010014
DAILY_LIMIT_EXCEEDED = -18019907
QUOTA_EXHAUSTED = -18019908
QUOTA_CODES = frozenset({DAILY_LIMIT_EXCEEDED, QUOTA_EXHAUSTED})
_AUTH_CODES = frozenset({-18010001, -18010002, -18010004, -18010005})

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_RETRY = RetryPolicy(attempts=5, max_delay=8.0)


class SeventeenTrackError(RuntimeError):
    """17TRACK refused a whole request; ``code`` is its error code (0 when it gave none)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


class SeventeenTrackAuthError(SeventeenTrackError):
    """Wrong or disabled security key, or the caller's IP is not allowed: retrying cannot help."""


class SeventeenTrackUnavailableError(SeventeenTrackError):
    """Still rate-limited, failing with 5xx or unreachable after every retry."""


@dataclass(frozen=True)
class TrackedNumber:
    number: str
    carrier: int | None = None

    def payload(self) -> dict[str, Any]:
        return (
            {"number": self.number}
            if self.carrier is None
            else {"number": self.number, "carrier": self.carrier}
        )


@dataclass(frozen=True)
class Rejection:
    number: str
    code: int
    message: str


@dataclass(frozen=True)
class TrackAnswer:
    """Merged answer of one or more requests: 17TRACK's ``accepted`` items as sent, and the rejections."""

    accepted: tuple[dict[str, Any], ...] = ()
    rejected: tuple[Rejection, ...] = ()

    def __add__(self, other: TrackAnswer) -> TrackAnswer:
        return TrackAnswer(self.accepted + other.accepted, self.rejected + other.rejected)


@dataclass(frozen=True)
class Quota:
    """``getquota``'s answer: registrations the account may make in its period, made, and left."""

    total: int
    used: int
    remaining: int


class Limiter(Protocol):
    async def wait_for_slot(self) -> None: ...


class SlotReservations(Protocol):
    def reserve(self) -> float:
        """Reserve the next request slot; seconds from now until it starts."""
        ...


class SharedRateLimiter:
    """Waits for slots reserved in a store every worker shares, so the rate holds deployment-wide.

    Reserving is a blocking DynamoDB write, so it runs in a thread, off the event loop.
    """

    def __init__(self, reservations: SlotReservations, sleep: Sleep = asyncio.sleep) -> None:
        self._reservations = reservations
        self._sleep = sleep

    async def wait_for_slot(self) -> None:
        delay = await asyncio.to_thread(self._reservations.reserve)
        if delay > 0:
            await self._sleep(delay)


class RateLimiter:
    """Spaces request starts at least ``1 / per_second`` apart (no limit when ``per_second`` is None)."""

    def __init__(
        self,
        per_second: float | None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / per_second if per_second else 0.0
        self._sleep = sleep
        self._clock = clock
        self._next_slot = 0.0

    async def wait_for_slot(self) -> None:
        now = self._clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)


class SeventeenTrackClient:
    """One per process and event loop: the ``httpx.AsyncClient`` keeps its connections between calls."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        http: httpx.AsyncClient | None = None,
        max_concurrency: int = 3,
        requests_per_second: float | None = 3.0,
        limiter: Limiter | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``limiter`` replaces the process's own limit of ``requests_per_second``."""
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._slots = asyncio.Semaphore(max_concurrency)
        self._rate: Limiter = limiter or RateLimiter(requests_per_second, sleep)
        self._client = http or httpx.AsyncClient(
            timeout=DEFAULT_TIMEOUT,
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
        )
        self._client.event_hooks["request"].append(self._wait_for_slot)
        self._http = AsyncRetryingHttp(self._client, retry, sleep)

    async def register(self, numbers: Sequence[TrackedNumber]) -> TrackAnswer:
        return await self._call_batched(REGISTER_PATH, numbers)

    async def get_track_info(self, numbers: Sequence[TrackedNumber]) -> TrackAnswer:
        return await self._call_batched(TRACK_INFO_PATH, numbers)

    async def retrack(self, numbers: Sequence[TrackedNumber]) -> TrackAnswer:
        """Resume numbers 17TRACK stopped tracking (once per number; data returns within minutes)."""
        return await self._call_batched(RETRACK_PATH, numbers)

    async def get_quota(self) -> Quota:
        """``data.quota_total``, ``quota_used``, ``quota_remain``: the names two public 17TRACK clients read
        and their fixtures carry (secondary sources; the reference leaves the fields unconfirmed)."""
        data = await self._post(QUOTA_PATH, b"{}")
        try:
            return Quota(int(data["quota_total"]), int(data["quota_used"]), int(data["quota_remain"]))
        except (KeyError, TypeError, ValueError) as error:
            raise SeventeenTrackError(f"17TRACK answered getquota without its counts: {error}") from error

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call_batched(self, path: str, numbers: Sequence[TrackedNumber]) -> TrackAnswer:
        batches = [
            numbers[start : start + MAX_NUMBERS_PER_REQUEST]
            for start in range(0, len(numbers), MAX_NUMBERS_PER_REQUEST)
        ]
        answers = await asyncio.gather(*(self._call(path, batch) for batch in batches))
        return sum(answers, TrackAnswer())

    async def _call(self, path: str, batch: Sequence[TrackedNumber]) -> TrackAnswer:
        data = await self._post(path, json.dumps([number.payload() for number in batch]).encode())
        return TrackAnswer(
            accepted=tuple(item for item in data.get("accepted") or () if isinstance(item, dict)),
            rejected=tuple(_rejection(item) for item in data.get("rejected") or () if isinstance(item, dict)),
        )

    async def _post(self, path: str, body: bytes) -> dict[str, Any]:
        headers = {TOKEN_HEADER: self._api_key, "content-type": "application/json"}
        async with self._slots:
            try:
                response = await self._http.request(
                    "POST", self._base_url + path, headers=headers, content=body
                )
            except RetriesExhaustedError as error:
                raise SeventeenTrackUnavailableError(f"17TRACK: {error}") from error
        return _data(response)

    async def _wait_for_slot(self, _request: httpx.Request) -> None:
        """An httpx request hook, so that every attempt, retries included, respects the rate limit."""
        await self._rate.wait_for_slot()


def _data(response: httpx.Response) -> dict[str, Any]:
    """The ``data`` of a successful answer; raises for a refused request."""
    try:
        document = response.json()
    except ValueError as error:
        raise SeventeenTrackError(
            f"17TRACK answered HTTP {response.status_code} with a non-JSON body"
        ) from error
    code = int(document.get("code", -1)) if isinstance(document, dict) else -1
    data = document.get("data") if isinstance(document, dict) else None
    if response.status_code == 401 or code in _AUTH_CODES:
        raise SeventeenTrackAuthError(_error_message(data, "17TRACK refused the security key"), code)
    if response.status_code != 200 or code != 0 or not isinstance(data, dict):
        raise SeventeenTrackError(_error_message(data, f"17TRACK answered HTTP {response.status_code}"), code)
    return data


def _rejection(item: dict[str, Any]) -> Rejection:
    error = item.get("error") or {}
    return Rejection(str(item.get("number", "")), int(error.get("code", 0)), str(error.get("message", "")))


def _error_message(data: Any, fallback: str) -> str:
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or fallback)
    return fallback
