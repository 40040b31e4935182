"""Hourly: queue one report job per seller in its report hour and per report due for a retry.

Init loads Powertools alone; the schedule (settings, storage, queue) is built by the first run, then kept.
"""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.services.report_schedule import ReportSchedule, report_schedule_from_settings, schedule_as_of


@cache
def report_schedule() -> ReportSchedule:
    from trackguard.settings import get_settings

    return report_schedule_from_settings(get_settings())


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
