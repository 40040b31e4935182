"""When a seller's daily report is due: in its report hour, in its own time zone, for its local date.

Pure scheduling (no storage, no delivery): the hourly schedule (trackguard.services.report_schedule) and
the daily reports (trackguard.services.reports) both run due sellers through ``run_due_reports``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trackguard.observability import logger

if TYPE_CHECKING:
    from trackguard.domain.sellers import Seller

RunOutcome = Literal["delivered", "no_flags", "already_done", "failed"]


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
