"""CUSTOMS_HOLD: the parcel has sat at customs too long, or customs is asking for information.

``state.customs_since`` is set only while the parcel's latest events are customs events, so a release
(any later non-customs event, delivery included) ends the finding. An information request fires at once:
the parcel will not move until someone answers it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import days, iso, package_finding, show_time
from trackguard.rules.facts import OrderFacts


def customs_hold(facts: OrderFacts) -> list[FlagFinding]:
    if facts.is_cancelled:
        return []
    limit = timedelta(days=facts.thresholds.customs_hold_days)
    findings = []
    for package in facts.numbered_packages:
        since = package.state.customs_since
        if since is None:
            continue
        if package.state.customs_information_requested or facts.as_of - since > limit:
            findings.append(_finding(package, since, facts.as_of))
    return findings


def _finding(package: Package, since: datetime, as_of: datetime) -> FlagFinding:
    held = days(as_of - since)
    if package.state.customs_information_requested:
        ask = (
            "Customs is asking for information: contact the carrier and provide it so the parcel is released."
        )
    else:
        ask = "Contact the carrier to find out what customs needs, and keep the buyer informed."
    message = (
        f"Tracking {package.tracking_number} has been held at customs since {show_time(since)} "
        f"({held:g} days). {ask}"
    )
    evidence: Evidence = {
        "customs_since": iso(since),
        "days_at_customs": held,
        "information_requested": package.state.customs_information_requested,
        "carrier_description": package.state.last_description,
    }
    return package_finding(package, FlagCode.CUSTOMS_HOLD, Severity.MEDIUM, message, evidence)
