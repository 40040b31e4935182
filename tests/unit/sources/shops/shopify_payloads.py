"""Realistic Shopify webhook bodies (shapes from Shopify's Admin REST webhook examples)."""

from __future__ import annotations

from typing import Any

FULFILLMENT: dict[str, Any] = {
    "id": 4451159933066,
    "order_id": 5736153350282,
    "status": "success",
    "created_at": "2024-05-02T10:15:03-04:00",
    "service": "manual",
    "updated_at": "2024-05-02T10:15:04-04:00",
    "tracking_company": "UPS",
    "shipment_status": None,
    "location_id": 67351625866,
    "origin_address": None,
    "line_items": [
        {
            "id": 14385940873354,
            "variant_id": 44166934380682,
            "title": "Trail Runner",
            "quantity": 1,
            "sku": "TR-42-BLK",
            "fulfillment_status": "fulfilled",
            "price": "89.00",
        }
    ],
    "tracking_number": "1Z999AA10123456784",
    "tracking_numbers": ["1Z999AA10123456784"],
    "tracking_url": "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z999AA10123456784",
    "tracking_urls": ["https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z999AA10123456784"],
    "receipt": {},
    "name": "#1042.1",
    "admin_graphql_api_id": "gid://shopify/Fulfillment/4451159933066",
}

ORDER: dict[str, Any] = {
    "id": 5736153350282,
    "admin_graphql_api_id": "gid://shopify/Order/5736153350282",
    "name": "#1042",
    "email": "jane.buyer@example.com",
    "phone": "+15555550123",
    "created_at": "2024-05-01T18:22:41-04:00",
    "processed_at": "2024-05-01T18:22:40-04:00",
    "updated_at": "2024-05-01T18:22:43-04:00",
    "cancelled_at": None,
    "cancel_reason": None,
    "financial_status": "paid",
    "fulfillment_status": None,
    "currency": "USD",
    "total_price": "94.50",
    "customer": {"id": 7104418087050, "email": "jane.buyer@example.com", "first_name": "Jane"},
    "shipping_address": {
        "first_name": "Jane",
        "last_name": "Buyer",
        "name": "Jane Buyer",
        "address1": "123 Elm Street",
        "address2": "Apt 4",
        "phone": "+15555550123",
        "city": "Ottawa",
        "zip": "K2P 1L4",
        "province": "Ontario",
        "province_code": "ON",
        "country": "Canada",
        "country_code": "CA",
        "latitude": 45.41,
        "longitude": -75.69,
        "company": None,
    },
    "line_items": [{"id": 14385940873354, "quantity": 1, "sku": "TR-42-BLK", "title": "Trail Runner"}],
    "fulfillments": [],
}
