"""Small helpers every rule shares: building a finding, and writing times and durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Order, Package, Platform
from trackguard.domain.status import FlagCode, Severity


def package_finding(
    package: Package,
    code: FlagCode,
    severity: Severity,
    message: str,
    evidence: Evidence,
) -> FlagFinding:
    return FlagFinding(
        code=code,
        severity=severity,
        message=message,
        evidence=evidence,
        package_id=package.package_id,
        tracking_number=package.tracking_number,
    )


def iso(moment: datetime) -> str:
    return moment.isoformat()


def hours(duration: timedelta) -> float:
    return round(duration / timedelta(hours=1), 1)


def days(duration: timedelta) -> float:
    return round(duration / timedelta(days=1), 1)


def show_time(moment: datetime) -> str:
    """A time as a seller reads it in a message."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


_SELLER_CENTERS = {Platform.TIKTOK_SHOP: "TikTok Seller Center", Platform.SHOPIFY: "your Shopify admin"}


def seller_center(order: Order | None) -> str:
    """Where the seller edits the order's tracking, for messages."""
    return _SELLER_CENTERS[order.platform] if order else "your seller center"
