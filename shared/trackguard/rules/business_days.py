"""Business-day arithmetic (Monday to Friday, in UTC), so that a quiet weekend never looks like a stall.

Time is mapped onto a "business clock" that runs on weekdays and stands still on Saturdays and Sundays;
the business time between two instants is the difference of their clock readings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_A_MONDAY = datetime(1970, 1, 5, tzinfo=UTC)
_WEEK = 7
_WORKING_DAYS_PER_WEEK = 5


def business_days_between(start: datetime, end: datetime) -> float:
    """Weekday time elapsed from ``start`` to ``end``, in days (0 when ``end`` is not after ``start``)."""
    return max(0.0, _business_clock(end) - _business_clock(start))


def _business_clock(moment: datetime) -> float:
    elapsed_days = (moment.astimezone(UTC) - _A_MONDAY) / timedelta(days=1)
    weeks, day_of_week = divmod(elapsed_days, _WEEK)
    return weeks * _WORKING_DAYS_PER_WEEK + min(day_of_week, _WORKING_DAYS_PER_WEEK)
