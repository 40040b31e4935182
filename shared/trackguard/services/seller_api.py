"""What a seller may read and do about its own orders, flags and reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from trackguard.domain.status import FlagCode, FlagStatus
from trackguard.errors import NotFoundError
from trackguard.reports.formats import REPORT_CONTENT_TYPES, ReportFormat
from trackguard.storage.keys import is_key_part
from trackguard.storage.reports import ReportStore
from trackguard.storage.store import Store
from trackguard.views.flags import FlagOut, FlagPageOut, FlagStatusFilter
from trackguard.views.orders import OrderOut, PackageOut

if TYPE_CHECKING:
    from trackguard.settings import SellerApiSettings


class OrderNotFoundError(NotFoundError):
    pass


class ReportNotFoundError(NotFoundError):
    pass


@dataclass(frozen=True)
class ReportDocument:
    report_date: str
    content_type: str
    body: bytes
    filename: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SellerApiService:
    def __init__(self, store: Store, reports: ReportStore, now: Callable[[], datetime] = _utc_now) -> None:
        self._store = store
        self._reports = reports
        self._now = now

    def order(self, seller_id: str, order_id: str) -> OrderOut:
        """The order whole (one query), plus each tracking number's events for the timelines.

        An order id that could not be part of a key (it holds ``#``) names no order: 404, no read."""
        if not is_key_part(order_id):
            raise OrderNotFoundError(f"no order {order_id} for seller {seller_id}")
        view = self._store.orders.view(seller_id, order_id)
        if view.order is None:
            raise OrderNotFoundError(f"no order {order_id} for seller {seller_id}")
        packages = [
            PackageOut.of(
                package,
                list(self._store.tracking.load(package.tracking_number).events)
                if package.tracking_number
                else [],
            )
            for package in view.packages
        ]
        return OrderOut.of(view.order, packages, list(view.flags))

    def flags(
        self,
        seller_id: str,
        status: FlagStatusFilter,
        code: FlagCode | None,
        limit: int,
        cursor: str | None,
    ) -> FlagPageOut:
        """A page of flags, newest first. Raises InvalidCursorError for a cursor not made here."""
        wanted = None if status == "all" else FlagStatus(status)
        page = self._store.flags.list(seller_id, wanted, code=code, limit=limit, cursor=cursor)
        return FlagPageOut(flags=[FlagOut.from_flag(flag) for flag in page.flags], next_cursor=page.cursor)

    def acknowledge(self, seller_id: str, flag_id: str) -> FlagOut:
        """Raises FlagNotFoundError for a flag this seller does not have."""
        return FlagOut.from_flag(self._store.flags.acknowledge(seller_id, flag_id, self._now()))

    def latest_report(self, seller_id: str, report_format: ReportFormat) -> ReportDocument:
        report = self._reports.latest(seller_id, report_format)
        if report is None:
            raise ReportNotFoundError(f"no {report_format} report for seller {seller_id} yet")
        return ReportDocument(
            report_date=report.report_date,
            content_type=REPORT_CONTENT_TYPES[report_format],
            body=report.body,
            filename=f"trackguard-{seller_id}-{report.report_date}.{report_format}",
        )


def build_seller_api(settings: SellerApiSettings | None = None) -> SellerApiService:
    """The seller API's service as deployed: the table's store and the reports bucket."""
    from trackguard.settings import SellerApiSettings

    settings = settings or SellerApiSettings.from_environ()
    return SellerApiService(
        Store.for_table_name(settings.table_name, settings.due_index_shards),
        ReportStore(settings.reports_bucket),
    )
