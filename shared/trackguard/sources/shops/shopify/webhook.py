"""Shopify ``orders/*`` and ``fulfillments/*`` webhooks: signature check and typed bodies.

``X-Shopify-Hmac-Sha256`` is base64 HMAC-SHA256 of the raw body keyed with the app's client secret.
The seller is the shop domain; the dedupe key is ``X-Shopify-Event-Id`` (else the webhook id, else a
hash of the body). Topics other than the handled ones are accepted and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from trackguard.errors import PayloadError, SignatureError
from trackguard.secrets import RotatingSecret, SenderSecret, candidates, current
from trackguard.sources._json import Id64, load_json_object, validate
from trackguard.sources.base import Headers, RawDelivery, base64_hmac, body_digest, matches_any

SOURCE = "shopify"
ORDER_TOPICS = frozenset(
    {"orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled", "orders/paid"}
)
FULFILLMENT_TOPICS = frozenset({"fulfillments/create", "fulfillments/update"})
HANDLED_TOPICS = ORDER_TOPICS | FULFILLMENT_TOPICS


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ShopifyShippingAddress(_Model):
    """Only where the parcel goes: names, street lines and phone are dropped at parse."""

    zip: str | None = None
    country_code: str | None = None
    province_code: str | None = None
    city: str | None = None


class ShopifyFulfillmentLineItem(_Model):
    id: Id64
    quantity: int | None = None
    sku: str | None = None


class ShopifyFulfillment(_Model):
    id: Id64
    order_id: Id64
    status: str
    created_at: datetime
    updated_at: datetime
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_numbers: tuple[str, ...] = ()
    tracking_url: str | None = None
    shipment_status: str | None = None
    line_items: tuple[ShopifyFulfillmentLineItem, ...] = ()


class ShopifyOrder(_Model):
    id: Id64
    name: str | None = None
    created_at: datetime
    processed_at: datetime | None = None
    cancelled_at: datetime | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    updated_at: datetime
    shipping_address: ShopifyShippingAddress | None = None
    fulfillments: tuple[ShopifyFulfillment, ...] = ()


@dataclass(frozen=True)
class ShopifyNotification:
    """A verified webhook: ``order`` for ``orders/*``, ``fulfillment`` for ``fulfillments/*``."""

    delivery_id: str
    shop_domain: str
    topic: str
    triggered_at: str | None
    order: ShopifyOrder | None = None
    fulfillment: ShopifyFulfillment | None = None

    @property
    def handled(self) -> bool:
        return self.topic in HANDLED_TOPICS

    @property
    def updated_at(self) -> datetime | None:
        body = self.order or self.fulfillment
        return body.updated_at if body else None


def expected_signature(client_secret: str, body: bytes) -> str:
    return base64_hmac(client_secret, body)


class Secret(SenderSecret):
    """The app's client secret; during a rotation, the new one first and the previous one second."""

    client_secret: RotatingSecret


def verify(delivery: RawDelivery, secret: Secret) -> None:
    received = delivery.header("x-shopify-hmac-sha256")
    if not received:
        raise SignatureError("the X-Shopify-Hmac-Sha256 header is missing")
    expected = tuple(expected_signature(key, delivery.body) for key in candidates(secret.client_secret))
    if not matches_any(expected, received.strip()):
        raise SignatureError("the X-Shopify-Hmac-Sha256 signature does not match the body")


def sign(body: bytes, secret: Secret, _now: datetime) -> Headers:
    return {"x-shopify-hmac-sha256": expected_signature(current(secret.client_secret), body)}


def parse(delivery: RawDelivery) -> ShopifyNotification:
    topic = _required_header(delivery, "x-shopify-topic").lower()
    shop_domain = _required_header(delivery, "x-shopify-shop-domain").lower()
    document = load_json_object(delivery.body)
    order = validate(ShopifyOrder, document, "Shopify order") if topic in ORDER_TOPICS else None
    fulfillment = (
        validate(ShopifyFulfillment, document, "Shopify fulfillment") if topic in FULFILLMENT_TOPICS else None
    )
    return ShopifyNotification(
        delivery_id=_delivery_id(delivery),
        shop_domain=shop_domain,
        topic=topic,
        triggered_at=delivery.header("x-shopify-triggered-at"),
        order=order,
        fulfillment=fulfillment,
    )


def _required_header(delivery: RawDelivery, name: str) -> str:
    value = (delivery.header(name) or "").strip()
    if not value:
        detail = {"loc": ["headers", name], "msg": "Field required", "type": "missing"}
        raise PayloadError(f"the {name} header is missing", [detail])
    return value


def _delivery_id(delivery: RawDelivery) -> str:
    for name in ("x-shopify-event-id", "x-shopify-webhook-id"):
        value = (delivery.header(name) or "").strip()
        if value:
            return value
    return "sha256:" + body_digest(delivery.body)
