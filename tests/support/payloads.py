"""Realistic shop payloads (TikTok Shop 202309 orders, Shopify orders and fulfillments)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.support.builders import T0


def epoch(at: datetime) -> int:
    return int(at.timestamp())


def tiktok_order(
    order_id: str = "576461413038785752",
    status: str = "AWAITING_COLLECTION",
    updated: datetime = T0,
    packages: tuple[tuple[str, str | None, str], ...] = (
        ("1152321127278713123", "1Z5R89390357567127", "UPS"),
    ),
    postal_code: str = "95110",
) -> dict[str, Any]:
    """A Get Order Detail `data.orders[]` item; `packages` are (package id, tracking number, provider)."""
    return {
        "id": order_id,
        "status": status,
        "create_time": epoch(T0),
        "paid_time": epoch(T0) + 60,
        "update_time": epoch(updated),
        "shipping_type": "SELLER",
        "packages": [{"id": package_id} for package_id, _, _ in packages],
        "line_items": [
            {
                "id": f"li-{index}",
                "package_id": package_id,
                "tracking_number": number or "",
                "shipping_provider_name": provider,
                "package_status": "PROCESSING",
            }
            for index, (package_id, number, provider) in enumerate(packages)
        ],
        "recipient_address": {
            "postal_code": postal_code,
            "region_code": "US",
            "name": "Jane Buyer",
            "phone_number": "(+1)2025550143",
            "full_address": "1 Main St, San Jose, CA 95110",
        },
    }


def tiktok_webhook(
    notification_type: int, data: dict[str, Any], shop_id: str = "7494049642642441621"
) -> bytes:
    return json.dumps(
        {
            "type": notification_type,
            "tts_notification_id": f"n-{notification_type}-{json.dumps(data, sort_keys=True)}",
            "shop_id": shop_id,
            "timestamp": epoch(T0),
            "data": data,
        }
    ).encode()


def shopify_order(
    order_id: int = 820982911946154508, zip_code: str = "10001", **changes: Any
) -> dict[str, Any]:
    order: dict[str, Any] = {
        "id": order_id,
        "name": "#1001",
        "created_at": T0.isoformat(),
        "updated_at": T0.isoformat(),
        "processed_at": T0.isoformat(),
        "financial_status": "paid",
        "fulfillment_status": None,
        "cancelled_at": None,
        "shipping_address": {
            "zip": zip_code,
            "country_code": "US",
            "name": "Jane Buyer",
            "address1": "1 Main St",
        },
        "fulfillments": [],
    }
    order.update(changes)
    return order


def shopify_fulfillment(
    fulfillment_id: int = 255858046,
    order_id: int = 820982911946154508,
    numbers: tuple[str, ...] = ("1Z5R89390357567127",),
    company: str = "UPS",
) -> dict[str, Any]:
    return {
        "id": fulfillment_id,
        "order_id": order_id,
        "status": "success",
        "created_at": T0.isoformat(),
        "updated_at": T0.isoformat(),
        "tracking_company": company,
        "tracking_number": numbers[0] if numbers else None,
        "tracking_numbers": list(numbers),
        "shipment_status": None,
        "line_items": [{"id": 466157049, "quantity": 1}],
    }


def shopify_headers(topic: str, shop: str = "acme.myshopify.com", event_id: str = "e-1") -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": shop,
        "x-shopify-event-id": event_id,
    }
