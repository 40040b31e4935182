"""The committed sample events are signed with the dev secrets and parse as their sender's schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tests.support.secrets import dev_secret
from trackguard.api.webhooks import read_delivery
from trackguard.sources.base import RawDelivery, Sender
from trackguard.sources.shops import shopify, tiktok_shop
from trackguard.sources.shops.tiktok_shop.webhook import OrderStatusChange, PackageUpdate

EVENTS = Path(__file__).resolve().parents[4] / "events"


def delivery(name: str) -> RawDelivery:
    event = APIGatewayProxyEventV2(json.loads((EVENTS / name).read_text()))
    return read_delivery(event, max_body_bytes=1024 * 1024)


@pytest.mark.parametrize(
    ("name", "adapter", "route"),
    [
        ("shop_tiktok_order_status_change.json", tiktok_shop.SOURCE, "POST /webhooks/tiktok-shop"),
        ("shop_tiktok_package_update.json", tiktok_shop.SOURCE, "POST /webhooks/tiktok-shop"),
        ("shop_shopify_orders_create.json", shopify.SOURCE, "POST /webhooks/shopify"),
        ("shop_shopify_fulfillment_create.json", shopify.SOURCE, "POST /webhooks/shopify"),
    ],
)
def test_event_is_signed_and_routed(name: str, adapter: Sender[Any, Any], route: str) -> None:
    assert json.loads((EVENTS / name).read_text())["routeKey"] == route
    adapter.verify(delivery(name), dev_secret(adapter.name))


def test_tiktok_events_parse() -> None:
    status = tiktok_shop.SOURCE.parse(delivery("shop_tiktok_order_status_change.json"))
    package = tiktok_shop.SOURCE.parse(delivery("shop_tiktok_package_update.json"))
    assert isinstance(status.typed_data(), OrderStatusChange)
    assert isinstance(package.typed_data(), PackageUpdate)
    assert status.delivery_id != package.delivery_id


def test_shopify_events_parse() -> None:
    order = shopify.SOURCE.parse(delivery("shop_shopify_orders_create.json"))
    fulfillment = shopify.SOURCE.parse(delivery("shop_shopify_fulfillment_create.json"))
    assert order.order is not None
    assert fulfillment.fulfillment is not None
    assert fulfillment.fulfillment.order_id == order.order.id
    assert fulfillment.fulfillment.tracking_number == "1Z999AA10123456784"
