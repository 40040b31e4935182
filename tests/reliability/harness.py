"""The real webhook handlers, invoked in-process with API Gateway HTTP API (payload 2.0) events.

Each handler's endpoint is wired to one test's table through explicit boto3 clients, so a test can point
it at its own DynamoDB Local (even one it stops and restarts). The work the handlers start is read from
the table's stream, as the processor receives it in AWS.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from aws_lambda_powertools.utilities import parameters

from tests.reliability.senders import SHOP_ROUTES, Delivery, route_path
from tests.support.lambda_events import FakeLambdaContext, load_function
from tests.support.streams import StreamReader
from trackguard.api.ingestion import IngestService, WebhookEndpoint, webhook_secrets_loader
from trackguard.services.ingest import CarrierIngestService, ShopIngestService
from trackguard.services.messages import ProcessingMessage
from trackguard.services.processing import stream_messages
from trackguard.settings import Settings
from trackguard.storage.deliveries import DeliveryRepository
from trackguard.storage.dynamo import Table
from trackguard.storage.tracking import TrackingRepository

shop_function = load_function("shop_webhook")
carrier_function = load_function("carrier_webhook")


def clear_secret_caches() -> None:
    """Forget the secret documents Powertools cached, so the handlers read them from the server again."""
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated


def http_event(delivery: Delivery, at: datetime, raw_body: str | None = None) -> dict[str, Any]:
    """``raw_body`` replaces the body text as API Gateway hands it over (e.g. a lone surrogate)."""
    path = route_path(delivery.route)
    try:
        body, encoded = (raw_body if raw_body is not None else delivery.body.decode("utf-8")), False
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(delivery.body).decode(), True
    return {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": delivery.headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": "req",
            "routeKey": f"POST {path}",
            "stage": "$default",
            "timeEpoch": int(at.timestamp() * 1000),
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def error_shaped(self) -> bool:
        return (
            isinstance(self.body, dict)
            and isinstance(self.body.get("error"), str)
            and isinstance(self.body.get("message"), str)
        )


@dataclass
class Ingestion:
    """Both webhook functions wired to ``table``, their secrets in ``webhook_secrets_id``; ``new_work`` is
    what they started since the last call."""

    table: Table
    webhook_secrets_id: str

    def __post_init__(self) -> None:
        self.stream = StreamReader(self.table.client, self.table.name)

    def endpoints(self) -> dict[ModuleType, WebhookEndpoint]:
        settings = Settings(
            table_name=self.table.name,
            event_bus_name="trackguard-reliability",
            webhook_secrets_id=self.webhook_secrets_id,
            due_index_shards=8,
        )
        return {
            shop_function: WebhookEndpoint(lambda: settings, self._shop_service),
            carrier_function: WebhookEndpoint(lambda: settings, self._carrier_service),
        }

    def new_work(self) -> list[ProcessingMessage]:
        return stream_messages(self.stream.new_records())

    def _shop_service(self, settings: Settings) -> IngestService:
        return ShopIngestService(DeliveryRepository(self.table), webhook_secrets_loader(settings))

    def _carrier_service(self, settings: Settings) -> IngestService:
        return CarrierIngestService(TrackingRepository(self.table), webhook_secrets_loader(settings))


def post(delivery: Delivery, at: datetime, raw_body: str | None = None) -> Answer:
    function = shop_function if delivery.route in SHOP_ROUTES else carrier_function
    answer = function.lambda_handler(http_event(delivery, at, raw_body), FakeLambdaContext())
    text = answer.get("body") or ""
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    return Answer(answer["statusCode"], body)


def table_snapshot(table: Table) -> list[dict[str, Any]]:
    """Every item exactly as stored (attribute values), in key order."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table.name, "ConsistentRead": True}
    while True:
        page = table.client.scan(**request)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))
