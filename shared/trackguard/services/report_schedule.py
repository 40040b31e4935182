"""The hourly report run: decides which sellers' reports are due and queues one job per seller.

It builds, renders and delivers nothing itself (trackguard.services.reports does, one job at a time, in
the report worker), so no seller's slow or failing channel can hold another seller's report. Due are
the sellers in their report hour (in their own time zone; the job is for that local date) and every
unfinished report whose retry time has come. A job queued twice is harmless: the worker claims the day's
report record before it does anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from trackguard.observability import logger
from trackguard.reports.schedule import DueReport, due_reports

if TYPE_CHECKING:
    from trackguard.domain.sellers import Seller
    from trackguard.settings import ReportScheduleSettings


class JobQueue(Protocol):
    def queue(self, due: list[DueReport], as_of: datetime) -> None:
        """Queue one report job per due report, to be built or delivered as of ``as_of``."""
        ...


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
    """Report jobs as SQS messages (``trackguard.services.reports.ReportJob``), sent in batches.

    The queue client and the job model are imported on the first hour with a report due, not at init.
    """

    def __init__(self, queue_url: str) -> None:
        self._queue_url = queue_url

    def queue(self, due: list[DueReport], as_of: datetime) -> None:
        from trackguard.messaging import MessageQueue
        from trackguard.services.reports import ReportJob

        jobs = [ReportJob(seller_id=d.seller_id, report_date=d.report_date, as_of=as_of) for d in due]
        MessageQueue(self._queue_url).send_all(list(jobs))


def build_report_schedule(settings: ReportScheduleSettings | None = None) -> ReportSchedule:
    """The hourly run as deployed."""
    from trackguard.settings import ReportScheduleSettings
    from trackguard.storage.dynamo import Table
    from trackguard.storage.reports import ReportRecordRepository
    from trackguard.storage.sellers import SellerRepository

    read = settings or ReportScheduleSettings.from_environ()
    table = Table(read.table_name)
    return ReportSchedule(
        SellerRepository(table).all,
        ReportRecordRepository(table).due_again,
        SqsJobQueue(read.report_queue_url),
    )
