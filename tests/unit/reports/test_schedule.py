"""The hourly run: which sellers are due at an instant, in their own time zones, and what it queues."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.builders import T0
from trackguard.domain.sellers import Seller
from trackguard.reports.schedule import DueReport, local_report_date, schedule_as_of
from trackguard.services.report_schedule import ReportSchedule


def seller(timezone: str, report_hour: int, seller_id: str = "s") -> Seller:
    return Seller(
        seller_id=seller_id, platform="shopify", created_at=T0, timezone=timezone, report_hour=report_hour
    )


class RecordingJobs:
    def __init__(self) -> None:
        self.queued: list[tuple[list[DueReport], datetime]] = []

    def queue(self, due: list[DueReport], as_of: datetime) -> None:
        self.queued.append((due, as_of))


@pytest.mark.parametrize(
    ("timezone", "as_of", "expected"),
    [
        ("UTC", "2026-11-03T08:00:00+00:00", date(2026, 11, 3)),
        ("UTC", "2026-11-03T08:59:59+00:00", date(2026, 11, 3)),
        ("UTC", "2026-11-03T09:00:00+00:00", None),
        ("Europe/Paris", "2026-11-03T07:30:00+00:00", date(2026, 11, 3)),  # 08:30 CET
        ("Europe/Paris", "2026-07-03T06:30:00+00:00", date(2026, 7, 3)),  # 08:30 CEST
        ("Europe/Paris", "2026-07-03T07:30:00+00:00", None),
        ("America/Los_Angeles", "2026-11-03T16:15:00+00:00", date(2026, 11, 3)),  # 08:15 PST
        ("Asia/Tokyo", "2026-11-02T23:10:00+00:00", date(2026, 11, 3)),  # 08:10 JST, next day
        ("Pacific/Auckland", "2026-11-02T19:00:00+00:00", date(2026, 11, 3)),  # 08:00 NZDT
    ],
)
def test_a_seller_is_due_in_its_report_hour_for_its_local_date(
    timezone: str, as_of: str, expected: date | None
) -> None:
    assert local_report_date(seller(timezone, 8), datetime.fromisoformat(as_of)) == expected


def test_an_unknown_time_zone_falls_back_to_utc() -> None:
    assert local_report_date(seller("Mars/Olympus", 8), datetime(2026, 11, 3, 8, tzinfo=UTC)) == date(
        2026, 11, 3
    )


def test_as_of_comes_from_the_schedule_input_or_the_clock() -> None:
    assert schedule_as_of({"as_of": "2026-11-03T08:00:00Z"}) == datetime(2026, 11, 3, 8, tzinfo=UTC)
    assert schedule_as_of({"as_of": "2026-11-03T08:00:00"}) == datetime(2026, 11, 3, 8, tzinfo=UTC)
    assert schedule_as_of({}, now=lambda: T0) == T0


def test_an_hour_with_no_seller_due_queues_nothing() -> None:
    jobs = RecordingJobs()
    schedule = ReportSchedule(lambda: [seller("UTC", 8), seller("Asia/Tokyo", 8)], lambda _as_of: [], jobs)

    assert schedule.run(datetime(2026, 11, 3, 12, tzinfo=UTC)) == []
    assert jobs.queued == []


def test_each_due_seller_and_each_report_due_again_is_queued_once_as_of_the_run() -> None:
    jobs = RecordingJobs()
    sellers = [seller("UTC", 8, "a"), seller("UTC", 9, "b"), seller("UTC", 8, "c")]
    retries = [("b", date(2026, 11, 2)), ("c", date(2026, 11, 3))]
    asked: list[datetime] = []

    def due_again(as_of: datetime) -> list[tuple[str, date]]:
        asked.append(as_of)
        return retries

    as_of = datetime(2026, 11, 3, 8, 5, tzinfo=UTC)
    due = ReportSchedule(lambda: sellers, due_again, jobs).run(as_of)

    assert due == [
        DueReport("a", date(2026, 11, 3), retry=False),
        DueReport("c", date(2026, 11, 3), retry=False),
        DueReport("b", date(2026, 11, 2), retry=True),
    ]
    assert asked == [as_of]
    assert jobs.queued == [(due, as_of)]


def test_an_inactive_seller_gets_no_report_while_the_others_do() -> None:
    """A Shopify shop that uninstalled the app is inactive until it is back: no report goes out."""
    jobs = RecordingJobs()
    uninstalled = seller("UTC", 8, "gone.myshopify.com").model_copy(update={"active": False})
    schedule = ReportSchedule(lambda: [seller("UTC", 8, "here"), uninstalled], lambda _as_of: [], jobs)

    due = schedule.run(datetime(2026, 11, 3, 8, 0, tzinfo=UTC))

    assert due == [DueReport("here", date(2026, 11, 3), retry=False)]
