"""DynamoDB stream event sources: read the table's stream, filter, invoke, retry, then give up.

Records that match none of the FilterCriteria patterns are dropped, as Lambda drops them. A failed
batch (or, with ReportBatchItemFailures, the rest from the first failed record) is retried up to
MaximumRetryAttempts times; then it goes to the OnFailure SQS destination, if any, and reading moves on.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from trackguard_dev.local.model import StreamSourceSpec
from trackguard_dev.local.polling import PollingThread
from trackguard_dev.local.template import REGION
from trackguard_dev.local.workers import Invocation

POLL_SECONDS = 0.5
RETRY_SECONDS = 1.0

log = logging.getLogger(__name__)


def matches(pattern: Mapping[str, Any], document: Any) -> bool:
    """EventBridge-style matching of the common forms: values, prefix, anything-but, exists."""
    if not isinstance(document, dict):
        return False
    for key, expected in pattern.items():
        if isinstance(expected, dict):
            if not matches(expected, document.get(key)):
                return False
        elif not any(_matches_value(rule, key in document, document.get(key)) for rule in expected):
            return False
    return True


def _matches_value(rule: Any, present: bool, value: Any) -> bool:
    if not isinstance(rule, dict):
        return present and value == rule
    if "exists" in rule:
        return present is bool(rule["exists"])
    if "prefix" in rule:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    if "anything-but" in rule:
        excluded = rule["anything-but"]
        return present and value not in (excluded if isinstance(excluded, list) else [excluded])
    return False


def stream_record(spec: StreamSourceSpec, record: Mapping[str, Any]) -> dict[str, Any]:
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, int | float):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": _base64_binaries(dynamodb),
        "eventSourceARN": spec.event_source_arn,
    }


def _base64_binaries(value: Any) -> Any:
    """Binary attribute values travel base64-encoded in Lambda's JSON event."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: _base64_binaries(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_base64_binaries(item) for item in value]
    return value


def first_failed_index(
    spec: StreamSourceSpec, invocation: Invocation, records: list[dict[str, Any]]
) -> int | None:
    """Where to resume after an invocation: None when every record succeeded."""
    if not invocation.ok:
        return 0
    failures = invocation.payload.get("batchItemFailures") if isinstance(invocation.payload, dict) else None
    if not spec.report_item_failures or not failures:
        return None
    sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
    failed = [str(failure.get("itemIdentifier")) for failure in failures if isinstance(failure, dict)]
    indexes = [sequence_numbers.index(number) for number in failed if number in sequence_numbers]
    return min(indexes) if len(indexes) == len(failed) else 0


class StreamConsumer(PollingThread):
    """One thread per stream event source, reading every shard of the table's latest stream."""

    def __init__(
        self,
        spec: StreamSourceSpec,
        dynamodb: Any,
        streams: Any,
        sqs: Any,
        invoke: Callable[[str, Any], Invocation],
    ) -> None:
        super().__init__(
            f"stream-{spec.table_id}", idle_seconds=POLL_SECONDS, error_seconds=POLL_SECONDS, join_seconds=10
        )
        self.spec = spec
        self._dynamodb = dynamodb
        self._streams = streams
        self._sqs = sqs
        self._invoke = invoke
        self._iterators: dict[str, str | None] = {}

    def poll_once(self) -> bool:
        """Read each shard once; True when records were read."""
        stream_arn = self._dynamodb.describe_table(TableName=self.spec.table_name)["Table"]["LatestStreamArn"]
        shards = self._streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        busy = False
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType=self.spec.starting_position
                )["ShardIterator"]
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue
            answer = self._streams.get_records(ShardIterator=iterator, Limit=self.spec.batch_size)
            records = [stream_record(self.spec, record) for record in answer.get("Records", [])]
            busy = busy or bool(records)
            self._deliver([record for record in records if self._wanted(record)], stream_arn, shard_id)
            self._iterators[shard_id] = answer.get("NextShardIterator")
        return busy

    def _wanted(self, record: dict[str, Any]) -> bool:
        return not self.spec.filters or any(matches(pattern, record) for pattern in self.spec.filters)

    def _deliver(self, records: list[dict[str, Any]], stream_arn: str, shard_id: str) -> None:
        attempts = 0
        while records and not self.stopping:
            invocation = self._invoke(self.spec.function_id, {"Records": records})
            failed_at = first_failed_index(self.spec, invocation, records)
            if failed_at is None:
                return
            records = records[failed_at:]
            attempts += 1
            if attempts > self.spec.max_retries:
                self._give_up(records, invocation, stream_arn, shard_id)
                return
            self.pause(RETRY_SECONDS)

    def _give_up(
        self, records: list[dict[str, Any]], invocation: Invocation, stream_arn: str, shard_id: str
    ) -> None:
        """Lambda's on-failure record: which records of which shard (the real stream's ARN, to re-read)."""
        log.warning(
            "%s gave up on %d stream record(s): %s", self.spec.function_id, len(records), invocation.payload
        )
        if self.spec.on_failure_queue_url is None:
            return
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        message = {
            "requestContext": {"functionArn": self.spec.function_id, "condition": "RetryAttemptsExhausted"},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(records),
                "streamArn": stream_arn,
            },
        }
        self._sqs.send_message(QueueUrl=self.spec.on_failure_queue_url, MessageBody=json.dumps(message))
