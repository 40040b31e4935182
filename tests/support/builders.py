"""Small builders for domain objects used across tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from trackguard.domain.events import CarrierEvent, Location
from trackguard.domain.flags import Flag, new_flag_id
from trackguard.domain.orders import Destination, Order, Package, Platform
from trackguard.domain.status import FlagCode, Severity, TrackingStatus

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def an_order(seller_id: str = "shop-1", order_id: str = "o-1", **changes: Any) -> Order:
    fields: dict[str, Any] = {
        "seller_id": seller_id,
        "order_id": order_id,
        "platform": Platform.TIKTOK_SHOP,
        "status": "AWAITING_SHIPMENT",
        "created_at": T0,
        "source_updated_at": T0,
        "paid_at": T0 + timedelta(minutes=5),
        "destination": Destination(postal_code="95110", country="US"),
    }
    fields.update(changes)
    return Order(**fields)


def a_package(
    seller_id: str = "shop-1", order_id: str = "o-1", package_id: str = "p-1", **changes: Any
) -> Package:
    fields: dict[str, Any] = {
        "seller_id": seller_id,
        "order_id": order_id,
        "package_id": package_id,
        "tracking_number": "1Z5R89390357567127",
        "declared_carrier": "ups",
    }
    fields.update(changes)
    return Package(**fields)


def an_event(
    status: TrackingStatus = TrackingStatus.IN_TRANSIT,
    at: datetime = T0,
    number: str = "1Z5R89390357567127",
    code: str = "I",
    **changes: Any,
) -> CarrierEvent:
    fields: dict[str, Any] = {
        "tracking_number": number,
        "carrier": "ups",
        "source": "ups",
        "occurred_at": at,
        "status": status,
        "source_code": code,
        "source_description": status.value.replace("_", " ").title(),
        "location": Location(city="Louisville", country="US"),
    }
    fields.update(changes)
    return CarrierEvent(**fields)


def a_flag(
    seller_id: str = "shop-1",
    order_id: str = "o-1",
    package_id: str | None = "p-1",
    code: FlagCode = FlagCode.NO_CARRIER_SCAN,
    detected_at: datetime = T0,
) -> Flag:
    return Flag(
        flag_id=new_flag_id(int(detected_at.timestamp() * 1000)),
        seller_id=seller_id,
        order_id=order_id,
        package_id=package_id,
        tracking_number="1Z5R89390357567127",
        code=code,
        severity=Severity.HIGH,
        detected_at=detected_at,
        message="No carrier scan 24 hours after the number was given.",
        evidence={"hours_without_scan": 30},
    )
