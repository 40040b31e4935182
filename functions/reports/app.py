"""Hourly: queue one report job per seller in its report hour and per report due for a retry."""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.reports.schedule import schedule_as_of
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.report_schedule import ReportSchedule


@on_first_use
def report_schedule() -> "ReportSchedule":
    from trackguard.services.report_schedule import build_report_schedule

    return build_report_schedule()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    due = report_schedule().run(schedule_as_of(event))
    return {
        "queued": [
            {"seller_id": report.seller_id, "date": str(report.report_date), "retry": report.retry}
            for report in due
        ]
    }
