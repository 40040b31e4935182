"""SQS event sources: poll a queue, invoke the function with the batch, delete what succeeded.

Failed messages are made visible again after ``retry_delay_seconds`` (instead of the queue's own
visibility timeout), so the queue's RedrivePolicy moves them to the dead-letter queue after
maxReceiveCount receives; moto's server applies the redrive policy on receive as SQS does.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from trackguard_dev.local.model import QueueSourceSpec
from trackguard_dev.local.polling import PollingThread
from trackguard_dev.local.template import REGION
from trackguard_dev.local.workers import Invocation

MAX_RECEIVE_BATCH = 10
LONG_POLL_SECONDS = 1
RETRY_DELAY_SECONDS = 2

log = logging.getLogger(__name__)


def sqs_event(spec: QueueSourceSpec, messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": [_record(spec, message) for message in messages]}


def _record(spec: QueueSourceSpec, message: dict[str, Any]) -> dict[str, Any]:
    attributes = message.get("MessageAttributes") or {}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes") or {},
        "messageAttributes": {name: _message_attribute(value) for name, value in attributes.items()},
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": spec.queue_arn,
        "awsRegion": REGION,
    }


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """The event's spelling of a message attribute (camelCase, list fields present)."""
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value["DataType"],
    }


def failed_message_ids(spec: QueueSourceSpec, invocation: Invocation, message_ids: list[str]) -> set[str]:
    """The messages to leave on the queue after an invocation."""
    if not invocation.ok:
        return set(message_ids)
    if not spec.report_item_failures:
        return set()
    payload = invocation.payload
    failures = payload.get("batchItemFailures") if isinstance(payload, dict) else None
    if not failures:
        return set()
    reported = {str(failure.get("itemIdentifier")) for failure in failures if isinstance(failure, dict)}
    if not reported <= set(message_ids):
        return set(message_ids)  # Lambda treats an unknown itemIdentifier as the whole batch failing
    return reported


class QueueConsumer(PollingThread):
    """One polling thread per SQS event source (long polling: an empty round needs no extra wait)."""

    def __init__(
        self,
        spec: QueueSourceSpec,
        sqs: Any,
        invoke: Callable[[str, Any], Invocation],
        retry_delay_seconds: int = RETRY_DELAY_SECONDS,
    ) -> None:
        super().__init__(
            f"sqs-{spec.queue_id}", idle_seconds=0, error_seconds=1, join_seconds=LONG_POLL_SECONDS + 5
        )
        self.spec = spec
        self._sqs = sqs
        self._invoke = invoke
        self._retry_delay = retry_delay_seconds

    def poll_once(self) -> bool:
        messages = self._sqs.receive_message(
            QueueUrl=self.spec.queue_url,
            MaxNumberOfMessages=min(self.spec.batch_size, MAX_RECEIVE_BATCH),
            WaitTimeSeconds=LONG_POLL_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages or self.stopping:
            return True
        invocation = self._invoke(self.spec.function_id, sqs_event(self.spec, messages))
        if not invocation.ok:
            log.warning(
                "%s failed on %d message(s): %s", self.spec.function_id, len(messages), invocation.payload
            )
        failed = failed_message_ids(self.spec, invocation, [message["MessageId"] for message in messages])
        self._settle([m for m in messages if m["MessageId"] not in failed], delete=True)
        self._settle([m for m in messages if m["MessageId"] in failed], delete=False)
        return True

    def _settle(self, messages: list[dict[str, Any]], delete: bool) -> None:
        if not messages:
            return
        entries: list[dict[str, Any]] = [
            {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(messages)
        ]
        if delete:
            self._sqs.delete_message_batch(QueueUrl=self.spec.queue_url, Entries=entries)
        else:
            for entry in entries:
                entry["VisibilityTimeout"] = self._retry_delay
            self._sqs.change_message_visibility_batch(QueueUrl=self.spec.queue_url, Entries=entries)
