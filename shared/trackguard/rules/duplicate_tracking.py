"""DUPLICATE_TRACKING: the same number is on another order, of this seller or any other.

One parcel, one number: a number on two orders means at least one of them did not get its own parcel
(marketplaces name duplicate numbers as fake shipping). The exception is orders the platform itself
combined into this package (TikTok PACKAGE_UPDATE COMBINE). Delivery does not end it: a delivered
number reused elsewhere is exactly the abuse.
"""

from __future__ import annotations

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.numbers import normalize_number
from trackguard.domain.orders import Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import package_finding
from trackguard.rules.facts import OrderFacts

OrderRef = tuple[str, str]


def duplicate_tracking(facts: OrderFacts) -> list[FlagFinding]:
    if facts.is_cancelled:
        return []
    elsewhere = {normalize_number(number): refs for number, refs in facts.numbers_elsewhere.items()}
    findings = []
    for package in facts.numbered_packages:
        others = _uncombined(package, elsewhere.get(normalize_number(package.tracking_number or ""), ()))
        if others:
            findings.append(_finding(package, others))
    return findings


def _uncombined(package: Package, refs: tuple[OrderRef, ...]) -> list[OrderRef]:
    """The other orders that share the number without being combined with this one by the platform."""
    return sorted(
        {
            (seller_id, order_id)
            for seller_id, order_id in refs
            if not _same_parcel(package, seller_id, order_id)
        }
    )


def _same_parcel(package: Package, seller_id: str, order_id: str) -> bool:
    return seller_id == package.seller_id and (
        order_id == package.order_id or order_id in package.combined_order_ids
    )


def _finding(package: Package, others: list[OrderRef]) -> FlagFinding:
    own = [order_id for seller_id, order_id in others if seller_id == package.seller_id]
    foreign = len(others) - len(own)
    places = [f"order {order_id}" for order_id in own]
    if foreign:
        places.append(f"{foreign} order(s) of other sellers")
    message = (
        f"Tracking {package.tracking_number} is also on {', '.join(places)}. "
        "Each order needs its own parcel's number: upload the correct number for this order."
    )
    evidence: Evidence = {
        "other_orders_of_this_seller": ",".join(own),
        "orders_of_other_sellers": foreign,
    }
    return package_finding(package, FlagCode.DUPLICATE_TRACKING, Severity.HIGH, message, evidence)
