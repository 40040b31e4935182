"""Shop-order webhooks (TikTok Shop, Shopify): verify, store once, answer well inside 3 s.

Storing is all: the table's stream hands the stored delivery to the processor."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.api.ingestion import default_endpoint, shop_ingest_service, storage_failure
from trackguard.observability import logger, metrics, tracer

app = APIGatewayHttpResolver()
endpoint = default_endpoint(shop_ingest_service)


@app.post("/webhooks/tiktok-shop")
def tiktok_shop() -> Response[Any]:
    return endpoint.accept("tiktok_shop", app.current_event)


@app.post("/webhooks/shopify")
def shopify() -> Response[Any]:
    return endpoint.accept("shopify", app.current_event)


app.exception_handler(Exception)(storage_failure)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
