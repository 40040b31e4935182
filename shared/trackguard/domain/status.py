"""The one tracking-status vocabulary every source maps into (CONTRACT §3), and flag codes (§4)."""

from enum import StrEnum


class TrackingStatus(StrEnum):
    PENDING = "PENDING"
    INFO_RECEIVED = "INFO_RECEIVED"
    IN_TRANSIT = "IN_TRANSIT"
    CUSTOMS = "CUSTOMS"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    AVAILABLE_FOR_PICKUP = "AVAILABLE_FOR_PICKUP"
    DELIVERY_FAILED = "DELIVERY_FAILED"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"
    EXPIRED = "EXPIRED"
    NOT_FOUND = "NOT_FOUND"

    @property
    def is_physical_scan(self) -> bool:
        """True when the carrier has physically handled the parcel."""
        return self not in _NO_PHYSICAL_SCAN


_NO_PHYSICAL_SCAN = frozenset(
    {TrackingStatus.PENDING, TrackingStatus.INFO_RECEIVED, TrackingStatus.NOT_FOUND, TrackingStatus.EXPIRED}
)


class ExceptionReason(StrEnum):
    LOST = "lost"
    DAMAGED = "damaged"
    RETURNING = "returning"
    RETURNED = "returned"
    REFUSED = "refused"
    ADDRESS_PROBLEM = "address_problem"
    CUSTOMS = "customs"
    OTHER = "other"


class FlagCode(StrEnum):
    MISSING_TRACKING = "MISSING_TRACKING"
    INVALID_TRACKING_FORMAT = "INVALID_TRACKING_FORMAT"
    CARRIER_MISMATCH = "CARRIER_MISMATCH"
    DUPLICATE_TRACKING = "DUPLICATE_TRACKING"
    NO_CARRIER_SCAN = "NO_CARRIER_SCAN"
    SCAN_BEFORE_ORDER = "SCAN_BEFORE_ORDER"
    DESTINATION_MISMATCH = "DESTINATION_MISMATCH"
    STALLED_IN_TRANSIT = "STALLED_IN_TRANSIT"
    CUSTOMS_HOLD = "CUSTOMS_HOLD"
    DELIVERY_EXCEPTION = "DELIVERY_EXCEPTION"
    REAUTHORIZATION_NEEDED = "REAUTHORIZATION_NEEDED"  # seller-level: about the shop, not an order


SELLER_LEVEL_CODES = frozenset({FlagCode.REAUTHORIZATION_NEEDED})
"""Flags about the seller's shop as a whole: no rule raises them, and they have no order."""
ORDER_CODES = frozenset(FlagCode) - SELLER_LEVEL_CODES


class FlagStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
