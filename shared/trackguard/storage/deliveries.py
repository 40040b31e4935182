"""Raw inbound deliveries, stored before anything is done with them: accepted data is never lost.

Shop deliveries are their own work item (``DELIVERY#``). Carrier callbacks are stored raw beside the events
they gave (``CARRIERDLV#``, written in the same BatchWriteItem as the events, see ``storage/tracking.py``)
so that a fixed adapter can re-derive those events (``trackguard replay``). Bodies are zlib-compressed
(webhook JSON shrinks 5-10×), which keeps a 1 MiB delivery inside DynamoDB's 400 KB item limit in
practice; a shop delivery that still does not fit is refused as too large.
A shop delivery is also listed under its seller (GSI2 ``SELLER#{seller}#DELIVERIES``), with the orders
it is about, so a seller's parked deliveries, an order's deliveries (redaction) and everything of a
seller (erasure) are found by Query.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from trackguard.errors import PayloadTooLargeError
from trackguard.storage import keys
from trackguard.storage.dynamo import Table, key, to_attributes

MAX_STORED_BODY_BYTES = 380_000
RETENTION = timedelta(days=30)


class DeliveryStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    PARKED = "parked"


class DeliveryTooLargeError(PayloadTooLargeError):
    """The compressed body still does not fit one item."""


@dataclass(frozen=True)
class StoredDelivery:
    source: str
    delivery_id: str
    received_at: datetime
    status: DeliveryStatus
    body: bytes
    headers: dict[str, str]
    attempts: int = 0
    error: str | None = None
    seller_id: str | None = None
    order_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryKey:
    """Names one stored delivery without reading its body."""

    source: str
    delivery_id: str
    status: DeliveryStatus
    order_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordOutcome:
    """``created`` is False for a duplicate; ``status`` is then the stored delivery's status."""

    created: bool
    status: DeliveryStatus


@dataclass(frozen=True)
class RawCarrierDelivery:
    """A carrier callback as received. ``delivery_key`` is the sender's delivery id, else a body hash;
    ``tracking_numbers`` are the numbers its events were stored under (a replay looks there)."""

    source: str
    delivery_key: str
    received_at: datetime
    body: bytes
    headers: dict[str, str]
    tracking_numbers: tuple[str, ...] = ()
    body_stored: bool = True

    @property
    def pk(self) -> str:
        return keys.carrier_delivery_pk(self.source, self.delivery_key)


def compressed_body(body: bytes) -> bytes:
    compressed = zlib.compress(body, 6)
    if len(compressed) > MAX_STORED_BODY_BYTES:
        raise DeliveryTooLargeError(f"{len(body)} bytes do not fit one stored delivery")
    return compressed


def raw_carrier_item(delivery: RawCarrierDelivery) -> dict[str, Any]:
    """The item of a raw carrier callback, kept as long as a shop delivery (``RETENTION``).

    A body that does not fit one item even compressed (a 1 MiB callback of incompressible text) is left
    out, marked ``body_omitted``: its events were parsed and are stored, and the contract does not let a
    callback be refused for its text, so only a later replay of that one callback is given up.
    """
    item = to_attributes(
        {
            "pk": delivery.pk,
            "sk": keys.RAW_CARRIER_DELIVERY_SK,
            "source": delivery.source,
            "delivery_key": delivery.delivery_key,
            "received_at": keys.timestamp(delivery.received_at),
            "headers": delivery.headers,
            "tracking_numbers": list(delivery.tracking_numbers),
            "gsi1pk": keys.carrier_deliveries_by_day_pk(
                delivery.source, delivery.received_at.strftime("%Y-%m-%d")
            ),
            "gsi1sk": f"{keys.timestamp(delivery.received_at)}#{delivery.delivery_key}",
            "expires_at": int((delivery.received_at + RETENTION).timestamp()),
        }
    )
    try:
        item["body"] = {"B": compressed_body(delivery.body)}
    except DeliveryTooLargeError:
        item["body_omitted"] = {"BOOL": True}
    return item


class CarrierDeliveryRepository:
    """Reads the raw carrier callbacks back (they are written with their events by TrackingRepository)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def received_between(self, source: str, start: datetime, end: datetime) -> list[RawCarrierDelivery]:
        """Callbacks of one carrier source received in [start, end): one Query per UTC day."""
        items = _received_by_day(self._table, keys.carrier_deliveries_by_day_pk, source, start, end)
        found = (_raw_carrier(item) for item in items)
        return [delivery for delivery in found if start <= delivery.received_at < end]


class DeliveryRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def record(
        self,
        source: str,
        delivery_id: str,
        body: bytes,
        headers: dict[str, str],
        received_at: datetime,
        *,
        seller_id: str | None = None,
        order_ids: Sequence[str] = (),
    ) -> RecordOutcome:
        """Store the delivery once (one conditional PutItem); a duplicate changes nothing."""
        compressed = compressed_body(body)
        seller_index = (
            {
                "seller_id": seller_id,
                "order_ids": list(order_ids) or None,
                "gsi2pk": keys.seller_deliveries_pk(seller_id),
                "gsi2sk": f"{keys.timestamp(received_at)}#{source}#{delivery_id}",
            }
            if seller_id is not None
            else {}
        )
        item = to_attributes(
            {
                **seller_index,
                "pk": keys.delivery_pk(source, delivery_id),
                "sk": keys.DELIVERY_SK,
                "source": source,
                "delivery_id": delivery_id,
                "received_at": keys.timestamp(received_at),
                "status": DeliveryStatus.RECEIVED.value,
                "headers": headers,
                "attempts": 0,
                "gsi1pk": keys.deliveries_by_day_pk(source, received_at.strftime("%Y-%m-%d")),
                "gsi1sk": f"{keys.timestamp(received_at)}#{delivery_id}",
                "expires_at": int((received_at + RETENTION).timestamp()),
            }
        )
        item["body"] = {"B": compressed}
        try:
            self._table.client.put_item(
                TableName=self._table.name,
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            existing: dict[str, Any] = error.response.get("Item") or {}  # type: ignore[assignment]
            status = existing.get("status", {}).get("S", DeliveryStatus.RECEIVED.value)
            return RecordOutcome(created=False, status=DeliveryStatus(status))
        return RecordOutcome(created=True, status=DeliveryStatus.RECEIVED)

    def get(self, source: str, delivery_id: str) -> StoredDelivery | None:
        item = self._table.get(keys.delivery_pk(source, delivery_id), keys.DELIVERY_SK, consistent=True)
        return _stored(item) if item else None

    def mark(self, source: str, delivery_id: str, status: DeliveryStatus, error: str | None = None) -> None:
        names = {"#status": "status"}
        values: dict[str, Any] = {":status": {"S": status.value}, ":one": {"N": "1"}}
        expression = "SET #status = :status ADD attempts :one"
        if error:
            expression = "SET #status = :status, last_error = :error ADD attempts :one"
            values[":error"] = {"S": error[:500]}
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.delivery_pk(source, delivery_id), keys.DELIVERY_SK),
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def of_seller(self, seller_id: str, status: DeliveryStatus | None = None) -> Iterator[DeliveryKey]:
        """The seller's stored deliveries, oldest first (at most the retention period of them)."""
        request: dict[str, Any] = {
            "IndexName": "GSI2",
            "KeyConditionExpression": "gsi2pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.seller_deliveries_pk(seller_id)}},
            "ProjectionExpression": "#source, delivery_id, #status, order_ids",
            "ExpressionAttributeNames": {"#source": "source", "#status": "status"},
        }
        if status is not None:
            request["FilterExpression"] = "#status = :status"
            request["ExpressionAttributeValues"][":status"] = {"S": status.value}
        for page in self._table.query_pages(**request):
            for item in page:
                yield DeliveryKey(
                    source=item["source"],
                    delivery_id=item["delivery_id"],
                    status=DeliveryStatus(item["status"]),
                    order_ids=tuple(item.get("order_ids", ())),
                )

    def delete(self, source: str, delivery_id: str) -> None:
        self._table.client.delete_item(
            TableName=self._table.name, Key=key(keys.delivery_pk(source, delivery_id), keys.DELIVERY_SK)
        )

    def received_between(self, source: str, start: datetime, end: datetime) -> list[StoredDelivery]:
        """Deliveries of one source received in [start, end): one Query per UTC day."""
        items = _received_by_day(self._table, keys.deliveries_by_day_pk, source, start, end)
        found = (_stored(item) for item in items)
        return [delivery for delivery in found if start <= delivery.received_at < end]


def _received_by_day(
    table: Table, day_pk: Callable[[str, str], str], source: str, start: datetime, end: datetime
) -> Iterator[dict[str, Any]]:
    """The items a source's by-day index holds for [start, end): one GSI1 Query per UTC day."""
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        yield from table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk BETWEEN :start AND :end",
            ExpressionAttributeValues={
                ":pk": {"S": day_pk(source, day.strftime("%Y-%m-%d"))},
                ":start": {"S": keys.timestamp(start)},
                ":end": {"S": keys.timestamp(end)},
            },
        )
        day += timedelta(days=1)


def _stored(full: dict[str, Any]) -> StoredDelivery:
    return StoredDelivery(
        source=full["source"],
        delivery_id=full["delivery_id"],
        received_at=datetime.fromisoformat(full["received_at"]),
        status=DeliveryStatus(full["status"]),
        body=zlib.decompress(full["body"]),
        headers=full.get("headers", {}),
        attempts=int(full.get("attempts", 0)),
        error=full.get("last_error"),
        seller_id=full.get("seller_id"),
        order_ids=tuple(full.get("order_ids", ())),
    )


def _raw_carrier(item: dict[str, Any]) -> RawCarrierDelivery:
    return RawCarrierDelivery(
        source=item["source"],
        delivery_key=item["delivery_key"],
        received_at=datetime.fromisoformat(item["received_at"]),
        body=zlib.decompress(item["body"]) if "body" in item else b"",
        headers=item.get("headers", {}),
        tracking_numbers=tuple(item.get("tracking_numbers", ())),
        body_stored="body" in item,
    )
