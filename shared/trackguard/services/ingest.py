"""Accepting deliveries: verify the signature over the raw body, validate, then store durably once.

Nothing is written before the signature and the payload have both passed, and the seller a shop
delivery names is a valid shop id (else 400: it becomes part of keys). A shop delivery is stored as its
adapter says it is kept (Shopify: without buyer names, streets, phones or e-mails), indexed under its
seller so that parked deliveries, redaction and erasure find it without a Scan. Storing is the whole hot
path: the table's stream starts processing, so an acknowledged delivery cannot be stored yet left
unprocessed. A failure to store surfaces as an exception (5xx) so the sender retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trackguard.errors import PayloadError, UnknownSourceError
from trackguard.sources.registry import carrier_source, shop_source

if TYPE_CHECKING:
    from trackguard.secrets import SecretDocument
    from trackguard.sources.base import RawDelivery, Sender
    from trackguard.storage.deliveries import DeliveryRepository
    from trackguard.storage.tracking import TrackingRepository

STORED_HEADERS = frozenset(
    {
        "content-type",
        "user-agent",
        "x-shopify-topic",
        "x-shopify-shop-domain",
        "x-shopify-event-id",
        "x-shopify-webhook-id",
        "x-shopify-triggered-at",
        "x-shopify-api-version",
    }
)


@dataclass(frozen=True)
class Accepted:
    delivery_id: str | None
    duplicate: bool = False
    events: int = 0


def verified(sender: Sender[Any, Any], delivery: RawDelivery, secrets: Callable[[], SecretDocument]) -> None:
    """Refuse a sender that has no usable secret (404: never verify against an empty key), then verify."""
    secret = secrets().section(sender.name, sender.secret_model)
    if secret is None:
        raise UnknownSourceError.not_configured(sender.name)
    sender.verify(delivery, secret)


class ShopIngestService:
    """A shop delivery costs one conditional PutItem: the stored delivery is its own work item."""

    def __init__(self, deliveries: DeliveryRepository, secrets: Callable[[], SecretDocument]) -> None:
        self._deliveries = deliveries
        self._secrets = secrets

    def accept(self, source: str, delivery: RawDelivery) -> Accepted:
        sender = shop_source(source)
        verified(sender, delivery, self._secrets)
        notification = sender.parse(delivery)
        delivery_id: str = notification.delivery_id
        seller_id, order_ids = _seller_and_orders(notification)
        _checked_seller(seller_id)
        _checked_ids(delivery_id, order_ids)
        stored_body: bytes = notification.stored_body() if source == "shopify" else delivery.body
        headers = {name: value for name, value in delivery.headers.items() if name in STORED_HEADERS}
        outcome = self._deliveries.record(
            source,
            delivery_id,
            stored_body,
            headers,
            delivery.received_at,
            seller_id=seller_id,
            order_ids=order_ids,
        )
        return Accepted(delivery_id=delivery_id, duplicate=not outcome.created)


class CarrierIngestService:
    """A carrier callback costs one DynamoDB request: the events are the durable record and the work item.

    A duplicate event rewrites an identical item, which DynamoDB does not put on the stream.
    """

    def __init__(self, tracking: TrackingRepository, secrets: Callable[[], SecretDocument]) -> None:
        self._tracking = tracking
        self._secrets = secrets

    def accept(self, source: str, delivery: RawDelivery) -> Accepted:
        sender = carrier_source(source)
        verified(sender, delivery, self._secrets)
        parsed = sender.parse(delivery)
        if parsed.events:
            self._tracking.put_events(parsed.events)
        return Accepted(delivery_id=parsed.delivery_id, events=len(parsed.events))


def _checked_seller(seller_id: str) -> None:
    from trackguard.storage.keys import is_seller_id

    if not is_seller_id(seller_id):
        detail = {"loc": ["shop"], "msg": "not a valid shop id", "type": "value_error"}
        raise PayloadError("the delivery names no valid shop", [detail])


def _checked_ids(delivery_id: str, order_ids: tuple[str, ...]) -> None:
    """Ids that will become key parts; refused here (400) rather than failing later in processing."""
    from trackguard.storage.keys import InvalidKeyPartError, checked_part

    try:
        for part in (delivery_id, *order_ids):
            checked_part(part)
    except InvalidKeyPartError as error:
        detail = {"loc": ["id"], "msg": str(error), "type": "value_error"}
        raise PayloadError("an id in the delivery cannot be used", [detail]) from error


def _seller_and_orders(notification: object) -> tuple[str, tuple[str, ...]]:
    """Who a shop delivery is for and which orders it is about, for the seller's delivery index."""
    from trackguard.sources.shops.shopify.webhook import ShopifyNotification
    from trackguard.sources.shops.tiktok_shop.webhook import (
        CancellationStatusChange,
        OrderStatusChange,
        PackageUpdate,
        RecipientAddressUpdate,
        ReturnStatusChange,
        TikTokNotification,
    )

    if isinstance(notification, ShopifyNotification):
        return notification.shop_domain, notification.order_ids
    if not isinstance(notification, TikTokNotification):
        raise TypeError(type(notification).__name__)
    data = notification.typed_data()
    if isinstance(data, PackageUpdate):
        listed = {order_id for change in data.package_list for order_id in change.order_id_list}
        return notification.shop_id, tuple(sorted(listed))
    if isinstance(
        data, OrderStatusChange | RecipientAddressUpdate | CancellationStatusChange | ReturnStatusChange
    ):
        return notification.shop_id, (data.order_id,)
    return notification.shop_id, ()
