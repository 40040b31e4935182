"""The webhook endpoint shared by the shop and carrier ingestion functions.

It reads the raw delivery, hands it to one ingest service and maps every refusal to the contract's
answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from trackguard.api.errors import JSON_CONTENT_TYPE, error_response, refusal_response
from trackguard.api.webhooks import read_delivery
from trackguard.errors import TrackguardError
from trackguard.observability import logger, metrics
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.secrets import SecretDocument
    from trackguard.services.ingest import Accepted
    from trackguard.settings import Settings
    from trackguard.sources.base import RawDelivery


class IngestService(Protocol):
    def accept(self, source: str, delivery: RawDelivery) -> Accepted: ...


class WebhookEndpoint:
    """One ingestion route's endpoint; its settings and service are built on first use (``wiring``)."""

    def __init__(
        self, load_settings: Callable[[], Settings], build_service: Callable[[Settings], IngestService]
    ) -> None:
        self.settings = on_first_use(load_settings)
        self.service = on_first_use(lambda: build_service(self.settings()))

    def accept(self, source: str, event: APIGatewayProxyEventV2) -> Response[Any]:
        try:
            delivery = read_delivery(event, self.settings().max_body_bytes)
            accepted = self.service().accept(source, delivery)
        except TrackguardError as refusal:
            return self._refused(source, refusal)
        metrics.add_metric(
            name="DuplicateDeliveries" if accepted.duplicate else "DeliveriesAccepted",
            unit=MetricUnit.Count,
            value=1,
        )
        logger.info(
            "delivery accepted",
            source=source,
            delivery_id=accepted.delivery_id,
            duplicate=accepted.duplicate,
            events=accepted.events,
        )
        body = {
            "status": "duplicate" if accepted.duplicate else "accepted",
            "delivery_id": accepted.delivery_id,
        }
        return Response(status_code=200, content_type=JSON_CONTENT_TYPE, body=body)

    @staticmethod
    def _refused(source: str, refusal: TrackguardError) -> Response[Any]:
        metrics.add_metric(name=f"Refused{refusal.status}", unit=MetricUnit.Count, value=1)
        logger.warning(
            "delivery refused",
            source=source,
            status=refusal.status,
            error=refusal.code,
            reason=refusal.message,
        )
        return refusal_response(refusal)


def storage_failure(error: Exception) -> Response[Any]:
    """Nothing was durably stored: answer 503 so the sender retries."""
    logger.exception("delivery not stored", error_type=type(error).__name__)
    metrics.add_metric(name="DeliveriesNotStored", unit=MetricUnit.Count, value=1)
    return error_response(503, "not_stored", "the delivery could not be stored; retry later")


def webhook_secrets_loader(settings: Settings) -> Callable[[], SecretDocument]:
    from trackguard.secrets import load_secret_document

    return lambda: load_secret_document(settings.webhook_secrets_id)


def shop_ingest_service(settings: Settings) -> IngestService:
    from trackguard.services.ingest import ShopIngestService
    from trackguard.storage.deliveries import DeliveryRepository
    from trackguard.storage.dynamo import Table

    return ShopIngestService(DeliveryRepository(Table(settings.table_name)), webhook_secrets_loader(settings))


def carrier_ingest_service(settings: Settings) -> IngestService:
    from trackguard.services.ingest import CarrierIngestService
    from trackguard.storage.dynamo import Table
    from trackguard.storage.tracking import TrackingRepository

    return CarrierIngestService(
        TrackingRepository(Table(settings.table_name)), webhook_secrets_loader(settings)
    )


def environment_settings() -> Settings:
    from trackguard.settings import Settings

    return Settings.from_environ()


def default_endpoint(build_service: Callable[[Settings], IngestService]) -> WebhookEndpoint:
    """The endpoint as deployed: settings from the environment, read once (the endpoint keeps them)."""
    return WebhookEndpoint(environment_settings, build_service)
