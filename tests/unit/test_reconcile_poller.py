"""The reconcile worker's poller is built on first use: a cold start fetches no 17TRACK key."""

from datetime import UTC, datetime

import pytest

from trackguard.services.reconcile import PollerOnFirstUse, SilentPoller

NOW = datetime(2026, 11, 3, 15, tzinfo=UTC)


class CountingPoller:
    def __init__(self) -> None:
        self.calls: list[dict[str, datetime | None]] = []

    def poll_silent(self, packages_by_number: dict[str, datetime | None], now: datetime) -> set[str]:
        self.calls.append(packages_by_number)
        return set(packages_by_number)


class Builds:
    def __init__(self, failures: int = 0) -> None:
        self.count = 0
        self.failures = failures
        self.poller = CountingPoller()

    def __call__(self) -> SilentPoller:
        self.count += 1
        if self.count <= self.failures:
            raise ConnectionError("Secrets Manager unreachable")
        return self.poller


def test_nothing_is_built_until_the_first_poll() -> None:
    builds = Builds()

    PollerOnFirstUse(builds)

    assert builds.count == 0


def test_the_poller_is_built_once_and_reused() -> None:
    builds = Builds()
    poller = PollerOnFirstUse(builds)

    first = poller.poll_silent({"1Z1": None}, NOW)
    second = poller.poll_silent({"1Z2": NOW}, NOW)

    assert (first, second, builds.count) == ({"1Z1"}, {"1Z2"}, 1)
    assert builds.poller.calls == [{"1Z1": None}, {"1Z2": NOW}]


def test_a_failed_build_raises_from_the_poll_and_is_tried_again_next_time() -> None:
    builds = Builds(failures=1)
    poller = PollerOnFirstUse(builds)

    with pytest.raises(ConnectionError):
        poller.poll_silent({"1Z1": None}, NOW)

    assert poller.poll_silent({"1Z1": None}, NOW) == {"1Z1"}
    assert builds.count == 2
