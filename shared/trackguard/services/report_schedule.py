"""The hourly report schedule: which sellers are due at an instant, in their own time zones.

Most hourly runs find no seller due, so the report machinery (building, rendering, storing, delivering
by webhook and e-mail, in trackguard.services.reports) is built only for the first due seller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trackguard.observability import logger

if TYPE_CHECKING:
    from trackguard.domain.sellers import Seller
    from trackguard.settings import Settings

RunOutcome = Literal["delivered", "no_flags", "already_done", "shop_deauthorized", "failed"]


@dataclass(frozen=True)
class ReportRun:
    seller_id: str
    report_date: date
    outcome: RunOutcome


class SellerReports(Protocol):
    def run_for(self, seller: Seller, as_of: datetime, report_date: date) -> ReportRun:
        """Build, store and deliver one due seller's report for its local report date."""
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


def run_due_reports(sellers: Iterable[Seller], as_of: datetime, reports: SellerReports) -> list[ReportRun]:
    """Every seller whose report hour it is at as_of; one seller's failure does not stop the rest."""
    runs: list[ReportRun] = []
    for seller in sellers:
        report_date = local_report_date(seller, as_of)
        if report_date is None:
            continue
        try:
            runs.append(reports.run_for(seller, as_of, report_date))
        except Exception:
            logger.exception("seller report failed", extra={"seller_id": seller.seller_id})
            runs.append(ReportRun(seller.seller_id, report_date, "failed"))
    return runs


class ReportSchedule:
    """The hourly run: lists the sellers, and builds the report machinery for the first due one."""

    def __init__(self, sellers: Callable[[], Iterable[Seller]], build: Callable[[], SellerReports]) -> None:
        self._sellers = sellers
        self._build = build

    @cached_property
    def _reports(self) -> SellerReports:
        return self._build()

    def run(self, as_of: datetime) -> list[ReportRun]:
        return run_due_reports(self._sellers(), as_of, self)

    def run_for(self, seller: Seller, as_of: datetime, report_date: date) -> ReportRun:
        return self._reports.run_for(seller, as_of, report_date)


def report_schedule_from_settings(settings: Settings) -> ReportSchedule:
    from trackguard.storage.dynamo import Table
    from trackguard.storage.sellers import SellerRepository

    sellers = SellerRepository(Table(settings.table_name))
    return ReportSchedule(sellers.all, lambda: _daily_reports(settings))


def _daily_reports(settings: Settings) -> SellerReports:
    from trackguard.services.reports import daily_reports_from_settings

    return daily_reports_from_settings(settings)
