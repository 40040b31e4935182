"""Every 15 minutes: queue each order due for a check (input may carry ``as_of`` for time travel)."""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.reconcile import ReconcilePlanner


@on_first_use
def planner() -> "ReconcilePlanner":
    from trackguard.services.reconcile import build_planner

    return build_planner()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, object]:
    return planner().plan_scheduled(event).as_dict()
