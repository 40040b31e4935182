"""Shopify webhooks: signature check, the shop-domain rule, typed bodies and what of them is kept.

``X-Shopify-Hmac-Sha256`` is base64 HMAC-SHA256 of the raw body keyed with the app's client secret;
during a rotation the secret is a list ``[current, previous]`` and either verifies. The HMAC covers the
body only, so ``X-Shopify-Shop-Domain`` (the seller) must be a ``<name>.myshopify.com`` host and equal the
body's own shop domain where the body has one. The dedupe key is ``X-Shopify-Event-Id`` (else the
webhook id, else a hash of the body). Besides ``orders/*`` and ``fulfillments/*``, ``app/uninstalled``
and the three compliance topics are handled; other topics are accepted and ignored.

``stored_body`` is what trackguard keeps of a delivery: only the modelled fields, so a buyer's name,
street, phone and e-mail are never stored (the signature was checked on the raw body before).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

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
APP_UNINSTALLED = "app/uninstalled"
CUSTOMERS_DATA_REQUEST = "customers/data_request"
CUSTOMERS_REDACT = "customers/redact"
SHOP_REDACT = "shop/redact"
COMPLIANCE_TOPICS = frozenset({CUSTOMERS_DATA_REQUEST, CUSTOMERS_REDACT, SHOP_REDACT})
LIFECYCLE_TOPICS = COMPLIANCE_TOPICS | {APP_UNINSTALLED}
HANDLED_TOPICS = ORDER_TOPICS | FULFILLMENT_TOPICS | LIFECYCLE_TOPICS
_SHOP_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.myshopify\.com$")


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


class ShopifyCustomer(_Model):
    """Only the customer's Shopify id is kept; the e-mail and phone the body also carries are not."""

    id: Id64 | None = None


class ShopifyDataRequestId(_Model):
    id: Id64 | None = None


class ShopifyCustomersDataRequest(_Model):
    shop_domain: str
    customer: ShopifyCustomer = ShopifyCustomer()
    orders_requested: tuple[Id64, ...] = ()
    data_request: ShopifyDataRequestId = ShopifyDataRequestId()


class ShopifyCustomersRedact(_Model):
    shop_domain: str
    customer: ShopifyCustomer = ShopifyCustomer()
    orders_to_redact: tuple[Id64, ...] = ()


class ShopifyShopRedact(_Model):
    shop_domain: str


class ShopifyAppUninstalled(_Model):
    """The body is the Shop resource; only its permanent domain is kept (not the owner's name or e-mail)."""

    myshopify_domain: str | None = None


ShopifyLifecycleBody = (
    ShopifyCustomersDataRequest | ShopifyCustomersRedact | ShopifyShopRedact | ShopifyAppUninstalled
)
_LIFECYCLE_MODELS: dict[str, type[ShopifyLifecycleBody]] = {
    CUSTOMERS_DATA_REQUEST: ShopifyCustomersDataRequest,
    CUSTOMERS_REDACT: ShopifyCustomersRedact,
    SHOP_REDACT: ShopifyShopRedact,
    APP_UNINSTALLED: ShopifyAppUninstalled,
}


@dataclass(frozen=True)
class ShopifyNotification:
    """A verified webhook: ``order`` for ``orders/*``, ``fulfillment`` for ``fulfillments/*``,
    ``lifecycle`` for ``app/uninstalled`` and the compliance topics."""

    delivery_id: str
    shop_domain: str
    topic: str
    triggered_at: str | None
    order: ShopifyOrder | None = None
    fulfillment: ShopifyFulfillment | None = None
    lifecycle: ShopifyLifecycleBody | None = None

    @property
    def handled(self) -> bool:
        return self.topic in HANDLED_TOPICS

    @property
    def seller_id(self) -> str:
        """A Shopify seller is its shop's ``*.myshopify.com`` domain."""
        return self.shop_domain

    @property
    def order_ids(self) -> tuple[str, ...]:
        """The orders this delivery is about, for the seller's delivery index."""
        if self.order is not None:
            return (self.order.id,)
        if self.fulfillment is not None:
            return (self.fulfillment.order_id,)
        return ()

    @property
    def updated_at(self) -> datetime | None:
        body = self.order or self.fulfillment
        return body.updated_at if body else None

    @property
    def triggered_time(self) -> datetime | None:
        """When Shopify triggered the webhook (``X-Shopify-Triggered-At``), if it says so readably."""
        if not self.triggered_at:
            return None
        try:
            stamp = datetime.fromisoformat(self.triggered_at.replace("Z", "+00:00"))
        except ValueError:
            return None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    def stored_body(self, received: bytes) -> bytes:  # noqa: ARG002 (the models decide; the body is not kept)
        """What is kept: the modelled fields only, which is everything processing and replay read.

        Shopify's bodies carry buyer names, streets, phones and e-mails; the models leave them out.
        """
        body = self.order or self.fulfillment or self.lifecycle
        document = body.model_dump(mode="json", exclude_none=True) if body is not None else {}
        return json.dumps(document, separators=(",", ":")).encode()


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
    shop_domain = checked_shop_domain(_required_header(delivery, "x-shopify-shop-domain"))
    document = load_json_object(delivery.body)
    order = validate(ShopifyOrder, document, "Shopify order") if topic in ORDER_TOPICS else None
    fulfillment = (
        validate(ShopifyFulfillment, document, "Shopify fulfillment") if topic in FULFILLMENT_TOPICS else None
    )
    lifecycle_model = _LIFECYCLE_MODELS.get(topic)
    lifecycle = validate(lifecycle_model, document, f"Shopify {topic} body") if lifecycle_model else None
    if lifecycle is not None:
        _require_same_shop(shop_domain, _body_shop_domain(lifecycle))
    return ShopifyNotification(
        delivery_id=_delivery_id(delivery),
        shop_domain=shop_domain,
        topic=topic,
        triggered_at=delivery.header("x-shopify-triggered-at"),
        order=order,
        fulfillment=fulfillment,
        lifecycle=lifecycle,
    )


def is_shop_domain(text: str) -> bool:
    return _SHOP_DOMAIN.fullmatch(text) is not None


def checked_shop_domain(header: str) -> str:
    """The permanent ``<name>.myshopify.com`` host, lower-cased; anything else is refused (400)."""
    domain = header.strip().lower()
    if not is_shop_domain(domain):
        detail = {
            "loc": ["headers", "x-shopify-shop-domain"],
            "msg": "must be a <name>.myshopify.com domain",
            "type": "value_error",
        }
        raise PayloadError("X-Shopify-Shop-Domain is not a <name>.myshopify.com domain", [detail])
    return domain


def _body_shop_domain(body: ShopifyLifecycleBody) -> str | None:
    if isinstance(body, ShopifyAppUninstalled):
        return body.myshopify_domain
    return body.shop_domain


def _require_same_shop(header_domain: str, body_domain: str | None) -> None:
    """The header is not signed, the body is: a body naming another shop is refused."""
    if body_domain is not None and body_domain.strip().lower() != header_domain:
        detail = {
            "loc": ["headers", "x-shopify-shop-domain"],
            "msg": "differs from the shop domain in the signed body",
            "type": "value_error",
        }
        raise PayloadError("X-Shopify-Shop-Domain differs from the body's shop domain", [detail])


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
