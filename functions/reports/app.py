"""Daily seller reports: the hourly schedule builds, stores and delivers each due seller's report."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.services.reports import daily_reports_from_settings, schedule_as_of
from trackguard.settings import get_settings

daily_reports = daily_reports_from_settings(get_settings())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    runs = daily_reports.run(schedule_as_of(event))
    return {
        "reports": [
            {"seller_id": run.seller_id, "date": str(run.report_date), "outcome": run.outcome} for run in runs
        ]
    }
