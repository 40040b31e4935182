"""The hourly schedule: which sellers are due at an instant, in their own time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.builders import T0
from trackguard.domain.sellers import Seller
from trackguard.reports.schedule import ReportRun, SellerReports, local_report_date, schedule_as_of
from trackguard.services.report_schedule import ReportSchedule


def seller(timezone: str, report_hour: int, seller_id: str = "s") -> Seller:
    return Seller(
        seller_id=seller_id, platform="shopify", created_at=T0, timezone=timezone, report_hour=report_hour
    )


class RecordingReports:
    def __init__(self, failing: str | None = None) -> None:
        self.runs: list[tuple[str, date]] = []
        self.failing = failing

    def run_for(self, due: Seller, as_of: datetime, report_date: date) -> ReportRun:
        if due.seller_id == self.failing:
            raise ConnectionError("S3 unreachable")
        self.runs.append((due.seller_id, report_date))
        return ReportRun(due.seller_id, report_date, "delivered")


class Builds:
    def __init__(self, reports: RecordingReports) -> None:
        self.count = 0
        self.reports = reports

    def __call__(self) -> SellerReports:
        self.count += 1
        return self.reports


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


def test_an_hour_with_no_seller_due_builds_no_report_machinery() -> None:
    builds = Builds(RecordingReports())
    schedule = ReportSchedule(lambda: [seller("UTC", 8), seller("Asia/Tokyo", 8)], builds)

    assert schedule.run(datetime(2026, 11, 3, 12, tzinfo=UTC)) == []
    assert builds.count == 0


def test_the_machinery_is_built_once_for_the_due_sellers_and_a_failure_stops_no_other() -> None:
    builds = Builds(RecordingReports(failing="b"))
    sellers = [seller("UTC", 8, "a"), seller("UTC", 8, "b"), seller("UTC", 9, "c"), seller("UTC", 8, "d")]
    schedule = ReportSchedule(lambda: sellers, builds)

    runs = schedule.run(datetime(2026, 11, 3, 8, tzinfo=UTC))

    assert [(run.seller_id, run.outcome) for run in runs] == [
        ("a", "delivered"),
        ("b", "failed"),
        ("d", "delivered"),
    ]
    assert builds.count == 1
