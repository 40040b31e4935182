"""When a seller's daily report is due: in its report hour, in its own time zone, for its local date.

Pure scheduling (no storage, no delivery): the hourly run (trackguard.services.report_schedule) queues a
job for each report ``due_reports`` names; the report jobs (trackguard.services.reports) build and
deliver them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trackguard.observability import logger

if TYPE_CHECKING:
    from trackguard.domain.sellers import Seller


@dataclass(frozen=True)
class DueReport:
    seller_id: str
    report_date: date
    retry: bool


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
    """New reports of the active sellers in their report hour (an uninstalled Shopify shop gets none),
    then the retries; each (seller, date) once."""
    due: dict[tuple[str, date], DueReport] = {}
    for seller in sellers:
        report_date = local_report_date(seller, as_of)
        if report_date is not None and seller.active:
            due[(seller.seller_id, report_date)] = DueReport(seller.seller_id, report_date, retry=False)
    for seller_id, report_date in retries:
        due.setdefault((seller_id, report_date), DueReport(seller_id, report_date, retry=True))
    return list(due.values())
