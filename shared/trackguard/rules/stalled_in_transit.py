"""STALLED_IN_TRANSIT: a scanned parcel has had no carrier news for too many business days.

Only weekdays count (see business_days), so a quiet weekend never raises a wave of flags. Cross-border
parcels get a longer window. Parcels held at customs are CUSTOMS_HOLD's business, and delivered or
returned parcels are not in transit.
"""

from __future__ import annotations

from datetime import datetime

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Package
from trackguard.domain.status import ExceptionReason, FlagCode, Severity, TrackingStatus
from trackguard.rules.business_days import business_days_between
from trackguard.rules.common import iso, package_finding, show_time
from trackguard.rules.facts import OrderFacts
from trackguard.rules.postal import normalise_country

_CROSS_BORDER_CARRIERS = frozenset({"yunexpress", "cainiao", "4px", "yanwen"})
_CHINESE_POSTS_AND_EXPRESS = frozenset({"china_post", "sf_express"})


def stalled_in_transit(facts: OrderFacts) -> list[FlagFinding]:
    if facts.is_cancelled:
        return []
    buyer_country = normalise_country(facts.order.destination.country) if facts.order else None
    findings = []
    for package in facts.numbered_packages:
        last_event_at = package.state.last_event_at
        if last_event_at is None or not _in_transit(package):
            continue
        cross_border = is_cross_border(package, buyer_country)
        limit = _limit(facts, cross_border=cross_border)
        quiet = business_days_between(last_event_at, facts.as_of)
        if quiet >= limit:
            findings.append(_finding(package, last_event_at, quiet, cross_border=cross_border))
    return findings


def is_cross_border(package: Package, buyer_country: str | None) -> bool:
    """Origin country against destination country; when either is unknown, what the carrier implies."""
    origin = normalise_country(package.state.origin_country)
    destination = buyer_country or normalise_country(package.state.destination.country)
    if origin and destination:
        return origin != destination
    carrier = package.detected_carrier or package.declared_carrier
    if carrier in _CHINESE_POSTS_AND_EXPRESS:
        return destination != "CN"
    return carrier in _CROSS_BORDER_CARRIERS


def _in_transit(package: Package) -> bool:
    state = package.state
    returned = state.status is TrackingStatus.EXCEPTION and state.reason is ExceptionReason.RETURNED
    return (
        state.first_scan_at is not None
        and state.delivered_at is None
        and state.customs_since is None
        and not returned
    )


def _limit(facts: OrderFacts, *, cross_border: bool) -> int:
    thresholds = facts.thresholds
    return (
        thresholds.stalled_cross_border_business_days
        if cross_border
        else thresholds.stalled_domestic_business_days
    )


def _finding(package: Package, last_event_at: datetime, quiet: float, *, cross_border: bool) -> FlagFinding:
    quiet_days = round(quiet, 1)
    journey = "cross-border" if cross_border else "domestic"
    message = (
        f"Tracking {package.tracking_number} has had no carrier update for {quiet_days:g} business days "
        f"(last: {package.state.last_description or package.state.status.value} at "
        f"{show_time(last_event_at)}). Ask the carrier where the parcel is, and keep the buyer informed."
    )
    evidence: Evidence = {
        "last_event_at": iso(last_event_at),
        "business_days_without_update": quiet_days,
        "journey": journey,
        "carrier_status": package.state.status.value,
        "last_location": package.state.last_location,
    }
    return package_finding(package, FlagCode.STALLED_IN_TRANSIT, Severity.MEDIUM, message, evidence)
