"""Re-drive stored deliveries: shop ones to the processing queue, carrier ones through today's adapter.

A shop delivery is re-sent to the processing queue by source and time (or from the dead letters);
processing skips one already processed, so sending one twice is harmless. A carrier callback is parsed
again from its stored raw body with the adapter as it is now (after a fix): the events it derives are
stored, those its old reading derived and the new one does not are removed, and every number whose
events changed is queued for processing, which re-derives the packages' states and flags. Replaying
twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from trackguard.errors import TrackguardError, UnknownSourceError
from trackguard.services.messages import ShopDeliveryMessage, TrackingUpdateMessage
from trackguard.sources.base import RawDelivery
from trackguard.sources.registry import CARRIER_SOURCES, SHOP_SOURCES, carrier_source
from trackguard.storage.deliveries import (
    CarrierDeliveryRepository,
    DeliveryRepository,
    DeliveryStatus,
    RawCarrierDelivery,
    StoredDelivery,
)
from trackguard.storage.tracking import TrackingRepository

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import (
        DeleteMessageBatchRequestEntryTypeDef,
        MessageTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

    from trackguard.messaging import MessageQueue

REPLAYABLE_SOURCES = (*SHOP_SOURCES, *CARRIER_SOURCES)
_SQS_BATCH = 10

Progress = Callable[[int], None]


class StatusFilter(StrEnum):
    FAILED = "failed"
    RECEIVED = "received"
    ALL = "all"

    def admits(self, status: DeliveryStatus) -> bool:
        return self is StatusFilter.ALL or status.value == self.value


class ReplayRangeError(TrackguardError):
    """The time range to replay is not one."""


@dataclass(frozen=True)
class ReplayRequest:
    source: str
    since: datetime
    until: datetime
    status: StatusFilter = StatusFilter.FAILED

    def __post_init__(self) -> None:
        if self.source not in REPLAYABLE_SOURCES:
            raise UnknownSourceError(
                f"no stored deliveries for {self.source!r}: one of {', '.join(REPLAYABLE_SOURCES)}"
            )
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ReplayRangeError("--since and --until need a time zone (e.g. 2026-11-02T09:00:00Z)")
        if self.since >= self.until:
            raise ReplayRangeError("--since must be before --until")


class DeliveryReplay:
    def __init__(self, deliveries: DeliveryRepository, queue: MessageQueue) -> None:
        self._deliveries = deliveries
        self._queue = queue

    def select(self, request: ReplayRequest) -> list[StoredDelivery]:
        found = self._deliveries.received_between(request.source, request.since, request.until)
        return [delivery for delivery in found if request.status.admits(delivery.status)]

    def send(self, deliveries: list[StoredDelivery], progress: Progress) -> int:
        """Queue one message per delivery, ten at a time; returns how many were queued."""
        for start in range(0, len(deliveries), _SQS_BATCH):
            chunk = deliveries[start : start + _SQS_BATCH]
            self._queue.send_all(
                [ShopDeliveryMessage(source=d.source, delivery_id=d.delivery_id) for d in chunk]
            )
            progress(len(chunk))
        return len(deliveries)


@dataclass(frozen=True)
class Rederived:
    """What a carrier replay changed: events stored anew and removed, the numbers queued, and the
    callbacks it could not re-read because their body was too large to keep (``body_omitted``)."""

    deliveries: int
    added: int
    removed: int
    numbers: tuple[str, ...]
    without_body: int = 0


class CarrierReplay:
    """Re-derives a carrier's events from its stored raw callbacks with the adapter as it is now."""

    def __init__(
        self, deliveries: CarrierDeliveryRepository, tracking: TrackingRepository, queue: MessageQueue
    ) -> None:
        self._deliveries = deliveries
        self._tracking = tracking
        self._queue = queue

    def select(self, request: ReplayRequest) -> list[RawCarrierDelivery]:
        return self._deliveries.received_between(request.source, request.since, request.until)

    def rederive(self, deliveries: list[RawCarrierDelivery], progress: Progress) -> Rederived:
        added = removed = without_body = 0
        changed: set[str] = set()
        for delivery in deliveries:
            progress(1)
            if not delivery.body_stored:
                without_body += 1
                continue
            delivery_added, delivery_removed, touched = self._rederive_one(delivery)
            added, removed = added + delivery_added, removed + delivery_removed
            changed |= touched
        numbers = tuple(sorted(changed))
        if numbers:
            self._queue.send_all([TrackingUpdateMessage(numbers=(number,)) for number in numbers])
        return Rederived(len(deliveries), added, removed, numbers, without_body)

    def _rederive_one(self, delivery: RawCarrierDelivery) -> tuple[int, int, set[str]]:
        """Store what the callback means now; remove what only its old reading meant."""
        raw = RawDelivery(headers=delivery.headers, body=delivery.body, received_at=delivery.received_at)
        events = carrier_source(delivery.source).parse(raw).events
        numbers = set(delivery.tracking_numbers) | {event.tracking_number for event in events}
        stored = [
            event for number in sorted(numbers) for event in self._tracking.events_from(number, delivery.pk)
        ]
        new_keys = {(event.tracking_number, event.event_key) for event in events}
        old_keys = {(event.tracking_number, event.event_key) for event in stored}
        stale = [event for event in stored if (event.tracking_number, event.event_key) not in new_keys]
        fresh = [event for event in events if (event.tracking_number, event.event_key) not in old_keys]
        if stale:
            self._tracking.delete_events(stale)
        self._tracking.put_events(events, delivery.pk)
        touched = {event.tracking_number for event in [*stale, *fresh]}
        return len(fresh), len(stale), touched


class DeadLetterRedrive:
    """Moves messages from the dead-letter queue back to the processing queue.

    A message is deleted from the dead-letter queue only after the processing queue accepted it, so a
    failure midway leaves it where it was (at worst sent twice, which processing absorbs).
    """

    def __init__(self, sqs: SQSClient, dlq_url: str, queue_url: str) -> None:
        self._sqs = sqs
        self._dlq_url = dlq_url
        self._queue_url = queue_url

    def waiting(self) -> int:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self._dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", "0"))

    def redrive(self, limit: int, progress: Progress) -> int:
        moved = 0
        while moved < limit:
            batch = self._sqs.receive_message(
                QueueUrl=self._dlq_url,
                MaxNumberOfMessages=min(_SQS_BATCH, limit - moved),
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not batch:
                break
            moved += self._move(batch)
            progress(len(batch))
        return moved

    def _move(self, batch: list[MessageTypeDef]) -> int:
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(index), "MessageBody": m["Body"]} for index, m in enumerate(batch)
        ]
        answer = self._sqs.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
        sent = {entry["Id"] for entry in answer.get("Successful", [])}
        done: list[DeleteMessageBatchRequestEntryTypeDef] = [
            {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]}
            for index, m in enumerate(batch)
            if str(index) in sent
        ]
        if done:
            self._sqs.delete_message_batch(QueueUrl=self._dlq_url, Entries=done)
        return len(done)
