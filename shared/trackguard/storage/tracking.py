"""Tracking-number partitions: every carrier event of a number, and links to the packages that carry it.

One Query on ``TRK#<number>`` returns both, so a callback finds its packages and their whole history
in a single request — and an event for a number no order has yet simply waits there.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from trackguard.domain.events import CarrierEvent
from trackguard.storage import keys
from trackguard.storage.deliveries import RawCarrierDelivery, raw_carrier_item
from trackguard.storage.dynamo import Table, to_attributes
from trackguard.storage.polling import StopRecord, stopped_item

EVENT_RETENTION = timedelta(days=400)
_BATCH_LIMIT = 25
_MAX_UNPROCESSED_RETRIES = 8


@dataclass(frozen=True)
class PackageRef:
    seller_id: str
    order_id: str
    package_id: str


@dataclass(frozen=True)
class TrackingRecord:
    tracking_number: str
    packages: tuple[PackageRef, ...]
    events: tuple[CarrierEvent, ...]


class TrackingRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def put_events(self, events: Sequence[CarrierEvent], raw_pk: str | None = None) -> int:
        """Store events idempotently (keyed by their natural key). Returns DynamoDB requests made."""
        return self._write(_event_requests(events, raw_pk))

    def record_delivery(
        self,
        delivery: RawCarrierDelivery,
        events: Sequence[CarrierEvent],
        stops: Sequence[StopRecord] = (),
    ) -> int:
        """The raw callback, its events and the stops it reports in one BatchWriteItem (25 items a
        request; the raw one first).

        Each event names the callback it came from, so a replay can replace what an old adapter derived.
        Returns the DynamoDB requests made: 1 for any callback of up to 24 items besides the raw one.
        """
        raw = {"PutRequest": {"Item": raw_carrier_item(delivery)}}
        stopped = [{"PutRequest": {"Item": stopped_item(stop)}} for stop in stops]
        return self._write([raw, *stopped, *_event_requests(events, delivery.pk)])

    def events_from(self, tracking_number: str, raw_pk: str) -> list[CarrierEvent]:
        """The stored events of a number that the given raw callback produced (one Query)."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
            FilterExpression="delivery_pk = :raw",
            ExpressionAttributeValues={
                ":pk": {"S": keys.tracking_pk(tracking_number)},
                ":events": {"S": "EVT#"},
                ":raw": {"S": raw_pk},
            },
            ConsistentRead=True,
        )
        return [CarrierEvent.model_validate_json(item["event"]) for item in items]

    def delete_events(self, events: Sequence[CarrierEvent]) -> int:
        """Remove events a fixed adapter no longer derives (a removal is not work on the stream)."""
        return self._write(
            [
                {"DeleteRequest": {"Key": _event_key(event.tracking_number, event.event_key)}}
                for event in {(e.tracking_number, e.event_key): e for e in events}.values()
            ]
        )

    def _write(self, requests: list[dict[str, Any]]) -> int:
        calls = 0
        for start in range(0, len(requests), _BATCH_LIMIT):
            calls += self._write_batch(requests[start : start + _BATCH_LIMIT])
        return calls

    def _write_batch(self, requests: list[dict[str, Any]]) -> int:
        pending = {self._table.name: requests}
        for attempt in range(_MAX_UNPROCESSED_RETRIES):
            answer = self._table.client.batch_write_item(RequestItems=pending)  # type: ignore[arg-type]
            unprocessed = answer.get("UnprocessedItems") or {}
            if not unprocessed:
                return attempt + 1
            pending = unprocessed  # type: ignore[assignment]
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise RuntimeError("DynamoDB left events unprocessed after retries")

    def load(self, tracking_number: str) -> TrackingRecord:
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.tracking_pk(tracking_number)}},
            ConsistentRead=True,
        )
        packages = tuple(
            PackageRef(item["seller_id"], item["order_id"], item["package_id"])
            for item in items
            if item["sk"].startswith("LINK#")
        )
        events = tuple(
            CarrierEvent.model_validate_json(item["event"]) for item in items if item["sk"].startswith("EVT#")
        )
        return TrackingRecord(tracking_number, packages, events)

    def packages_of(self, tracking_number: str) -> tuple[PackageRef, ...]:
        """Only the links of a number (no events): who else carries it."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :links)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.tracking_pk(tracking_number)},
                ":links": {"S": "LINK#"},
            },
        )
        return tuple(PackageRef(item["seller_id"], item["order_id"], item["package_id"]) for item in items)


def _event_requests(events: Sequence[CarrierEvent], raw_pk: str | None) -> list[dict[str, Any]]:
    unique = {(event.tracking_number, event.event_key): event for event in events}
    return [{"PutRequest": {"Item": _event_item(event, key, raw_pk)}} for (_, key), event in unique.items()]


def _event_key(tracking_number: str, event_key: str) -> dict[str, Any]:
    return {"pk": {"S": keys.tracking_pk(tracking_number)}, "sk": {"S": keys.event_sk(event_key)}}


def _event_item(event: CarrierEvent, event_key: str, raw_pk: str | None) -> dict[str, Any]:
    """Written as attribute values directly: every field is a string or an integer, and this is the
    carrier callback's hot path (no JSON round trip through the generic mapping, the natural key hashed
    once). ``delivery_pk`` names the raw callback the event came from (a replay replaces by it)."""
    expires_at = int((event.occurred_at + EVENT_RETENTION).timestamp())
    item = {
        "pk": {"S": keys.tracking_pk(event.tracking_number)},
        "sk": {"S": keys.event_sk(event_key)},
        "event": {"S": event.model_dump_json(exclude_none=True)},
        "expires_at": {"N": str(expires_at)},
    }
    return item | {"delivery_pk": {"S": raw_pk}} if raw_pk else item


def link_item(tracking_number: str, ref: PackageRef) -> dict[str, Any]:
    return to_attributes(
        {
            "pk": keys.tracking_pk(tracking_number),
            "sk": keys.tracking_link_sk(ref.seller_id, ref.order_id, ref.package_id),
            "seller_id": ref.seller_id,
            "order_id": ref.order_id,
            "package_id": ref.package_id,
        }
    )
