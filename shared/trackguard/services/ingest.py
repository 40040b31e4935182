"""Accepting deliveries: verify the signature over the raw body, validate, then store durably once.

Nothing is written before the signature and the payload have both passed, and the seller a shop
delivery names is a valid shop id (else 400: it becomes part of keys). A shop delivery is stored as its
platform says it is kept (``ShopDelivery.stored_body``), indexed under its seller so that parked
deliveries, redaction and erasure find it without a Scan; ingestion itself names no platform. Storing
is the whole hot path: the table's stream starts processing, so an acknowledged delivery cannot be
stored yet left unprocessed. A failure to store surfaces as an exception (5xx) so the sender retries.
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
        "webhook-id",
        "webhook-timestamp",
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
        from trackguard.sources.limits import check_id

        sender = shop_source(source)
        verified(sender, delivery, self._secrets)
        notification = sender.parse(delivery)
        delivery_id = notification.delivery_id
        _checked_seller(notification.seller_id)
        _checked_ids(delivery_id, notification.order_ids)
        check_id(delivery_id, "delivery id")
        outcome = self._deliveries.record(
            source,
            delivery_id,
            notification.stored_body(delivery.body),
            _stored_headers(delivery),
            delivery.received_at,
            seller_id=notification.seller_id,
            order_ids=notification.order_ids,
        )
        return Accepted(delivery_id=delivery_id, duplicate=not outcome.created)


class CarrierIngestService:
    """A carrier callback costs one DynamoDB request: one BatchWriteItem of the raw callback and its events.

    The events are the work item (their insertion is on the stream); the raw callback, kept 30 days, lets
    a fixed adapter re-derive them (``trackguard replay``). A callback without a delivery id is keyed by
    its body's hash. A duplicate rewrites identical events, which DynamoDB does not put on the stream.
    Codes no status table knew are counted per source (``report_unmapped_codes``).
    """

    def __init__(self, tracking: TrackingRepository, secrets: Callable[[], SecretDocument]) -> None:
        self._tracking = tracking
        self._secrets = secrets

    def accept(self, source: str, delivery: RawDelivery) -> Accepted:
        from trackguard.services.unmapped_codes import report_unmapped_codes
        from trackguard.sources.base import body_digest
        from trackguard.sources.limits import check_carrier_delivery
        from trackguard.storage.deliveries import RawCarrierDelivery
        from trackguard.storage.polling import StopRecord

        sender = carrier_source(source)
        verified(sender, delivery, self._secrets)
        parsed = sender.parse(delivery)
        check_carrier_delivery(parsed, delivery.received_at)
        report_unmapped_codes(source, parsed.events)
        raw = RawCarrierDelivery(
            source=source,
            delivery_key=parsed.delivery_id or "sha256:" + body_digest(delivery.body),
            received_at=delivery.received_at,
            body=delivery.body,
            headers=_stored_headers(delivery),
            tracking_numbers=tuple(sorted({event.tracking_number for event in parsed.events})),
        )
        stops = [StopRecord(number, delivery.received_at) for number in parsed.stopped_numbers]
        self._tracking.record_delivery(raw, parsed.events, stops)
        return Accepted(delivery_id=parsed.delivery_id, events=len(parsed.events))


def _stored_headers(delivery: RawDelivery) -> dict[str, str]:
    """Only headers that carry no secret: a signature or token is never stored."""
    return {name: value for name, value in delivery.headers.items() if name in STORED_HEADERS}


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
