"""MISSING_TRACKING: a parcel went out without a number, or a paid order still has none.

Shipped means the platform says so (TikTok AWAITING_COLLECTION / IN_TRANSIT / PARTIALLY_SHIPPING,
Shopify fulfilled / partial) or the package itself has a ``shipped_at``. When only the status tells,
the clock starts at the order's ``shipped_at``, else at its last platform update (the latest instant the
shipment can have happened, so the clock never runs early). In a partially shipped order a numberless
package counts as shipped only by its own ``shipped_at``, unless no package carries a number at all.
Once the platform reports the order delivered or completed there is nothing left to fix: no finding.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from trackguard.domain.flags import FlagFinding
from trackguard.domain.orders import Order, Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import hours, iso, seller_center, show_time
from trackguard.rules.facts import OrderFacts, has_number

_SHIPPED = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "FULFILLED"})
_PARTLY_SHIPPED = frozenset({"PARTIALLY_SHIPPING", "PARTIAL"})
_FINISHED = frozenset({"DELIVERED", "COMPLETED"})


def missing_tracking(facts: OrderFacts) -> list[FlagFinding]:
    order = facts.order
    if order is not None and (order.cancelled or _status(order) in _FINISHED):
        return []
    return _shipped_without_number(facts) or _paid_without_number(facts)


def _shipped_without_number(facts: OrderFacts) -> list[FlagFinding]:
    limit = timedelta(hours=facts.thresholds.missing_tracking_shipped_hours)
    order_shipped_at = _order_shipped_at(facts)
    if order_shipped_at is not None and not facts.packages and facts.as_of - order_shipped_at >= limit:
        message = _shipped_message(facts, None, order_shipped_at)
        return [_order_finding(message, "shipped_at", order_shipped_at)]
    findings = []
    for package in facts.packages:
        shipped_at = package.shipped_at or order_shipped_at
        if not has_number(package) and shipped_at is not None and facts.as_of - shipped_at >= limit:
            message = _shipped_message(facts, package, shipped_at)
            findings.append(_package_finding(package, message, "shipped_at", shipped_at))
    return findings


def _paid_without_number(facts: OrderFacts) -> list[FlagFinding]:
    order = facts.order
    if order is None or order.paid_at is None or _order_shipped_at(facts) is not None:
        return []
    if any(has_number(package) or package.shipped_at for package in facts.packages):
        return []
    paid_at = order.paid_at
    if facts.as_of - paid_at < timedelta(hours=facts.thresholds.missing_tracking_paid_hours):
        return []
    message = (
        f"Order {order.order_id} was paid at {show_time(paid_at)}, {hours(facts.as_of - paid_at):g} hours "
        "ago, and has no tracking number yet. "
        f"Ship it and upload its tracking number in {seller_center(order)}."
    )
    if not facts.packages:
        return [_order_finding(message, "paid_at", paid_at)]
    return [_package_finding(package, message, "paid_at", paid_at) for package in facts.packages]


def _order_shipped_at(facts: OrderFacts) -> datetime | None:
    """When the platform's status says the packages shipped (None when it does not say so for all)."""
    order = facts.order
    if order is None:
        return None
    status = _status(order)
    all_numberless = not any(has_number(package) for package in facts.packages)
    if status in _SHIPPED or (status in _PARTLY_SHIPPED and all_numberless):
        return order.shipped_at or order.source_updated_at
    return None


def _status(order: Order) -> str:
    return order.status.strip().upper()


def _shipped_message(facts: OrderFacts, package: Package | None, shipped_at: datetime) -> str:
    subject = f"Package {package.package_id}" if package else "This order"
    return (
        f"{subject} shipped at {show_time(shipped_at)}, {hours(facts.as_of - shipped_at):g} hours ago, "
        f"without a tracking number. Upload its tracking number in {seller_center(facts.order)}."
    )


def _order_finding(message: str, clock: str, since: datetime) -> FlagFinding:
    return FlagFinding(
        code=FlagCode.MISSING_TRACKING,
        severity=Severity.HIGH,
        message=message,
        evidence={clock: iso(since), "packages": 0},
    )


def _package_finding(package: Package, message: str, clock: str, since: datetime) -> FlagFinding:
    return FlagFinding(
        code=FlagCode.MISSING_TRACKING,
        severity=Severity.HIGH,
        message=message,
        evidence={clock: iso(since)},
        package_id=package.package_id,
        tracking_number=None,
    )
