"""TikTok Shop's and Shopify's published webhook examples are accepted and read as their senders mean them."""

from __future__ import annotations

from pathlib import Path

import pytest

from trackguard.sources.base import RawDelivery
from trackguard.sources.shops.shopify import webhook as shopify
from trackguard.sources.shops.tiktok_shop import webhook as tiktok_shop
from trackguard.sources.shops.tiktok_shop.webhook import (
    CancellationStatusChange,
    OrderStatusChange,
    PackageUpdate,
    RecipientAddressUpdate,
    ReturnStatusChange,
    SellerDeauthorization,
)

EXAMPLES = Path(__file__).parent / "examples"


def body(example: str) -> bytes:
    return (EXAMPLES / example).read_bytes()


@pytest.mark.parametrize(
    ("example", "kind", "order_id"),
    [
        ("skit-OrderStatusChangeEvent.json", OrderStatusChange, "576486316948490001"),
        ("ecomphp-order-status-change.json", OrderStatusChange, "576684019603311365"),
        ("skit-RecipientAddressUpdateEvent.json", RecipientAddressUpdate, "576486316948490001"),
        ("skit-CancellationStatusChangeEvent.json", CancellationStatusChange, "576486316948490001"),
        ("skit-ReturnStatusChangeEvent.json", ReturnStatusChange, "576486316948490001"),
        ("skit-PackageUpdateEvent.json", PackageUpdate, None),
        ("skit-SellerDeauthorizationEvent.json", SellerDeauthorization, None),
    ],
)
def test_tiktok_examples_are_read_by_type(example: str, kind: type, order_id: str | None) -> None:
    notification = tiktok_shop.parse(RawDelivery(headers={}, body=body(f"tiktok_shop/{example}")))
    data = notification.typed_data()

    assert isinstance(data, kind)
    assert getattr(data, "order_id", None) == order_id
    assert notification.delivery_id.startswith("sha256:")  # TikTok's examples carry no notification id


def test_the_ecomphp_example_is_an_order_awaiting_shipment() -> None:
    notification = tiktok_shop.parse(
        RawDelivery(headers={}, body=body("tiktok_shop/ecomphp-order-status-change.json"))
    )
    data = notification.typed_data()

    assert isinstance(data, OrderStatusChange)
    assert (notification.shop_id, data.order_status) == ("7494726673780148744", "AWAITING_SHIPMENT")


def test_the_combined_package_example_lists_its_orders() -> None:
    notification = tiktok_shop.parse(
        RawDelivery(headers={}, body=body("tiktok_shop/skit-PackageUpdateEvent.json"))
    )
    data = notification.typed_data()

    assert isinstance(data, PackageUpdate)
    assert data.sc_type == "COMBINE"
    assert [(p.package_id, p.order_id_list) for p in data.package_list] == [("123456", ("152523", "532123"))]


def test_shopifys_fulfillment_example_carries_its_tracking() -> None:
    headers = {"x-shopify-topic": "fulfillments/create", "x-shopify-shop-domain": "shop.myshopify.com"}
    notification = shopify.parse(RawDelivery(headers=headers, body=body("shopify/fulfillments-create.json")))
    fulfillment = notification.fulfillment

    assert fulfillment is not None
    assert (fulfillment.id, fulfillment.order_id, fulfillment.status) == (
        "123456",
        "820982911946154508",
        "pending",
    )
    assert (fulfillment.tracking_company, fulfillment.tracking_numbers) == ("UPS", ("1z827wk74630",))
