"""The 17TRACK client: batches of 40, bounded concurrency, rate limit, backoff, answer parsing."""

from __future__ import annotations

import asyncio
import json
from typing import TypedDict, Unpack

import httpx
import pytest
import respx

from trackguard.clients.http import RetryPolicy
from trackguard.clients.seventeen_track import (
    Limiter,
    Quota,
    RateLimiter,
    SeventeenTrackAuthError,
    SeventeenTrackClient,
    SeventeenTrackError,
    SeventeenTrackUnavailableError,
    SharedRateLimiter,
    TrackedNumber,
)

BASE = "https://api.17track.test"
REGISTER = f"{BASE}/track/v2.2/register"
TRACK_INFO = f"{BASE}/track/v2.2/gettrackinfo"


class RecordedSleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class ClientOptions(TypedDict, total=False):
    max_concurrency: int
    requests_per_second: float | None
    limiter: Limiter
    retry: RetryPolicy


def a_client(sleep: RecordedSleeps | None = None, **options: Unpack[ClientOptions]) -> SeventeenTrackClient:
    options.setdefault("requests_per_second", None)
    return SeventeenTrackClient(BASE, "the-key", sleep=sleep or RecordedSleeps(), **options)


def accept_all(request: httpx.Request) -> httpx.Response:
    items = json.loads(request.content)
    return httpx.Response(200, json={"code": 0, "data": {"accepted": items, "rejected": []}})


def numbers(count: int) -> list[TrackedNumber]:
    return [TrackedNumber(f"NUM{index:05d}") for index in range(count)]


def accepted(count: int) -> httpx.Response:
    """What ``accept_all`` answers to a request for ``numbers(count)``, as a response that can be listed
    among a route's side effects (respx types such a list as responses and exceptions only)."""
    items = [{"number": tracked.number} for tracked in numbers(count)]
    return httpx.Response(200, json={"code": 0, "data": {"accepted": items, "rejected": []}})


@respx.mock
def test_splits_numbers_into_requests_of_at_most_40_and_merges_the_answers() -> None:
    route = respx.post(REGISTER).mock(side_effect=accept_all)

    answer = asyncio.run(a_client().register(numbers(95)))

    sizes = sorted(len(json.loads(call.request.content)) for call in route.calls)
    assert sizes == [15, 40, 40]
    assert sorted(item["number"] for item in answer.accepted) == [n.number for n in numbers(95)]
    assert all(call.request.headers["17token"] == "the-key" for call in route.calls)


@respx.mock
def test_sends_the_carrier_only_when_known() -> None:
    route = respx.post(TRACK_INFO).mock(side_effect=accept_all)

    asyncio.run(
        a_client().get_track_info([TrackedNumber("AB123456789", 100002), TrackedNumber("CD12345678")])
    )

    assert json.loads(route.calls[0].request.content) == [
        {"number": "AB123456789", "carrier": 100002},
        {"number": "CD12345678"},
    ]


@respx.mock
def test_parses_rejections() -> None:
    respx.post(TRACK_INFO).respond(
        200,
        json={
            "code": 0,
            "data": {
                "accepted": [{"number": "GOOD1234", "carrier": 3011, "track_info": {}}],
                "rejected": [
                    {"number": "BAD12345", "error": {"code": -18019902, "message": "not registered"}}
                ],
            },
        },
    )

    answer = asyncio.run(a_client().get_track_info(numbers(2)))

    assert [item["number"] for item in answer.accepted] == ["GOOD1234"]
    assert [(r.number, r.code, r.message) for r in answer.rejected] == [
        ("BAD12345", -18019902, "not registered")
    ]


@respx.mock
def test_retries_429_and_5xx_with_backoff_then_succeeds() -> None:
    route = respx.post(REGISTER).mock(
        side_effect=[httpx.Response(429), httpx.Response(503), httpx.Response(500), accepted(3)]
    )
    sleeps = RecordedSleeps()

    answer = asyncio.run(
        a_client(sleeps, retry=RetryPolicy(attempts=5, base_delay=1, max_delay=8)).register(numbers(3))
    )

    assert route.call_count == 4
    assert len(answer.accepted) == 3
    assert len(sleeps.delays) == 3
    assert all(0 <= delay <= cap for delay, cap in zip(sleeps.delays, (1, 2, 4), strict=True))


@respx.mock
def test_honours_retry_after() -> None:
    respx.post(REGISTER).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), accepted(1)])
    sleeps = RecordedSleeps()

    asyncio.run(a_client(sleeps, retry=RetryPolicy(base_delay=0.01)).register(numbers(1)))

    assert sleeps.delays == [7.0]


@respx.mock
def test_retries_transport_errors() -> None:
    route = respx.post(REGISTER).mock(side_effect=[httpx.ConnectError("refused"), accepted(1)])

    asyncio.run(a_client().register(numbers(1)))

    assert route.call_count == 2


@respx.mock
def test_gives_up_after_the_last_attempt() -> None:
    route = respx.post(REGISTER).respond(429)

    with pytest.raises(SeventeenTrackUnavailableError, match="HTTP 429"):
        asyncio.run(a_client(retry=RetryPolicy(attempts=3)).register(numbers(1)))

    assert route.call_count == 3


@respx.mock
def test_a_wrong_key_is_an_auth_error_and_is_not_retried() -> None:
    route = respx.post(REGISTER).respond(
        401,
        json={
            "code": -18010002,
            "data": {"errors": [{"code": -18010002, "message": "Invalid security key."}]},
        },
    )

    with pytest.raises(SeventeenTrackAuthError, match="Invalid security key") as raised:
        asyncio.run(a_client().register(numbers(1)))

    assert raised.value.code == -18010002
    assert route.call_count == 1


@respx.mock
def test_a_refused_request_raises_with_its_code() -> None:
    respx.post(REGISTER).respond(
        200,
        json={"code": -18010014, "data": {"errors": [{"code": -18010014, "message": "exceed the 40 limit"}]}},
    )

    with pytest.raises(SeventeenTrackError, match="40 limit") as raised:
        asyncio.run(a_client().register(numbers(1)))

    assert raised.value.code == -18010014


@respx.mock
def test_at_most_max_concurrency_requests_are_in_flight() -> None:
    in_flight = 0
    peak = 0

    async def slow_accept(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight -= 1
        return accept_all(request)

    route = respx.post(REGISTER).mock(side_effect=slow_accept)

    asyncio.run(a_client(max_concurrency=2).register(numbers(400)))

    assert route.call_count == 10
    assert peak == 2


def test_rate_limiter_spaces_request_starts() -> None:
    sleeps = RecordedSleeps()
    now = [100.0]
    limiter = RateLimiter(4.0, sleep=sleeps, clock=lambda: now[0])

    async def take(count: int) -> None:
        for _ in range(count):
            await limiter.wait_for_slot()

    asyncio.run(take(3))
    now[0] = 200.0
    asyncio.run(take(1))

    assert sleeps.delays == [0.25, 0.5]


def test_no_rate_limit_never_waits() -> None:
    sleeps = RecordedSleeps()
    limiter = RateLimiter(None, sleep=sleeps, clock=lambda: 0.0)

    asyncio.run(limiter.wait_for_slot())
    asyncio.run(limiter.wait_for_slot())

    assert sleeps.delays == []


@respx.mock
def test_every_attempt_waits_for_a_rate_limit_slot() -> None:
    respx.post(REGISTER).mock(side_effect=[httpx.Response(429), accepted(1)])
    sleeps = RecordedSleeps()
    client = a_client(sleeps, requests_per_second=0.5, retry=RetryPolicy(base_delay=0.001))

    asyncio.run(client.register(numbers(1)))

    assert len(sleeps.delays) == 2
    assert 1.0 < max(sleeps.delays) <= 2.0


QUOTA = f"{BASE}/track/v2.2/getquota"


@respx.mock
def test_get_quota_reads_total_used_and_remaining() -> None:
    respx.post(QUOTA).mock(
        return_value=httpx.Response(
            200, json={"code": 0, "data": {"quota_total": 100, "quota_used": 97, "quota_remain": 3}}
        )
    )

    assert asyncio.run(a_client().get_quota()) == Quota(total=100, used=97, remaining=3)


@respx.mock
def test_a_quota_answer_without_its_counts_is_an_error() -> None:
    respx.post(QUOTA).mock(return_value=httpx.Response(200, json={"code": 0, "data": {"quota_total": 100}}))

    with pytest.raises(SeventeenTrackError, match="without its counts"):
        asyncio.run(a_client().get_quota())


class Reservations:
    """Slots a shared store would hand out: this many seconds away, in turn."""

    def __init__(self, waits: list[float]) -> None:
        self.waits = waits
        self.reserved = 0

    def reserve(self) -> float:
        self.reserved += 1
        return self.waits.pop(0)


@respx.mock
def test_a_shared_limiter_replaces_the_process_rate_and_waits_for_each_reserved_slot() -> None:
    respx.post(TRACK_INFO).mock(side_effect=accept_all)
    sleeps = RecordedSleeps()
    reservations = Reservations([0.0, 0.4, 0.9])
    client = a_client(sleeps, requests_per_second=1000.0, limiter=SharedRateLimiter(reservations, sleeps))

    asyncio.run(client.get_track_info(numbers(120)))

    assert reservations.reserved == 3
    assert sorted(sleeps.delays) == [0.4, 0.9]
