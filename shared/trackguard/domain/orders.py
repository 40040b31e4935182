"""Orders and their packages, as trackguard keeps them for every platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from trackguard.domain.status import ExceptionReason, TrackingStatus


class Platform(StrEnum):
    TIKTOK_SHOP = "tiktok_shop"
    SHOPIFY = "shopify"


class Destination(BaseModel):
    model_config = ConfigDict(frozen=True)

    postal_code: str | None = None
    country: str | None = None


class Order(BaseModel):
    """An order as last reported by its platform.

    ``source_updated_at`` is the platform's own update time: an older update never overwrites a newer one.
    ``shipped_at`` is when the platform first reported the order shipped; ``paid_at`` starts the
    72-hour clock for a paid order that never gets a tracking number.
    """

    model_config = ConfigDict(frozen=True)

    seller_id: str
    order_id: str
    platform: Platform
    status: str
    created_at: datetime
    source_updated_at: datetime
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    ship_by: datetime | None = None
    shipping_type: str | None = None
    destination: Destination = Destination()
    cancelled: bool = False
    return_status: str | None = None

    @property
    def is_active(self) -> bool:
        """Whether the order is still worth checking."""
        return not self.cancelled


class ShipmentState(BaseModel):
    """What a package's carrier events say, derived from the whole set of its events."""

    model_config = ConfigDict(frozen=True)

    status: TrackingStatus = TrackingStatus.PENDING
    reason: ExceptionReason | None = None
    event_count: int = 0
    first_event_at: datetime | None = None
    first_scan_at: datetime | None = None
    last_event_at: datetime | None = None
    delivered_at: datetime | None = None
    customs_since: datetime | None = None
    customs_information_requested: bool = False
    destination: Destination = Destination()
    origin_country: str | None = None
    estimated_delivery: date | None = None
    last_source_code: str = ""
    last_description: str = ""
    last_location: str = ""


class Package(BaseModel):
    """One parcel of an order, with the tracking number the seller gave it and its carrier state.

    ``combined_order_ids`` lists the other orders the platform packed into this same parcel
    (TikTok ``PACKAGE_UPDATE`` ``COMBINE``): they share its tracking number legitimately.
    """

    model_config = ConfigDict(frozen=True)

    seller_id: str
    order_id: str
    package_id: str
    tracking_number: str | None = None
    declared_carrier: str = "undeclared"
    detected_carrier: str | None = None
    number_verdict: str | None = None
    number_first_seen_at: datetime | None = None
    shipped_at: datetime | None = None
    combined_order_ids: tuple[str, ...] = ()
    state: ShipmentState = ShipmentState()


OrderKey = tuple[str, str]
"""(seller_id, order_id)."""


@dataclass(frozen=True)
class OrderSnapshot:
    """An order (or only some of its packages) as one platform delivery describes it."""

    seller_id: str
    order_id: str
    order: Order | None
    packages: tuple[Package, ...] = ()
