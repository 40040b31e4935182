"""The report queue: one seller's report job per message, built, stored, delivered (partial batch failures).

A delivery that fails is not an error here: the job records it and a later hourly run retries it. A
message fails only when the job itself could not run (storage unreachable), so SQS redelivers it.
"""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.reports import ReportJobs

batch = BatchProcessor(event_type=EventType.SQS)


@on_first_use
def report_jobs() -> "ReportJobs":
    from trackguard.services.reports import build_report_jobs

    return build_report_jobs()


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    outcome = report_jobs().run_body(record.body)
    logger.info("report job", extra={"message_id": record.message_id, "outcome": outcome})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle_record, processor=batch, context=context
    )
