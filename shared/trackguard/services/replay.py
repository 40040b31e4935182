"""Re-drive stored deliveries and every kind of dead letter.

A shop delivery is re-sent to the processing queue by source and time; processing skips one already
processed, so sending one twice is harmless. A carrier callback is parsed again from its stored raw body
with the adapter as it is now (after a fix): the events it derives are stored, those its old reading
derived and the new one does not are removed, and every number whose events changed is queued for
processing, which re-derives the packages' states and flags. Replaying twice changes nothing the second
time.

Each dead-letter queue holds its own kind, re-driven its own way (``DeadLetterKind``):

- ``processing``, ``reconcile``, ``report``: queue redrives; the messages go back to their queue as they were.
- ``stream``: the processor's stream failures name stream records (``DDBStreamBatchInfo``), not data;
  the records are read back from the stream and the stored deliveries and carrier events they name are
  sent to the processing queue, as the stream would have had them processed.
- ``schedule``: what EventBridge Scheduler could not deliver; the body is the event, the
  ``TARGET_ARN`` attribute the function, which is invoked with it (asynchronously, as the schedule does).
- ``invocation``: a scheduled function's failed async invocation (Lambda's on-failure record: the
  ``requestContext.functionArn`` and the ``requestPayload``), invoked again the same way.

All of it is idempotent: processing skips what is already processed, judging and reports are keyed by
order and day, so a message sent twice is harmless. A message leaves its dead-letter queue only after
its re-drive was accepted; one that cannot be re-driven stays, with the reason reported.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from trackguard.errors import TrackguardError, UnknownSourceError
from trackguard.services.messages import ShopDeliveryMessage, TrackingUpdateMessage
from trackguard.sources.base import RawDelivery
from trackguard.sources.registry import CARRIER_SOURCES, SHOP_SOURCES, carrier_source
from trackguard.storage.changes import DeliveryStored, EventStored, change_of
from trackguard.storage.deliveries import (
    CarrierDeliveryRepository,
    DeliveryRepository,
    DeliveryStatus,
    RawCarrierDelivery,
    StoredDelivery,
)
from trackguard.storage.stream_records import StreamBatch, StreamRecordReader, StreamRecordsGoneError
from trackguard.storage.tracking import TrackingRepository

if TYPE_CHECKING:
    from mypy_boto3_lambda.client import LambdaClient
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


class DeadLetterKind(StrEnum):
    PROCESSING = "processing"
    RECONCILE = "reconcile"
    REPORT = "report"
    STREAM = "stream"
    SCHEDULE = "schedule"
    INVOCATION = "invocation"


class Sender(Protocol):
    def send_all(self, messages: list[BaseModel]) -> None: ...


@dataclass
class RedriveResult:
    moved: int = 0
    kept: list[str] = field(default_factory=list)
    """Why each message that stayed in the dead-letter queue could not be re-driven."""


class DeadLetterRedrive(ABC):
    """Takes a dead-letter queue's messages ten at a time; each is deleted once its re-drive succeeded.

    A failure midway leaves the message where it was (at worst re-driven twice, which is harmless).
    Subclasses say how one batch is re-driven. A run takes at most the messages waiting when it started:
    a re-driven message that fails again may come back to this queue (an invocation does within
    moments), and is for the next run, not this one. Messages that cannot be re-driven are kept.
    """

    def __init__(self, sqs: SQSClient, dlq_url: str) -> None:
        self._sqs = sqs
        self._dlq_url = dlq_url

    def waiting(self) -> int:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self._dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", "0"))

    def redrive(self, limit: int, progress: Progress) -> RedriveResult:
        result = RedriveResult()
        limit = min(limit, self.waiting())
        seen = 0
        while seen < limit:
            batch = self._sqs.receive_message(
                QueueUrl=self._dlq_url,
                MaxNumberOfMessages=min(_SQS_BATCH, limit - seen),
                WaitTimeSeconds=0,
                VisibilityTimeout=300,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                break
            seen += len(batch)
            done = self._redrive_batch(batch, result.kept)
            self._delete(batch, done)
            result.moved += len(done)
            progress(len(batch))
        return result

    @abstractmethod
    def _redrive_batch(self, batch: list[MessageTypeDef], kept: list[str]) -> set[int]:
        """Re-drive a batch; returns the indexes of the messages re-driven, appends why others were not."""

    def _delete(self, batch: list[MessageTypeDef], done: set[int]) -> None:
        entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
            {"Id": str(index), "ReceiptHandle": batch[index]["ReceiptHandle"]} for index in sorted(done)
        ]
        if entries:
            self._sqs.delete_message_batch(QueueUrl=self._dlq_url, Entries=entries)


class QueueRedrive(DeadLetterRedrive):
    """Moves dead letters back to the queue they came from, bodies unchanged."""

    def __init__(self, sqs: SQSClient, dlq_url: str, queue_url: str) -> None:
        super().__init__(sqs, dlq_url)
        self._queue_url = queue_url

    def _redrive_batch(self, batch: list[MessageTypeDef], kept: list[str]) -> set[int]:
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(index), "MessageBody": m["Body"]} for index, m in enumerate(batch)
        ]
        answer = self._sqs.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
        kept += [f"{failed['Id']}: {failed.get('Message', 'refused')}" for failed in answer.get("Failed", [])]
        return {int(entry["Id"]) for entry in answer.get("Successful", [])}


class StreamFailureRedrive(DeadLetterRedrive):
    """Resolves each stream failure to the items its records name and queues them for processing."""

    def __init__(self, sqs: SQSClient, dlq_url: str, reader: StreamRecordReader, queue: Sender) -> None:
        super().__init__(sqs, dlq_url)
        self._reader = reader
        self._queue = queue

    def _redrive_batch(self, batch: list[MessageTypeDef], kept: list[str]) -> set[int]:
        done: set[int] = set()
        for index, message in enumerate(batch):
            try:
                stream_batch = StreamBatch.from_failure(json.loads(message["Body"]))
                work = processing_messages([change_of(keys) for keys in self._reader.keys_of(stream_batch)])
            except (ValueError, KeyError, TypeError):
                kept.append(f"{message['MessageId']}: not a stream failure record")
                continue
            except StreamRecordsGoneError as error:
                kept.append(f"{message['MessageId']}: {error} (replay deliveries with --source and --since)")
                continue
            for start in range(0, len(work), _SQS_BATCH):
                self._queue.send_all(work[start : start + _SQS_BATCH])
            done.add(index)
        return done


def processing_messages(changes: list[DeliveryStored | EventStored | None]) -> list[BaseModel]:
    """One message per stored delivery, one for all the numbers whose events were stored."""
    deliveries = {(c.source, c.delivery_id) for c in changes if isinstance(c, DeliveryStored)}
    numbers = sorted({c.tracking_number for c in changes if isinstance(c, EventStored)})
    messages: list[BaseModel] = [
        ShopDeliveryMessage(source=source, delivery_id=delivery_id)
        for source, delivery_id in sorted(deliveries)
    ]
    if numbers:
        messages.append(TrackingUpdateMessage(numbers=tuple(numbers)))
    return messages


Invocation = tuple[str, Any]
"""(the function to invoke, its event)."""


def scheduler_dead_letter(message: MessageTypeDef) -> Invocation:
    """EventBridge Scheduler's dead letter: the event as the body, the function as ``TARGET_ARN``."""
    target = message.get("MessageAttributes", {})["TARGET_ARN"]["StringValue"]
    body = message["Body"]
    return target, json.loads(body) if body.strip() else {}


def async_failure(message: MessageTypeDef) -> Invocation:
    """Lambda's on-failure record of an asynchronous invocation."""
    record = json.loads(message["Body"])
    return str(record["requestContext"]["functionArn"]), record["requestPayload"]


class InvocationRedrive(DeadLetterRedrive):
    """Invokes each dead letter's function again with its event, asynchronously as it was first."""

    def __init__(
        self,
        sqs: SQSClient,
        dlq_url: str,
        functions: LambdaClient,
        invocation_of: Callable[[MessageTypeDef], Invocation],
    ) -> None:
        super().__init__(sqs, dlq_url)
        self._functions = functions
        self._invocation_of = invocation_of

    def _redrive_batch(self, batch: list[MessageTypeDef], kept: list[str]) -> set[int]:
        done: set[int] = set()
        for index, message in enumerate(batch):
            try:
                function, event = self._invocation_of(message)
            except (ValueError, KeyError, TypeError):
                kept.append(f"{message['MessageId']}: names no function and event to invoke")
                continue
            self._functions.invoke(
                FunctionName=function, InvocationType="Event", Payload=json.dumps(event).encode()
            )
            done.add(index)
        return done
