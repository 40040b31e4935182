"""GET /oauth/tiktok-shop/callback: TikTok Shop redirects a seller here after the authorisation page.

Init loads Powertools alone; the connector (settings, secrets, storage, TikTok clients) is built by the
first request, then kept for the life of the process.
"""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.tiktok_authorization import TikTokConnector


@on_first_use
def connector() -> "TikTokConnector":
    from trackguard.services.tiktok_authorization import build_connector

    return build_connector()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    from trackguard.api.oauth_pages import connected_page, refused_page
    from trackguard.services.tiktok_authorization import CallbackRefusedError

    query = event.get("queryStringParameters") or {}
    try:
        return connected_page(connector().complete(query))
    except CallbackRefusedError as refusal:
        logger.info("TikTok authorisation refused", status=refusal.status, reason=refusal.reason)
        return refused_page(refusal)
