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
from trackguard.storage.dynamo import Table, to_attributes

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

    def put_events(self, events: Sequence[CarrierEvent]) -> int:
        """Store events idempotently (keyed by their natural key). Returns DynamoDB requests made."""
        unique = {(event.tracking_number, event.event_key): event for event in events}
        requests = [{"PutRequest": {"Item": _event_item(event, key)}} for (_, key), event in unique.items()]
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


def _event_item(event: CarrierEvent, event_key: str) -> dict[str, Any]:
    """Written as attribute values directly: every field is a string or an integer, and this is the
    carrier callback's hot path (no JSON round trip through the generic mapping, the natural key hashed
    once)."""
    expires_at = int((event.occurred_at + EVENT_RETENTION).timestamp())
    return {
        "pk": {"S": keys.tracking_pk(event.tracking_number)},
        "sk": {"S": keys.event_sk(event_key)},
        "event": {"S": event.model_dump_json(exclude_none=True)},
        "expires_at": {"N": str(expires_at)},
    }


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
