"""The hourly report schedule: lists the sellers, and builds the report machinery for the first due one.

Most hourly runs find no seller due, so the report machinery (building, rendering, storing, delivering
by webhook and e-mail, in trackguard.services.reports) is built only for the first due seller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from trackguard.reports.schedule import ReportRun, SellerReports, run_due_reports
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.domain.sellers import Seller
    from trackguard.settings import ReportSettings


class ReportSchedule:
    """The hourly run: lists the sellers, and builds the report machinery for the first due one."""

    def __init__(self, sellers: Callable[[], Iterable[Seller]], build: Callable[[], SellerReports]) -> None:
        self._sellers = sellers
        self._reports = on_first_use(build)

    def run(self, as_of: datetime) -> list[ReportRun]:
        return run_due_reports(self._sellers(), as_of, self)

    def run_for(self, seller: Seller, as_of: datetime, report_date: date) -> ReportRun:
        return self._reports().run_for(seller, as_of, report_date)


def build_report_schedule(settings: ReportSettings | None = None) -> ReportSchedule:
    """The schedule as deployed; the report machinery it builds reads the same settings."""
    from trackguard.settings import ReportSettings
    from trackguard.storage.dynamo import Table
    from trackguard.storage.sellers import SellerRepository

    read = settings or ReportSettings.from_environ()
    sellers = SellerRepository(Table(read.table_name))
    return ReportSchedule(sellers.all, lambda: _daily_reports(read))


def _daily_reports(settings: ReportSettings) -> SellerReports:
    from trackguard.services.reports import build_daily_reports

    return build_daily_reports(settings)
