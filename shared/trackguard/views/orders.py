"""An order as a seller sees it: its packages, each with its carrier timeline, and its flags."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.flags import Flag
from trackguard.domain.orders import Order, Package
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.views import ReadModel
from trackguard.views.flags import FlagOut


class TimelineEntry(ReadModel):
    time: datetime
    status: TrackingStatus
    reason: ExceptionReason | None
    source_code: str = Field(description="the sender's own status code")
    description: str
    location: str | None

    @classmethod
    def of(cls, event: CarrierEvent) -> TimelineEntry:
        return cls(
            time=event.occurred_at,
            status=event.status,
            reason=event.reason,
            source_code=event.source_code,
            description=event.source_description,
            location=(event.location.describe() or None) if event.location else None,
        )


class PackageOut(ReadModel):
    package_id: str
    tracking_number: str | None
    declared_carrier: str
    detected_carrier: str | None
    tracking_status: TrackingStatus
    status_reason: ExceptionReason | None
    last_event_at: datetime | None
    delivered_at: datetime | None
    timeline: list[TimelineEntry] = Field(description="the number's carrier events, newest first")

    @classmethod
    def of(cls, package: Package, events: list[CarrierEvent]) -> PackageOut:
        newest_first = sorted(events, key=lambda event: event.occurred_at, reverse=True)
        return cls(
            package_id=package.package_id,
            tracking_number=package.tracking_number,
            declared_carrier=package.declared_carrier,
            detected_carrier=package.detected_carrier,
            tracking_status=package.state.status,
            status_reason=package.state.reason,
            last_event_at=package.state.last_event_at,
            delivered_at=package.state.delivered_at,
            timeline=[TimelineEntry.of(event) for event in newest_first],
        )


class DestinationOut(ReadModel):
    postal_code: str | None
    country: str | None


class OrderOut(ReadModel):
    seller_id: str
    order_id: str
    platform: str
    status: str = Field(description="the platform's own order status")
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    cancelled: bool
    destination: DestinationOut = Field(description="the buyer's postal code and country only")
    packages: list[PackageOut]
    flags: list[FlagOut] = Field(description="newest first")

    @classmethod
    def of(cls, order: Order, packages: list[PackageOut], flags: list[Flag]) -> OrderOut:
        newest_first = sorted(flags, key=lambda flag: flag.flag_id, reverse=True)
        return cls(
            seller_id=order.seller_id,
            order_id=order.order_id,
            platform=order.platform.value,
            status=order.status,
            created_at=order.created_at,
            paid_at=order.paid_at,
            shipped_at=order.shipped_at,
            cancelled=order.cancelled,
            destination=DestinationOut(
                postal_code=order.destination.postal_code, country=order.destination.country
            ),
            packages=packages,
            flags=[FlagOut.from_flag(flag) for flag in newest_first],
        )
