"""SQS and EventBridge senders; each client is built on first use (trackguard.wiring), then kept."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from pydantic import BaseModel

from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef
    from mypy_boto3_sqs.client import SQSClient

_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 4})
EVENT_SOURCE = "trackguard"
_SQS_BATCH = 10
_EVENTS_BATCH = 10


@on_first_use
def _sqs() -> SQSClient:
    return boto3.client("sqs", config=_CONFIG)


@on_first_use
def _events() -> EventBridgeClient:
    return boto3.client("events", config=_CONFIG)


class QueueSendError(RuntimeError):
    pass


class MessageQueue:
    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self._url = queue_url
        self._client = client

    @property
    def client(self) -> SQSClient:
        return self._client or _sqs()

    def send(self, message: BaseModel) -> None:
        self.client.send_message(QueueUrl=self._url, MessageBody=message.model_dump_json())

    def send_all(self, messages: list[BaseModel]) -> None:
        for start in range(0, len(messages), _SQS_BATCH):
            chunk = messages[start : start + _SQS_BATCH]
            answer = self.client.send_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(index), "MessageBody": m.model_dump_json()} for index, m in enumerate(chunk)
                ],
            )
            if answer.get("Failed"):
                raise QueueSendError(f"{len(answer['Failed'])} messages were not queued")


class EventPublisher:
    """Publishes domain events (``ShipmentStatusChanged``, ``ShipmentFlagged``, ``FlagResolved``)."""

    def __init__(self, bus_name: str, client: EventBridgeClient | None = None) -> None:
        self._bus = bus_name
        self._client = client

    def publish(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        client = self._client or _events()
        entries: list[PutEventsRequestEntryTypeDef] = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": detail_type,
                "Detail": json.dumps(detail, default=str),
                "EventBusName": self._bus,
            }
            for detail_type, detail in events
        ]
        for start in range(0, len(entries), _EVENTS_BATCH):
            client.put_events(Entries=entries[start : start + _EVENTS_BATCH])
