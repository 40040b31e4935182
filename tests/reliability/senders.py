"""How each sender signs a body, and a realistic well-formed body for every ingestion route.

Each sender signs with its own `sign` (trackguard.sources), keyed with the dev secrets in local/secrets.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from trackguard.errors import PayloadError
from trackguard.sources.registry import CARRIER_SOURCES, SHOP_SOURCES
from trackguard_dev.signing import sign, source_of_route

SHOP_ROUTES = tuple(name.replace("_", "-") for name in SHOP_SOURCES)
CARRIER_ROUTES = tuple(CARRIER_SOURCES)
TIKTOK_SHOP_ID = "7494049642642441621"
SHOPIFY_DOMAIN = "trail-gear.myshopify.com"
EVENT_TIME = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

Headers = dict[str, str]


def signature(route: str, body: bytes, now: datetime) -> Headers:
    """The sender's own signature; a USPS body that is no envelope has nothing to sign (it answers 400)."""
    try:
        return sign(source_of_route(route), body, now)
    except PayloadError:
        return {}


def route_path(route: str) -> str:
    return f"/webhooks/{route}" if route in SHOP_ROUTES else f"/webhooks/carriers/{route}"


@dataclass(frozen=True)
class Delivery:
    """One HTTP delivery to a route: the exact body and its headers (signature included)."""

    route: str
    body: bytes
    headers: Headers
    label: str = ""


def signed(route: str, document: Any, now: datetime, extra: Headers | None = None) -> Delivery:
    body = json.dumps(document).encode() if not isinstance(document, bytes) else document
    headers = {"content-type": "application/json", **(extra or {}), **signature(route, body, now)}
    return Delivery(route, body, headers)


def tiktok_notification(
    order_id: str = "576461413038785752", notification_id: str = "7440117382010308362"
) -> Any:
    return {
        "type": 1,
        "tts_notification_id": notification_id,
        "shop_id": TIKTOK_SHOP_ID,
        "timestamp": int(EVENT_TIME.timestamp()),
        "data": {
            "order_id": order_id,
            "order_status": "AWAITING_COLLECTION",
            "is_on_hold_order": False,
            "update_time": int(EVENT_TIME.timestamp()),
        },
    }


def shopify_headers(topic: str, event_id: str) -> Headers:
    return {
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": SHOPIFY_DOMAIN,
        "x-shopify-event-id": event_id,
        "x-shopify-triggered-at": EVENT_TIME.isoformat(),
    }


def shopify_order(
    order_id: int = 5736153350282,
    updated: datetime = EVENT_TIME,
    buyer: tuple[str, str, str] = ("Jane Buyer", "123 Elm Street", "+15555550123"),
    zip_code: str = "78701",
    fulfillment_status: str | None = None,
) -> dict[str, Any]:
    name, street, phone = buyer
    return {
        "id": order_id,
        "name": f"#{order_id % 10000}",
        "email": "jane.buyer@example.com",
        "created_at": EVENT_TIME.isoformat(),
        "processed_at": EVENT_TIME.isoformat(),
        "updated_at": updated.isoformat(),
        "cancelled_at": None,
        "financial_status": "paid",
        "fulfillment_status": fulfillment_status,
        "shipping_address": {
            "name": name,
            "address1": street,
            "city": "Austin",
            "zip": zip_code,
            "province_code": "TX",
            "country_code": "US",
            "phone": phone,
        },
        "fulfillments": [],
    }


def shopify_fulfillment(
    order_id: int = 5736153350282, fulfillment_id: int = 4451159933066, number: str = "1Z999AA10123456784"
) -> dict[str, Any]:
    created = EVENT_TIME + timedelta(hours=2)
    return {
        "id": fulfillment_id,
        "order_id": order_id,
        "status": "success",
        "created_at": created.isoformat(),
        "updated_at": created.isoformat(),
        "tracking_company": "UPS" if number.startswith("1Z") else "USPS",
        "tracking_number": number,
        "tracking_numbers": [number],
        "shipment_status": None,
        "line_items": [{"id": 14385940873354, "quantity": 1}],
    }


def ups_alert(number: str, at: datetime, status_type: str = "I", code: str = "AR") -> dict[str, Any]:
    return {
        "trackingNumber": number,
        "localActivityDate": at.strftime("%Y%m%d"),
        "localActivityTime": at.strftime("%H%M%S"),
        "gmtActivityDate": at.strftime("%Y%m%d"),
        "gmtActivityTime": at.strftime("%H%M%S"),
        "gmtOffset": "+00:00",
        "activityLocation": {
            "city": "Louisville",
            "stateProvince": "KY",
            "postalCode": "40209",
            "country": "US",
        },
        "activityStatus": {"type": status_type, "code": code, "description": "Arrived at Facility"},
        "scheduledDeliveryDate": (at + timedelta(days=2)).strftime("%Y%m%d"),
        "actualDeliveryDate": at.strftime("%Y%m%d") if status_type == "D" else "",
    }


def usps_envelope(
    number: str, at: datetime, event: str = "Arrived at USPS Regional Facility"
) -> dict[str, Any]:
    payload = {
        "trackingNumber": number,
        "trackingEvents": [
            {
                "eventType": event,
                "eventCode": "10" if "Arrived" in event else "01",
                "eventTimestamp": at.isoformat(),
                "eventCity": "AUSTIN",
                "eventState": "TX",
                "eventZIP": "78701",
                "eventCountry": "US",
            }
        ],
        "destinationZIP": "78701",
        "destinationCountryCode": "US",
    }
    return {
        "subscriptionId": "sub-1",
        "subscriptionType": "TRACKING",
        "timestamp": at.isoformat(),
        "payload": json.dumps(payload),
    }


def seventeen_track_push(number: str, at: datetime, status: str = "InTransit") -> dict[str, Any]:
    return {
        "event": "TRACKING_UPDATED",
        "data": {
            "number": number,
            "carrier": 21051,
            "track_info": {
                "latest_status": {"status": status, "sub_status": f"{status}_Other"},
                "latest_event": {
                    "time_iso": at.isoformat(),
                    "time_utc": at.isoformat(),
                    "description": "Arrived at facility",
                    "location": "AUSTIN, TX",
                },
                "shipping_info": {"recipient_address": {"country": "US", "postal_code": "78701"}},
                "tracking": {
                    "providers": [
                        {
                            "events": [
                                {
                                    "time_iso": at.isoformat(),
                                    "time_utc": at.isoformat(),
                                    "description": "Arrived at facility",
                                    "location": "AUSTIN, TX",
                                    "stage": status,
                                    "sub_status": f"{status}_Other",
                                }
                            ]
                        }
                    ]
                },
            },
        },
    }


def generic_event(
    number: str, at: datetime, status: str = "IN_TRANSIT", carrier: str = "usps"
) -> dict[str, Any]:
    return {
        "events": [
            {
                "tracking_number": number,
                "carrier": carrier,
                "occurred_at": at.isoformat(),
                "status": status,
                "code": status.lower(),
                "description": "Arrived at facility",
                "location": {"city": "Austin", "postal_code": "78701", "country": "US"},
            }
        ],
    }


def ship24_push(number: str, at: datetime) -> dict[str, Any]:
    return {
        "trackings": [
            {
                "metadata": {"generatedAt": at.isoformat(), "messageId": f"m-{number}-{at.timestamp():.0f}"},
                "tracker": {"trackerId": f"t-{number}", "trackingNumber": number, "courierCode": ["usps"]},
                "shipment": {"statusMilestone": "in_transit", "destinationCountryCode": "US"},
                "events": [
                    {
                        "eventId": f"e-{number}-{at.timestamp():.0f}",
                        "occurrenceDatetime": at.isoformat(),
                        "status": "Arrived at facility",
                        "statusCode": "transit",
                        "statusMilestone": "in_transit",
                        "location": "Austin, TX",
                        "courierCode": "usps",
                    }
                ],
            }
        ]
    }


def aftership_push(number: str, at: datetime) -> dict[str, Any]:
    return {
        "ts": int(at.timestamp()),
        "event": "tracking_update",
        "event_id": f"ev-{number}-{at.timestamp():.0f}",
        "msg": {
            "tracking_number": number,
            "slug": "usps",
            "tag": "InTransit",
            "subtag": "InTransit_001",
            "destination_country_iso3": "USA",
            "checkpoints": [
                {
                    "checkpoint_time": at.isoformat(),
                    "tag": "InTransit",
                    "subtag": "InTransit_001",
                    "message": "Arrived at facility",
                    "location": "Austin, TX",
                    "country_iso3": "USA",
                    "zip": "78701",
                }
            ],
        },
    }


def fedex_push(number: str, at: datetime) -> dict[str, Any]:
    return {
        "trackingNumber": number,
        "events": [
            {
                "eventType": "AR",
                "eventDescription": "Arrived at FedEx location",
                "timestamp": at.isoformat(),
                "derivedStatusCode": "IT",
                "scanLocation": {"city": "MEMPHIS", "stateOrProvinceCode": "TN", "countryCode": "US"},
            }
        ],
    }


def dhl_push(number: str, at: datetime) -> dict[str, Any]:
    return {
        "shipments": [
            {
                "id": number,
                "service": "express",
                "status": {
                    "timestamp": at.isoformat(),
                    "statusCode": "transit",
                    "status": "transit",
                    "description": "Arrived at Sort Facility",
                },
                "destination": {"address": {"postalCode": "78701", "countryCode": "US"}},
                "events": [
                    {
                        "timestamp": at.isoformat(),
                        "statusCode": "transit",
                        "status": "transit",
                        "description": "Arrived at Sort Facility",
                    }
                ],
            }
        ]
    }


UPS_NUMBER = "1Z999AA10123456784"
USPS_NUMBER = "9400111899223197428490"


def good_document(route: str) -> tuple[Any, Headers]:
    """A well-formed body for the route, with the non-signature headers its sender adds."""
    at = EVENT_TIME + timedelta(hours=5)
    documents: dict[str, tuple[Any, Headers]] = {
        "tiktok-shop": (tiktok_notification(), {}),
        "shopify": (
            shopify_order(),
            shopify_headers("orders/create", "0b7e2e1c-5d4c-4f6e-9a57-3e2f1c0a9b01"),
        ),
        "17track": (seventeen_track_push(USPS_NUMBER, at), {}),
        "ship24": (ship24_push(USPS_NUMBER, at), {}),
        "aftership": (aftership_push(USPS_NUMBER, at), {}),
        "ups": (ups_alert(UPS_NUMBER, at), {}),
        "fedex": (fedex_push("794644790132", at), {}),
        "dhl": (dhl_push("1234567890", at), {}),
        "usps": (usps_envelope(USPS_NUMBER, at), {}),
        "generic": (generic_event(USPS_NUMBER, at), {}),
    }
    return documents[route]
