"""Every 15 minutes: queue each order due for a check (input may carry ``as_of`` for time travel)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.services.reconcile import build_planner, resolve_as_of

planner = build_planner()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, object]:
    return planner.plan(resolve_as_of(event)).as_dict()
