"""SCAN_BEFORE_ORDER: the carrier knew this number well before the buyer ordered.

A label cannot be made for an order that does not exist yet: the number belongs to another parcel
(a reused label). TikTok's tracking validation flags events more than 24 h before the order was placed.
This stays true after delivery, so it keeps firing until the number is replaced.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import hours, iso, package_finding, show_time
from trackguard.rules.facts import OrderFacts


def scan_before_order(facts: OrderFacts) -> list[FlagFinding]:
    order = facts.order
    if order is None or order.cancelled:
        return []
    limit = timedelta(hours=facts.thresholds.scan_before_order_hours)
    findings = []
    for package in facts.numbered_packages:
        first_event_at = package.state.first_event_at
        if first_event_at is not None and order.created_at - first_event_at > limit:
            findings.append(_finding(package, first_event_at, order.created_at))
    return findings


def _finding(package: Package, first_event_at: datetime, ordered_at: datetime) -> FlagFinding:
    lead = hours(ordered_at - first_event_at)
    message = (
        f"The carrier's first event for tracking {package.tracking_number} "
        f"is at {show_time(first_event_at)}, "
        f"{lead:g} hours before the order was placed at {show_time(ordered_at)}. "
        "This number seems to belong to another parcel: upload the number of this order's parcel."
    )
    evidence: Evidence = {
        "first_event_at": iso(first_event_at),
        "order_created_at": iso(ordered_at),
        "hours_before_order": lead,
    }
    return package_finding(package, FlagCode.SCAN_BEFORE_ORDER, Severity.HIGH, message, evidence)
