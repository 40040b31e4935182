"""A report built from known flags and planted VTR counters, for the format and delivery tests."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.builders import T0, a_flag
from trackguard.domain.flags import Flag
from trackguard.domain.status import FlagCode, FlagStatus
from trackguard.reports.model import SellerReport
from trackguard.reports.vtr import valid_tracking_rate
from trackguard.services.reports import report_flag, report_links

AS_OF = T0 + timedelta(days=1)  # 2026-11-03 09:00 UTC
SELLER = "shop-1"


def planted_counts() -> dict[date, int]:
    """20 packages a day for 30 days (600; 140 in the last 7)."""
    last = AS_OF.date()
    return {last - timedelta(days=offset): 20 for offset in range(30)}


def planted_invalid() -> list[date]:
    """9 invalid in the last 7 days (131/140 = 93.57 %), 5 more ten days ago (586/600 = 97.67 %)."""
    last = AS_OF.date()
    recent = [last - timedelta(days=n % 7) for n in range(9)]
    older = [last - timedelta(days=10)] * 5
    return recent + older


def known_flags() -> tuple[list[Flag], list[Flag]]:
    open_flags = [
        a_flag(order_id="o-1", package_id="p-1", code=FlagCode.NO_CARRIER_SCAN, detected_at=T0),
        a_flag(order_id="o-2", package_id="p-2", code=FlagCode.NO_CARRIER_SCAN, detected_at=T0),
        a_flag(
            order_id="o-3", package_id="p-3", code=FlagCode.DESTINATION_MISMATCH, detected_at=T0
        ).model_copy(
            update={
                "message": 'Carrier delivers to 10001, buyer is in <95110> & "CA"',
                "evidence": {"carrier_postal_code": "10001", "buyer_postal_code": "95110"},
                "tracking_number": "=HYPERLINK(1)",
            }
        ),
    ]
    resolved = [
        a_flag(order_id="o-4", package_id="p-4", code=FlagCode.INVALID_TRACKING_FORMAT).model_copy(
            update={
                "status": FlagStatus.RESOLVED,
                "resolved_at": AS_OF - timedelta(hours=3),
                "resolution": "number corrected",
            }
        )
    ]
    return open_flags, resolved


def sample_report() -> SellerReport:
    open_flags, resolved = known_flags()
    carriers: dict[tuple[str, str], str | None] = {
        ("o-1", "p-1"): "ups",
        ("o-2", "p-2"): "usps",
        ("o-3", "p-3"): "fedex",
    }
    return SellerReport(
        seller_id=SELLER,
        timezone="America/Los_Angeles",
        report_date=date(2026, 11, 3),
        generated_at=AS_OF,
        as_of=AS_OF,
        counts={"NO_CARRIER_SCAN": 2, "DESTINATION_MISMATCH": 1},
        valid_tracking_rate=valid_tracking_rate(AS_OF, planted_counts(), planted_invalid()),
        open_flags=[report_flag(flag, carriers) for flag in open_flags],
        resolved_flags=[report_flag(flag, carriers) for flag in resolved],
        links=report_links(SELLER),
    )
