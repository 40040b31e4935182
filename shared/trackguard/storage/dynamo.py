"""DynamoDB plumbing: one low-level client per process, and plain Python ↔ attribute-value mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.config import Config

from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Item = dict[str, Any]

_serializer = TypeSerializer()
_DYNAMODB_NUMBER_LIMIT = 10**38  # a number has at most 38 significant digits
_deserializer = TypeDeserializer()

# Requests are built here from typed attribute values and DynamoDB validates each one itself (a bad one
# is a ValidationException, as loud as botocore's own check); botocore's client-side walk of every
# attribute was the largest part of a carrier callback's own time (make bench: ingest_handler_own_ms).
_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 4},
    tcp_keepalive=True,
    parameter_validation=False,
)


@on_first_use
def dynamodb_client() -> DynamoDBClient:
    """One client per process, reused across invocations (connection reuse)."""
    return boto3.client("dynamodb", config=_CLIENT_CONFIG)


def to_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    """Python values → DynamoDB attribute values (floats become Decimals; None values are dropped)."""
    return {key: to_value(value) for key, value in item.items() if value is not None}


def to_value(value: Any) -> Any:
    """One value as its JSON form would be stored (anything JSON cannot hold becomes its ``str``).

    Strings, booleans, integers, lists and string-keyed maps of them, which are nearly every value
    trackguard writes, are mapped directly: every write path runs this, and the JSON round trip it
    skips cost more than the rest of building an item. Anything else takes the round trip.
    """
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -_DYNAMODB_NUMBER_LIMIT < value < _DYNAMODB_NUMBER_LIMIT:
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if kind is list or kind is tuple:
        return {"L": [to_value(inner) for inner in value]}
    if kind is dict and all(type(key) is str for key in value):
        return {"M": {key: to_value(inner) for key, inner in value.items()}}
    return _serializer.serialize(json.loads(json.dumps(value, default=str), parse_float=Decimal))


def from_attributes(attributes: Mapping[str, Any]) -> Item:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in attributes.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list | set):
        return [_plain(inner) for inner in value]
    if isinstance(value, Binary):  # the stubs omit Binary.value
        return value.value  # type: ignore[attr-defined]
    return value


class Table:
    """A table name bound to the given client or else the process's one, with paging helpers."""

    def __init__(self, name: str, client: DynamoDBClient | None = None) -> None:
        self.name = name
        self._given_client = client

    @property
    def client(self) -> DynamoDBClient:
        return self._given_client or dynamodb_client()

    def query_pages(self, **kwargs: Any) -> Iterator[list[Item]]:
        """Yield each page of a Query as plain items, following LastEvaluatedKey."""
        request = {"TableName": self.name, **kwargs}
        while True:
            answer = self.client.query(**request)
            yield [from_attributes(item) for item in answer.get("Items", [])]
            last_key = answer.get("LastEvaluatedKey")
            if not last_key:
                return
            request["ExclusiveStartKey"] = last_key

    def query_all(self, **kwargs: Any) -> list[Item]:
        return [item for page in self.query_pages(**kwargs) for item in page]

    def get(self, pk: str, sk: str, consistent: bool = False) -> Item | None:
        answer = self.client.get_item(
            TableName=self.name,
            Key={"pk": {"S": pk}, "sk": {"S": sk}},
            ConsistentRead=consistent,
        )
        item = answer.get("Item")
        return from_attributes(item) if item else None


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}
