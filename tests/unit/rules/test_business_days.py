"""Business days count weekday time only, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trackguard.rules.business_days import business_days_between

MONDAY_9 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FRIDAY_9 = MONDAY_9 + timedelta(days=4)
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MONDAY_9, MONDAY_9 + timedelta(hours=12), 0.5),
        (MONDAY_9, FRIDAY_9, 4),
        (FRIDAY_9, FRIDAY_9 + timedelta(days=3), 1),  # Friday 09:00 to Monday 09:00
        (FRIDAY_9, FRIDAY_9 + timedelta(days=7), 5),
        (MONDAY_9, MONDAY_9 + timedelta(days=14), 10),
    ],
)
def test_counts_weekday_time(start: datetime, end: datetime, expected: float) -> None:
    assert business_days_between(start, end) == pytest.approx(expected)


def test_a_weekend_adds_nothing() -> None:
    saturday_morning = datetime(2026, 11, 7, 1, 0, tzinfo=UTC)
    sunday_night = datetime(2026, 11, 8, 23, 0, tzinfo=UTC)

    assert business_days_between(saturday_morning, sunday_night) == 0


def test_from_a_weekend_the_clock_starts_on_monday() -> None:
    saturday = datetime(2026, 11, 7, 15, 0, tzinfo=UTC)
    monday_noon = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)

    assert business_days_between(saturday, monday_noon) == pytest.approx(0.5)


def test_weekdays_are_judged_in_utc() -> None:
    friday_23_utc = datetime(2026, 11, 6, 23, 0, tzinfo=UTC)
    same_instant_in_tokyo = friday_23_utc.astimezone(timezone(timedelta(hours=9)))  # Saturday 08:00 local

    assert business_days_between(same_instant_in_tokyo, friday_23_utc + timedelta(hours=1)) == pytest.approx(
        1 / 24
    )


def test_never_negative() -> None:
    assert business_days_between(FRIDAY_9, MONDAY_9) == 0


@given(instants, st.integers(min_value=0, max_value=5000))
def test_never_more_than_calendar_time(start: datetime, minutes: int) -> None:
    end = start + timedelta(minutes=minutes)

    assert business_days_between(start, end) <= (end - start) / timedelta(days=1) + 1e-9


@given(instants, instants, instants)
def test_adds_up_along_the_way(a: datetime, b: datetime, c: datetime) -> None:
    first, middle, last = sorted((a, b, c))

    total = business_days_between(first, middle) + business_days_between(middle, last)

    assert business_days_between(first, last) == pytest.approx(total, abs=1e-6)


@given(instants)
def test_a_whole_week_is_five_business_days(start: datetime) -> None:
    assert business_days_between(start, start + timedelta(days=7)) == pytest.approx(5, abs=1e-6)
