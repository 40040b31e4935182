"""Accepting deliveries: verify the signature over the raw body, validate, then store durably once.

Nothing is written before the signature and the payload have both passed. Storing is the whole hot
path: the table's stream starts processing, so an acknowledged delivery cannot be stored yet left
unprocessed. A failure to store surfaces as an exception (5xx) so the sender retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trackguard.errors import UnknownSourceError
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
        headers = {name: value for name, value in delivery.headers.items() if name in STORED_HEADERS}
        outcome = self._deliveries.record(source, delivery_id, delivery.body, headers, delivery.received_at)
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
