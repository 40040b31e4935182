"""A Shopify order or fulfillment webhook body in trackguard's platform-neutral terms."""

from __future__ import annotations

from trackguard.domain.orders import Destination, Order, OrderSnapshot, Package, Platform
from trackguard.sources.shops.shopify.webhook import ShopifyFulfillment, ShopifyOrder
from trackguard.tracking import resolve_carrier
from trackguard.tracking.formats import normalize_number

SHOPIFY_PAID_STATUSES = frozenset({"paid", "partially_paid", "partially_refunded", "refunded"})
SHOPIFY_DEAD_FULFILLMENTS = frozenset({"cancelled", "error", "failure"})


def shopify_order_snapshot(shop: str, order: ShopifyOrder) -> OrderSnapshot:
    order_id = str(order.id)
    address = order.shipping_address
    paid = (order.financial_status or "") in SHOPIFY_PAID_STATUSES
    domain_order = Order(
        seller_id=shop,
        order_id=order_id,
        platform=Platform.SHOPIFY,
        status=order.fulfillment_status or order.financial_status or "open",
        created_at=order.created_at,
        source_updated_at=order.updated_at,
        paid_at=(order.processed_at or order.created_at) if paid else None,
        shipped_at=min((f.created_at for f in order.fulfillments), default=None),
        destination=Destination(
            postal_code=address.zip if address else None,
            country=address.country_code if address else None,
        ),
        cancelled=order.cancelled_at is not None,
    )
    packages = tuple(package for f in order.fulfillments for package in shopify_packages(shop, f))
    return OrderSnapshot(shop, order_id, domain_order, packages)


def shopify_packages(shop: str, fulfillment: ShopifyFulfillment) -> tuple[Package, ...]:
    """One fulfillment is one package; several tracking numbers are several packages."""
    if fulfillment.status in SHOPIFY_DEAD_FULFILLMENTS:
        return ()
    numbers = fulfillment.tracking_numbers or (
        (fulfillment.tracking_number,) if fulfillment.tracking_number else ()
    )
    carrier = resolve_carrier(fulfillment.tracking_company, "shopify")
    base = str(fulfillment.id)
    ids = [base] if len(numbers) <= 1 else [f"{base}-{index}" for index in range(1, len(numbers) + 1)]
    return tuple(
        Package(
            seller_id=shop,
            order_id=str(fulfillment.order_id),
            package_id=package_id,
            tracking_number=_number(number),
            declared_carrier=carrier,
            shipped_at=fulfillment.created_at,
        )
        for package_id, number in zip(ids, numbers or (None,), strict=True)
    )


def _number(raw: str | None) -> str | None:
    return normalize_number(raw) or None if raw else None
