"""DELIVERY_EXCEPTION: the carrier reports a problem — an exception, a failed delivery, a return.

Judged on the parcel's current status, so a later delivery ends it. An exception whose reason is customs
belongs to CUSTOMS_HOLD. Loss, damage and a completed return need a reshipment or refund: high severity.
"""

from __future__ import annotations

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Package
from trackguard.domain.status import ExceptionReason, FlagCode, Severity, TrackingStatus
from trackguard.rules.common import iso, package_finding
from trackguard.rules.facts import OrderFacts

_SEVERE = frozenset({ExceptionReason.LOST, ExceptionReason.DAMAGED, ExceptionReason.RETURNED})

_NEXT_STEP = {
    ExceptionReason.LOST: "Open a claim with the carrier and reship or refund the buyer.",
    ExceptionReason.DAMAGED: "Open a claim with the carrier and reship or refund the buyer.",
    ExceptionReason.RETURNING: "Contact the buyer to confirm the address, then reship once it is back.",
    ExceptionReason.RETURNED: "The parcel is back with you: contact the buyer to reship or refund.",
    ExceptionReason.REFUSED: "The buyer refused the parcel: contact the buyer before it is returned.",
    ExceptionReason.ADDRESS_PROBLEM: "Confirm the address with the buyer and give it to the carrier.",
    ExceptionReason.OTHER: "Contact the carrier to find out what happened.",
}
_FAILED_DELIVERY_STEP = "Let the buyer know, so they can arrange redelivery or pick the parcel up."


def delivery_exception(facts: OrderFacts) -> list[FlagFinding]:
    if facts.is_cancelled:
        return []
    return [_finding(package) for package in facts.numbered_packages if _has_problem(package)]


def _has_problem(package: Package) -> bool:
    state = package.state
    if state.status is TrackingStatus.DELIVERY_FAILED:
        return True
    return state.status is TrackingStatus.EXCEPTION and state.reason is not ExceptionReason.CUSTOMS


def _finding(package: Package) -> FlagFinding:
    state = package.state
    reason = state.reason or ExceptionReason.OTHER
    failed = state.status is TrackingStatus.DELIVERY_FAILED
    what = "a failed delivery attempt" if failed else f"an exception ({reason.value.replace('_', ' ')})"
    detail = f': "{state.last_description}"' if state.last_description else ""
    message = (
        f"The carrier reports {what} for tracking {package.tracking_number}{detail}. "
        f"{_FAILED_DELIVERY_STEP if failed else _NEXT_STEP[reason]}"
    )
    evidence: Evidence = {
        "carrier_status": state.status.value,
        "reason": state.reason.value if state.reason else None,
        "carrier_code": state.last_source_code,
        "carrier_description": state.last_description,
        "last_event_at": iso(state.last_event_at) if state.last_event_at else None,
    }
    severity = Severity.HIGH if not failed and reason in _SEVERE else Severity.MEDIUM
    return package_finding(package, FlagCode.DELIVERY_EXCEPTION, severity, message, evidence)
