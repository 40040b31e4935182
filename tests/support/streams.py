"""Read a table's DynamoDB stream (DynamoDB Local implements it) as Lambda would receive its records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class StreamReader:
    """Hands out each stream record once, in order within each shard."""

    def __init__(self, dynamodb_client: DynamoDBClient, table_name: str) -> None:
        self._streams = boto3.client(
            "dynamodbstreams",
            endpoint_url=dynamodb_client.meta.endpoint_url,
            region_name=dynamodb_client.meta.region_name or "us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self._arn: str = dynamodb_client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self._positions: dict[str, str] = {}

    def new_records(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        for shard in shards:
            records.extend(self._read_shard(shard["ShardId"]))
        return records

    def _read_shard(self, shard_id: str) -> list[dict[str, Any]]:
        position = self._positions.get(shard_id)
        iterator_request: dict[str, Any] = {"StreamArn": self._arn, "ShardId": shard_id}
        if position:
            iterator_request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=position)
        else:
            iterator_request.update(ShardIteratorType="TRIM_HORIZON")
        iterator = self._streams.get_shard_iterator(**iterator_request).get("ShardIterator")
        records: list[dict[str, Any]] = []
        while iterator:
            answer = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            batch = answer.get("Records", [])
            if not batch:
                break
            records.extend(batch)
            self._positions[shard_id] = batch[-1]["dynamodb"]["SequenceNumber"]
            iterator = answer.get("NextShardIterator")
        return records
