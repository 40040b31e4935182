"""Seller API: a seller's flags, orders and reports (routes and access in trackguard.api.seller_routes).

The routes themselves are loaded on first use: their request and response models are pydantic.
"""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver


@on_first_use
def seller_routes() -> "APIGatewayHttpResolver":
    from trackguard.api.seller_routes import app

    return app


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return seller_routes().resolve(event, context)
