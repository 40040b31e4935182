"""Write the shop-webhook sample events (events/shop_*.json), signed with the dev secrets.

Each is an API Gateway HTTP API (payload format 2.0) event for ``sam local invoke -e`` or
``trackguard local invoke --event``. Run it again after changing local/secrets.json:
``.venv/bin/python scripts/sign_shop_events.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TIME_EPOCH_MS = 1_732_450_000_000
TIKTOK_SHOP_ID = "7494049642642441621"
SHOPIFY_DOMAIN = "trail-gear.myshopify.com"

TIKTOK_ORDER_STATUS_CHANGE = {
    "type": 1,
    "tts_notification_id": "7440117382010308362",
    "shop_id": TIKTOK_SHOP_ID,
    "timestamp": 1732449990,
    "data": {
        "order_id": "576461413038785752",
        "order_status": "AWAITING_COLLECTION",
        "is_on_hold_order": False,
        "update_time": 1732449985,
    },
}
TIKTOK_PACKAGE_UPDATE = {
    "type": 4,
    "tts_notification_id": "7440117382010308363",
    "shop_id": TIKTOK_SHOP_ID,
    "timestamp": 1732449995,
    "data": {
        "sc_type": "COMBINE",
        "role_type": "SELLER",
        "package_list": [
            {
                "package_id": "1152321127278713123",
                "order_id_list": ["576461413038785752", "576461413038785753"],
            }
        ],
        "update_time": 1732449992,
    },
}
SHOPIFY_ORDER = {
    "id": 5736153350282,
    "name": "#1042",
    "email": "jane.buyer@example.com",
    "created_at": "2024-11-24T06:40:01-05:00",
    "processed_at": "2024-11-24T06:40:00-05:00",
    "updated_at": "2024-11-24T06:40:03-05:00",
    "cancelled_at": None,
    "financial_status": "paid",
    "fulfillment_status": None,
    "currency": "USD",
    "total_price": "94.50",
    "shipping_address": {
        "name": "Jane Buyer",
        "address1": "123 Elm Street",
        "city": "Austin",
        "zip": "78701",
        "province_code": "TX",
        "country_code": "US",
        "phone": "+15555550123",
    },
    "line_items": [{"id": 14385940873354, "quantity": 1, "sku": "TR-42-BLK", "title": "Trail Runner"}],
    "fulfillments": [],
}
SHOPIFY_FULFILLMENT = {
    "id": 4451159933066,
    "order_id": 5736153350282,
    "status": "success",
    "created_at": "2024-11-24T07:05:12-05:00",
    "updated_at": "2024-11-24T07:05:13-05:00",
    "service": "manual",
    "tracking_company": "UPS",
    "tracking_number": "1Z999AA10123456784",
    "tracking_numbers": ["1Z999AA10123456784"],
    "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    "tracking_urls": ["https://www.ups.com/track?tracknum=1Z999AA10123456784"],
    "shipment_status": None,
    "line_items": [{"id": 14385940873354, "quantity": 1, "sku": "TR-42-BLK"}],
    "name": "#1042.1",
}


def http_api_event(path: str, body: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "content-length": str(len(body.encode())), **headers},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": f"sample-{path.rsplit('/', 1)[-1]}",
            "routeKey": f"POST {path}",
            "stage": "$default",
            "time": "24/Nov/2024:12:06:40 +0000",
            "timeEpoch": TIME_EPOCH_MS,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def tiktok_event(document: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(document, separators=(",", ":"))
    app_key, app_secret = secrets["tiktok_shop"]["app_key"], secrets["tiktok_shop"]["app_secret"]
    signature = hmac.new(app_secret.encode(), (app_key + body).encode(), hashlib.sha256).hexdigest()
    return http_api_event(
        "/webhooks/tiktok-shop", body, {"authorization": signature, "user-agent": "TikTokShop"}
    )


def shopify_event(
    topic: str, event_id: str, document: dict[str, Any], secrets: dict[str, Any]
) -> dict[str, Any]:
    body = json.dumps(document, separators=(",", ":"))
    digest = hmac.new(secrets["shopify"]["client_secret"].encode(), body.encode(), hashlib.sha256).digest()
    headers = {
        "x-shopify-hmac-sha256": base64.b64encode(digest).decode(),
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": SHOPIFY_DOMAIN,
        "x-shopify-event-id": event_id,
        "x-shopify-webhook-id": f"webhook-{event_id}",
        "x-shopify-triggered-at": "2024-11-24T12:06:39.812Z",
        "x-shopify-api-version": "2024-10",
        "user-agent": "Shopify-Captain-Hook",
    }
    return http_api_event("/webhooks/shopify", body, headers)


def main() -> None:
    secrets = json.loads((ROOT / "local" / "secrets.json").read_text())
    events = {
        "shop_tiktok_order_status_change.json": tiktok_event(TIKTOK_ORDER_STATUS_CHANGE, secrets),
        "shop_tiktok_package_update.json": tiktok_event(TIKTOK_PACKAGE_UPDATE, secrets),
        "shop_shopify_orders_create.json": shopify_event(
            "orders/create", "0b7e2e1c-5d4c-4f6e-9a57-3e2f1c0a9b01", SHOPIFY_ORDER, secrets
        ),
        "shop_shopify_fulfillment_create.json": shopify_event(
            "fulfillments/create", "0b7e2e1c-5d4c-4f6e-9a57-3e2f1c0a9b02", SHOPIFY_FULFILLMENT, secrets
        ),
    }
    for name, event in events.items():
        (ROOT / "events" / name).write_text(json.dumps(event, indent=2) + "\n")
        print(f"wrote events/{name}")


if __name__ == "__main__":
    main()
