"""CARRIER_MISMATCH: the number is valid only for a carrier other than the declared one.

The marketplace then sends the buyer to the wrong carrier's tracking page, and counts the number as
invalid. Related services (DHL Express / DHL eCommerce, posts handing over S10 mail) are not a mismatch:
`judge_number` calls those PLAUSIBLE. A carrier scan does not end this finding: the events do not say
which carrier scanned, and the declared carrier stays wrong on the marketplace until it is changed.
"""

from __future__ import annotations

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Order, Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import package_finding, seller_center
from trackguard.rules.facts import OrderFacts
from trackguard.tracking import NumberVerdict, VerdictKind, display_name, judge_number


def carrier_mismatch(facts: OrderFacts) -> list[FlagFinding]:
    if facts.is_cancelled:
        return []
    findings = []
    for package in facts.numbered_packages:
        verdict = judge_number(package.tracking_number or "", package.declared_carrier)
        if verdict.kind is VerdictKind.CARRIER_MISMATCH:
            findings.append(_finding(package, verdict, facts.order))
    return findings


def _finding(package: Package, verdict: NumberVerdict, order: Order | None) -> FlagFinding:
    likely = display_name(verdict.detected_carriers[0])
    declared = display_name(verdict.declared_carrier)
    message = (
        f"Tracking {verdict.explanation()} "
        f"In {seller_center(order)}, change the carrier to {likely}, or upload the {declared} number."
    )
    evidence: Evidence = {
        "normalized_number": verdict.normalized,
        "declared_carrier": verdict.declared_carrier,
        "detected_carriers": ",".join(verdict.detected_carriers),
    }
    return package_finding(package, FlagCode.CARRIER_MISMATCH, Severity.HIGH, message, evidence)
