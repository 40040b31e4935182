from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
import respx

from trackguard.clients.http import (
    DEFAULT_TIMEOUT,
    AsyncRetryingHttp,
    RetriesExhaustedError,
    RetryingHttp,
    RetryPolicy,
    retry_after_seconds,
    shared_async_client,
    shared_client,
)

BASE = "https://api.example.test"
POLICY = RetryPolicy(attempts=3, base_delay=1.0, max_delay=8.0, max_retry_after=5.0)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def retrying(sleeps: Sleeps) -> RetryingHttp:
    return RetryingHttp(httpx.Client(base_url=BASE), POLICY, sleep=sleeps)


class TestSharedClient:
    def test_is_reused_per_base_url(self) -> None:
        assert shared_client(BASE) is shared_client(BASE)
        assert shared_client(BASE) is not shared_client("https://other.example.test")

    def test_has_the_explicit_timeouts(self) -> None:
        timeout = shared_client(BASE).timeout
        assert (timeout.connect, timeout.read) == (2.0, 5.0)
        assert DEFAULT_TIMEOUT.connect == 2.0

    def test_a_closed_client_is_replaced(self) -> None:
        first = shared_client("https://closed.example.test")
        first.close()
        assert shared_client("https://closed.example.test") is not first

    def test_async_client_is_reused_within_a_loop(self) -> None:
        async def twice() -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
            return shared_async_client(BASE), shared_async_client(BASE)

        first, second = asyncio.run(twice())
        assert first is second
        assert (first.timeout.connect, first.timeout.read) == (2.0, 5.0)


class TestRetries:
    @respx.mock
    def test_success_is_returned_without_sleeping(self, sleeps: Sleeps) -> None:
        respx.get(f"{BASE}/x").respond(200, json={"ok": True})
        assert retrying(sleeps).request("GET", "/x").json() == {"ok": True}
        assert sleeps.delays == []

    @respx.mock
    def test_429_and_5xx_are_retried(self, sleeps: Sleeps) -> None:
        route = respx.get(f"{BASE}/x").mock(
            side_effect=[httpx.Response(429), httpx.Response(503), httpx.Response(200)]
        )
        assert retrying(sleeps).request("GET", "/x").status_code == 200
        assert route.call_count == 3
        assert len(sleeps.delays) == 2

    @respx.mock
    def test_network_errors_are_retried(self, sleeps: Sleeps) -> None:
        route = respx.get(f"{BASE}/x").mock(side_effect=[httpx.ConnectError("refused"), httpx.Response(200)])
        assert retrying(sleeps).request("GET", "/x").status_code == 200
        assert route.call_count == 2

    @respx.mock
    def test_other_4xx_are_returned_at_once(self, sleeps: Sleeps) -> None:
        route = respx.get(f"{BASE}/x").respond(401)
        assert retrying(sleeps).request("GET", "/x").status_code == 401
        assert route.call_count == 1

    @respx.mock
    def test_the_attempt_budget_is_bounded(self, sleeps: Sleeps) -> None:
        route = respx.get(f"{BASE}/x").respond(500)
        with pytest.raises(RetriesExhaustedError) as caught:
            retrying(sleeps).request("GET", "/x")
        assert route.call_count == 3
        assert (caught.value.status, caught.value.attempts) == (500, 3)
        assert len(sleeps.delays) == 2

    @respx.mock
    def test_exhausted_network_errors_have_no_status(self, sleeps: Sleeps) -> None:
        respx.get(f"{BASE}/x").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(RetriesExhaustedError, match="ReadTimeout") as caught:
            retrying(sleeps).request("GET", "/x")
        assert caught.value.status is None

    @respx.mock
    def test_retry_after_is_honoured_and_capped(self, sleeps: Sleeps) -> None:
        respx.get(f"{BASE}/x").mock(
            side_effect=[
                httpx.Response(429, headers={"retry-after": "2"}),
                httpx.Response(429, headers={"retry-after": "120"}),
                httpx.Response(200),
            ]
        )
        retrying(sleeps).request("GET", "/x")
        assert sleeps.delays == [2.0, 5.0]

    def test_backoff_is_full_jitter_under_an_exponential_cap(self) -> None:
        for retry, cap in [(0, 1.0), (1, 2.0), (2, 4.0), (5, 8.0)]:
            delays = [POLICY.delay(retry, None) for _ in range(200)]
            assert all(0 <= delay <= cap for delay in delays)
            assert max(delays) > cap / 2

    def test_async_variant_follows_the_same_policy(self, sleeps: Sleeps) -> None:
        async def call() -> int:
            with respx.mock:
                route = respx.get(f"{BASE}/x").mock(side_effect=[httpx.Response(502), httpx.Response(204)])
                async with httpx.AsyncClient(base_url=BASE) as client:
                    response = await AsyncRetryingHttp(client, POLICY, sleep=sleeps.asleep).request(
                        "GET", "/x"
                    )
                assert route.call_count == 2
                return response.status_code

        assert asyncio.run(call()) == 204
        assert len(sleeps.delays) == 1

    def test_async_variant_bounds_attempts(self, sleeps: Sleeps) -> None:
        async def call() -> None:
            with respx.mock:
                respx.get(f"{BASE}/x").respond(429)
                async with httpx.AsyncClient(base_url=BASE) as client:
                    await AsyncRetryingHttp(client, POLICY, sleep=sleeps.asleep).request("GET", "/x")

        with pytest.raises(RetriesExhaustedError) as caught:
            asyncio.run(call())
        assert caught.value.status == 429


class TestRetryAfter:
    def test_http_date(self) -> None:
        response = httpx.Response(503, headers={"retry-after": "Wed, 21 Oct 2026 07:28:30 GMT"})
        now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)
        assert retry_after_seconds(response, lambda: now) == 30.0

    def test_garbage_is_ignored(self) -> None:
        assert retry_after_seconds(httpx.Response(503, headers={"retry-after": "soon"})) is None

    def test_absent(self) -> None:
        assert retry_after_seconds(httpx.Response(503)) is None
        assert retry_after_seconds(None) is None
