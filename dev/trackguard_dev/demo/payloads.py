"""What each sender sends, in its own schema and signing scheme (CONTRACT §2), for a planned parcel or order.

``ROUTE_STEPS`` words every step per carrier route (its code, and the status trackguard must derive from
it); a route that has no word for a step cannot carry a parcel with that step.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trackguard.sources.carriers._countries import ISO3_TO_ISO2
from trackguard_dev.demo.scenario import DISPLAY, OrderPlan, ParcelPlan, Step, TrackEvent
from trackguard_dev.signing import sign

Secrets = Mapping[str, Mapping[str, str]]
ISO2_TO_ISO3 = {iso2: iso3 for iso3, iso2 in ISO3_TO_ISO2.items()}

ROUTE_STEPS: dict[str, dict[Step, tuple[str, str]]] = {
    "17track": {
        Step.LABEL: ("InfoReceived", "INFO_RECEIVED"),
        Step.PICKUP: ("InTransit_PickedUp", "IN_TRANSIT"),
        Step.TRANSIT: ("InTransit_Other", "IN_TRANSIT"),
        Step.CUSTOMS: ("InTransit_CustomsProcessing", "CUSTOMS"),
        Step.CUSTOMS_INFO: ("InTransit_CustomsRequiringInformation", "CUSTOMS"),
        Step.CLEARED: ("InTransit_CustomsReleased", "IN_TRANSIT"),
        Step.OUT: ("OutForDelivery_Other", "OUT_FOR_DELIVERY"),
        Step.DELIVERED: ("Delivered_Other", "DELIVERED"),
        Step.FAILED: ("DeliveryFailure_Other", "DELIVERY_FAILED"),
        Step.LOST: ("Exception_Lost", "EXCEPTION"),
        Step.RETURNING: ("Exception_Returning", "EXCEPTION"),
    },
    "ship24": {
        Step.LABEL: ("info_received", "INFO_RECEIVED"),
        Step.PICKUP: ("in_transit", "IN_TRANSIT"),
        Step.TRANSIT: ("in_transit", "IN_TRANSIT"),
        Step.CLEARED: ("in_transit", "IN_TRANSIT"),
        Step.OUT: ("out_for_delivery", "OUT_FOR_DELIVERY"),
        Step.DELIVERED: ("delivered", "DELIVERED"),
        Step.FAILED: ("failed_attempt", "DELIVERY_FAILED"),
        Step.LOST: ("exception", "EXCEPTION"),
    },
    "aftership": {
        Step.LABEL: ("InfoReceived", "INFO_RECEIVED"),
        Step.PICKUP: ("InTransit", "IN_TRANSIT"),
        Step.TRANSIT: ("InTransit", "IN_TRANSIT"),
        Step.CUSTOMS: ("Exception_004", "CUSTOMS"),
        Step.CUSTOMS_INFO: ("Exception_018", "CUSTOMS"),
        Step.CLEARED: ("InTransit", "IN_TRANSIT"),
        Step.OUT: ("OutForDelivery", "OUT_FOR_DELIVERY"),
        Step.DELIVERED: ("Delivered", "DELIVERED"),
        Step.FAILED: ("AttemptFail", "DELIVERY_FAILED"),
        Step.LOST: ("Exception_013", "EXCEPTION"),
        Step.RETURNING: ("Exception_010", "EXCEPTION"),
    },
    "ups": {
        Step.LABEL: ("M", "INFO_RECEIVED"),
        Step.PICKUP: ("P", "IN_TRANSIT"),
        Step.TRANSIT: ("I", "IN_TRANSIT"),
        Step.OUT: ("O", "OUT_FOR_DELIVERY"),
        Step.DELIVERED: ("D", "DELIVERED"),
        Step.LOST: ("X", "EXCEPTION"),
        Step.RETURNING: ("RS", "EXCEPTION"),
    },
    "fedex": {
        Step.LABEL: ("OC", "INFO_RECEIVED"),
        Step.PICKUP: ("PU", "IN_TRANSIT"),
        Step.TRANSIT: ("IT", "IN_TRANSIT"),
        Step.CUSTOMS: ("CD", "CUSTOMS"),
        Step.CLEARED: ("CC", "IN_TRANSIT"),
        Step.OUT: ("OD", "OUT_FOR_DELIVERY"),
        Step.DELIVERED: ("DL", "DELIVERED"),
        Step.FAILED: ("DE", "DELIVERY_FAILED"),
        Step.LOST: ("SE", "EXCEPTION"),
        Step.RETURNING: ("RS", "EXCEPTION"),
    },
    "dhl": {
        Step.LABEL: ("pre-transit", "INFO_RECEIVED"),
        Step.PICKUP: ("transit", "IN_TRANSIT"),
        Step.TRANSIT: ("transit", "IN_TRANSIT"),
        Step.CLEARED: ("transit", "IN_TRANSIT"),
        Step.OUT: ("transit", "IN_TRANSIT"),
        Step.DELIVERED: ("delivered", "DELIVERED"),
        Step.LOST: ("failure", "EXCEPTION"),
    },
    "usps": {
        Step.LABEL: ("MA", "INFO_RECEIVED"),
        Step.PICKUP: ("03", "IN_TRANSIT"),
        Step.TRANSIT: ("80", "IN_TRANSIT"),
        Step.OUT: ("OF", "OUT_FOR_DELIVERY"),
        Step.DELIVERED: ("01", "DELIVERED"),
        Step.FAILED: ("52", "DELIVERY_FAILED"),
        Step.RETURNING: ("09", "EXCEPTION"),
    },
    "generic": {
        Step.LABEL: ("INFO_RECEIVED", "INFO_RECEIVED"),
        Step.PICKUP: ("IN_TRANSIT", "IN_TRANSIT"),
        Step.TRANSIT: ("IN_TRANSIT", "IN_TRANSIT"),
        Step.CUSTOMS: ("CUSTOMS", "CUSTOMS"),
        Step.CUSTOMS_INFO: ("CUSTOMS", "CUSTOMS"),
        Step.CLEARED: ("IN_TRANSIT", "IN_TRANSIT"),
        Step.OUT: ("OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY"),
        Step.DELIVERED: ("DELIVERED", "DELIVERED"),
        Step.FAILED: ("DELIVERY_FAILED", "DELIVERY_FAILED"),
        Step.LOST: ("EXCEPTION", "EXCEPTION"),
        Step.RETURNING: ("EXCEPTION", "EXCEPTION"),
    },
}
POSTAL_ROUTES = frozenset({"17track", "aftership", "fedex", "dhl", "usps", "generic"})
ROUTES_BY_CARRIER = {
    "ups": ("ups", "ship24", "aftership", "17track"),
    "fedex": ("fedex", "aftership", "ship24", "17track"),
    "usps": ("usps", "17track", "aftership", "ship24"),
    "dhl": ("dhl", "ship24", "17track", "aftership"),
    "china_post": ("17track", "generic", "aftership"),
    "yunexpress": ("17track", "ship24", "generic"),
    "cainiao": ("aftership", "17track", "generic"),
    "4px": ("generic", "17track", "ship24"),
}
_GENERIC_REASONS = {Step.CUSTOMS_INFO: "customs", Step.LOST: "lost", Step.RETURNING: "returning"}


@dataclass(frozen=True)
class Request:
    """One signed HTTP request to the stack: path, headers and raw body."""

    path: str
    headers: dict[str, str]
    body: bytes


def route_for(parcel: ParcelPlan, rotation: int, *, needs_postal: bool) -> str:
    """A route of the parcel's carrier that can word every step (and a postal destination when needed)."""
    candidates = ROUTES_BY_CARRIER[parcel.carrier]
    start = rotation % len(candidates)
    for route in candidates[start:] + candidates[:start]:
        steps_ok = all(event.step in ROUTE_STEPS[route] for event in parcel.events)
        if steps_ok and (route in POSTAL_ROUTES or not needs_postal):
            return route
    return "generic"


def expected_status(route: str, parcel: ParcelPlan) -> str:
    """The tracking status trackguard must show once the route delivered all the parcel's events."""
    if not parcel.events:
        return "PENDING"
    last = max(parcel.events, key=lambda event: event.at)
    return ROUTE_STEPS[route][last.step][1]


def _json(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _signed(
    source: str, path: str, body: bytes, secrets: Secrets, extra: Mapping[str, str] | None = None
) -> Request:
    """A request signed by the sender's own ``sign``, with the stack's secrets."""
    return Request(path, {**(extra or {}), **sign(source, body, datetime.now(UTC), secrets)}, body)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _code(route: str, event: TrackEvent) -> str:
    return ROUTE_STEPS[route][event.step][0]


def _describe(event: TrackEvent) -> str:
    return f"{event.step.value.replace('_', ' ').capitalize()} - {event.city}"


def track_info(parcel: ParcelPlan) -> dict[str, Any]:
    """17TRACK's ``track_info`` for the parcel: its push body's core, and the 17TRACK sandbox's answer."""
    events = [
        {
            "time_utc": _iso(event.at),
            "description": _describe(event),
            "location": event.city,
            "stage": _code("17track", event).split("_")[0],
            "sub_status": _code("17track", event),
            "address": {"country": event.country, "city": event.city},
        }
        for event in sorted(parcel.events, key=lambda item: item.at, reverse=True)
    ]
    latest = events[0] if events else None
    return {
        "shipping_info": {
            "shipper_address": {"country": parcel.origin_country},
            "recipient_address": {
                "country": parcel.destination_country,
                "postal_code": parcel.destination_postal,
            },
        },
        "latest_status": {
            "status": latest["stage"] if latest else "NotFound",
            "sub_status": latest["sub_status"] if latest else "NotFound_Other",
        },
        "latest_event": latest,
        "tracking": {"providers": [{"provider": {"name": DISPLAY[parcel.carrier]}, "events": events}]},
    }


def seventeen_track(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    data = {"number": parcel.number, "carrier": DISPLAY[parcel.carrier], "track_info": track_info(parcel)}
    body = _json({"event": "TRACKING_UPDATED", "data": data})
    return [_signed("17track", "/webhooks/carriers/17track", body, secrets)]


def ship24(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    tracking = {
        "metadata": {"generatedAt": _iso(max(e.at for e in parcel.events)), "messageId": str(uuid.uuid4())},
        "tracker": {"trackingNumber": parcel.number, "courierCode": [parcel.carrier]},
        "shipment": {
            "originCountryCode": parcel.origin_country,
            "destinationCountryCode": parcel.destination_country,
        },
        "events": [
            {
                "eventId": str(uuid.uuid4()),
                "occurrenceDatetime": _iso(event.at),
                "status": _describe(event),
                "statusMilestone": _code("ship24", event),
                "location": event.city,
                "courierCode": parcel.carrier,
            }
            for event in parcel.events
        ],
    }
    return [_signed("ship24", "/webhooks/carriers/ship24", _json({"trackings": [tracking]}), secrets)]


def aftership(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    checkpoints = []
    for event in parcel.events:
        code = _code("aftership", event)
        checkpoints.append(
            {
                "checkpoint_time": _iso(event.at),
                "tag": code.split("_")[0],
                "subtag": code if "_" in code else f"{code}_001",
                "message": _describe(event),
                "city": event.city,
                "country_iso3": ISO2_TO_ISO3[event.country],
            }
        )
    msg = {
        "tracking_number": parcel.number,
        "slug": DISPLAY[parcel.carrier].lower().replace(" ", "-"),
        "origin_country_iso3": ISO2_TO_ISO3[parcel.origin_country],
        "destination_country_iso3": ISO2_TO_ISO3[parcel.destination_country],
        "destination_postal_code": parcel.destination_postal,
        "checkpoints": checkpoints,
    }
    body = _json(
        {"ts": int(time.time()), "event": "tracking_update", "event_id": str(uuid.uuid4()), "msg": msg}
    )
    return [_signed("aftership", "/webhooks/carriers/aftership", body, secrets)]


def ups(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    return [
        _signed(
            "ups",
            "/webhooks/carriers/ups",
            _json(
                {
                    "trackingNumber": parcel.number,
                    "gmtActivityDate": event.at.astimezone(UTC).strftime("%Y%m%d"),
                    "gmtActivityTime": event.at.astimezone(UTC).strftime("%H%M%S"),
                    "activityLocation": {"city": event.city.upper(), "country": event.country},
                    "activityStatus": {"type": _code("ups", event), "description": _describe(event).upper()},
                }
            ),
            secrets,
        )
        for event in parcel.events
    ]


def fedex(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    body = _json(
        {
            "trackingNumber": parcel.number,
            "scanEvents": [
                {
                    "date": _iso(event.at),
                    "eventType": _code("fedex", event),
                    "eventDescription": _describe(event),
                    "scanLocation": {"city": event.city.upper(), "countryCode": event.country},
                }
                for event in parcel.events
            ],
            "recipientInformation": {
                "address": {
                    "postalCode": parcel.destination_postal,
                    "countryCode": parcel.destination_country,
                }
            },
        }
    )
    return [_signed("fedex", "/webhooks/carriers/fedex", body, secrets)]


def dhl(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    statuses = [
        {
            "timestamp": _iso(event.at),
            "statusCode": _code("dhl", event),
            "description": _describe(event),
            "location": {"address": {"addressLocality": event.city, "countryCode": event.country}},
        }
        for event in sorted(parcel.events, key=lambda item: item.at)
    ]
    shipment = {
        "id": parcel.number,
        "service": "express",
        "status": statuses[-1],
        "origin": {"address": {"countryCode": parcel.origin_country}},
        "destination": {
            "address": {"postalCode": parcel.destination_postal, "countryCode": parcel.destination_country}
        },
        "events": statuses,
    }
    return [_signed("dhl", "/webhooks/carriers/dhl", _json({"shipments": [shipment]}), secrets)]


def usps(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    payload = {
        "trackingNumber": parcel.number,
        "destinationZIP": parcel.destination_postal,
        "destinationCountryCode": parcel.destination_country,
        "originCountryCode": parcel.origin_country,
        "trackingEvents": [
            {
                "eventType": _describe(event),
                "eventCode": _code("usps", event),
                "eventTimestamp": _iso(event.at),
                "GMTTimestamp": _iso(event.at),
                "eventCity": event.city.upper(),
                "eventCountry": event.country,
            }
            for event in parcel.events
        ],
    }
    envelope = {
        "subscriptionId": str(uuid.uuid4()),
        "subscriptionType": "TRACKING",
        "timestamp": _iso(datetime.now(UTC)),
        "payload": json.dumps(payload, separators=(",", ":")),
    }
    return [_signed("usps", "/webhooks/carriers/usps", _json(envelope), secrets)]


def generic(parcel: ParcelPlan, secrets: Secrets) -> list[Request]:
    events = []
    for event in parcel.events:
        document: dict[str, Any] = {
            "tracking_number": parcel.number,
            "carrier": parcel.carrier,
            "occurred_at": _iso(event.at),
            "status": _code("generic", event),
            "description": _describe(event),
            "location": {"city": event.city, "country": event.country},
            "destination": {"postal_code": parcel.destination_postal, "country": parcel.destination_country},
        }
        if event.step in _GENERIC_REASONS:
            document["reason"] = _GENERIC_REASONS[event.step]
        events.append(document)
    body = _json({"events": events})
    return [_signed("generic", "/webhooks/carriers/generic", body, secrets)]


CARRIER_SENDERS: dict[str, Callable[[ParcelPlan, Secrets], list[Request]]] = {
    "17track": seventeen_track,
    "ship24": ship24,
    "aftership": aftership,
    "ups": ups,
    "fedex": fedex,
    "dhl": dhl,
    "usps": usps,
    "generic": generic,
}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


_FIRST_NAMES = ("Ava", "Liam", "Mia", "Noah", "Zoe", "Omar", "Priya", "Kenji", "Lucia", "Tomas")
_LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Castellanos", "Nakamura", "Brennan", "Haddad", "Petrov")
_STREETS = ("Juniper Lane", "Harbor View Road", "Calle Alondra", "Quarry Hill Drive", "Birchwood Court")


@dataclass(frozen=True)
class Buyer:
    """The buyer's personal data a real order carries; trackguard must keep none of it (the demo's
    day is scanned for it: tests/e2e/test_personal_data.py)."""

    first_name: str
    last_name: str
    street: str
    phone: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def buyer_of(order: OrderPlan) -> Buyer:
    """A stable, distinct-looking buyer for each order (the digits of its id pick the parts)."""
    number = int(order.order_id[-7:])
    first = _FIRST_NAMES[number % len(_FIRST_NAMES)]
    last = _LAST_NAMES[(number // 10) % len(_LAST_NAMES)]
    return Buyer(
        first_name=first,
        last_name=last,
        street=f"{100 + number % 9000} {_STREETS[(number // 7) % len(_STREETS)]}",
        phone=f"+1415555{number % 10000:04d}",
        email=f"{first.lower()}.{last.lower()}{number % 1000}@buyers.example",
    )


def _shopify_address(order: OrderPlan) -> dict[str, Any]:
    buyer = buyer_of(order)
    return {
        "first_name": buyer.first_name,
        "last_name": buyer.last_name,
        "name": buyer.name,
        "address1": buyer.street,
        "address2": "Apt 4",
        "phone": buyer.phone,
        "zip": order.buyer_postal,
        "country_code": order.buyer_country,
        "city": "-",
    }


def tiktok_order(order: OrderPlan) -> dict[str, Any]:
    """The order as TikTok's Get Order Detail answers it (``data.orders[]``), for the sandbox."""
    buyer = buyer_of(order)
    return {
        "id": order.order_id,
        "status": order.status,
        "create_time": _epoch(order.created_at),
        "paid_time": _epoch(order.created_at) + 45,
        "update_time": _epoch(order.shipped_at),
        "shipping_type": "SELLER",
        "packages": [{"id": parcel.package_id} for parcel in order.parcels],
        "line_items": [
            {
                "id": f"{order.order_id}{index}",
                "package_id": parcel.package_id,
                "tracking_number": parcel.number or "",
                "shipping_provider_name": DISPLAY[parcel.declared],
                "package_status": "SHIPPED" if parcel.number else "TO_FULFILL",
            }
            for index, parcel in enumerate(order.parcels)
        ],
        "recipient_address": {
            "postal_code": order.buyer_postal,
            "region_code": order.buyer_country,
            "name": buyer.name,
            "phone_number": buyer.phone,
            "address_line1": buyer.street,
            "full_address": f"{buyer.street}, {order.buyer_postal}",
        },
        "buyer_email": buyer.email,
    }


def tiktok_webhook(shop_id: str, notification_type: int, data: dict[str, Any], secrets: Secrets) -> Request:
    document = {
        "type": notification_type,
        "tts_notification_id": str(uuid.uuid4().int)[:19],
        "shop_id": shop_id,
        "timestamp": int(time.time()),
        "data": data,
    }
    body = _json(document)
    return _signed("tiktok_shop", "/webhooks/tiktok-shop", body, secrets)


def tiktok_status_change(order: OrderPlan, secrets: Secrets) -> Request:
    data = {"order_id": order.order_id, "order_status": order.status, "update_time": _epoch(order.shipped_at)}
    return tiktok_webhook(order.seller.seller_id, 1, data, secrets)


def tiktok_combine(shop_id: str, package_id: str, order_ids: tuple[str, ...], secrets: Secrets) -> Request:
    data = {
        "sc_type": "COMBINE",
        "role_type": "SELLER",
        "package_list": [{"package_id": package_id, "order_id_list": list(order_ids)}],
        "update_time": int(time.time()),
    }
    return tiktok_webhook(shop_id, 4, data, secrets)


def shopify_fulfillment(order: OrderPlan, parcel: ParcelPlan) -> dict[str, Any]:
    return {
        "id": int(parcel.package_id),
        "order_id": int(order.order_id),
        "status": "success",
        "created_at": order.shipped_at.isoformat(),
        "updated_at": order.shipped_at.isoformat(),
        "tracking_company": DISPLAY[parcel.declared],
        "tracking_number": parcel.number,
        "tracking_numbers": [parcel.number] if parcel.number else [],
        "line_items": [{"id": int(parcel.package_id) + 7, "quantity": 1}],
        "email": buyer_of(order).email,
        "destination": _shopify_address(order),
    }


def shopify_order(order: OrderPlan, *, fulfilled: bool) -> dict[str, Any]:
    buyer = buyer_of(order)
    return {
        "id": int(order.order_id),
        "name": f"#{order.order_id[-4:]}",
        "created_at": order.created_at.isoformat(),
        "updated_at": (order.shipped_at if fulfilled else order.created_at).isoformat(),
        "processed_at": order.created_at.isoformat(),
        "financial_status": "paid",
        "fulfillment_status": order.status if fulfilled else None,
        "cancelled_at": None,
        "email": buyer.email,
        "phone": buyer.phone,
        "customer": {
            "id": int(order.order_id[-9:]),
            "email": buyer.email,
            "first_name": buyer.first_name,
            "last_name": buyer.last_name,
            "phone": buyer.phone,
        },
        "shipping_address": _shopify_address(order),
        "billing_address": _shopify_address(order),
        "fulfillments": [shopify_fulfillment(order, parcel) for parcel in order.parcels] if fulfilled else [],
    }


def shopify_webhook(shop: str, topic: str, document: dict[str, Any], secrets: Secrets) -> Request:
    body = _json(document)
    headers = {
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": shop,
        "x-shopify-event-id": str(uuid.uuid4()),
        "x-shopify-webhook-id": str(uuid.uuid4()),
    }
    return _signed("shopify", "/webhooks/shopify", body, secrets, headers)


def shopify_webhooks(order: OrderPlan, secrets: Secrets) -> list[Request]:
    shop = order.seller.seller_id
    requests = [shopify_webhook(shop, "orders/create", shopify_order(order, fulfilled=False), secrets)]
    requests += [
        shopify_webhook(shop, "fulfillments/create", shopify_fulfillment(order, parcel), secrets)
        for parcel in order.parcels
    ]
    requests.append(shopify_webhook(shop, "orders/updated", shopify_order(order, fulfilled=True), secrets))
    return requests
