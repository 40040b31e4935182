"""Re-drive shop deliveries to the processing queue: stored ones by source and time, or the dead letters.

Both are idempotent: processing skips a delivery already processed, so sending one twice is harmless.
Nothing is processed here; the processor function does that from the queue, as for any delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from trackguard.errors import TrackguardError, UnknownSourceError
from trackguard.services.messages import ShopDeliveryMessage
from trackguard.sources.registry import SHOP_SOURCES
from trackguard.storage.deliveries import DeliveryRepository, DeliveryStatus, StoredDelivery

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import (
        DeleteMessageBatchRequestEntryTypeDef,
        MessageTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

    from trackguard.messaging import MessageQueue

REPLAYABLE_SOURCES = tuple(SHOP_SOURCES)
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
