"""EventBridge schedules: ``rate(...)`` and ``cron(...)`` expressions firing functions on time.

Cron covers the six AWS fields with ``*``, ``?``, values, names, ranges, lists and ``/`` steps; the
``L``, ``W`` and ``#`` forms are not supported (such a schedule is refused when the stack starts).
A schedule first fires one period after the stack starts, never at once.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from trackguard_dev.local.model import ScheduleSpec
from trackguard_dev.local.template import ACCOUNT_ID, REGION
from trackguard_dev.local.workers import Invocation

log = logging.getLogger(__name__)

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
_SEARCH_LIMIT = timedelta(days=366 * 5)


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    period: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.period


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    years: frozenset[int] | None
    timezone: ZoneInfo

    def next_after(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.timezone).replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = local + _SEARCH_LIMIT
        while local < limit:
            if not self._day_matches(local):
                local = (local + timedelta(days=1)).replace(hour=0, minute=0)
            elif local.hour not in self.hours:
                local = (local + timedelta(hours=1)).replace(minute=0)
            elif local.minute not in self.minutes:
                local += timedelta(minutes=1)
            else:
                return local.astimezone(UTC)
        raise ScheduleError("the cron expression never fires")

    def _day_matches(self, moment: datetime) -> bool:
        weekday = (moment.isoweekday() % 7) + 1  # AWS: 1 = Sunday … 7 = Saturday
        return (
            moment.month in self.months
            and (self.years is None or moment.year in self.years)
            and (self.days_of_month is None or moment.day in self.days_of_month)
            and (self.days_of_week is None or weekday in self.days_of_week)
        )


def parse_expression(expression: str, timezone: str = "UTC") -> Rate | Cron:
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if count < 1:
            raise ScheduleError(f"{expression}: the rate must be positive")
        return Rate(timedelta(seconds=count * _UNITS[unit]))
    cron = _CRON.match(text)
    if not cron:
        raise ScheduleError(f"{expression}: not a rate(...) or cron(...) expression")
    return _parse_cron(expression, cron.group(1).split(), ZoneInfo(timezone))


def _parse_cron(expression: str, fields: list[str], timezone: ZoneInfo) -> Cron:
    if len(fields) != 6:
        raise ScheduleError(f"{expression}: cron needs six fields")
    minutes, hours, days_of_month, months, days_of_week, years = fields
    return Cron(
        minutes=_field(minutes, 0, 59),
        hours=_field(hours, 0, 23),
        days_of_month=None if days_of_month in ("*", "?") else _field(days_of_month, 1, 31),
        months=_field(months, 1, 12, _MONTHS),
        days_of_week=None if days_of_week in ("*", "?") else _field(days_of_week, 1, 7, _DAYS),
        years=None if years in ("*", "?") else _field(years, 1970, 2199),
        timezone=timezone,
    )


def _field(text: str, low: int, high: int, names: list[str] | None = None) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        values |= _part(part, low, high, names)
    return frozenset(values)


def _part(part: str, low: int, high: int, names: list[str] | None) -> set[int]:
    base, _, step_text = part.partition("/")
    step = int(step_text) if step_text else 1
    if base in ("*", "?"):
        start, end = low, high
    elif "-" in base:
        first, last = base.split("-", 1)
        start, end = _value(first, names, low), _value(last, names, low)
    else:
        start = _value(base, names, low)
        end = high if step_text else start
    if not low <= start <= high or not low <= end <= high or step < 1:
        raise ScheduleError(f"cron field part {part} is outside {low}-{high}")
    return set(range(start, end + 1, step))


def _value(text: str, names: list[str] | None, low: int) -> int:
    if names and text in names:
        return names.index(text) + low
    if not text.isdigit():
        raise ScheduleError(f"cron value {text} is not supported locally")
    return int(text)


def scheduled_event(spec: ScheduleSpec, fired_at: datetime) -> Any:
    """The schedule's Input, or the event EventBridge sends when there is none."""
    if spec.input is not None:
        return spec.input
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": spec.source,
        "account": ACCOUNT_ID,
        "time": fired_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [_schedule_arn(spec)],
        "detail": {},
    }


def _schedule_arn(spec: ScheduleSpec) -> str:
    if spec.source == "aws.scheduler":
        return f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{spec.function_id}-{spec.event_id}"
    return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{spec.function_id}-{spec.event_id}"


class Scheduler:
    """One thread per schedule, sleeping until the next fire time."""

    def __init__(
        self,
        specs: list[ScheduleSpec],
        invoke: Callable[[str, Any], Invocation],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._schedules = [(spec, parse_expression(spec.expression, spec.timezone)) for spec in specs]
        self._invoke = invoke
        self._clock = clock
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for spec, expression in self._schedules:
            thread = threading.Thread(
                target=self._run, args=(spec, expression), name=f"schedule-{spec.event_id}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=5)

    def _run(self, spec: ScheduleSpec, expression: Rate | Cron) -> None:
        due = expression.next_after(self._clock())
        while not self._stopping.wait(max(0.0, (due - self._clock()).total_seconds())):
            if self._clock() < due:
                continue
            result = self._invoke(spec.function_id, scheduled_event(spec, due))
            if not result.ok:
                log.warning("schedule %s of %s failed: %s", spec.event_id, spec.function_id, result.payload)
            due = expression.next_after(due)
