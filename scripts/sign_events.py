"""Write the signed sample webhook events (events/*.json), one per route, from local/secrets.json.

Run ``.venv/bin/python scripts/sign_events.py`` after changing a dev secret or a sample body. Each body is
signed by its sender's own ``sign`` (trackguard.sources). The generic (Standard Webhooks) sample signs the
current time, so it goes stale after 5 minutes: regenerate it right before ``sam local invoke``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trackguard_dev.signing import sign

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
EPOCH_MS = 1793610000000  # 2026-11-02T09:00:00Z, the time the samples' request contexts claim
SHOPIFY_DOMAIN = "trail-gear.myshopify.com"
TIKTOK_SHOP_ID = "7494049642642441621"


def http_api_event(method: str, path: str, headers: dict[str, str], body: str) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) request, as ``sam local invoke -e`` takes it."""
    all_headers = {
        "content-type": "application/json",
        "host": "api.trackguard.example",
        "user-agent": "sample-sender/1.0",
        **headers,
    }
    source = path.rsplit("/", 1)[-1]
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": "api.trackguard.example",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.20",
                "userAgent": all_headers["user-agent"],
            },
            "requestId": f"sample-{source}-{method.lower()}",
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": "02/Nov/2026:09:00:00 +0000",
            "timeEpoch": EPOCH_MS,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _json(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


USPS_PAYLOAD = {
    "trackingNumber": "9400111899223456789012",
    "destinationZIP": "78701",
    "destinationCountryCode": "US",
    "trackingEvents": [
        {
            "eventType": "Out for Delivery",
            "eventCode": "OF",
            "eventTimestamp": "2026-11-02T07:58:00",
            "GMTTimestamp": "2026-11-02T13:58:00Z",
            "GMTOffset": "-06:00",
            "eventCity": "AUSTIN",
            "eventState": "TX",
            "eventZIP": "78701",
        }
    ],
}

CARRIER_BODIES: dict[str, Any] = {
    "17track": {
        "event": "TRACKING_UPDATED",
        "data": {
            "number": "YT2412345678901234",
            "carrier": 190008,
            "track_info": {
                "shipping_info": {
                    "shipper_address": {"country": "CN", "city": "Shenzhen"},
                    "recipient_address": {"country": "US", "postal_code": "78701", "city": "Austin"},
                },
                "latest_status": {"status": "InTransit", "sub_status": "InTransit_CustomsProcessing"},
                "latest_event": {
                    "time_iso": "2026-11-01T22:10:00-05:00",
                    "time_utc": "2026-11-02T03:10:00Z",
                    "description": "Customs clearance in progress",
                    "location": "Chicago, IL, US",
                    "stage": "InTransit",
                    "sub_status": "InTransit_CustomsProcessing",
                    "address": {"country": "US", "state": "IL", "city": "Chicago"},
                },
                "tracking": {
                    "providers": [
                        {
                            "provider": {"key": 190008, "name": "YunExpress"},
                            "events": [
                                {
                                    "time_iso": "2026-10-28T09:12:00+08:00",
                                    "time_utc": "2026-10-28T01:12:00Z",
                                    "description": "Picked up by carrier",
                                    "location": "Shenzhen, CN",
                                    "stage": "InTransit",
                                    "sub_status": "InTransit_PickedUp",
                                    "address": {"country": "CN", "city": "Shenzhen"},
                                }
                            ],
                        }
                    ]
                },
            },
        },
    },
    "ship24": {
        "trackings": [
            {
                "metadata": {
                    "generatedAt": "2026-11-02T08:59:58.000Z",
                    "messageId": "5b3a6c1e-9d2f-4c1a-8e7b-2f0d9a1c3e55",
                },
                "tracker": {
                    "trackerId": "9a1f0e3c-2b7d-4c55-a0a1-6f3e2d1c0b9a",
                    "trackingNumber": "1Z999AA10123456784",
                    "courierCode": ["ups"],
                },
                "shipment": {
                    "statusMilestone": "out_for_delivery",
                    "originCountryCode": "US",
                    "destinationCountryCode": "US",
                    "delivery": {"estimatedDeliveryDate": "2026-11-02T00:00:00.000Z"},
                },
                "events": [
                    {
                        "eventId": "c1e0d5b2-3a4f-4e6d-9b8a-7c6d5e4f3a2b",
                        "occurrenceDatetime": "2026-11-02T07:45:00",
                        "utcOffset": "-06:00",
                        "status": "Out For Delivery Today",
                        "statusCode": "delivery_out_for_delivery",
                        "statusMilestone": "out_for_delivery",
                        "location": "Austin, TX, US",
                        "courierCode": "ups",
                    }
                ],
            }
        ]
    },
    "aftership": {
        "ts": 1793609990,
        "event": "tracking_update",
        "event_id": "b1d9b2e0-5f3c-4a8e-9d21-0c7e4f6a8b3d",
        "msg": {
            "tracking_number": "92612903029511573030094531",
            "slug": "fedex",
            "tag": "AttemptFail",
            "subtag": "AttemptFail_001",
            "destination_country_iso3": "USA",
            "expected_delivery": "2026-11-03",
            "checkpoints": [
                {
                    "checkpoint_time": "2026-11-02T14:20:00-05:00",
                    "tag": "AttemptFail",
                    "subtag": "AttemptFail_001",
                    "message": "Delivery attempted - customer not available",
                    "city": "Memphis",
                    "state": "TN",
                    "zip": "38118",
                    "country_iso3": "USA",
                }
            ],
        },
    },
    "ups": {
        "trackingNumber": "1Z999AA10123456784",
        "localActivityDate": "20261102",
        "localActivityTime": "101500",
        "gmtActivityDate": "20261102",
        "gmtActivityTime": "161500",
        "gmtOffset": "-06:00",
        "activityLocation": {
            "city": "AUSTIN",
            "stateProvince": "TX",
            "postalCode": "78701",
            "country": "US",
        },
        "activityStatus": {"type": "D", "code": "FS", "description": "DELIVERED"},
        "scheduledDeliveryDate": "20261102",
        "actualDeliveryDate": "20261102",
    },
    "fedex": {
        "trackingNumber": "794644790138",
        "scanEvents": [
            {
                "date": "2026-11-01T18:02:00-05:00",
                "eventType": "CD",
                "eventDescription": "Clearance delay - Import",
                "derivedStatusCode": "CD",
                "scanLocation": {"city": "MEMPHIS", "stateOrProvinceCode": "TN", "countryCode": "US"},
            }
        ],
        "recipientInformation": {"address": {"postalCode": "10001", "countryCode": "US"}},
    },
    "dhl": {
        "shipments": [
            {
                "id": "1234567890",
                "service": "express",
                "status": {
                    "timestamp": "2026-11-02T08:30:00+01:00",
                    "statusCode": "transit",
                    "status": "PROCESSED AT LEIPZIG - GERMANY",
                    "description": "Processed at LEIPZIG - GERMANY",
                },
                "destination": {"address": {"postalCode": "10001", "countryCode": "US"}},
                "events": [
                    {
                        "timestamp": "2026-11-02T08:30:00+01:00",
                        "statusCode": "transit",
                        "description": "Processed at LEIPZIG - GERMANY",
                        "location": {
                            "address": {"addressLocality": "LEIPZIG - GERMANY", "countryCode": "DE"}
                        },
                    }
                ],
            }
        ]
    },
    "usps": {
        "subscriptionId": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
        "subscriptionType": "TRACKING",
        "timestamp": "2026-11-02T14:00:05Z",
        "payload": json.dumps(USPS_PAYLOAD, separators=(",", ":")),
    },
    "generic": {
        "events": [
            {
                "tracking_number": "LP00123456789NL",
                "carrier": "postnl",
                "occurred_at": "2026-11-02T09:05:00+01:00",
                "status": "DELIVERED",
                "code": "J01",
                "description": "Delivered at the front door",
                "location": {"city": "Utrecht", "postal_code": "3511 AB", "country": "NL"},
                "destination": {"postal_code": "3511 AB", "country": "NL"},
                "event_id": "evt_000123",
            }
        ]
    },
}


def carrier_event(source: str) -> dict[str, Any]:
    body = _json(CARRIER_BODIES[source])
    headers = sign(source, body, datetime.now(UTC))
    return http_api_event("POST", f"/webhooks/carriers/{source}", headers, body.decode())


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


def tiktok_event(document: dict[str, Any]) -> dict[str, Any]:
    body = _json(document)
    headers = {"user-agent": "TikTokShop", **sign("tiktok_shop", body, datetime.now(UTC))}
    return http_api_event("POST", "/webhooks/tiktok-shop", headers, body.decode())


def shopify_event(topic: str, event_id: str, document: dict[str, Any]) -> dict[str, Any]:
    body = _json(document)
    headers = {
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": SHOPIFY_DOMAIN,
        "x-shopify-event-id": event_id,
        "x-shopify-webhook-id": f"webhook-{event_id}",
        "x-shopify-triggered-at": "2026-11-02T08:59:59.812Z",
        "x-shopify-api-version": "2024-10",
        "user-agent": "Shopify-Captain-Hook",
        **sign("shopify", body, datetime.now(UTC)),
    }
    return http_api_event("POST", "/webhooks/shopify", headers, body.decode())


SHOP_EVENTS = {
    "shop_tiktok_order_status_change.json": lambda: tiktok_event(TIKTOK_ORDER_STATUS_CHANGE),
    "shop_tiktok_package_update.json": lambda: tiktok_event(TIKTOK_PACKAGE_UPDATE),
    "shop_shopify_orders_create.json": lambda: shopify_event(
        "orders/create", "0b7e2e1c-5d4c-4f6e-9a57-3e2f1c0a9b01", SHOPIFY_ORDER
    ),
    "shop_shopify_fulfillment_create.json": lambda: shopify_event(
        "fulfillments/create", "0b7e2e1c-5d4c-4f6e-9a57-3e2f1c0a9b02", SHOPIFY_FULFILLMENT
    ),
}


def ship24_probe() -> dict[str, Any]:
    return http_api_event("HEAD", "/webhooks/carriers/ship24", {}, "")


def write(name: str, event: dict[str, Any]) -> None:
    (EVENTS / name).write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    for source in CARRIER_BODIES:
        write(f"carrier_{source}.json", carrier_event(source))
    write("carrier_ship24_head.json", ship24_probe())
    for name, build in SHOP_EVENTS.items():
        write(name, build())


if __name__ == "__main__":
    main()
