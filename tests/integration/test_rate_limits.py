"""The deployment-wide 17TRACK rate: slots reserved in DynamoDB Local by several workers at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from trackguard.storage.dynamo import Table
from trackguard.storage.rate_limits import SharedRateLimit

pytestmark = pytest.mark.integration


class FrozenClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_two_workers_share_one_schedule_of_evenly_spaced_slots(table: Table) -> None:
    clock = FrozenClock(1_000.0)
    first, second = (SharedRateLimit(table, "17track", 4.0, clock) for _ in range(2))

    waits = [limit.reserve() for limit in (first, second, first, second, second, first)]

    assert waits == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]


def test_an_idle_limit_grants_at_once_and_spaces_from_then(table: Table) -> None:
    clock = FrozenClock(1_000.0)
    limit = SharedRateLimit(table, "17track", 2.0, clock)
    limit.reserve()
    clock.now = 1_060.0

    assert [limit.reserve(), limit.reserve()] == [0.0, 0.5]


def test_limits_of_different_names_do_not_share_slots(table: Table) -> None:
    clock = FrozenClock(1_000.0)

    waits = [SharedRateLimit(table, name, 1.0, clock).reserve() for name in ("17track", "other")]

    assert waits == [0.0, 0.0]


def test_concurrent_reservations_from_many_workers_never_share_a_slot(table: Table) -> None:
    clock = FrozenClock(1_000.0)
    workers = [SharedRateLimit(table, "17track", 10.0, clock) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        waits = list(pool.map(lambda n: workers[n % 4].reserve(), range(40)))

    assert sorted(round(wait, 6) for wait in waits) == [round(n * 0.1, 6) for n in range(40)]
