"""Every 15 minutes: queue each order due for a check (input may carry ``as_of`` for time travel).

Init loads Powertools alone; the planner is imported and built by the first run, then kept.
"""

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer

if TYPE_CHECKING:
    from trackguard.services.reconcile import ReconcilePlanner


@cache
def planner() -> "ReconcilePlanner":
    from trackguard.services.reconcile import build_planner

    return build_planner()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, object]:
    return planner().plan_scheduled(event).as_dict()
