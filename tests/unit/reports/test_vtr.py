"""Valid Tracking Rate arithmetic on planted daily counters and invalid packages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.reports.sample import AS_OF, planted_counts, planted_invalid
from trackguard.reports.vtr import valid_tracking_rate, window_days, window_start


def test_windows_are_the_utc_days_ending_with_as_of() -> None:
    days = window_days(AS_OF)
    assert len(days) == 30
    assert days[-1] == date(2026, 11, 3)
    assert days[0] == date(2026, 10, 5)
    assert window_start(AS_OF) == datetime(2026, 10, 5, tzinfo=UTC)


def test_seven_and_thirty_day_rates_against_the_threshold() -> None:
    vtr = valid_tracking_rate(AS_OF, planted_counts(), planted_invalid())
    assert (vtr.last_7_days.packages, vtr.last_7_days.invalid_packages) == (140, 9)
    assert vtr.last_7_days.rate == pytest.approx(131 / 140)
    assert vtr.last_7_days.meets_threshold is False
    assert (vtr.last_30_days.packages, vtr.last_30_days.invalid_packages) == (600, 14)
    assert vtr.last_30_days.rate == pytest.approx(586 / 600)
    assert vtr.last_30_days.meets_threshold is True
    assert vtr.threshold == 0.95


def test_daily_rates_cover_thirty_days_and_show_the_bad_day() -> None:
    vtr = valid_tracking_rate(AS_OF, planted_counts(), planted_invalid())
    by_day = {day.day: day for day in vtr.daily}
    assert [day.day for day in vtr.daily] == window_days(AS_OF)
    assert by_day[AS_OF.date() - timedelta(days=10)].rate == pytest.approx(15 / 20)
    assert by_day[AS_OF.date() - timedelta(days=20)].rate == 1.0


def test_no_packages_means_no_rate_rather_than_a_perfect_one() -> None:
    vtr = valid_tracking_rate(AS_OF, {}, [])
    assert vtr.last_7_days.rate is None
    assert vtr.last_7_days.meets_threshold is None
    assert all(day.rate is None for day in vtr.daily)


def test_more_invalid_than_counted_floors_at_zero() -> None:
    today = AS_OF.date()
    invalid = [today] * 3
    vtr = valid_tracking_rate(AS_OF, {today: 2}, invalid)
    assert vtr.last_7_days.rate == 0.0
