"""Scheduled: refresh every TikTok Shop access token that is due (CONTRACT §5), well before it expires.

The input may carry ``as_of`` (ISO-8601) to refresh what is due at that instant. Init loads Powertools
alone; the refresher is built by the first run, then kept.
"""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.reports.schedule import schedule_as_of
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.tiktok_tokens import TokenRefresher


@on_first_use
def refresher() -> "TokenRefresher":
    from trackguard.services.tiktok_tokens import build_token_refresher

    return build_token_refresher()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, object]:
    return refresher().run(schedule_as_of(event)).as_dict()
