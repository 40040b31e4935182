"""In-memory stand-ins for the AWS services the code under test talks to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from trackguard.clients.shop_credentials import ShopTokenRecord, UnknownShopError
from trackguard.storage.dynamo import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class RecordingPublisher:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        self.events.extend(events)

    def of_type(self, detail_type: str) -> list[dict[str, Any]]:
        return [detail for kind, detail in self.events if kind == detail_type]


class RecordingQueue:
    def __init__(self) -> None:
        self.messages: list[BaseModel] = []

    def send(self, message: BaseModel) -> None:
        self.messages.append(message)


class DictSecrets:
    """Secrets Manager as a dict, for tests of what is stored where (not of Secrets Manager itself)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def put(self, owner: str, value: str, description: str) -> None:
        self.values[owner] = value

    def get(self, owner: str) -> str | None:
        return self.values.get(owner)


class MemoryTokenVault:
    """Shop token records in a dict, as the Secrets Manager credential store keeps them."""

    def __init__(self) -> None:
        self.records: dict[str, ShopTokenRecord] = {}
        self.writes: list[str] = []

    def put(self, shop_id: str, record: ShopTokenRecord) -> None:
        self.records[shop_id] = record
        self.writes.append(shop_id)

    def fresh(self, shop_id: str) -> ShopTokenRecord:
        if shop_id not in self.records:
            raise UnknownShopError(shop_id)
        return self.records[shop_id]

    def delete(self, shop_id: str) -> None:
        self.records.pop(shop_id, None)


class UnreadTable(Table):
    """A table a test must not read: the first request to it fails the test."""

    @property
    def client(self) -> DynamoDBClient:
        raise AssertionError(f"the code under test read the table {self.name}")
