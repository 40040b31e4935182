"""DESTINATION_MISMATCH: the carrier is taking (or took) the parcel somewhere other than the buyer's address.

This is how a reused number shows itself (another parcel delivered in another ZIP), and TikTok counts it
against the Valid Tracking Rate, so it keeps firing after delivery. Countries are compared first; postal
codes only when both are known and the countries agree (a carrier that names no country is taken to mean
the buyer's).
"""

from __future__ import annotations

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Destination, Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import package_finding
from trackguard.rules.facts import OrderFacts
from trackguard.rules.postal import normalise_country, postal_codes_match


def destination_mismatch(facts: OrderFacts) -> list[FlagFinding]:
    if facts.order is None or facts.is_cancelled:
        return []
    buyer = facts.order.destination
    return [
        _finding(package, buyer)
        for package in facts.numbered_packages
        if _differs(package.state.destination, buyer)
    ]


def _differs(carrier: Destination, buyer: Destination) -> bool:
    carrier_country = normalise_country(carrier.country)
    buyer_country = normalise_country(buyer.country)
    if carrier_country and buyer_country and carrier_country != buyer_country:
        return True
    if carrier.postal_code is None or buyer.postal_code is None:
        return False
    return not postal_codes_match(carrier.postal_code, buyer.postal_code, buyer_country or carrier_country)


def _finding(package: Package, buyer: Destination) -> FlagFinding:
    carrier = package.state.destination
    verb = "was delivered" if package.state.delivered_at else "is addressed"
    message = (
        f"Tracking {package.tracking_number} {verb} to {_describe(carrier)}, "
        f"but the buyer's address is {_describe(buyer)}. "
        "Check that this is the number of this order's parcel, and upload the correct one if not."
    )
    evidence: Evidence = {
        "carrier_postal_code": carrier.postal_code,
        "carrier_country": carrier.country,
        "buyer_postal_code": buyer.postal_code,
        "buyer_country": buyer.country,
    }
    return package_finding(package, FlagCode.DESTINATION_MISMATCH, Severity.HIGH, message, evidence)


def _describe(destination: Destination) -> str:
    return " ".join(part for part in (destination.postal_code, destination.country) if part)
