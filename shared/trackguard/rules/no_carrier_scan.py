"""NO_CARRIER_SCAN: the number was given, but the carrier has not physically handled the parcel.

Amazon counts a number as valid only once it has a physical scan; TikTok names "no tracking update 24 h
after the number was given". A label created (INFO_RECEIVED) is not a scan. The clock starts when
trackguard first saw the number, else when the package was shipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import hours, iso, package_finding, show_time
from trackguard.rules.facts import OrderFacts


def no_carrier_scan(facts: OrderFacts) -> list[FlagFinding]:
    if facts.is_cancelled:
        return []
    limit = timedelta(hours=facts.thresholds.no_carrier_scan_hours)
    findings = []
    for package in facts.numbered_packages:
        since = package.number_first_seen_at or package.shipped_at
        if package.state.first_scan_at is None and since is not None and facts.as_of - since >= limit:
            findings.append(_finding(package, since, facts.as_of))
    return findings


def _finding(package: Package, since: datetime, as_of: datetime) -> FlagFinding:
    waited = hours(as_of - since)
    message = (
        f"Tracking {package.tracking_number} has had no carrier scan in the {waited:g} hours since "
        f"{show_time(since)} (carrier status: {package.state.status.value}). "
        "Hand the parcel to the carrier, or upload the correct number if this one is wrong."
    )
    evidence: Evidence = {
        "number_first_seen_at": iso(since),
        "hours_without_scan": waited,
        "carrier_status": package.state.status.value,
        "declared_carrier": package.declared_carrier,
    }
    return package_finding(package, FlagCode.NO_CARRIER_SCAN, Severity.MEDIUM, message, evidence)
