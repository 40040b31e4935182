"""Schedule expressions: rate and the common cron forms; the runner fires one period after start."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from trackguard_dev.local.model import ScheduleSpec
from trackguard_dev.local.schedules import ScheduleError, Scheduler, parse_expression, scheduled_event
from trackguard_dev.local.workers import Invocation

START = datetime(2026, 11, 24, 10, 7, 30, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    ("expression", "period"),
    [("rate(1 minute)", 60), ("rate(15 minutes)", 900), ("rate(2 hours)", 7200), ("rate(1 day)", 86400)],
)
def test_rate_fires_one_period_later(expression: str, period: int) -> None:
    assert parse_expression(expression).next_after(START) == START + timedelta(seconds=period)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 12 * * ? *)", datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 11, 24, 10, 15, tzinfo=UTC)),
        ("cron(0 8 ? * MON-FRI *)", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),
        ("cron(30 6 1 * ? *)", datetime(2026, 12, 1, 6, 30, tzinfo=UTC)),
        ("cron(0 0 ? * 1 *)", datetime(2026, 11, 29, 0, 0, tzinfo=UTC)),
        ("cron(5,10 10 * JAN,NOV ? 2026)", datetime(2026, 11, 24, 10, 10, tzinfo=UTC)),
    ],
)
def test_cron_next_fire_time(expression: str, expected: datetime) -> None:
    assert parse_expression(expression).next_after(START) == expected


def test_cron_honours_the_schedule_timezone() -> None:
    schedule = parse_expression("cron(0 9 * * ? *)", "Europe/Berlin")

    assert schedule.next_after(START) == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("expression", ["rate(0 minutes)", "cron(0 12 L * ? *)", "every hour", "cron(* *)"])
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_expression(expression)


def test_the_input_is_the_event_else_a_scheduled_event() -> None:
    with_input = ScheduleSpec("Fn", "Tick", "rate(1 hour)", "UTC", {"as_of": "x"})
    without = ScheduleSpec("Fn", "Tick", "rate(1 hour)", "UTC", None)

    assert scheduled_event(with_input, START) == {"as_of": "x"}
    event = scheduled_event(without, START)
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.scheduler"
    assert event["time"] == "2026-11-24T10:07:30Z"


def test_the_runner_invokes_when_the_first_period_has_passed() -> None:
    invoked = threading.Event()
    calls: list[tuple[str, Any]] = []
    readings = iter([START])

    def clock() -> datetime:
        return next(readings, START + timedelta(minutes=61))

    def invoke(function_id: str, event: Any) -> Invocation:
        calls.append((function_id, event))
        invoked.set()
        return Invocation(True, None)

    scheduler = Scheduler([ScheduleSpec("Fn", "Tick", "rate(1 hour)", "UTC", {"n": 1})], invoke, clock)
    scheduler.start()
    try:
        assert invoked.wait(timeout=10)
    finally:
        scheduler.stop()
    assert calls[0] == ("Fn", {"n": 1})
