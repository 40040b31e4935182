"""Read back the table's stream records a failed batch named, so a re-drive can find the stored items.

When the processor gives up on a batch, Lambda dead-letters a ``DDBStreamBatchInfo`` (stream, shard,
first and last sequence numbers), not the records. The records stay in the stream for 24 hours; their
keys (the stream carries keys only) name the stored delivery or carrier event to process again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

_PAGE = 1000
_GONE = ("TrimmedDataAccessException", "ResourceNotFoundException", "ExpiredIteratorException")


class StreamRecordsGoneError(LookupError):
    """The stream no longer holds the records (older than 24 hours, or the stream was replaced)."""


@dataclass(frozen=True)
class StreamBatch:
    """The records of one shard from ``first`` to ``last`` sequence number, both included."""

    stream_arn: str
    shard_id: str
    first: str
    last: str

    @classmethod
    def from_failure(cls, document: dict[str, Any]) -> StreamBatch:
        """From the ``DDBStreamBatchInfo`` of a stream's on-failure record; KeyError when it is not one."""
        info = document["DDBStreamBatchInfo"]
        return cls(
            str(info["streamArn"]),
            str(info["shardId"]),
            str(info["startSequenceNumber"]),
            str(info["endSequenceNumber"]),
        )


class StreamRecordReader:
    def __init__(self, client: Any = None) -> None:
        """``client``: a ``dynamodbstreams`` client (the project installs no stubs for it)."""
        self._client = client or boto3.client("dynamodbstreams")

    def keys_of(self, batch: StreamBatch) -> list[dict[str, str]]:
        """Each record's item keys (string attributes), in stream order."""
        try:
            return [_string_keys(record["dynamodb"]["Keys"]) for record in self._records(batch)]
        except ClientError as error:
            if error.response["Error"]["Code"] in _GONE:
                raise StreamRecordsGoneError(f"{batch.shard_id}: {error}") from error
            raise

    def _records(self, batch: StreamBatch) -> Iterator[dict[str, Any]]:
        iterator: str | None = self._client.get_shard_iterator(
            StreamArn=batch.stream_arn,
            ShardId=batch.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch.first,
        )["ShardIterator"]
        while iterator:
            answer = self._client.get_records(ShardIterator=iterator, Limit=_PAGE)
            records = answer.get("Records", [])
            for record in records:
                if int(record["dynamodb"]["SequenceNumber"]) > int(batch.last):
                    return
                yield dict(record)
            if not records:
                return
            iterator = answer.get("NextShardIterator")


def _string_keys(keys: dict[str, Any]) -> dict[str, str]:
    return {name: str(value["S"]) for name, value in keys.items() if "S" in value}
