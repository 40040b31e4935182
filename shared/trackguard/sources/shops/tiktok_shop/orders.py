"""A TikTok Shop order, as Get Order Detail returns it, in trackguard's platform-neutral terms."""

from __future__ import annotations

from datetime import UTC, datetime

from trackguard.clients.tiktok_shop import TikTokOrder, TikTokPackage
from trackguard.domain.orders import Destination, Order, OrderSnapshot, Package, Platform
from trackguard.sources.shops.tiktok_shop.webhook import (
    CancellationStatusChange,
    OrderStatusChange,
    PackageUpdate,
    RecipientAddressUpdate,
    ReturnStatusChange,
    TikTokNotification,
)
from trackguard.tracking import resolve_carrier
from trackguard.tracking.formats import normalize_number

TIKTOK_SHIPPED_STATUSES = frozenset(
    {"AWAITING_COLLECTION", "IN_TRANSIT", "PARTIALLY_SHIPPING", "DELIVERED", "COMPLETED"}
)
TIKTOK_PACKAGE_SHIPPED_STATUSES = frozenset({"FULFILLING", "COMPLETED"})


def tiktok_order_ids(notification: TikTokNotification) -> list[str]:
    """The orders a TikTok notification asks trackguard to fetch."""
    data = notification.typed_data()
    if isinstance(data, PackageUpdate):
        return [order_id for change in data.package_list for order_id in change.order_id_list]
    if isinstance(
        data, OrderStatusChange | RecipientAddressUpdate | CancellationStatusChange | ReturnStatusChange
    ):
        return [data.order_id]
    return []


def tiktok_snapshot(shop_id: str, order: TikTokOrder) -> OrderSnapshot:
    shipped = order.status in TIKTOK_SHIPPED_STATUSES
    shipped_at = _time(order.update_time) if shipped else None
    address = order.recipient_address
    domain_order = Order(
        seller_id=shop_id,
        order_id=order.id,
        platform=Platform.TIKTOK_SHOP,
        status=order.status,
        created_at=_time(order.create_time),
        source_updated_at=_time(order.update_time),
        paid_at=_optional_time(order.paid_time),
        shipped_at=shipped_at,
        ship_by=_optional_time(order.shipping_due_time or order.rts_sla_time),
        shipping_type=order.shipping_type,
        destination=Destination(
            postal_code=address.postal_code if address else None,
            country=address.region_code if address else None,
        ),
        cancelled=order.status == "CANCELLED",
    )
    packages = tuple(_tiktok_package(shop_id, order, package, shipped_at) for package in order.packages())
    return OrderSnapshot(shop_id, order.id, domain_order, packages)


def _tiktok_package(
    shop_id: str, order: TikTokOrder, package: TikTokPackage, order_shipped_at: datetime | None
) -> Package:
    """In a partially shipped order, only the packages TikTok shows moving (or numbered) count as shipped."""
    package_shipped = order.status != "PARTIALLY_SHIPPING" or bool(
        package.tracking_number or (package.status in TIKTOK_PACKAGE_SHIPPED_STATUSES)
    )
    return Package(
        seller_id=shop_id,
        order_id=order.id,
        package_id=package.package_id,
        tracking_number=_number(package.tracking_number),
        declared_carrier=resolve_carrier(package.shipping_provider, "tiktok_shop"),
        shipped_at=order_shipped_at if package_shipped else None,
    )


def _time(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


def _optional_time(epoch_seconds: int | None) -> datetime | None:
    return _time(epoch_seconds) if epoch_seconds else None


def _number(raw: str | None) -> str | None:
    return normalize_number(raw) or None if raw else None
