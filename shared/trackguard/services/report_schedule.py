"""The hourly report run: decides which sellers' reports are due and queues one job per seller.

It builds, renders and delivers nothing itself (trackguard.services.reports does, one job at a time, in
the report worker), so no seller's slow or failing channel can hold another seller's report. Due are
the sellers in their report hour (in their own time zone; the job is for that local date) and every
unfinished report whose retry time has come. A job queued twice is harmless: the worker claims the day's
report record before it does anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trackguard.observability import logger

if TYPE_CHECKING:
    from trackguard.domain.sellers import Seller
    from trackguard.settings import Settings


@dataclass(frozen=True)
class DueReport:
    seller_id: str
    report_date: date
    retry: bool


class JobQueue(Protocol):
    def queue(self, due: list[DueReport], as_of: datetime) -> None:
        """Queue one report job per due report, to be built or delivered as of ``as_of``."""
        ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def schedule_as_of(event: Mapping[str, Any], now: Callable[[], datetime] = utc_now) -> datetime:
    """The schedule's optional ``as_of`` (ISO-8601; a naive time is UTC), else now."""
    value = event.get("as_of")
    if not value:
        return now()
    as_of = datetime.fromisoformat(str(value))
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)


def local_report_date(seller: Seller, as_of: datetime) -> date | None:
    """The seller's local date when as_of is in its report hour, else None."""
    local = as_of.astimezone(seller_zone(seller))
    return local.date() if local.hour == seller.report_hour else None


def seller_zone(seller: Seller) -> ZoneInfo:
    try:
        return ZoneInfo(seller.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown seller time zone, using UTC", extra={"seller_id": seller.seller_id})
        return ZoneInfo("UTC")


def due_reports(
    sellers: Iterable[Seller], retries: Iterable[tuple[str, date]], as_of: datetime
) -> list[DueReport]:
    """New reports of the sellers in their report hour, then the retries; each (seller, date) once."""
    due: dict[tuple[str, date], DueReport] = {}
    for seller in sellers:
        report_date = local_report_date(seller, as_of)
        if report_date is not None:
            due[(seller.seller_id, report_date)] = DueReport(seller.seller_id, report_date, retry=False)
    for seller_id, report_date in retries:
        due.setdefault((seller_id, report_date), DueReport(seller_id, report_date, retry=True))
    return list(due.values())


class ReportSchedule:
    """The hourly run: lists the sellers and the reports due again, and queues a job for each."""

    def __init__(
        self,
        sellers: Callable[[], Iterable[Seller]],
        retries: Callable[[datetime], Iterable[tuple[str, date]]],
        jobs: JobQueue,
    ) -> None:
        self._sellers = sellers
        self._retries = retries
        self._jobs = jobs

    def run(self, as_of: datetime) -> list[DueReport]:
        due = due_reports(self._sellers(), self._retries(as_of), as_of)
        if due:
            self._jobs.queue(due, as_of)
        logger.info(
            "report jobs queued",
            extra={
                "as_of": as_of.isoformat(),
                "new": sum(not d.retry for d in due),
                "retries": sum(d.retry for d in due),
            },
        )
        return due


class SqsJobQueue:
    """Report jobs as SQS messages (``trackguard.services.reports.ReportJob``), sent in batches."""

    def __init__(self, queue_url: str) -> None:
        self._queue_url = queue_url

    def queue(self, due: list[DueReport], as_of: datetime) -> None:
        from trackguard.messaging import MessageQueue
        from trackguard.services.reports import ReportJob

        jobs = [ReportJob(seller_id=d.seller_id, report_date=d.report_date, as_of=as_of) for d in due]
        MessageQueue(self._queue_url).send_all(list(jobs))


def report_schedule_from_settings(settings: Settings) -> ReportSchedule:
    from trackguard.storage.dynamo import Table
    from trackguard.storage.reports import ReportRecordRepository
    from trackguard.storage.sellers import SellerRepository

    table = Table(settings.table_name)
    return ReportSchedule(
        SellerRepository(table).all,
        ReportRecordRepository(table).due_again,
        SqsJobQueue(settings.report_queue_url),
    )
