"""Valid Tracking Rate arithmetic: valid share of the packages first given a number in a window."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from trackguard.reports.model import VTR_THRESHOLD, ValidTrackingRate, VtrDay, VtrWindow

CHART_DAYS = 30


def window_days(as_of: datetime, days: int = CHART_DAYS) -> list[date]:
    """The UTC days of a window ending with as_of's own day, oldest first."""
    last = as_of.astimezone(UTC).date()
    return [last - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def window_start(as_of: datetime, days: int = CHART_DAYS) -> datetime:
    return datetime.combine(window_days(as_of, days)[0], time(), tzinfo=UTC)


def valid_tracking_rate(
    as_of: datetime, packages_by_day: dict[date, int], invalid_days: Iterable[date]
) -> ValidTrackingRate:
    """``invalid_days``: the UTC day each invalid package was first flagged, one entry per package."""
    invalid_by_day = Counter(invalid_days)
    daily = [
        VtrDay(
            day=day,
            packages=packages_by_day.get(day, 0),
            invalid_packages=invalid_by_day[day],
            rate=_rate(packages_by_day.get(day, 0), invalid_by_day[day]),
        )
        for day in window_days(as_of)
    ]
    return ValidTrackingRate(
        threshold=VTR_THRESHOLD, last_7_days=_window(daily[-7:]), last_30_days=_window(daily), daily=daily
    )


def _window(days: list[VtrDay]) -> VtrWindow:
    packages = sum(day.packages for day in days)
    invalid = sum(day.invalid_packages for day in days)
    rate = _rate(packages, invalid)
    return VtrWindow(
        days=len(days),
        packages=packages,
        invalid_packages=invalid,
        rate=rate,
        meets_threshold=None if rate is None else rate >= VTR_THRESHOLD,
    )


def _rate(packages: int, invalid: int) -> float | None:
    """Invalid flags may outnumber the packages counted (a flag late in the window for a package given
    its number before it): the rate is floored at zero."""
    if packages == 0:
        return None
    return max(packages - invalid, 0) / packages
