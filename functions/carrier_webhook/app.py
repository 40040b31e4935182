"""Carrier and aggregator callbacks: verify, store the events (one DynamoDB request), answer.

Storing is all: the table's stream hands the new events to the processor."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.api.ingestion import carrier_ingest_service, default_endpoint, storage_failure
from trackguard.observability import logger, metrics, tracer

app = APIGatewayHttpResolver()
endpoint = default_endpoint(carrier_ingest_service)


@app.post("/webhooks/carriers/<source>")
def carrier_callback(source: str) -> Response[Any]:
    return endpoint.accept(source, app.current_event)


@app.head("/webhooks/carriers/ship24")
def ship24_probe() -> Response[Any]:
    """Ship24 saves a webhook URL only after a HEAD answered 200."""
    return Response(status_code=200, body="")


app.exception_handler(Exception)(storage_failure)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
